"""SCL403 prestop-sleep-exceeds-grace: a lifecycle sleep at least as long as the grace period."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks._lifecycle import grace_period, hook_sleep
from sidecarlint.finding import Severity
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    grace = grace_period(pod)
    for c in [*pod.sidecars, *pod.containers]:
        for hook in ("preStop", "postStart"):
            found = hook_sleep(c, hook)
            if found is None:
                continue
            seconds, how = found
            if seconds < grace:
                continue
            if how == "sleep":
                if ctx.minor < 29:
                    continue  # an unknown field there: SCL004
                path = (*c.path, "lifecycle", hook, "sleep", "seconds")
                if ctx.gate("PodLifecycleSleepAction"):
                    yield Hit(
                        path,
                        f"Invalid value: {seconds}: must be greater than 0 and less than "
                        f"terminationGracePeriodSeconds ({grace}) ({hook} of {c.label})",
                        container=c,
                    )
                else:
                    yield Hit(
                        path,
                        f"the {hook} sleep of {c.label} ({seconds}s) is not shorter than the "
                        f"grace period ({grace}s); on {ctx.version} the sleep handler is dropped "
                        "(PodLifecycleSleepAction is off by default)",
                        severity=Severity.WARNING,
                        container=c,
                    )
            elif hook == "preStop":
                yield Hit(
                    (*c.path, "lifecycle", hook, "exec"),
                    f"the preStop hook of {c.label} sleeps {seconds}s, not less than the grace "
                    f"period ({grace}s): the container is killed before the sleep ends",
                    key=True,
                    severity=Severity.WARNING,
                    container=c,
                )


RULE = Rule(
    code="SCL403",
    name="prestop-sleep-exceeds-grace",
    severity=Severity.ERROR,
    summary="A preStop or postStart sleep not shorter than terminationGracePeriodSeconds",
    check=check,
)
