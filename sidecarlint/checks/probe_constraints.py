"""SCL018 probe-constraints: probe and lifecycle-handler rules the API enforces."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sidecarlint.finding import Severity
from sidecarlint.locate import Container, Pod
from sidecarlint.registry import Hit, Rule, RuleContext

PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
HOOK_HANDLERS = ("exec", "httpGet", "tcpSocket", "sleep")


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for c in [*pod.sidecars, *pod.containers]:
        for field in ("livenessProbe", "readinessProbe", "startupProbe"):
            probe = c.data.get(field)
            if isinstance(probe, dict):
                yield from _probe(c, field, probe)
        lifecycle = c.data.get("lifecycle")
        if isinstance(lifecycle, dict):
            for hook in ("postStart", "preStop"):
                handler = lifecycle.get(hook)
                if isinstance(handler, dict):
                    yield from _handlers(c, (*c.path, "lifecycle", hook), handler, HOOK_HANDLERS)


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
    yield from _handlers(c, path, probe, PROBE_HANDLERS)


def _handlers(
    c: Container, path: tuple[str | int, ...], spec: dict[str, Any], names: tuple[str, ...]
) -> Iterator[Hit]:
    present = [key for key in spec if key in names]  # in the order written
    if not present:
        yield Hit(
            path,
            f"Required value: must specify a handler type ({path[-1]} of {c.label})",
            key=True,
            container=c,
        )
    elif len(present) > 1:
        yield Hit(
            (*path, present[1]),
            f"Forbidden: may not specify more than 1 handler type ({', '.join(present)} "
            f"in {path[-1]} of {c.label})",
            key=True,
            container=c,
        )


RULE = Rule(
    code="SCL018",
    name="probe-constraints",
    severity=Severity.ERROR,
    summary="Probe or hook constraints the API enforces (successThreshold, handlers, grace)",
    check=check,
)
