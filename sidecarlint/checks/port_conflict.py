"""SCL501 port-conflict: two containers that run at the same time declare the same port."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Container, Pod, Port
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
                for first in order[:j]:
                    if not _runs_with(first, second):
                        continue
                    same = next(
                        (
                            p.index
                            for p in first.ports
                            if _number(p, key) == number and p.protocol == protocol
                        ),
                        None,
                    )
                    if same is not None:
                        shown = excerpt(str(protocol))
                        yield Hit(
                            (*second.path, "ports", port.index, key),
                            f"{second.label} and {first.label} both declare {key} {number}/"
                            f"{shown} and run at the same time in one network namespace: "
                            "one of them cannot bind it",
                            container=second,
                            related=(
                                (
                                    (*first.path, "ports", same, key),
                                    f"{first.label} declares {key} {number}/{shown} here",
                                ),
                            ),
                        )
                        break


def _number(port: Port, key: str) -> int | None:
    return port.container_port if key == "containerPort" else port.host_port


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
