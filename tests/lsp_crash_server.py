"""``python -m tests.lsp_crash_server``: the language server with one more rule, which
crashes on containers named ``crash-me`` (a test-only rule, registered here and nowhere in
the package), to show that a crashing rule becomes SCL999 and the server keeps serving."""

from __future__ import annotations

import sys
from collections.abc import Iterator

from sidecarlint import registry as registry_module
from sidecarlint.checks import RULES
from sidecarlint.finding import Severity
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Registry, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for c in pod.all_containers:
        if c.name == "crash-me":
            raise RuntimeError("injected crash")
    return iter(())


CRASH_RULE = Rule(
    code="TEST001",
    name="crash-for-tests",
    severity=Severity.ERROR,
    summary="Crashes on containers named crash-me",
    check=check,
)

if __name__ == "__main__":
    registry_module._REGISTRY = Registry((*RULES, CRASH_RULE))
    from sidecarlint.server import main

    sys.exit(main())
