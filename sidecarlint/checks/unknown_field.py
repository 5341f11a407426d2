"""SCL004 unknown-field: raised by the validation stage."""

from sidecarlint.finding import Severity
from sidecarlint.registry import Rule

RULE = Rule(
    code="SCL004",
    name="unknown-field",
    severity=Severity.ERROR,
    summary="A field the target Kubernetes version does not know",
    tags=("kubernetes", "schema"),
)
