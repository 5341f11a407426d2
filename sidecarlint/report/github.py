"""GitHub Actions workflow commands: one annotation per finding, grouped by file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sidecarlint.finding import Finding, Severity
from sidecarlint.report._escape import printable
from sidecarlint.report._stream import Output

if TYPE_CHECKING:
    from sidecarlint.pipeline import Report

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """A workflow command's message: no control character (they are shown as escapes, so no
    line break can end the command early) and ``%`` encoded."""
    return printable(text).replace("%", "%25")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, path: str) -> str:
    """One finding as a workflow command (the one place a finding's text is rendered).

    ``path`` is relative to the workspace, which GitHub resolves it against; stdin without
    a name (``-``) gets an annotation of the run, with no file or position.
    """
    props = [
        f"file={escape_property(path)}",
        f"line={f.span.line}",
        f"endLine={f.span.end_line}",
        f"col={f.span.column}",
        f"endColumn={f.span.end_column}",
    ]
    if path == "-":
        props = []
    props.append(f"title={escape_property(f'{f.code} {f.name}')}")
    message = f.message + (f" Fix: {f.fix}" if f.fix else "")
    if f.suppressed:
        message += " (suppressed)"
    return f"::{_COMMANDS[f.severity]} {','.join(props)}::{escape_data(message)}"


def write(
    report: Report,
    out: Output,
    *,
    show_suppressed: bool = False,
    quiet: bool = False,
    sarif_root: str | None = None,
    **_: Any,
) -> None:
    from sidecarlint.report import ci_root, relative_path

    root = ci_root(sarif_root, "GITHUB_WORKSPACE")
    current: str | None = None
    path = ""
    for f in report.findings:
        if f.suppressed and not show_suppressed:
            continue
        if f.file != current:
            if current is not None:
                out.write("::endgroup::\n")
            path = relative_path(f.file, root)
            out.write(f"::group::{escape_data(path)}\n")
            current = f.file
        out.write(annotation(f, path) + "\n")
    if current is not None:
        out.write("::endgroup::\n")
    if quiet:
        return
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    out.write(
        f"sidecarlint: {errors} errors, {warnings} warnings, {report.count(Severity.INFO)} infos "
        f"in {report.files} files (GitHub shows at most 10 annotations of each kind per step; "
        "upload SARIF to see all)\n"
    )
