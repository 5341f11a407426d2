"""SCL405 termination-budget: preStop sleeps that do not fit in the grace period."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from sidecarlint.checks._lifecycle import grace_period, hook_sleep
from sidecarlint.finding import Severity
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    sidecar_sleeps = [(c, s[0]) for c in pod.sidecars if (s := hook_sleep(c))]
    if not sidecar_sleeps:
        return
    app = max((s[0] for c in pod.containers if (s := hook_sleep(c))), default=Decimal(0))
    total = app + sum((s for _, s in sidecar_sleeps), Decimal(0))
    grace = grace_period(pod)
    if total <= grace:
        return
    parts = ", ".join(f"{c.label} {s}s" for c, s in sidecar_sleeps)
    path = (*pod.path, "terminationGracePeriodSeconds")
    yield Hit(
        path,  # the pod spec's key when the grace period is not written
        f"preStop sleeps add up to {total}s (app {app}s; sidecars {parts}) but the Pod has "
        f"{grace}s to terminate: sidecars stop one at a time after the app, within one grace "
        "period, so the last ones are killed",
        key=True,
    )


RULE = Rule(
    code="SCL405",
    name="termination-budget",
    severity=Severity.INFO,
    summary="Sidecar and app preStop sleeps that exceed the termination grace period",
    check=check,
    min_version="1.29",
)
