"""SCL015 duplicate-mount-path: one container mounts two volumes at the same path.

Kubernetes ``pkg/apis/core/validation/validation.go``, ``ValidateVolumeMounts``: a
``mountPath`` string already used by the container is rejected (``must be unique``); the
same directory written differently (``/data`` and ``/data/``) passes that check.
"""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for c in pod.all_containers:
        seen: dict[str, tuple[int, str]] = {}
        for mount in c.mounts:
            path = mount.path
            if path is None:
                continue
            key = path.rstrip("/") or "/"
            if key not in seen:
                seen[key] = (mount.index, path)
                continue
            first, written = seen[key]
            if written == path:
                yield Hit(
                    (*c.path, "volumeMounts", mount.index, "mountPath"),
                    f'Invalid value: "{excerpt(path)}": must be unique — {c.label} already mounts '
                    f"volumeMounts[{first}] there",
                    container=c,
                )
            else:
                yield Hit(
                    (*c.path, "volumeMounts", mount.index, "mountPath"),
                    f'"{excerpt(path)}" is the directory of volumeMounts[{first}] of {c.label} '
                    "written differently: the API accepts it, but both volumes mount on one "
                    "directory and one hides the other",
                    severity=Severity.WARNING,
                    container=c,
                )


RULE = Rule(
    code="SCL015",
    name="duplicate-mount-path",
    severity=Severity.ERROR,
    summary="Two volumeMounts of one container share a mountPath",
    check=check,
)
