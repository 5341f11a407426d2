"""SCL104 blocking-init-container: a regular init container that never exits."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks._pod import name_path, native_fix_possible
from sidecarlint.finding import Severity
from sidecarlint.helpers import helper_match
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for c in pod.regular_init_containers:
        match = helper_match(c, pod, ctx.options)
        if match is None:
            continue
        fixable = native_fix_possible(ctx)
        yield Hit(
            name_path(c),
            f"init container {c.label} looks like a long-running helper ({match.describe()}): "
            "init containers must exit before the next one starts, so the Pod never leaves Init"
            + ("" if fixable else f"; native sidecars need 1.29 (target {ctx.version})"),
            container=c,
            fix=f"Add restartPolicy: Always to {c.label}" if fixable else None,
            fixable=fixable,
        )


RULE = Rule(
    code="SCL104",
    name="blocking-init-container",
    severity=Severity.ERROR,
    summary="A regular init container that never exits: the Pod never leaves Init",
    check=check,
    fixable=True,
    precision="medium",
)
