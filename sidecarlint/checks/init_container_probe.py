"""SCL012 init-container-probe: probes or lifecycle hooks on a regular init container."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext

FIELDS = ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe")


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for c in pod.regular_init_containers:
        for field in FIELDS:
            if field not in c.data:
                continue
            if ctx.minor < 28:
                detail = "Forbidden: may not be set for init containers"
            else:
                detail = (
                    "Forbidden: may not be set for init containers without restartPolicy=Always"
                )
            fix = None
            if ctx.native_sidecars:
                fix = f"Add 'restartPolicy: Always' to {c.label} if it is a sidecar"
            yield Hit(
                (*c.path, field),
                f"{field}: {detail} (init container {c.label})",
                key=True,
                container=c,
                fix=fix,
            )


RULE = Rule(
    code="SCL012",
    name="init-container-probe",
    severity=Severity.ERROR,
    summary="A probe or lifecycle hook on a regular init container: rejected by the API",
    check=check,
)
