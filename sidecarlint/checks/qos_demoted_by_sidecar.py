"""SCL502 qos-demoted-by-sidecar: a sidecar without requests == limits demotes a
Guaranteed-shaped pod to Burstable."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks._pod import name_path
from sidecarlint.finding import Severity
from sidecarlint.locate import Container, Pod
from sidecarlint.registry import Hit, Rule, RuleContext
from sidecarlint.resources import RESOURCES, limits, requests


def guaranteed(c: Container) -> bool:
    req, lim = requests(c), limits(c)
    return all(r in lim and req.get(r) == lim[r] for r in RESOURCES)


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    if not pod.containers or not all(guaranteed(c) for c in pod.containers):
        return
    for c in pod.sidecars:
        if not guaranteed(c):
            yield Hit(
                (*c.path, "resources") if "resources" in c.data else name_path(c),
                f"every app container has cpu and memory requests equal to limits, but sidecar "
                f"{c.label} does not: QoS is computed over all containers, so the Pod is "
                "Burstable, not Guaranteed (evicted earlier, no exclusive CPUs)",
                key="resources" in c.data,
                container=c,
            )


RULE = Rule(
    code="SCL502",
    name="qos-demoted-by-sidecar",
    severity=Severity.WARNING,
    summary="A sidecar demotes an otherwise Guaranteed pod to Burstable",
    check=check,
    min_version="1.28",
)
