"""SCL104 blocking-init-container: a regular init container that never exits."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks._pod import name_path, native_fix_possible
from sidecarlint.finding import Severity
from sidecarlint.locate import Pod
from sidecarlint.model import model
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for blocker in model(pod, ctx).of_rule("SCL104"):
        c, match = blocker.container, blocker.match
        assert match is not None
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
