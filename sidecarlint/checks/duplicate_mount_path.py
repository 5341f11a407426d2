"""SCL015 duplicate-mount-path: one container mounts two volumes at the same path."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for c in pod.all_containers:
        seen: dict[str, int] = {}
        for mount in c.mounts:
            path = mount.path
            if path is None:
                continue
            key = path.rstrip("/") or "/"
            if key in seen:
                yield Hit(
                    (*c.path, "volumeMounts", mount.index, "mountPath"),
                    f'Invalid value: "{excerpt(path)}": must be unique — {c.label} already mounts '
                    f"volumeMounts[{seen[key]}] there",
                    container=c,
                )
            else:
                seen[key] = mount.index


RULE = Rule(
    code="SCL015",
    name="duplicate-mount-path",
    severity=Severity.ERROR,
    summary="Two volumeMounts of one container share a mountPath",
    check=check,
)
