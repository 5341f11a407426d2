"""SCL303 startup-probe-needs-app: a sidecar's startup check waits for an app container."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sidecarlint.checks._pod import local_connections, name_path, own_ports
from sidecarlint.finding import Severity
from sidecarlint.locate import Container, Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def _handler_port(handler: dict[str, Any]) -> tuple[str, int] | None:
    # A named port is one of the sidecar's own ports: it never waits for an app container.
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


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    app_ports: dict[int, Container] = {}
    for app in pod.containers:
        for port in own_ports(app):
            app_ports.setdefault(port, app)
    for c in pod.sidecars:
        mine = own_ports(c)
        targets: list[tuple[tuple[str | int, ...], str, int]] = []
        probe = c.data.get("startupProbe")
        if isinstance(probe, dict):
            found = _handler_port(probe)
            if found:
                targets.append(((*c.path, "startupProbe"), f"startupProbe {found[0]}", found[1]))
        hook = c.data.get("lifecycle")
        post = hook.get("postStart") if isinstance(hook, dict) else None
        if isinstance(post, dict):
            found = _handler_port(post)
            if found:
                targets.append(((*c.path, "lifecycle", "postStart"), "postStart hook", found[1]))
            exec_ = post.get("exec")
            if isinstance(exec_, dict) and isinstance(exec_.get("command"), list):
                probe_container = Container({"command": exec_["command"]}, c.role, c.index, c.path)
                for port in sorted(local_connections(probe_container)):
                    targets.append(((*c.path, "lifecycle", "postStart"), "postStart hook", port))
        for path, what, port in targets:
            if port in mine or port not in app_ports:
                continue
            app = app_ports[port]
            yield Hit(
                path,
                f"the {what} of sidecar {c.label} targets port {port}, which only app container "
                f"{app.label} serves; app containers start after every sidecar has started, so "
                "the Pod never finishes initialising",
                key=True,
                container=c,
                related=((name_path(app), f"app container {app.label} serves port {port}"),),
            )


RULE = Rule(
    code="SCL303",
    name="startup-probe-needs-app",
    severity=Severity.ERROR,
    summary="A sidecar's startupProbe or postStart hook waits for an app container",
    check=check,
    min_version="1.28",
    precision="medium",
)
