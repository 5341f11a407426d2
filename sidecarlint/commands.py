"""What ``sidecarlint check`` does once its options are known, without any option parsing.

``cli`` parses the command line with click and calls :func:`check`. The ``sidecarlint``
entry point calls :func:`check_paths` directly when the arguments are ``check`` and paths
only, which is how a pre-commit hook calls it: there is nothing to parse then, and
importing click and building the command tree would be about a third of such a run. Any
option, and any usage error, goes through click, so both ways behave the same (a test
holds them to identical output).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from sidecarlint.config import ConfigError

EXIT_ERROR = 2

#: Writes text as is (no newline added), to stderr when ``err`` is true.
Echo = Callable[[str, bool], None]


class UsageError(Exception):
    """A mistake in the command line itself: reported with the command's usage (exit 2)."""


class Failure(Exception):
    """A run that cannot go on or cannot be reported (exit 2, one line on stderr)."""


def write(text: str, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text)
    stream.flush()


def check(
    paths: Sequence[str],
    *,
    config_path: str | None = None,
    format_: str | None = None,
    sarif_root: str | None = None,
    sarif_output: str | None = None,
    stdin_filename: str | None = None,
    fix: bool = False,
    show_diff: bool = False,
    color: str | None = None,
    quiet: bool = False,
    statistics: bool = False,
    echo: Echo = write,
    **cli_values: Any,
) -> int:
    """Check ``paths`` with the command-line values given; the exit code."""
    from sidecarlint.config import load_config, resolve
    from sidecarlint.pipeline import run
    from sidecarlint.records import replace
    from sidecarlint.report import choose, renderer, use_colour
    from sidecarlint.sources import PathError

    if stdin_filename is not None:
        if not paths:
            paths = ["-"]
        elif "-" not in paths:
            raise UsageError("--stdin-filename names stdin: add '-' to the paths")
    if not paths:
        raise UsageError("no paths given (use '-' for stdin)")
    cli_values["format"] = format_
    loaded = load_config(config_path)
    settings, out = resolve(cli_values, loaded)
    if fix or show_diff:
        from sidecarlint.sources import remember_stdin

        remember_stdin()  # a fix of stdin needs its whole text
    fmt = choose(out.format, to_file=out.output is not None or statistics)
    if statistics and fmt not in ("text", "json"):
        raise UsageError(f"--statistics works with the text and json formats, not {fmt}")
    if fmt == "sarif" or sarif_output:
        settings = replace(settings, line_hashes=True)
    for target in (out.output, sarif_output):
        if target:
            check_writable(target)
    try:
        report = run(paths, settings, stdin_name=stdin_filename)
    except PathError as exc:
        raise UsageError(str(exc)) from None
    if not report.files and not report.skipped_files:
        nothing_checked(paths, settings, echo)
    if fix or show_diff:
        from sidecarlint.fix import fix_report

        outcome = fix_report(report, settings, write=fix and not show_diff)
        if show_diff:
            for result in outcome.files:
                echo(result.diff(), False)
            echo(f"{outcome.fixed} findings can be fixed\n", True)
            return 1 if outcome.fixed else 0
        stdin_fix = [r for r in outcome.files if r.file == report.stdin_name]
        if "-" in paths and fix:
            from sidecarlint.sources import stdin_text

            # A filter: the document goes to stdout, fixed or not; the report to stderr.
            echo(stdin_fix[0].fixed if stdin_fix else (stdin_text() or ""), False)
            stdin_fix = stdin_fix or [None]  # type: ignore[list-item]
        report = outcome.report
        report.notes.append(f"fixed {outcome.fixed} findings; {outcome.remaining} remain")
        if stdin_fix and out.output is None:
            out = replace(out, output="/dev/stderr")
    colour = fmt == "text" and use_colour(color, None if out.output else sys.stdout)
    text = renderer(fmt)(
        report,
        colour=colour,
        show_suppressed=out.show_suppressed,
        show_source=out.show_source,
        sarif_root=sarif_root,
        quiet=quiet,
        statistics_only=statistics,
    )
    if sarif_output:
        sarif = renderer("sarif")(
            report, sarif_root=sarif_root, show_suppressed=out.show_suppressed
        )
        write_report(sarif_output, sarif)
    if out.output:
        write_report(out.output, text)
    else:
        echo(text, False)
    return report.exit_code(out.fail_on)


def write_report(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise Failure(f"cannot write the report to {path}: {exc.strerror or exc}") from None


def check_writable(path: str) -> None:
    """Refuse an output file that cannot be written, before any work is done."""
    directory = os.path.dirname(os.path.abspath(path))
    why = None
    if os.path.isdir(path):
        why = "it is a directory"
    elif not os.path.isdir(directory):
        why = f"the directory {os.path.dirname(path) or directory} does not exist"
    elif os.path.exists(path) and not os.access(path, os.W_OK):
        why = "permission denied"
    elif not os.path.exists(path) and not os.access(directory, os.W_OK | os.X_OK):
        why = f"permission denied in {os.path.dirname(path) or directory}"
    if why:
        raise Failure(f"cannot write the report to {path}: {why}")


def nothing_checked(paths: Sequence[str], settings: Any, echo: Echo) -> None:
    """No file was checked. Files named one by one that are all excluded are a choice (a
    pre-commit hook passes every staged file, and the configuration excludes some); a
    directory that yields nothing is a mistake worth failing a CI job for."""
    from sidecarlint.sources import EXTENSIONS

    if any(p != "-" and not os.path.isdir(p) for p in paths):
        echo("sidecarlint: nothing checked: every file given is excluded\n", True)
        return
    patterns = ", ".join(settings.include or [f"*{e}" for e in EXTENSIONS])
    excluded = ", ".join(settings.exclude)
    raise Failure(
        f"nothing to check: no file under {' '.join(paths)} matches {patterns}"
        + (f", or every one is excluded (exclude: {excluded})" if excluded else "")
    )


def guarded(action: Callable[[], int], *, debug: bool = False) -> int:
    """Run ``action``; every failure becomes a one-line message and exit code 2, never a
    traceback (unless ``debug``)."""
    try:
        return action()
    except UsageError:
        raise
    except (ConfigError, Failure) as exc:
        write(f"sidecarlint: error: {exc}\n", err=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        write("\nAborted.\n", err=True)
        return EXIT_ERROR
    except Exception as exc:  # last resort
        if debug:
            raise
        write(
            f"sidecarlint: internal error: {type(exc).__name__}: {exc} "
            "(run with --debug for a traceback)\n",
            err=True,
        )
        return EXIT_ERROR


def check_paths(paths: Sequence[str]) -> int | None:
    """``sidecarlint check PATH...`` without click; None when click should report a usage
    error instead (nothing has been written then)."""
    try:
        return guarded(lambda: check(paths))
    except UsageError:
        return None
