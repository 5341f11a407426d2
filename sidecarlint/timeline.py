"""``sidecarlint explain-pod``: what starts when, what blocks, what stops when, per pod."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks._lifecycle import grace_period, hook_sleep
from sidecarlint.checks._pod import local_connections, own_ports
from sidecarlint.helpers import helper_match
from sidecarlint.locate import Pod
from sidecarlint.registry import RuleContext
from sidecarlint.resources import RESOURCES, effective_requests, format_quantity, requests
from sidecarlint.shell import runs_forever


def _req(c_requests: dict[str, object]) -> str:
    parts = [
        f"{r} {format_quantity(r, c_requests[r])}"  # type: ignore[arg-type]
        for r in RESOURCES
        if r in c_requests
    ]
    return ", ".join(parts) if parts else "no requests"


def explain(pod: Pod, ctx: RuleContext) -> Iterator[str]:
    """Lines describing one pod's life."""
    ref = pod.obj.ref
    where = f"{pod.doc.file}:{pod.doc.span(pod.path, key=True).line}"
    yield f"{ref.kind}/{ref.name or '?'} ({where}), Kubernetes {ctx.version}"
    native = ctx.native_sidecars
    yield "  start:"
    step = 0
    for c in pod.init_containers:
        step += 1
        if c.is_sidecar and native:
            probe = "startupProbe succeeds" if "startupProbe" in c.data else "its process runs"
            yield f"    {step}. sidecar {c.label} starts; the next step waits until {probe}"
        elif c.is_sidecar:
            yield (
                f"    {step}. {c.label} is declared as a sidecar, but Kubernetes {ctx.version} "
                "treats it as a regular init container: the Pod waits for it to exit"
            )
        else:
            blocking = runs_forever(c.argv) or (
                m.describe() if (m := helper_match(c, pod, ctx.options)) else None
            )
            note = f" — BLOCKS: it never exits ({blocking})" if blocking else ""
            later = pod.init_containers[pod.init_containers.index(c) + 1 :]
            needs = [s for s in later if s.is_sidecar and local_connections(c) & own_ports(s)]
            if needs and not blocking:
                note = f" — FAILS OR WAITS: it needs {needs[0].label}, which starts after it"
            yield f"    {step}. init container {c.label} runs to completion{note}"
    apps = ", ".join(c.label for c in pod.containers) or "none"
    yield f"    {step + 1}. app containers start together: {apps}"
    helpers = [(c, m) for c in pod.containers if (m := helper_match(c, pod, ctx.options))]
    for c, match in helpers:
        yield f"       {c.label} looks like a helper ({match.describe()}): no ordering with the app"
    if pod.runs_to_completion:
        if helpers:
            yield "  completion: never — helper app containers keep running"
        else:
            yield "  completion: when every app container has exited; sidecars are then stopped"
    grace = grace_period(pod)
    yield f"  stop (grace period {grace}s):"
    sidecars = pod.sidecars if native else []
    stop = [c.label for c in pod.containers]
    yield f"    1. app containers get SIGTERM: {', '.join(stop) or 'none'}"
    for i, c in enumerate(reversed(sidecars), start=2):
        sleep = hook_sleep(c)
        extra = f" (preStop sleeps {sleep[0]}s, started at termination)" if sleep else ""
        yield f"    {i}. sidecar {c.label} gets SIGTERM{extra}"
    effective = effective_requests(pod)
    yield "  resources (what the scheduler reserves):"
    for c in pod.init_containers:
        kind = "sidecar" if c.is_sidecar else "init"
        yield f"    {kind} {c.label}: {_req(requests(c))}"  # type: ignore[arg-type]
    for c in pod.containers:
        yield f"    app {c.label}: {_req(requests(c))}"  # type: ignore[arg-type]
    for r in RESOURCES:
        peak = effective.peak_at[r]
        how = f"init-phase peak while {peak} runs" if peak else "app containers + sidecars"
        yield (
            f"    effective {r}: {format_quantity(r, effective.total[r])} "
            f"({how}; init peak {format_quantity(r, effective.init_peak[r])}, "
            f"steady {format_quantity(r, effective.steady[r])})"
        )
