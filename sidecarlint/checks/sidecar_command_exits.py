"""SCL105 sidecar-command-exits: a sidecar whose command plainly terminates."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext
from sidecarlint.shell import commands, runs_forever, script_of

ONE_SHOT = frozenset(
    [
        "echo",
        "printf",
        "cp",
        "mv",
        "ln",
        "mkdir",
        "chmod",
        "chown",
        "touch",
        "true",
        "rm",
        "wget",
        "curl",
        "exit",
        "tar",
        "gzip",
        "date",
        "env",
        "ls",
        "cat",
    ]
)
_LOOP = re.compile(r"\b(while|until|for)\b")


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for c in pod.sidecars:
        argv = c.argv
        if not argv or runs_forever(argv) or "restartPolicyRules" in c.data:
            continue
        script = script_of(argv)
        if script is not None and _LOOP.search(script):
            continue
        cmds = commands(argv)
        if not cmds:
            continue
        last = cmds[-1]
        # 'sleep infinity' was ruled out with everything else that runs forever.
        finite_sleep = last.program == "sleep" and bool(last.args)
        if last.program not in ONE_SHOT and not finite_sleep:
            continue
        if last.program == "cat" and not last.args:
            continue  # 'cat' on stdin blocks
        key = "args" if "args" in c.data else "command"
        yield Hit(
            (*c.path, key),
            f"sidecar {c.label} runs '{excerpt(' '.join(last.words))}' last, which exits: a "
            "sidecar is restarted whenever it exits (CrashLoopBackOff); if it is a one-shot "
            "step, make it a regular init container (remove restartPolicy: Always)",
            key=True,
            container=c,
        )


RULE = Rule(
    code="SCL105",
    name="sidecar-command-exits",
    severity=Severity.WARNING,
    summary="A sidecar whose command terminates on its own: restarted forever",
    check=check,
    min_version="1.28",
    precision="medium",
)
