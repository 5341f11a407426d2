"""SCL303 startup-probe-needs-app: a sidecar's startup check waits for a container that
starts after it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sidecarlint.activity import activity, command_connections
from sidecarlint.checks._pod import name_path
from sidecarlint.finding import Severity, YPath
from sidecarlint.locate import Container, Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def _handler_port(handler: dict[str, Any]) -> tuple[str, int] | None:
    # A named port is one of the sidecar's own ports: it never waits for another container.
    for kind in ("httpGet", "tcpSocket", "grpc"):
        spec = handler.get(kind)
        if not isinstance(spec, dict) or spec.get("host") not in (
            None,
            "",
            "localhost",
            "127.0.0.1",
        ):
            continue
        port = spec.get("port")
        if isinstance(port, int):
            return kind, port
    return None


def _exec_ports(pod: Pod, c: Container, handler: dict[str, Any]) -> list[int]:
    exec_ = handler.get("exec")
    if isinstance(exec_, dict) and isinstance(exec_.get("command"), list):
        argv = [str(w) for w in exec_["command"] if w is not None]
        return sorted({use.port for use in command_connections(pod, c, argv)})
    return []


def _targets(pod: Pod, c: Container) -> list[tuple[YPath, str, int]]:
    """The ports a sidecar's startup waits on: its startupProbe's and postStart hook's."""
    targets: list[tuple[YPath, str, int]] = []
    probe = c.data.get("startupProbe")
    if isinstance(probe, dict):
        path = (*c.path, "startupProbe")
        found = _handler_port(probe)
        if found:
            targets.append((path, f"startupProbe {found[0]}", found[1]))
        targets.extend((path, "startupProbe exec", port) for port in _exec_ports(pod, c, probe))
    hook = c.data.get("lifecycle")
    post = hook.get("postStart") if isinstance(hook, dict) else None
    if isinstance(post, dict):
        path = (*c.path, "lifecycle", "postStart")
        found = _handler_port(post)
        if found:
            targets.append((path, "postStart hook", found[1]))
        targets.extend((path, "postStart hook", port) for port in _exec_ports(pod, c, post))
    return targets


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    order = pod.init_containers
    for i, c in enumerate(order):
        if not c.is_sidecar or ("startupProbe" not in c.data and "lifecycle" not in c.data):
            continue
        targets = _targets(pod, c)
        if not targets:
            continue
        started = {
            port
            for other in order[: i + 1]
            if other is c or other.is_sidecar
            for port in activity(pod, other).listen_ports
        }
        for path, what, port in targets:
            if port in started:
                continue
            later = [x for x in order[i + 1 :] if activity(pod, x).listening(port)]
            apps = [x for x in pod.containers if activity(pod, x).listening(port)]
            if later:
                server = later[0]
                kind = "sidecar" if server.is_sidecar else "init container"
                why = (
                    ", declared after it: init containers start one at a time in order, so it "
                    "has not started and the Pod never finishes initialising"
                )
            elif apps:
                server = apps[0]
                kind = "app container"
                why = (
                    "; app containers start after every sidecar has started, so the Pod never "
                    "finishes initialising"
                )
            else:
                continue
            serves = activity(pod, server).listening(port)
            assert serves is not None
            yield Hit(
                path,
                f"the {what} of sidecar {c.label} targets port {port}, which only {kind} "
                f"{server.label} serves ({serves.evidence}){why}",
                key=True,
                container=c,
                related=((name_path(server), f"{kind} {server.label} serves port {port}"),),
            )


RULE = Rule(
    code="SCL303",
    name="startup-probe-needs-app",
    severity=Severity.ERROR,
    summary="A sidecar's startupProbe or postStart hook waits for a container that starts later",
    check=check,
    min_version="1.28",
    precision="medium",
)
