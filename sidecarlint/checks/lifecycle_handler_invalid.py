"""SCL021 lifecycle-handler-invalid: a postStart/preStop handler with no action, more than one
action, or an ``exec`` without a command.

Kubernetes ``pkg/apis/core/validation/validation.go``: ``validateLifecycle`` calls
``validateHandler`` on each hook (``exec``, ``httpGet``, ``tcpSocket``, and ``sleep`` from
1.29), which calls ``validateExecAction``. ``dropDisabledFields`` (``pkg/api/pod/util.go``)
drops ``sleep`` first while ``PodLifecycleSleepAction`` is off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sidecarlint.checks._lifecycle import handler_hits
from sidecarlint.finding import Severity
from sidecarlint.locate import Container, Pod
from sidecarlint.registry import Hit, Rule, RuleContext

#: Handler actions in the order ``validateHandler`` checks them.
ACTIONS = ("exec", "httpGet", "tcpSocket", "sleep")
FIRST_SLEEP = 29


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    # Regular init containers may not set lifecycle at all (init-container-probe), and a
    # sidecar whose restartPolicy the target drops is one of them.
    sidecars = pod.sidecars if ctx.native_sidecars else []
    for c in [*sidecars, *pod.containers]:
        lifecycle = c.data.get("lifecycle")
        if not isinstance(lifecycle, dict):
            continue
        for hook in ("postStart", "preStop"):
            handler = lifecycle.get(hook)
            if isinstance(handler, dict):
                yield from _handler(c, hook, handler, ctx)


def _handler(c: Container, hook: str, handler: dict[str, Any], ctx: RuleContext) -> Iterator[Hit]:
    path = (*c.path, "lifecycle", hook)
    if "sleep" in handler and ctx.minor < FIRST_SLEEP:
        return  # an unknown field there: the request fails on it first (SCL004)
    if "sleep" in handler and not ctx.gate("PodLifecycleSleepAction"):
        # The server drops the sleep action before validating.
        handler = {k: v for k, v in handler.items() if k != "sleep"}
        if not any(isinstance(handler.get(a), dict) for a in ACTIONS):
            yield Hit(
                path,
                f"Required value: must specify a handler type — Kubernetes {ctx.version} drops "
                f"the sleep action of the {hook} of {c.label} (PodLifecycleSleepAction is off), "
                "leaving it no action",
                key=True,
                container=c,
            )
            return
    yield from handler_hits(c, path, handler, ACTIONS)


RULE = Rule(
    code="SCL021",
    name="lifecycle-handler-invalid",
    severity=Severity.ERROR,
    summary="A postStart/preStop handler without exactly one action, or exec without a command",
    check=check,
)
