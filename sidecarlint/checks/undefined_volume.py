"""SCL014 undefined-volume: a volumeMount names no volume of the pod."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def claim_templates(pod: Pod) -> set[str]:
    """StatefulSet volumeClaimTemplates names (mountable without a volumes entry)."""
    if pod.workload.kind != "StatefulSet":
        return set()
    templates = pod.obj.data.get("spec", {}).get("volumeClaimTemplates")
    names: set[str] = set()
    if isinstance(templates, list):
        for t in templates:
            if isinstance(t, dict) and isinstance(t.get("metadata"), dict):
                name = t["metadata"].get("name")
                if isinstance(name, str):
                    names.add(name)
    return names


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    defined = set(pod.volumes) | claim_templates(pod)
    for c in pod.all_containers:
        for mount in c.mounts:
            name = mount.name
            if name is not None and name not in defined:
                where = "volumes" + (
                    " or volumeClaimTemplates" if pod.workload.kind == "StatefulSet" else ""
                )
                yield Hit(
                    (*c.path, "volumeMounts", mount.index, "name"),
                    f'Not found: "{excerpt(name)}" — {c.label} mounts a volume that is not in '
                    f"{where}",
                    container=c,
                )


RULE = Rule(
    code="SCL014",
    name="undefined-volume",
    severity=Severity.ERROR,
    summary="A volumeMount names a volume the pod does not define",
    check=check,
)
