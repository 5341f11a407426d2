"""SCL010 init-restart-policy-value: an init container ``restartPolicy`` other than Always."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext

VALID_135 = ("Always", "OnFailure", "Never")


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for c in pod.init_containers:
        value = c.data.get("restartPolicy")
        if value is None or value == "Always":
            continue
        path = (*c.path, "restartPolicy")
        shown = f'"{excerpt(value)}"' if isinstance(value, str) else excerpt(repr(value))
        rules_on = ctx.gate("ContainerRestartRules")
        if ctx.minor == 28 and not ctx.gate("SidecarContainers"):
            yield Hit(
                path,
                f"restartPolicy {shown} on init container {c.label} is silently dropped on "
                "Kubernetes 1.28 (SidecarContainers is off by default); only 'Always' "
                "(a native sidecar, with the gate on) is ever kept",
                severity=Severity.WARNING,
                container=c,
            )
        elif ctx.minor < 34 or (ctx.minor == 34 and rules_on and value not in VALID_135):
            yield Hit(
                path,
                f'Unsupported value: {shown}: supported values: "Always" — Kubernetes '
                f"{ctx.version} rejects init container {c.label}",
                container=c,
            )
        elif not rules_on:
            yield Hit(
                path,
                f"restartPolicy {shown} on init container {c.label} is silently dropped on "
                f"Kubernetes {ctx.version} (ContainerRestartRules is off by default)",
                severity=Severity.WARNING,
                container=c,
            )
        elif value not in VALID_135:
            yield Hit(
                path,
                f"Unsupported value: {shown}: supported values: "
                f'"Always", "OnFailure", "Never" — Kubernetes {ctx.version} rejects init '
                f"container {c.label}",
                container=c,
            )


RULE = Rule(
    code="SCL010",
    name="init-restart-policy-value",
    severity=Severity.ERROR,
    summary="An init container restartPolicy other than Always: rejected or silently dropped",
    check=check,
    min_version="1.28",
)
