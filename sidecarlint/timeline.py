"""``sidecarlint explain-pod``: what starts when, what blocks, what stops when, per pod.

What blocks comes from :mod:`sidecarlint.model`, the same model the rules report from.
"""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks._lifecycle import grace_period, hook_sleep
from sidecarlint.helpers import helper_match
from sidecarlint.locate import Pod
from sidecarlint.model import NEEDS_LATER_SIDECAR, NEVER_COMPLETES, NEVER_EXITS, model
from sidecarlint.registry import RuleContext
from sidecarlint.resources import RESOURCES, effective_requests, format_quantity, requests


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
    m = model(pod, ctx)
    yield "  start:"
    step = 0
    for c in pod.init_containers:
        step += 1
        never = m.blocker(c, NEVER_EXITS)
        if m.runs_as_sidecar(c):
            probe = "startupProbe succeeds" if "startupProbe" in c.data else "its process runs"
            yield f"    {step}. sidecar {c.label} starts; the next step waits until {probe}"
        elif never is not None and c.is_sidecar:
            yield f"    {step}. {c.label} — BLOCKS: {never.reason}"
        else:
            waits = m.blocker(c, NEEDS_LATER_SIDECAR)
            if never is not None:
                note = f" — BLOCKS: it never exits: {never.reason}"
            elif waits is not None:
                note = f" — FAILS OR WAITS: {waits.reason}"
            else:
                note = ""
            yield f"    {step}. init container {c.label} runs to completion{note}"
    apps = ", ".join(c.label for c in pod.containers) or "none"
    if m.stuck_in_init:
        yield f"    {step + 1}. app containers never start (the Pod stays in Init): {apps}"
    else:
        yield f"    {step + 1}. app containers start together: {apps}"
    for c in pod.containers:
        match = helper_match(c, pod, ctx.options)
        if match is not None:
            yield (
                f"       {c.label} looks like a helper ({match.describe()}): no ordering with "
                "the app"
            )
    if pod.runs_to_completion:
        ends = [b for b in m.blockers if b.kind == NEVER_COMPLETES]
        if m.stuck_in_init:
            yield "  completion: never — the Pod stays in Init"
        elif ends:
            for b in ends:
                yield f"  completion: never — {b.container.label}: {b.reason}"
        else:
            yield "  completion: when every app container has exited; sidecars are then stopped"
    grace = grace_period(pod)
    yield f"  stop (grace period {grace}s):"
    sidecars = pod.sidecars if m.native else []
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
