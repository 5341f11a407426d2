"""SCL101 native-sidecar-unsupported: native sidecars on a target without them."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity
from sidecarlint.locate import Pod
from sidecarlint.model import model
from sidecarlint.registry import Hit, Rule, RuleContext


def _consequence(pod: Pod, name: str) -> str:
    if pod.runs_to_completion:
        return (
            f"{name} then never exits, so the {pod.workload.kind} stays in Init and never "
            "starts its work"
        )
    return f"{name} then never exits and the Pod stays in Init forever"


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    dropped = {id(b.container) for b in model(pod, ctx).of_rule("SCL101")}
    for c in pod.sidecars:
        path = (*c.path, "restartPolicy")
        if id(c) not in dropped:
            if ctx.minor == 28:
                yield Hit(
                    path,
                    f"native sidecars are alpha on 1.28: {c.label} starts in order but is "
                    "terminated like a regular container (no ordered shutdown after the app)",
                    key=True,
                    severity=Severity.INFO,
                    container=c,
                )
        elif ctx.minor < 28:
            yield Hit(
                path,
                f"native sidecars need Kubernetes 1.29 (1.28 with SidecarContainers=true); "
                f"{ctx.version} rejects restartPolicy (strict decoding: unknown field) or "
                f"silently drops it, making {c.label} a regular init container: "
                + _consequence(pod, c.label),
                key=True,
                container=c,
            )
        else:
            hooks = [
                f
                for f in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe")
                if f in c.data
            ]
            extra = f"; with {', '.join(hooks)} set the Pod is rejected instead" if hooks else ""
            yield Hit(
                path,
                "Kubernetes 1.28 silently drops restartPolicy: Always on init containers while "
                f"SidecarContainers is off (the default): {_consequence(pod, c.label)}{extra}",
                key=True,
                container=c,
            )


RULE = Rule(
    code="SCL101",
    name="native-sidecar-unsupported",
    severity=Severity.ERROR,
    summary="A native sidecar on a target that rejects or drops it (before 1.29)",
    check=check,
    max_version="1.28",
)
