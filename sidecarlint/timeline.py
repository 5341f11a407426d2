"""``sidecarlint explain-pod``: what starts when, what blocks, what stops when, per pod.

What blocks comes from :mod:`sidecarlint.model`, the same model the rules report from.
"""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.activity import activity, covering_mount, flows, servers
from sidecarlint.checks._lifecycle import grace_period, hook_sleep
from sidecarlint.finding import excerpt
from sidecarlint.helpers import helper_match
from sidecarlint.locate import Container, Pod
from sidecarlint.model import NEEDS_LATER_SIDECAR, NEVER_COMPLETES, NEVER_EXITS, model
from sidecarlint.records import Record
from sidecarlint.registry import RuleContext
from sidecarlint.resources import RESOURCES, effective_requests, format_quantity, requests


def _req(c_requests: dict[str, object]) -> str:
    parts = [
        f"{r} {format_quantity(r, c_requests[r])}"  # type: ignore[arg-type]
        for r in RESOURCES
        if r in c_requests
    ]
    return ", ".join(parts) if parts else "no requests"


class Step(Record):
    """One step of a pod's start or stop order: the containers it concerns, what happens,
    and notes printed under it."""

    containers: list[Container]
    text: str
    notes: list[str]

    def __init__(
        self, containers: list[Container], text: str, notes: list[str] | None = None
    ) -> None:
        self.containers = containers
        self.text = text
        self.notes = [] if notes is None else notes


def start_order(pod: Pod, ctx: RuleContext) -> list[Step]:
    """The steps of a pod's start, in order: init containers one at a time (sidecars stay
    up), then the app containers together; what blocks comes from the pod's model."""
    m = model(pod, ctx)
    steps: list[Step] = []
    for c in pod.init_containers:
        never = m.blocker(c, NEVER_EXITS)
        if m.runs_as_sidecar(c):
            probe = "startupProbe succeeds" if "startupProbe" in c.data else "its process runs"
            steps.append(Step([c], f"sidecar {c.label} starts; the next step waits until {probe}"))
        elif never is not None and c.is_sidecar:
            steps.append(Step([c], f"{c.label} — BLOCKS: {never.reason}"))
        else:
            waits = m.blocker(c, NEEDS_LATER_SIDECAR)
            if never is not None:
                note = f" — BLOCKS: it never exits: {never.reason}"
            elif waits is not None:
                note = f" — FAILS OR WAITS: {waits.reason}"
            else:
                note = ""
            steps.append(Step([c], f"init container {c.label} runs to completion{note}"))
    apps = ", ".join(c.label for c in pod.containers) or "none"
    if m.stuck_in_init:
        text = f"app containers never start (the Pod stays in Init): {apps}"
    else:
        text = f"app containers start together: {apps}"
    notes = [
        f"{c.label} looks like a helper ({match.describe()}): no ordering with the app"
        for c in pod.containers
        if (match := helper_match(c, pod, ctx.options)) is not None
    ]
    steps.append(Step(list(pod.containers), text, notes))
    return steps


def stop_order(pod: Pod, ctx: RuleContext) -> list[Step]:
    """The steps of a pod's termination: app containers first, then native sidecars in
    reverse order of declaration."""
    stop = [c.label for c in pod.containers]
    steps = [Step(list(pod.containers), f"app containers get SIGTERM: {', '.join(stop) or 'none'}")]
    sidecars = pod.sidecars if model(pod, ctx).native else []
    for c in reversed(sidecars):
        sleep = hook_sleep(c)
        extra = f" (preStop sleeps {sleep[0]}s, started at termination)" if sleep else ""
        steps.append(Step([c], f"sidecar {c.label} gets SIGTERM{extra}"))
    return steps


def _place(c: Container, path: str) -> str:
    mount = covering_mount(c, path)
    if mount is None or mount.name is None or mount.path is None:
        return "its own filesystem"
    sub = f", subPath {excerpt(mount.sub_path)}" if mount.sub_path else ""
    ro = ", read-only" if mount.read_only else ""
    return f"volume '{excerpt(mount.name)}' at {excerpt(mount.path.rstrip('/') or '/')}{sub}{ro}"


def file_lines(pod: Pod) -> list[str]:
    """Who writes and who reads which files, and where each one sees them."""
    lines: list[str] = []
    passed = flows(pod)
    for c in pod.all_containers:
        uses = activity(pod, c)
        for write in uses.writes:
            kind = "files under" if write.directory else ""
            where = _place(c, write.path)
            if write.linked is not None and where == "its own filesystem":
                where = f"its stdout/stderr (no volume at {write.linked})"
            lines.append(
                f"{c.label} writes {kind + ' ' if kind else ''}{excerpt(write.path)} "
                f"({write.evidence}) to {where}"
            )
        for read in uses.reads:
            verb = "follows" if read.follows else "reads"
            writers = sorted({f.writer.label for f in passed if f.reader is c and f.read is read})
            by = f"; written by {', '.join(writers)}" if writers else ""
            lines.append(
                f"{c.label} {verb} {excerpt(read.path)} ({read.evidence}) from "
                f"{_place(c, read.path)}{by}"
            )
    return lines


def port_lines(pod: Pod) -> list[str]:
    """Who listens on which port, and who connects to which over localhost (and whether
    the container serving it has started by then)."""
    lines: list[str] = []
    order = [*pod.init_containers, *pod.containers]
    for c in pod.all_containers:
        uses = activity(pod, c)
        for listen in uses.listens:
            scope = ", localhost only" if listen.loopback else ""
            lines.append(
                f"{c.label} listens on {listen.port}/{excerpt(listen.protocol)} "
                f"({listen.evidence}{scope})"
            )
        for connect in uses.connects:
            waits = " and waits for it" if connect.waits else ""
            found = [(s, u) for s, u in servers(pod, connect.port) if s is not c]
            if not found:
                by = "no container of the Pod listens there"
            else:
                server = found[0][0]
                later = (
                    c in order
                    and server in pod.init_containers
                    and order.index(server) > order.index(c)
                )
                by = f"served by {server.label}" + (
                    ", declared after it (not started yet)" if later else ""
                )
            lines.append(
                f"{c.label} connects to localhost:{connect.port} ({connect.evidence}){waits}; {by}"
            )
    return lines


def explain(pod: Pod, ctx: RuleContext) -> Iterator[str]:
    """Lines describing one pod's life."""
    ref = pod.obj.ref
    where = f"{pod.doc.file}:{pod.doc.span(pod.path, key=True).line}"
    yield f"{ref.kind}/{ref.name or '?'} ({where}), Kubernetes {ctx.version}"
    m = model(pod, ctx)
    yield "  start:"
    for number, step in enumerate(start_order(pod, ctx), start=1):
        yield f"    {number}. {step.text}"
        for note in step.notes:
            yield f"       {note}"
    if pod.runs_to_completion:
        ends = [b for b in m.blockers if b.kind == NEVER_COMPLETES]
        if m.stuck_in_init:
            yield "  completion: never — the Pod stays in Init"
        elif ends:
            for b in ends:
                yield f"  completion: never — {b.container.label}: {b.reason}"
        else:
            yield "  completion: when every app container has exited; sidecars are then stopped"
    yield f"  stop (grace period {grace_period(pod)}s):"
    for number, step in enumerate(stop_order(pod, ctx), start=1):
        yield f"    {number}. {step.text}"
    files = file_lines(pod)
    if files:
        yield "  files (who writes and who reads):"
        for line in files:
            yield f"    {line}"
    ports = port_lines(pod)
    if ports:
        yield "  ports (who listens, who connects over localhost):"
        for line in ports:
            yield f"    {line}"
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
