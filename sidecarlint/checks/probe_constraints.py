"""SCL018 probe-constraints: probe rules the API enforces.

Kubernetes ``pkg/apis/core/validation/validation.go``: ``validateLivenessProbe``,
``validateStartupProbe``, ``validateReadinessProbe``, ``validateProbe`` → ``validateHandler``.
Lifecycle hooks: ``lifecycle-handler-invalid`` (SCL021).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sidecarlint.checks._lifecycle import handler_hits
from sidecarlint.finding import Severity
from sidecarlint.locate import Container, Pod
from sidecarlint.registry import Hit, Rule, RuleContext

#: Probe actions in the order ``validateHandler`` checks them.
PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for c in [*pod.sidecars, *pod.containers]:
        for field in ("livenessProbe", "readinessProbe", "startupProbe"):
            probe = c.data.get(field)
            if isinstance(probe, dict):
                yield from _probe(c, field, probe)


def _probe(c: Container, field: str, probe: dict[str, Any]) -> Iterator[Hit]:
    path = (*c.path, field)
    threshold = probe.get("successThreshold")
    if field != "readinessProbe" and threshold is not None and threshold != 1:
        yield Hit(
            (*path, "successThreshold"),
            f"Invalid value: {threshold}: must be 1 ({field} of {c.label})",
            container=c,
        )
    grace = probe.get("terminationGracePeriodSeconds")
    if field == "readinessProbe" and grace is not None:
        yield Hit(
            (*path, "terminationGracePeriodSeconds"),
            f"Invalid value: {grace}: must not be set for readinessProbes ({c.label})",
            key=True,
            container=c,
        )
    elif isinstance(grace, int) and grace <= 0:
        yield Hit(
            (*path, "terminationGracePeriodSeconds"),
            f"Invalid value: {grace}: must be greater than 0 ({field} of {c.label})",
            container=c,
        )
    yield from handler_hits(c, path, probe, PROBE_HANDLERS)


RULE = Rule(
    code="SCL018",
    name="probe-constraints",
    severity=Severity.ERROR,
    summary="Probe constraints the API enforces (successThreshold, one action, grace)",
    check=check,
)
