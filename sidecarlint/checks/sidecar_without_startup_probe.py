"""SCL304 sidecar-without-startup-probe: later containers use a sidecar that has no
startupProbe."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks._pod import local_connections, name_path, own_ports
from sidecarlint.finding import Severity
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    order = [*pod.init_containers, *pod.containers]
    for i, sidecar in enumerate(order):
        if not sidecar.is_sidecar or "startupProbe" in sidecar.data:
            continue
        ports = own_ports(sidecar)
        if not ports:
            continue
        for user in order[i + 1 :]:
            used = sorted(local_connections(user) & ports)
            if used:
                yield Hit(
                    name_path(sidecar),
                    f"{user.label} connects to localhost:{used[0]} served by sidecar "
                    f"{sidecar.label}, which has no startupProbe: the next container starts as "
                    "soon as the sidecar's process runs, possibly before it listens. Add a "
                    "startupProbe on that port",
                    container=sidecar,
                )
                break


RULE = Rule(
    code="SCL304",
    name="sidecar-without-startup-probe",
    severity=Severity.WARNING,
    summary="Later containers reach a sidecar over localhost but it has no startupProbe",
    check=check,
    min_version="1.28",
    precision="medium",
)
