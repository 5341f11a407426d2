"""SCL019 resize-policy: ``resizePolicy`` that the target drops or rejects."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity
from sidecarlint.locate import Pod, Role
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    gate = ctx.gate("InPlacePodVerticalScaling")
    for c in [*pod.init_containers, *pod.containers]:
        policies = c.data.get("resizePolicy")
        if policies is None:
            continue
        path = (*c.path, "resizePolicy")
        if not gate:
            yield Hit(
                path,
                f"resizePolicy on {c.label} is silently dropped on Kubernetes "
                f"{ctx.version} (InPlacePodVerticalScaling is off by default)",
                key=True,
                severity=Severity.WARNING,
                container=c,
            )
            continue
        if c.role is not Role.APP and ctx.minor < 33:
            yield Hit(
                path,
                f"Invalid value: must not be set for init containers ({c.label}; "
                "allowed on sidecars from 1.33)",
                key=True,
                container=c,
            )
            continue
        if not isinstance(policies, list):
            continue
        for i, policy in enumerate(policies):
            if not isinstance(policy, dict):
                continue
            value = policy.get("restartPolicy")
            where = (*path, i, "restartPolicy")
            if c.role is Role.INIT and value == "RestartContainer":
                yield Hit(
                    where,
                    "Invalid value: must not be set to 'RestartContainer' for "
                    f"non-sidecar initContainers ({c.label})",
                    container=c,
                )
            elif pod.restart_policy == "Never" and value not in (None, "NotRequired"):
                yield Hit(
                    where,
                    "Invalid value: must be 'NotRequired' when pod restartPolicy "
                    f"is 'Never' ({c.label})",
                    container=c,
                )


RULE = Rule(
    code="SCL019",
    name="resize-policy",
    severity=Severity.ERROR,
    summary="resizePolicy that the target version silently drops or rejects",
    check=check,
)
