"""GitLab Code Quality: the JSON array of issues ``artifacts:reports:codequality`` reads.

Each issue has a description, a check name, a severity, a location (path relative to the
project directory, begin and end line and column) and a fingerprint. GitLab keeps one issue
per fingerprint, so fingerprints are unique within a report; like SARIF's ``sidecarlint/v1``
they hold no line number, so an issue keeps its fingerprint when unrelated lines move.
Suppressed findings are left out: GitLab has no way to show them as such.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sidecarlint.finding import Finding, Severity
from sidecarlint.report._escape import valid_unicode
from sidecarlint.report._stream import Items, Output, write_json

if TYPE_CHECKING:
    from sidecarlint.pipeline import Report

_SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def issue(f: Finding, path: str, fingerprint: str) -> dict[str, Any]:
    """One finding as a Code Quality issue (the one place a finding's text is rendered)."""
    return {
        "description": f.message + (f" Fix: {f.fix}" if f.fix else ""),
        "check_name": f.code,
        "fingerprint": fingerprint,
        "severity": _SEVERITIES[f.severity],
        "location": {
            "path": valid_unicode(path),
            "positions": {
                "begin": {"line": f.span.line, "column": f.span.column},
                "end": {"line": f.span.end_line, "column": max(f.span.end_column, 1)},
            },
        },
    }


def write(report: Report, out: Output, *, sarif_root: str | None = None, **_: Any) -> None:
    from sidecarlint.report import ci_root, relative_path
    from sidecarlint.report.sarif import fingerprint

    root = ci_root(sarif_root, "CI_PROJECT_DIR")

    def issues() -> Iterator[dict[str, Any]]:
        # A fingerprint holds the file's path: it can only repeat within one file.
        seen: dict[str, int] = {}
        current: str | None = None
        for f in report.findings:
            if f.suppressed:
                continue
            if f.file != current:
                seen, current = {}, f.file
            path = relative_path(f.file, root)
            base = fingerprint(f, path)
            seen[base] = seen.get(base, 0) + 1
            unique = (
                base
                if seen[base] == 1
                else hashlib.sha256(f"{base}:{seen[base]}".encode()).hexdigest()[:32]
            )
            yield issue(f, path, unique)

    write_json(out, Items(issues()))
    out.write("\n")
