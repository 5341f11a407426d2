"""SCL017 workload-restart-policy: a pod restartPolicy the workload kind does not accept."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    allowed = pod.workload.restart_policies
    if allowed is None:
        return
    value = pod.spec.get("restartPolicy")
    kind = pod.workload.kind
    path = (*pod.path, "restartPolicy")
    shown = excerpt(str(value))
    if pod.workload.batch:
        if value not in ("OnFailure", "Never"):
            where = path if value is not None else pod.path
            yield Hit(
                where,
                f'Required value: valid values: "OnFailure", "Never" — a {kind} pod template '
                + ("must set restartPolicy" if value is None else f'cannot use "{shown}"'),
                key=value is None,
            )
            return
        job_spec = pod.obj.doc.get(pod.path[:-2])
        if isinstance(job_spec, dict) and "podFailurePolicy" in job_spec and value != "Never":
            yield Hit(
                path,
                f'Invalid value: "{shown}": only "Never" is supported when podFailurePolicy '
                "is specified",
            )
    elif value is not None and value not in allowed:
        yield Hit(
            path,
            f'Unsupported value: "{shown}": supported values: "Always" — a {kind} restarts its '
            "pods forever",
        )


RULE = Rule(
    code="SCL017",
    name="workload-restart-policy",
    severity=Severity.ERROR,
    summary="A Job without Never/OnFailure, or a controller with a restartPolicy other than Always",
    check=check,
)
