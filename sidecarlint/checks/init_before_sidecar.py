"""SCL301 init-before-sidecar: a regular init container uses a sidecar declared after it."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.checks._pod import name_path
from sidecarlint.finding import Severity
from sidecarlint.locate import Pod
from sidecarlint.model import model
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for blocker in model(pod, ctx).of_rule("SCL301"):
        init, sidecar, what = blocker.container, blocker.needs, blocker.detail
        assert sidecar is not None and what is not None
        if what.startswith("waits"):
            message = (
                f"init container {init.label} {what}, which sidecar {sidecar.label} serves "
                f"({blocker.provides}), but {sidecar.label} is declared after it: init "
                "containers run one at a time in order, so it waits forever and the Pod never "
                "leaves Init"
            )
        elif what.startswith("connects"):
            message = (
                f"init container {init.label} {what}, which sidecar {sidecar.label} serves "
                f"({blocker.provides}), but {sidecar.label} is declared after it: init "
                "containers run one at a time in order, so it is not running yet"
            )
        else:
            message = (
                f"init container {init.label} {what}, which only sidecar {sidecar.label} "
                f"writes ({blocker.provides}), but {sidecar.label} is declared after it and has "
                "not started"
            )
        yield Hit(
            name_path(init),
            f"{message}. Move {sidecar.label} before {init.label}",
            container=init,
            related=((name_path(sidecar), f"sidecar {sidecar.label} is declared here"),),
        )


RULE = Rule(
    code="SCL301",
    name="init-before-sidecar",
    severity=Severity.ERROR,
    summary="A regular init container needs a sidecar that is declared after it",
    check=check,
    min_version="1.28",
    precision="medium",
)
