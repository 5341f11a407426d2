"""SCL404 sidecar-prestop-exits: a sidecar preStop hook that stops the sidecar itself."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks._lifecycle import stops_itself
from sidecarlint.finding import Severity
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for c in pod.sidecars:
        how = stops_itself(c)
        if how is None:
            continue
        yield Hit(
            (*c.path, "lifecycle", "preStop"),
            f"the preStop hook of sidecar {c.label} stops its own process ({how}): a sidecar "
            "that exits is restarted, so it loops during termination; the kubelet stops "
            "sidecars itself after the app containers have exited",
            key=True,
            container=c,
        )


RULE = Rule(
    code="SCL404",
    name="sidecar-prestop-exits",
    severity=Severity.WARNING,
    summary="A sidecar preStop hook that kills or shuts down the sidecar itself",
    check=check,
    min_version="1.29",
    precision="medium",
)
