"""SCL102 sidecar-blocks-job-completion: a long-running helper in a Job's containers."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks._pod import name_path, native_fix_possible
from sidecarlint.finding import Severity
from sidecarlint.helpers import helper_match
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext

SHUTDOWN_SIGNALS = ("quitquitquit", "/shutdown", "/v1.0/shutdown")


def _shutdown_handshake(pod: Pod) -> bool:
    """The app tells the helper to exit (the pre-native workaround, e.g. /quitquitquit)."""
    return any(
        signal in word for c in pod.all_containers for word in c.argv for signal in SHUTDOWN_SIGNALS
    )


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    if not pod.runs_to_completion or _shutdown_handshake(pod):
        return
    what = pod.workload.kind if pod.workload.batch else f"Pod (restartPolicy {pod.restart_policy})"
    for c in pod.containers:
        match = helper_match(c, pod, ctx.options)
        if match is None:
            continue
        message = (
            f"{c.label} looks like a long-running helper ({match.describe()}): as an app "
            f"container it keeps running after the work is done, so the {what} never completes"
        )
        if native_fix_possible(ctx):
            yield Hit(
                name_path(c),
                message + "; make it a native sidecar",
                container=c,
                fix=f"Move {c.label} to initContainers with restartPolicy: Always",
                fixable=True,
            )
        else:
            yield Hit(
                name_path(c),
                message + f"; native sidecars need 1.29 — on {ctx.version} have the app signal "
                "the helper to exit (a shared file it watches, or its shutdown endpoint)",
                container=c,
            )


RULE = Rule(
    code="SCL102",
    name="sidecar-blocks-job-completion",
    severity=Severity.ERROR,
    summary="A long-running helper in containers of a Job (or run-to-completion Pod)",
    check=check,
    fixable=True,
    precision="medium",
)
