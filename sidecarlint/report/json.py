"""Machine-readable output with a stable, versioned shape (``schemaVersion`` 1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sidecarlint import __version__
from sidecarlint.finding import Finding, ObjectRef, Severity
from sidecarlint.records import fields, replace
from sidecarlint.report._escape import valid_unicode
from sidecarlint.report._stream import Items, Object, Output, write_json

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


def _text(value: str | None) -> str | None:
    return None if value is None else valid_unicode(value)


def object_dict(ref: ObjectRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {
        "apiVersion": _text(ref.api_version),
        "kind": _text(ref.kind),
        "name": _text(ref.name),
        "namespace": _text(ref.namespace),
    }


def rendered_dict(f: Finding) -> dict[str, Any] | None:
    """What a finding in rendered output was found in (its file and position are where it
    was mapped back to): the renderer, the kustomization or chart, the document's index
    in the rendered output and the object as rendered."""
    if f.rendered is None:
        return None
    return {
        "renderer": f.rendered.renderer,
        "source": valid_unicode(f.rendered.source),
        "document": f.rendered.document,
        "object": object_dict(f.rendered.object),
    }


def finding_dict(f: Finding) -> dict[str, Any]:
    f = valid_finding(f)
    obj = object_dict(f.object)
    out = {
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
    if f.rendered is not None:
        out["rendered"] = rendered_dict(f)
    return out


def write(
    report: Report,
    out: Output,
    *,
    show_suppressed: bool = False,
    statistics_only: bool = False,
    **_: Any,
) -> None:
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
        out.write(json.dumps(rows, indent=2, ensure_ascii=True) + "\n")
        return
    findings = (finding_dict(f) for f in report.findings if show_suppressed or not f.suppressed)

    def entries() -> Iterator[tuple[str, Any]]:
        yield "schemaVersion", 1
        yield "tool", {"name": "sidecarlint", "version": __version__}
        yield "kubernetesVersion", report.version
        yield "findings", Items(findings)
        # Reached once every finding is written: the counts are complete.
        yield (
            "summary",
            {
                "files": report.files,
                "documents": report.documents,
                "objects": report.objects,
                "errors": report.count(Severity.ERROR),
                "warnings": report.count(Severity.WARNING),
                "infos": report.count(Severity.INFO),
                "suppressed": report.suppressed,
                "nonKubernetesFiles": report.non_kubernetes_files,
            },
        )

    write_json(out, Object(entries()))
    out.write("\n")
