"""SCL406 onfailure-backoff-sidecar: sidecar restarts count against a small backoffLimit."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext

SMALL = 2


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    if not pod.workload.batch or pod.restart_policy != "OnFailure" or not pod.sidecars:
        return
    job_path = pod.path[:-2]
    limit = pod.doc.get((*job_path, "backoffLimit"))
    if not isinstance(limit, int) or isinstance(limit, bool) or limit > SMALL:
        return
    yield Hit(
        (*job_path, "backoffLimit"),
        f"backoffLimit {limit} with restartPolicy OnFailure: restarts of sidecar(s) "
        f"{excerpt(', '.join(c.label for c in pod.sidecars))} count towards it, so the Job can "
        "fail with BackoffLimitExceeded while its work is healthy",
    )


RULE = Rule(
    code="SCL406",
    name="onfailure-backoff-sidecar",
    severity=Severity.WARNING,
    summary="An OnFailure Job with sidecars and a small backoffLimit",
    check=check,
    min_version="1.29",
)
