"""SCL503 sidecar-resources: a sidecar without cpu or memory requests."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks._pod import name_path
from sidecarlint.finding import Severity
from sidecarlint.helpers import injected_by
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext
from sidecarlint.resources import RESOURCES, describe, effective_requests, requests


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    # An injected sidecar's resources come from the injector's configuration, not from
    # this manifest: nothing to change here.
    missing = [
        (c, [r for r in RESOURCES if r not in requests(c)])
        for c in pod.sidecars
        if injected_by(c, pod) is None
    ]
    missing = [(c, m) for c, m in missing if m]
    if not missing:
        return
    effective = describe(effective_requests(pod))
    for c, resources in missing:
        yield Hit(
            name_path(c),
            f"sidecar {c.label} has no {' or '.join(resources)} request, yet runs for the "
            f"Pod's whole life: the scheduler reserves {effective} for this Pod",
            container=c,
        )


RULE = Rule(
    code="SCL503",
    name="sidecar-resources",
    severity=Severity.INFO,
    summary="A sidecar without cpu/memory requests (with the pod's effective requests)",
    check=check,
    min_version="1.28",
)
