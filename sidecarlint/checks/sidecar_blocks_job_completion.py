"""SCL102 sidecar-blocks-job-completion: a long-running helper in a Job's containers."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks._pod import name_path, native_fix_possible
from sidecarlint.finding import Severity
from sidecarlint.locate import Pod
from sidecarlint.model import model
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    what = pod.workload.kind if pod.workload.batch else f"Pod (restartPolicy {pod.restart_policy})"
    for blocker in model(pod, ctx).of_rule("SCL102"):
        c, match = blocker.container, blocker.match
        assert match is not None
        message = (
            f"{c.label} looks like a long-running helper ({match.describe()}): as an app "
            f"container it keeps running after the work is done, so the {what} never completes"
        )
        if blocker.detail is not None:
            message += f" ({blocker.detail})"
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
