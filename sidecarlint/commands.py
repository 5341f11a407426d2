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
from sidecarlint.report._escape import printable

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
    from sidecarlint.report import choose, use_colour, writer
    from sidecarlint.report._stream import Chunked, Recorded
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
        # Reported as the files are checked, unless fixes need the whole report first.
        report = run(
            paths,
            settings,
            stdin_name=stdin_filename,
            stream=not (fix or show_diff),
            reports=tuple(p for p in (out.output, sarif_output) if p),
        )
    except PathError as exc:
        raise UsageError(printable(str(exc))) from None
    if not report.files and not report.skipped_files:
        nothing_checked(paths, settings, echo)
    if fix or show_diff:
        from sidecarlint.fix import fix_report

        outcome = fix_report(report, settings, write=fix and not show_diff)
        if show_diff:
            for result in outcome.files:
                echo(result.diff(), False)
            for note in outcome.report.notes[len(report.notes) :]:  # fixes left out, and why
                echo(f"note: {printable(note)}\n", True)
            echo(f"{outcome.fixed} findings can be fixed\n", True)
            if outcome.report.internal_errors:
                return explain_internal_errors(outcome.report, echo)
            return 1 if outcome.fixed else 0
        report = outcome.report
        if "-" in paths and fix:
            # A filter: stdin goes to stdout, fixed where it could be, else byte for byte;
            # the report goes to stderr.
            _filter_stdin(outcome)
            if out.output is None:
                out = replace(out, output="/dev/stderr")
        report.notes.append(f"fixed {outcome.fixed} findings; {outcome.remaining} remain")
    colour = fmt == "text" and use_colour(color, None if out.output else sys.stdout)
    options = {
        "colour": colour,
        "show_suppressed": out.show_suppressed,
        "show_source": out.show_source,
        "sarif_root": sarif_root,
        "quiet": quiet,
        "statistics_only": statistics,
    }
    recorded = None
    if sarif_output and not isinstance(report.findings, list):
        # The findings come once, as the files are checked: they are kept aside for the
        # SARIF file (on disk once they are many).
        recorded = Recorded(report.findings)
        report.findings = recorded.first()
    if out.output:
        write_report(out.output, lambda handle: writer(fmt)(report, handle, **options))
    else:
        stdout = Chunked(lambda text: echo(text, False))
        writer(fmt)(report, stdout, **options)
        stdout.flush()
    if sarif_output:
        if recorded is not None:
            report.findings = recorded.again()
        try:
            write_report(
                sarif_output,
                lambda handle: writer("sarif")(
                    report, handle, sarif_root=sarif_root, show_suppressed=out.show_suppressed
                ),
            )
        finally:
            if recorded is not None:
                recorded.close()
    code = report.exit_code(out.fail_on)
    if code == EXIT_ERROR:
        return explain_internal_errors(report, echo)
    return code


def _filter_stdin(outcome: Any) -> None:
    """Write stdin to stdout fixed, or as it came (all of it, also what was not read)."""
    from sidecarlint.sources import stdin_bytes, stdin_rest

    name = outcome.report.stdin_name
    fixed = next((r for r in outcome.files if r.file == name and r.changed), None)
    sys.stdout.flush()
    out = sys.stdout.buffer
    if fixed is not None:
        out.write(fixed.fixed_bytes())
    else:
        out.write(stdin_bytes())
        for block in stdin_rest():
            out.write(block)
        unread = [f for f in outcome.report.findings if f.file == name and f.code == "SCL006"]
        if unread:
            outcome.report.notes.append(f"{name}: passed through unchanged: {unread[0].message}")
    out.flush()


#: Internal errors listed on stderr (the rest are counted).
SHOWN_CRASHES = 5


def explain_internal_errors(report: Any, echo: Echo) -> int:
    """Say on stderr why the exit code is 2, whatever the report shows (SCL999 may be
    disabled, the report may be JSON or in a file); the exit code."""
    count = report.internal_errors
    lines = [
        f"sidecarlint: exit code 2: {count} internal error{'' if count == 1 else 's'}; "
        "what they stopped is not checked:"
    ]
    lines += [f"  {printable(crash)}" for crash in report.crashes[:SHOWN_CRASHES]]
    if len(report.crashes) > SHOWN_CRASHES:
        lines.append(f"  and {len(report.crashes) - SHOWN_CRASHES} more")
    lines.append("  (run with --debug for tracebacks; this is a bug in sidecarlint)")
    echo("\n".join(lines) + "\n", True)
    return EXIT_ERROR


def write_report(path: str, write: Callable[[Any], None]) -> None:
    """Open ``path`` and ``write`` the report to it (a report is written as it comes)."""
    try:
        with open(path, "w", encoding="utf-8") as handle:
            write(handle)
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
        write(f"sidecarlint: error: {printable(str(exc))}\n", err=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        write("\nAborted.\n", err=True)
        return EXIT_ERROR
    except Exception as exc:  # last resort
        if debug:
            raise
        write(
            f"sidecarlint: internal error: {type(exc).__name__}: {printable(str(exc))} "
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
