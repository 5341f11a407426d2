"""SCL403 prestop-sleep-exceeds-grace: a lifecycle sleep the API rejects or that uses up the
grace period.

Kubernetes ``pkg/apis/core/validation/validation.go``, ``validateSleepAction``: ``seconds``
must not exceed ``terminationGracePeriodSeconds``; 0 is rejected unless
``PodLifecycleSleepActionAllowZero`` is on (v1.29.0–v1.31.2 have no such gate).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from sidecarlint.checks._lifecycle import grace_period, hook_sleep
from sidecarlint.finding import Severity
from sidecarlint.locate import Container, Pod
from sidecarlint.registry import Hit, Rule, RuleContext

#: First minor with the ``sleep`` lifecycle handler (an unknown field before: SCL004).
FIRST_SLEEP = 29
#: First minor whose message names the ``AllowPodLifecycleSleepActionZeroValue`` option.
FIRST_ZERO_HINT = 32


def api_message(seconds: Decimal, grace: int, ctx: RuleContext) -> str:
    """The API server's own words for a rejected ``sleep.seconds`` on the target."""
    if ctx.gate("PodLifecycleSleepActionAllowZero"):
        rule = f"must be non-negative and less than terminationGracePeriodSeconds ({grace})"
    else:
        rule = f"must be greater than 0 and less than terminationGracePeriodSeconds ({grace})"
        if ctx.minor >= FIRST_ZERO_HINT:
            rule += ". Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep."
    return f"Invalid value: {seconds}: {rule}"


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    grace = grace_period(pod)
    for c in [*pod.sidecars, *pod.containers]:
        for hook in ("preStop", "postStart"):
            found = hook_sleep(c, hook)
            if found is None:
                continue
            seconds, how = found
            if how == "sleep":
                yield from _sleep_handler(c, hook, seconds, grace, ctx)
            elif hook == "preStop" and seconds >= grace:
                yield Hit(
                    (*c.path, "lifecycle", hook, "exec"),
                    f"the preStop hook of {c.label} sleeps {seconds}s, not less than the grace "
                    f"period ({grace}s): the container is killed before it can stop cleanly",
                    key=True,
                    severity=Severity.WARNING,
                    container=c,
                )


def _sleep_handler(
    c: Container, hook: str, seconds: Decimal, grace: int, ctx: RuleContext
) -> Iterator[Hit]:
    if ctx.minor < FIRST_SLEEP:
        return  # an unknown field there: SCL004
    path = (*c.path, "lifecycle", hook, "sleep", "seconds")
    zero_ok = ctx.gate("PodLifecycleSleepActionAllowZero")
    rejected = seconds > grace or seconds < 0 or (seconds == 0 and not zero_ok)
    if not ctx.gate("PodLifecycleSleepAction"):
        if rejected or seconds == grace:
            yield Hit(
                path,
                f"the {hook} sleep of {c.label} ({seconds}s) does not fit the grace period "
                f"({grace}s), but Kubernetes {ctx.version} drops the sleep handler "
                "(PodLifecycleSleepAction is off)",
                severity=Severity.WARNING,
                container=c,
            )
    elif rejected:
        yield Hit(
            path,
            f"{api_message(seconds, grace, ctx)} — Kubernetes {ctx.version} rejects the "
            f"{hook} sleep of {c.label}",
            container=c,
        )
    elif seconds == grace and hook == "preStop":
        yield Hit(
            path,
            f"the preStop sleep of {c.label} lasts the whole grace period ({grace}s): the API "
            "accepts it, but the container is killed as the sleep ends, with no time to stop "
            "cleanly",
            severity=Severity.WARNING,
            container=c,
        )


RULE = Rule(
    code="SCL403",
    name="prestop-sleep-exceeds-grace",
    severity=Severity.ERROR,
    summary="A lifecycle sleep the API rejects, or one that uses the whole grace period",
    check=check,
)
