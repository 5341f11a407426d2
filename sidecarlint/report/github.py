"""GitHub Actions workflow commands: one annotation per finding, grouped by file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sidecarlint.finding import Severity

if TYPE_CHECKING:
    from sidecarlint.pipeline import Report

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, *, show_suppressed: bool = False, quiet: bool = False, **_: Any) -> str:
    lines: list[str] = []
    current: str | None = None
    for f in report.findings:
        if f.suppressed and not show_suppressed:
            continue
        if f.file != current:
            if current is not None:
                lines.append("::endgroup::")
            lines.append(f"::group::{escape_data(f.file)}")
            current = f.file
        props = ",".join(
            [
                f"file={escape_property(f.file)}",
                f"line={f.span.line}",
                f"endLine={f.span.end_line}",
                f"col={f.span.column}",
                f"endColumn={f.span.end_column}",
                f"title={escape_property(f'{f.code} {f.name}')}",
            ]
        )
        message = f.message + (f" Fix: {f.fix}" if f.fix else "")
        if f.suppressed:
            message += " (suppressed)"
        lines.append(f"::{_COMMANDS[f.severity]} {props}::{escape_data(message)}")
    if current is not None:
        lines.append("::endgroup::")
    if quiet:
        return "".join(line + "\n" for line in lines)
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    lines.append(
        f"sidecarlint: {errors} errors, {warnings} warnings, {report.count(Severity.INFO)} infos "
        f"in {report.files} files (GitHub shows at most 10 annotations of each kind per step; "
        "upload SARIF to see all)"
    )
    return "\n".join(lines) + "\n"
