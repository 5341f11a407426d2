"""SCL020 duplicate-host-port: a ``hostPort`` the API server rejects as a duplicate.

Kubernetes ``pkg/apis/core/validation/validation.go``: ``validateContainers`` runs
``checkHostPortConflicts`` over all app containers together, ``validateInitContainers`` over
each init container on its own (they run one at a time). ``AccumulateUniqueHostPorts`` keys
a port by ``protocol/hostIP/hostPort``. A sidecar and an app container on the same
``hostPort`` are accepted: ``port-conflict`` (SCL501) reports that clash.
"""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Container, Pod, Port
from sidecarlint.registry import Hit, Rule, RuleContext


def host_port_key(port: Port) -> str | None:
    """``TCP//8080``: the key ``AccumulateUniqueHostPorts`` compares (None: no hostPort, or a
    field of the wrong type)."""
    if not port.host_port or port.protocol is None or port.host_ip is None:
        return None
    return f"{port.protocol}/{port.host_ip}/{port.host_port}"


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    yield from _unique(pod.containers, "app containers")
    for c in pod.init_containers:
        yield from _unique([c], f"init container {c.label}")


def _unique(containers: list[Container], scope: str) -> Iterator[Hit]:
    seen: dict[str, tuple[Container, int]] = {}
    for c in containers:
        for port in c.ports:
            key = host_port_key(port)
            if key is None:
                continue
            first, index = seen.setdefault(key, (c, port.index))
            if first is c and index == port.index:
                continue
            owner = "" if first is c else f", already used by {first.label}"
            shown = excerpt(key)
            yield Hit(
                (*c.path, "ports", port.index, "hostPort"),
                f'Duplicate value: "{shown}" — hostPorts must be unique across {scope} '
                f"({c.label}{owner})",
                container=c,
                related=(
                    (
                        (*first.path, "ports", index, "hostPort"),
                        f"{first.label} declares {shown} first, here",
                    ),
                ),
            )


RULE = Rule(
    code="SCL020",
    name="duplicate-host-port",
    severity=Severity.ERROR,
    summary="Two hostPorts the API server rejects as duplicates",
    check=check,
)
