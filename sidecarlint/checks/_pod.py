"""Helpers shared by rules: ports, localhost connections, mounts, messages."""

from __future__ import annotations

import re

from sidecarlint.locate import Container, Mount
from sidecarlint.registry import RuleContext
from sidecarlint.shell import commands

_LOCAL_HOSTS = r"(?:localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0)"
_LOCAL_URL = re.compile(_LOCAL_HOSTS + r":(\d{1,5})\b")
_HOST_FLAG = re.compile(r"^(?:-h|--host|--hostname|-host)(?:=(.*))?$")
_PORT_FLAG = re.compile(r"^(?:-p|--port|-P|-port)(?:=(\d{1,5}))?$")
_LISTEN = re.compile(
    r"^--?(?:port|listen|listen-address|listen-addr|address|addr|bind|http-port|grpc-port|"
    r"admin-port|web\.listen-address|http-address)=(?:[\w.\[\]:-]*:)?(\d{1,5})$"
)


def own_ports(container: Container) -> frozenset[int]:
    """Ports a container listens on: ``containerPort`` entries and listen flags."""
    return container.derived(_own_ports)


def local_connections(container: Container) -> frozenset[int]:
    """Ports a container connects to on localhost (URLs, ``host:port``, ``-h`` + ``-p``)."""
    return container.derived(_local_connections)


def _own_ports(container: Container) -> frozenset[int]:
    ports = {p.container_port for p in container.ports if p.container_port is not None}
    for word in container.argv:
        match = _LISTEN.match(word)
        if match:
            ports.add(int(match.group(1)))
    return frozenset(ports)


def _local_connections(container: Container) -> frozenset[int]:
    ports = {int(m.group(1)) for word in container.argv for m in _LOCAL_URL.finditer(word)}
    for cmd in commands(container.argv):
        words = cmd.words
        local = False
        port: int | None = None
        for i, word in enumerate(words):
            host = _HOST_FLAG.match(word)
            if host:
                value = host.group(1) if host.group(1) is not None else _at(words, i + 1)
                local = local or bool(re.fullmatch(_LOCAL_HOSTS, value))
            flag = _PORT_FLAG.match(word)
            if flag:
                value = flag.group(1) or _at(words, i + 1)
                if value.isdigit():
                    port = int(value)
        if (
            cmd.program in ("nc", "ncat", "netcat", "telnet")
            and len(words) >= 3
            and re.fullmatch(_LOCAL_HOSTS, words[-2])
            and words[-1].isdigit()
        ):
            ports.add(int(words[-1]))
        if local and port is not None:
            ports.add(port)
    return frozenset(ports)


def _at(words: tuple[str, ...], i: int) -> str:
    return words[i] if i < len(words) else ""


def argv_path(container: Container, needle: str) -> tuple[str | int, ...]:
    """Path of the ``command``/``args`` item mentioning ``needle`` (else the container)."""
    for key in ("command", "args"):
        value = container.data.get(key)
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str) and needle in item:
                    return (*container.path, key, i)
    return (*container.path, "name")


def name_path(container: Container) -> tuple[str | int, ...]:
    """Path to point at a container: its ``name`` value (or the item itself)."""
    return (*container.path, "name")  # the container itself when it has no name


def native_fix_possible(ctx: RuleContext) -> bool:
    """A helper can be made a native sidecar on the target (1.29+, or 1.28 with the gate)."""
    return ctx.native_sidecars


def covering_mount(container: Container, path: str) -> Mount | None:
    """The mount whose mountPath contains ``path`` (the longest one)."""
    best: Mount | None = None
    best_len = 0
    for mount in container.mounts:
        mount_path = mount.path
        if not mount_path:
            continue
        prefix = mount_path.rstrip("/") + "/"
        if (path == mount_path.rstrip("/") or path.startswith(prefix)) and len(prefix) > best_len:
            best, best_len = mount, len(prefix)
    return best
