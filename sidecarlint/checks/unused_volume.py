"""SCL202 unused-volume: a volume no container mounts."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    volumes = pod.volumes
    if not volumes:
        return
    used: set[str] = set()
    for c in pod.all_containers:
        for mount in (*c.mounts, *c.devices):
            if mount.name is None:
                return  # a mount whose name cannot be read could be of any volume
            used.add(mount.name)
    for name, (index, _) in volumes.items():
        if name not in used:
            yield Hit(
                (*pod.path, "volumes", index, "name"),
                f"volume '{excerpt(name)}' is not mounted by any container",
            )


RULE = Rule(
    code="SCL202",
    name="unused-volume",
    severity=Severity.INFO,
    summary="A volume that no container mounts",
    check=check,
)
