"""SCL203 reader-mount-writable: a sidecar that only reads a shared volume mounts it
read-write."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.activity import activity
from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext

#: Volume types the kubelet always mounts read-only.
_READ_ONLY_TYPES = ("configMap", "secret", "downwardAPI", "projected")


def _under(path: str, mount_path: str) -> bool:
    prefix = mount_path.rstrip("/") + "/"
    return path.startswith(prefix) or path == mount_path.rstrip("/")


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for c in pod.sidecars:
        uses = activity(pod, c)
        for mount in c.mounts:
            mount_path = mount.path
            if mount.read_only or mount_path is None or mount.name is None:
                continue
            volume = pod.volumes.get(mount.name, (0, {}))[1]
            if any(kind in volume for kind in _READ_ONLY_TYPES):
                continue
            reads = [r for r in uses.reads if _under(r.path, mount_path)]
            if not reads or any(_under(w.path, mount_path) for w in uses.writes):
                continue
            shared = any(
                m.name == mount.name
                for other in pod.all_containers
                if other is not c
                for m in other.mounts
            )
            if shared:
                yield Hit(
                    (*c.path, "volumeMounts", mount.index),
                    f"sidecar {c.label} only reads volume '{excerpt(mount.name)}' (it reads "
                    f"{excerpt(reads[0].path)}: {reads[0].evidence}) but mounts it read-write; "
                    "readOnly: true keeps it from changing what the app writes",
                    container=c,
                    fix=f"Add readOnly: true to this mount of {c.label}",
                    fixable=True,
                )


RULE = Rule(
    code="SCL203",
    name="reader-mount-writable",
    severity=Severity.INFO,
    summary="A sidecar that only reads a shared volume mounts it read-write",
    check=check,
    min_version="1.28",
    fixable=True,
    precision="medium",
)
