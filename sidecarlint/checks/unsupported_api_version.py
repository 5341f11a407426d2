"""SCL005 unsupported-api-version: raised by the validation stage."""

from sidecarlint.finding import Severity
from sidecarlint.registry import Rule

RULE = Rule(
    code="SCL005",
    name="unsupported-api-version",
    severity=Severity.ERROR,
    summary="The apiVersion/kind pair is not served by the target Kubernetes version",
    tags=("kubernetes", "schema"),
)
