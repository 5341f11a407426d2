"""Machine-readable output with a stable, versioned shape (``schemaVersion`` 1)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sidecarlint import __version__
from sidecarlint.finding import Finding, ObjectRef, Severity
from sidecarlint.records import fields, replace
from sidecarlint.report._escape import valid_unicode

if TYPE_CHECKING:
    from sidecarlint.pipeline import Report


def valid_finding(f: Finding) -> Finding:
    """``f`` with no lone surrogate in its texts (see :func:`valid_unicode`)."""
    changes: dict[str, Any] = {}
    for name in ("message", "file", "path", "container", "fix"):
        value = getattr(f, name)
        if value is not None and valid_unicode(value) is not value:
            changes[name] = valid_unicode(value)
    if f.object is not None:
        texts = [getattr(f.object, n) for n in fields(ObjectRef)]
        if any(t is not None and valid_unicode(t) is not t for t in texts):
            changes["object"] = ObjectRef(*(None if t is None else valid_unicode(t) for t in texts))
    return replace(f, **changes) if changes else f


def finding_dict(f: Finding) -> dict[str, Any]:
    f = valid_finding(f)
    obj = None
    if f.object is not None:
        obj = {
            "apiVersion": f.object.api_version,
            "kind": f.object.kind,
            "name": f.object.name,
            "namespace": f.object.namespace,
        }
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "message": f.message,
        "file": f.file,
        "line": f.span.line,
        "column": f.span.column,
        "endLine": f.span.end_line,
        "endColumn": f.span.end_column,
        "document": f.document,
        "object": obj,
        "path": f.path,
        "container": f.container,
        "fix": f.fix,
        "fixable": f.fixable,
    }


def render(
    report: Report,
    *,
    show_suppressed: bool = False,
    statistics_only: bool = False,
    **_: Any,
) -> str:
    if statistics_only:
        from sidecarlint.report.text import statistics

        rows = [
            {
                "code": f.code,
                "name": f.name,
                "severity": f.severity.value,
                "count": count,
                "fixable": f.fixable,
            }
            for f, count in statistics(report, show_suppressed=show_suppressed)
        ]
        return json.dumps(rows, indent=2, ensure_ascii=True) + "\n"
    findings = [f for f in report.findings if show_suppressed or not f.suppressed]
    data = {
        "schemaVersion": 1,
        "tool": {"name": "sidecarlint", "version": __version__},
        "kubernetesVersion": report.version,
        "findings": [finding_dict(f) for f in findings],
        "summary": {
            "files": report.files,
            "documents": report.documents,
            "objects": report.objects,
            "errors": report.count(Severity.ERROR),
            "warnings": report.count(Severity.WARNING),
            "infos": report.count(Severity.INFO),
            "suppressed": report.suppressed,
            "nonKubernetesFiles": report.non_kubernetes_files,
        },
    }
    return json.dumps(data, indent=2, ensure_ascii=True) + "\n"
