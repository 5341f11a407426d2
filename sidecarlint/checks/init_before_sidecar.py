"""SCL301 init-before-sidecar: a regular init container uses a sidecar declared after it."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks._pod import local_connections, name_path, own_ports
from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext
from sidecarlint.shell import file_access


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    order = pod.init_containers
    for i, init in enumerate(order):
        if init.is_sidecar:
            continue
        later = [c for c in order[i + 1 :] if c.is_sidecar]
        if not later:
            continue
        connects = local_connections(init)
        earlier_ports = {p for c in order[:i] if c.is_sidecar for p in own_ports(c)}
        reads = file_access(init.argv)[1]
        for sidecar in later:
            ports = sorted((connects & own_ports(sidecar)) - earlier_ports)
            if ports:
                yield Hit(
                    name_path(init),
                    f"init container {init.label} connects to localhost:{ports[0]}, which "
                    f"sidecar {sidecar.label} serves, but {sidecar.label} is declared after it: "
                    "init containers run one at a time in order, so it is not running yet. Move "
                    f"{sidecar.label} before {init.label}",
                    container=init,
                    related=((name_path(sidecar), f"sidecar {sidecar.label} is declared here"),),
                )
                continue
            written = set(file_access(sidecar.argv)[0])
            others = {
                w for c in pod.all_containers if c is not sidecar for w in file_access(c.argv)[0]
            }
            needed = sorted(r for r in reads if r in written and r not in others)
            if needed:
                yield Hit(
                    name_path(init),
                    f"init container {init.label} reads {excerpt(needed[0])}, which only sidecar "
                    f"{sidecar.label} writes, but {sidecar.label} is declared after it and has "
                    f"not started. Move {sidecar.label} before {init.label}",
                    container=init,
                    related=((name_path(sidecar), f"sidecar {sidecar.label} is declared here"),),
                )


RULE = Rule(
    code="SCL301",
    name="init-before-sidecar",
    severity=Severity.ERROR,
    summary="A regular init container needs a sidecar that is declared after it",
    check=check,
    min_version="1.28",
    precision="medium",
)
