"""SCL203 reader-mount-writable: a sidecar that only reads a shared volume mounts it
read-write."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext
from sidecarlint.shell import file_access


def _under(path: str, mount_path: str) -> bool:
    prefix = mount_path.rstrip("/") + "/"
    return path.startswith(prefix) or path == mount_path.rstrip("/")


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for c in pod.sidecars:
        writes, reads = file_access(c.argv)
        for mount in c.mounts:
            mount_path = mount.path
            if mount.read_only or mount_path is None or mount.name is None:
                continue
            if not any(_under(r, mount_path) for r in reads):
                continue
            if any(_under(w, mount_path) for w in writes):
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
                    f"sidecar {c.label} only reads volume '{excerpt(mount.name)}' but mounts it "
                    "read-write; readOnly: true keeps it from changing what the app writes",
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
