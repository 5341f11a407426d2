"""SCL503 sidecar-resources: a sidecar without cpu or memory requests."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks._pod import name_path
from sidecarlint.finding import Severity
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext
from sidecarlint.resources import RESOURCES, describe, effective_requests, requests


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    missing = [(c, [r for r in RESOURCES if r not in requests(c)]) for c in pod.sidecars]
    missing = [(c, m) for c, m in missing if m]
    if not missing:
        return
    effective = describe(effective_requests(pod))
    for c, resources in missing:
        yield Hit(
            name_path(c),
            f"sidecar {c.label} has no {' or '.join(resources)} request: it runs for the Pod's "
            f"whole life, and the scheduler reserves {effective} for this Pod (sidecars are "
            "added to the app containers and to every later init container)",
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
