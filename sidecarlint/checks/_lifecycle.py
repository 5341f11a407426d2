"""Reading lifecycle hooks: preStop sleeps, and hooks that stop their own container."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from sidecarlint.finding import excerpt
from sidecarlint.locate import Container, Pod
from sidecarlint.registry import Hit
from sidecarlint.shell import commands, sleep_seconds

DEFAULT_GRACE = 30
_SHUTDOWN = re.compile(r"/quitquitquit|/shutdown\b|/v1\.0/shutdown|/abortabortabort")
_KILLERS = frozenset(["kill", "pkill", "killall", "killall5"])
#: Subcommands with which a program tells its own running server to exit
#: (``cloud-sql-proxy shutdown``, ``nginx -s quit``).
_STOP_WORDS = frozenset(["shutdown", "quit", "stop", "quitquitquit"])
#: Programs whose subcommand waits until a proxy is ready: a postStart hook running one
#: holds the next app containers until then.
_WAITERS = {"pilot-agent": "wait", "cloud-sql-proxy": "wait", "linkerd-await": None}


def grace_period(pod: Pod) -> int:
    value = pod.spec.get("terminationGracePeriodSeconds")
    return value if isinstance(value, int) and not isinstance(value, bool) else DEFAULT_GRACE


def hook(container: Container, name: str) -> dict[str, Any] | None:
    lifecycle = container.data.get("lifecycle")
    value = lifecycle.get(name) if isinstance(lifecycle, dict) else None
    return value if isinstance(value, dict) else None


def hook_sleep(container: Container, name: str = "preStop") -> tuple[Decimal, str] | None:
    """Seconds a hook sleeps, and how (``sleep`` handler or an exec ``sleep N``)."""
    handler = hook(container, name)
    if handler is None:
        return None
    sleep = handler.get("sleep")
    if isinstance(sleep, dict) and isinstance(sleep.get("seconds"), int):
        return Decimal(sleep["seconds"]), "sleep"
    exec_ = handler.get("exec")
    if isinstance(exec_, dict) and isinstance(exec_.get("command"), list):
        seconds = sleep_seconds([str(w) for w in exec_["command"]])
        if seconds is not None:
            return Decimal(str(seconds)).normalize() + 0, "exec"
    return None


def stops_itself(container: Container) -> str | None:
    """How a preStop hook stops its own process (kill, a shutdown endpoint), or None."""
    handler = hook(container, "preStop")
    if handler is None:
        return None
    http = handler.get("httpGet")
    path = http.get("path") if isinstance(http, dict) else None
    if isinstance(path, str) and _SHUTDOWN.search(path):
        return f"httpGet {excerpt(path)}"
    argv = _exec(handler)
    own = _own_programs(container)
    for cmd in commands(argv):
        if cmd.program in _KILLERS:
            return excerpt(" ".join(cmd.words))
        if cmd.program in ("curl", "wget") and any(_SHUTDOWN.search(w) for w in cmd.args):
            return excerpt(" ".join(cmd.words))
        if cmd.program in own and _stops(cmd.args):
            return excerpt(" ".join(cmd.words))
    return None


def _exec(handler: dict[str, Any]) -> list[str]:
    exec_ = handler.get("exec")
    if isinstance(exec_, dict) and isinstance(exec_.get("command"), list):
        return [str(w) for w in exec_["command"] if w is not None]
    return []


def _own_programs(container: Container) -> set[str]:
    """The programs a container runs as its server: its command's program, and the binary
    of its image when it is a well-known one."""
    from sidecarlint import images

    own = {cmd.program for cmd in commands(container.argv)[-1:]}
    entry = images.lookup(container.image) if container.image else None
    if entry is not None:
        own.add(entry.binary)
    own.discard("")
    return own


def _stops(args: tuple[str, ...]) -> bool:
    """``shutdown``/``quit``/``stop`` as the subcommand, or ``-s quit`` (nginx's signal
    flag), or ``request POST quitquitquit`` (Istio's pilot-agent)."""
    words = [a for a in args if not a.startswith("-")]
    if words[:1] and words[0] in _STOP_WORDS:
        return True
    if "-s" in args:
        i = args.index("-s")
        return i + 1 < len(args) and args[i + 1] in ("quit", "stop")
    return words[:1] == ["request"] and any("quitquitquit" in w for w in words)


def startup_wait(container: Container) -> str | None:
    """The command of a postStart hook that waits until the container is ready
    (``pilot-agent wait``, ``linkerd-await``, a retry loop), or None."""
    handler = hook(container, "postStart")
    if handler is None:
        return None
    for cmd in commands(_exec(handler)):
        program = cmd.program
        if program in _WAITERS:
            word = _WAITERS[program]
            if word is None or word in cmd.args:
                return excerpt(" ".join(cmd.words))
        if cmd.retried:
            return excerpt(" ".join(cmd.words))
    return None


def handler_hits(
    c: Container, path: tuple[str | int, ...], spec: dict[str, Any], actions: tuple[str, ...]
) -> Iterator[Hit]:
    """What ``validateHandler`` rejects in a probe or hook: no action, more than one (each
    after the first in ``actions`` order), an ``exec`` without a command."""
    what = f"the {path[-1]} of {c.label}"
    present = [a for a in actions if isinstance(spec.get(a), dict)]
    if not present:
        yield Hit(
            path,
            f"Required value: must specify a handler type — {what} has no action",
            key=True,
            container=c,
        )
        return
    for extra in present[1:]:
        yield Hit(
            (*path, extra),
            f"Forbidden: may not specify more than 1 handler type — {what} already has "
            f"{present[0]}",
            key=True,
            container=c,
        )
    exec_ = spec.get("exec")
    if present[0] == "exec" and isinstance(exec_, dict) and not exec_.get("command"):
        yield Hit(
            # A missing command points at the key of exec (the nearest existing entry).
            (*path, "exec", "command"),
            f"Required value — exec.command of {what} is empty",
            key=True,
            container=c,
        )
