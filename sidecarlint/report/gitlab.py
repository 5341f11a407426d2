"""GitLab Code Quality: the JSON array of issues ``artifacts:reports:codequality`` reads.

Each issue has a description, a check name, a severity, a location (path relative to the
project directory, begin and end line and column) and a fingerprint. GitLab keeps one issue
per fingerprint, so fingerprints are unique within a report; like SARIF's ``sidecarlint/v1``
they hold no line number, so an issue keeps its fingerprint when unrelated lines move.
Suppressed findings are left out: GitLab has no way to show them as such.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from sidecarlint.finding import Finding, Severity
from sidecarlint.report._escape import valid_unicode

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


def render(report: Report, *, sarif_root: str | None = None, **_: Any) -> str:
    from sidecarlint.report import ci_root, relative_path
    from sidecarlint.report.sarif import fingerprint

    root = ci_root(sarif_root, "CI_PROJECT_DIR")
    issues: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for f in report.findings:
        if f.suppressed:
            continue
        path = relative_path(f.file, root)
        base = fingerprint(f, path)
        seen[base] = seen.get(base, 0) + 1
        unique = (
            base
            if seen[base] == 1
            else hashlib.sha256(f"{base}:{seen[base]}".encode()).hexdigest()[:32]
        )
        issues.append(issue(f, path, unique))
    return json.dumps(issues, indent=2, ensure_ascii=True) + "\n"
