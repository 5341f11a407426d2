"""SCL501 port-conflict: two containers that run at the same time declare the same port.

Two app containers on one ``hostPort`` are rejected by the API server: ``duplicate-host-port``
(SCL020) reports those, this rule the clashes the API accepts.
"""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks.duplicate_host_port import host_port_key
from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Container, Pod, Port, Role
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    order = [*pod.init_containers, *pod.containers]
    for j, second in enumerate(order):
        for port in second.ports:
            protocol = port.protocol
            if protocol is None:
                continue
            for key, number in (
                ("containerPort", port.container_port),
                ("hostPort", port.host_port),
            ):
                if number is None:
                    continue
                same = _same_host_port if key == "hostPort" else _same_container_port
                for first in order[:j]:
                    if not _runs_with(first, second):
                        continue
                    if key == "hostPort" and first.role is Role.APP and second.role is Role.APP:
                        continue  # rejected by the API: SCL020
                    index = next((p.index for p in first.ports if same(p, port)), None)
                    if index is not None:
                        shown = excerpt(str(protocol))
                        yield Hit(
                            (*second.path, "ports", port.index, key),
                            f"{second.label} and {first.label} both declare {key} {number}/"
                            f"{shown} and run at the same time in one network namespace: "
                            "one of them cannot bind it",
                            container=second,
                            related=(
                                (
                                    (*first.path, "ports", index, key),
                                    f"{first.label} declares {key} {number}/{shown} here",
                                ),
                            ),
                        )
                        break


def _same_container_port(a: Port, b: Port) -> bool:
    return a.container_port == b.container_port and a.protocol == b.protocol


def _same_host_port(a: Port, b: Port) -> bool:
    key = host_port_key(a)
    return key is not None and key == host_port_key(b)


def _runs_with(first: Container, second: Container) -> bool:
    """``first`` (declared earlier) is still running when ``second`` starts."""
    if first.is_sidecar:
        return True
    if first.role.value == "init":
        return False
    return second.role.value == "app"


RULE = Rule(
    code="SCL501",
    name="port-conflict",
    severity=Severity.WARNING,
    summary="Two containers running at the same time declare the same port",
    check=check,
)
