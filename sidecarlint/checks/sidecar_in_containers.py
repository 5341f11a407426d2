"""SCL103 sidecar-in-containers: a helper in containers of a long-running workload."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks._lifecycle import startup_wait
from sidecarlint.checks._pod import name_path
from sidecarlint.finding import Severity
from sidecarlint.helpers import helper_match
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    if pod.runs_to_completion:
        return  # SCL102's case
    for c in pod.containers:
        match = helper_match(c, pod, ctx.options)
        if match is None:
            continue
        wait = startup_wait(c) if c is pod.containers[0] else None
        if wait is not None:
            # The kubelet starts app containers in order and runs each postStart hook to
            # its end before starting the next: this helper does start first.
            order = (
                f"it starts first (its postStart hook '{wait}' holds the next containers until "
                "it is ready), but it has no stop order (it can exit before the app has drained)"
            )
        else:
            order = (
                "it has no start order (the app can start before it is ready) and no stop order "
                "(it can exit before the app has drained)"
            )
        yield Hit(
            name_path(c),
            f"{c.label} looks like a sidecar ({match.describe()}) but is an app container: "
            + order,
            container=c,
            fix=f"Move {c.label} to initContainers with restartPolicy: Always",
            fixable=True,
        )


RULE = Rule(
    code="SCL103",
    name="sidecar-in-containers",
    severity=Severity.WARNING,
    summary="A helper declared as an app container of a long-running workload",
    check=check,
    min_version="1.29",
    fixable=True,
    precision="medium",
)
