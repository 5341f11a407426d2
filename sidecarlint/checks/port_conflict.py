"""SCL501 port-conflict: two containers that run at the same time listen on the same port.

The ports each container listens on come from the Pod's file-and-port model: declared
``containerPort`` entries (unless the container's args bind other ports instead), listen
flags in its args, and the fixed ports of well-known images. Two app containers on one
``hostPort`` are rejected by the API server: ``duplicate-host-port`` (SCL020) reports those,
this rule the clashes the API accepts.
"""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.activity import PortUse, activity
from sidecarlint.checks.duplicate_host_port import host_port_key
from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Container, Pod, Role
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    order = [*pod.init_containers, *pod.containers]
    listens = {id(c): [u for u in activity(pod, c).listens if u.certain] for c in order}
    several = sum(1 for found in listens.values() if found) > 1
    for j, second in enumerate(order):
        for use in listens[id(second)] if several else ():
            for first in order[:j]:
                if not _runs_with(first, second):
                    continue
                other = next(
                    (
                        u
                        for u in listens[id(first)]
                        if u.port == use.port and u.protocol == use.protocol
                    ),
                    None,
                )
                if other is not None:
                    yield _clash(second, use, first, other)
                    break
        for port in second.ports:
            if port.protocol is None or port.host_port is None:
                continue
            for first in order[:j]:
                if not _runs_with(first, second):
                    continue
                if first.role is Role.APP and second.role is Role.APP:
                    continue  # rejected by the API: SCL020
                key = host_port_key(port)
                index = next(
                    (p.index for p in first.ports if key is not None and host_port_key(p) == key),
                    None,
                )
                if index is not None:
                    what = f"hostPort {port.host_port}/{excerpt(port.protocol)}"
                    yield Hit(
                        (*second.path, "ports", port.index, "hostPort"),
                        f"{second.label} and {first.label} both declare {what} and run at the "
                        "same time in one network namespace: one of them cannot bind it",
                        container=second,
                        related=(
                            (
                                (*first.path, "ports", index, "hostPort"),
                                f"{first.label} declares {what} here",
                            ),
                        ),
                    )
                    break


def _clash(second: Container, use: PortUse, first: Container, other: PortUse) -> Hit:
    what = f"{use.port}/{excerpt(use.protocol)}"
    if use.declared and other.declared:
        message = (
            f"{second.label} and {first.label} both declare containerPort {what} and run at "
            "the same time in one network namespace: one of them cannot bind it"
        )
        note = f"{first.label} declares containerPort {what} here"
    else:
        message = (
            f"{second.label} listens on {what} ({use.evidence}), and so does {first.label} "
            f"({other.evidence}); they run at the same time in one network namespace: one of "
            "them cannot bind it"
        )
        note = f"{first.label} listens on {what} ({other.evidence})"
    return Hit(use.where, message, container=second, related=((other.where, note),))


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
    summary="Two containers running at the same time listen on the same port",
    check=check,
)
