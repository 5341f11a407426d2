"""SCL011 app-container-restart-policy: ``restartPolicy`` on an app container.

Kubernetes ``pkg/apis/core/validation/validation.go``, ``validateContainers``: forbidden
until ``AllowContainerRestartPolicyRules`` (1.28–1.33, and 1.34 with the gate on is the
first to accept it); ``pkg/api/pod/util.go``, ``dropContainerRestartRules`` drops it first
while ``ContainerRestartRules`` is off (1.34 default). ``Always`` in a run-to-completion Pod
is accepted by the API: the error there is the kubelet restarting it forever.
"""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Pod
from sidecarlint.model import NEVER_COMPLETES, model
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for c in pod.containers:
        value = c.data.get("restartPolicy")
        if value is None:
            continue
        path = (*c.path, "restartPolicy")
        shown = f'"{excerpt(value)}"' if isinstance(value, str) else excerpt(repr(value))
        if ctx.minor < 34:
            yield Hit(
                path,
                f"Forbidden: may not be set for non-init containers — Kubernetes {ctx.version} "
                f"rejects restartPolicy on app container {c.label}; a sidecar belongs in "
                "initContainers with restartPolicy: Always",
                key=True,
                container=c,
            )
        elif not ctx.gate("ContainerRestartRules"):
            yield Hit(
                path,
                f"restartPolicy on app container {c.label} is silently dropped on Kubernetes "
                f"{ctx.version} (ContainerRestartRules is off)",
                key=True,
                severity=Severity.WARNING,
                container=c,
            )
        elif value not in ("Always", "OnFailure", "Never"):
            yield Hit(
                path,
                f'Unsupported value: {shown}: supported values: "Always", "OnFailure", "Never"',
                container=c,
            )
        elif value == "Always" and model(pod, ctx).blocker(c, NEVER_COMPLETES) is not None:
            yield Hit(
                path,
                f"the API accepts restartPolicy: Always on app container {c.label}, but the "
                f"kubelet then restarts it forever, so this {pod.workload.kind} never succeeds; "
                "a helper that should stop with the work belongs in initContainers with "
                "restartPolicy: Always",
                container=c,
            )
        elif value == "Always":
            yield Hit(
                path,
                f"restartPolicy: Always does not make app container {c.label} a sidecar: it "
                "gets no start or stop ordering; move it to initContainers",
                severity=Severity.WARNING,
                container=c,
            )


RULE = Rule(
    code="SCL011",
    name="app-container-restart-policy",
    severity=Severity.ERROR,
    summary="restartPolicy on an app container: rejected, dropped, or a Job that never ends",
    check=check,
    min_version="1.28",
)
