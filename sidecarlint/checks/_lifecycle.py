"""Reading lifecycle hooks: preStop sleeps, and hooks that stop their own container."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sidecarlint.finding import excerpt
from sidecarlint.locate import Container, Pod
from sidecarlint.shell import commands, sleep_seconds

DEFAULT_GRACE = 30
_SHUTDOWN = re.compile(r"/quitquitquit|/shutdown\b|/v1\.0/shutdown|/abortabortabort")
_KILLERS = frozenset(["kill", "pkill", "killall", "killall5"])


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
    if isinstance(http, dict) and _SHUTDOWN.search(str(http.get("path", ""))):
        return f"httpGet {excerpt(str(http.get('path')))}"
    exec_ = handler.get("exec")
    if isinstance(exec_, dict) and isinstance(exec_.get("command"), list):
        argv = [str(w) for w in exec_["command"]]
        for cmd in commands(argv):
            if cmd.program in _KILLERS:
                return excerpt(" ".join(cmd.words))
            if cmd.program in ("curl", "wget") and any(_SHUTDOWN.search(w) for w in cmd.args):
                return excerpt(" ".join(cmd.words))
    return None
