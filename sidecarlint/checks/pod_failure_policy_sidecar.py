"""SCL402 pod-failure-policy-sidecar: podFailurePolicy rules and sidecars."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    if not pod.workload.batch:
        return
    job_path = pod.path[:-2]
    policy = pod.doc.get((*job_path, "podFailurePolicy"))
    rules = policy.get("rules") if isinstance(policy, dict) else None
    if not isinstance(rules, list):
        return
    names = {c.name for c in [*pod.containers, *pod.init_containers] if c.name}
    sidecars = [c.label for c in pod.sidecars]
    for i, rule in enumerate(rules):
        on_codes = rule.get("onExitCodes") if isinstance(rule, dict) else None
        if not isinstance(on_codes, dict):
            continue
        path = (*job_path, "podFailurePolicy", "rules", i, "onExitCodes")
        name = on_codes.get("containerName")
        if name is not None and not isinstance(name, str):
            continue  # the schema finding reports its type
        if name is not None and name not in names:
            yield Hit(
                (*path, "containerName"),
                f'Invalid value: "{excerpt(name)}": must be one of the container or initContainer '
                "names in the pod template",
            )
        elif name is None and sidecars:
            operator = on_codes.get("operator")
            yield Hit(
                path,
                f"this onExitCodes rule ({excerpt(str(operator))}) has no containerName, so it "
                f"also matches the exit codes of sidecar(s) {excerpt(', '.join(sidecars))} — "
                "which exit with 137 or 143 when stopped at the end of the Job; set containerName "
                "to the work container",
                key=True,
                severity=Severity.WARNING,
            )


RULE = Rule(
    code="SCL402",
    name="pod-failure-policy-sidecar",
    severity=Severity.ERROR,
    summary="podFailurePolicy rules naming no container, or matching sidecar exit codes",
    check=check,
)
