"""SCL020 duplicate-host-port: a ``hostPort`` the API server rejects as a duplicate.

Kubernetes ``pkg/apis/core/validation/validation.go``: ``validateContainers`` runs
``checkHostPortConflicts`` over all app containers together, ``validateInitContainers`` over
each init container on its own (they run one at a time). ``AccumulateUniqueHostPorts`` keys
a port by ``protocol/hostIP/hostPort``. A sidecar and an app container on the same
``hostPort`` are accepted: ``port-conflict`` (SCL501) reports that clash.
"""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity
from sidecarlint.locate import Container, Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def host_port_key(port: dict[str, object]) -> str | None:
    """``TCP//8080``: the key ``AccumulateUniqueHostPorts`` compares (None: no hostPort)."""
    number = port.get("hostPort")
    if not isinstance(number, int) or isinstance(number, bool) or number == 0:
        return None
    protocol = port.get("protocol") or "TCP"
    host_ip = port.get("hostIP") or ""
    return f"{protocol}/{host_ip}/{number}"


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    yield from _unique(pod.containers, "app containers")
    for c in pod.init_containers:
        yield from _unique([c], f"init container {c.label}")


def _unique(containers: list[Container], scope: str) -> Iterator[Hit]:
    seen: dict[str, Container] = {}
    for c in containers:
        for i, port in c.items("ports"):
            key = host_port_key(port)
            if key is None:
                continue
            first = seen.setdefault(key, c)
            if first is c and _first_index(c, key) == i:
                continue
            owner = "" if first is c else f", already used by {first.label}"
            yield Hit(
                (*c.path, "ports", i, "hostPort"),
                f'Duplicate value: "{key}" — hostPorts must be unique across {scope} '
                f"({c.label}{owner})",
                container=c,
            )


def _first_index(c: Container, key: str) -> int:
    return next(i for i, p in c.items("ports") if host_port_key(p) == key)


RULE = Rule(
    code="SCL020",
    name="duplicate-host-port",
    severity=Severity.ERROR,
    summary="Two hostPorts the API server rejects as duplicates",
    check=check,
)
