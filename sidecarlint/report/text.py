"""Human-readable output: ``path:line:col: SEVERITY CODE [name] message``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sidecarlint.finding import Severity

if TYPE_CHECKING:
    from sidecarlint.pipeline import Report

_COLOURS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render(
    report: Report, *, colour: bool = False, show_suppressed: bool = False, **_: object
) -> str:
    lines: list[str] = []
    previous: str | None = None
    for f in report.findings:
        if f.suppressed and not show_suppressed:
            continue
        if previous is not None and f.file != previous:
            lines.append("")
        previous = f.file
        sev = f.severity.value.upper()
        where = f"{f.file}:{f.span.line}:{f.span.column}:"
        if colour:
            where = f"{_BOLD}{where}{_RESET}"
            sev = f"{_COLOURS[f.severity]}{sev}{_RESET}"
        tail = " (suppressed)" if f.suppressed else ""
        lines.append(f"{where} {sev} {f.code} [{f.name}] {f.message}{tail}")
        if f.fix:
            lines.append(f"    fix: {f.fix}")
    if lines:
        lines.append("")
    lines.extend(f"note: {note}" for note in report.notes)
    errors = report.count(Severity.ERROR)
    warnings = report.count(Severity.WARNING)
    infos = report.count(Severity.INFO)
    summary = (
        f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}, {_plural(infos, 'info')} "
        f"in {_plural(report.files, 'file')} ({_plural(report.documents, 'document')}, "
        f"{_plural(report.objects, 'object')}; Kubernetes {report.version})"
    )
    extras = []
    if report.suppressed:
        extras.append(f"{report.suppressed} suppressed")
    if report.non_kubernetes:
        extras.append(f"{_plural(report.non_kubernetes, 'non-Kubernetes document')} skipped")
    if extras:
        summary += "; " + ", ".join(extras)
    lines.append(summary)
    return "\n".join(lines) + "\n"
