"""SCL003 schema-violation: raised by the validation stage."""

from sidecarlint.finding import Severity
from sidecarlint.registry import Rule

RULE = Rule(
    code="SCL003",
    name="schema-violation",
    severity=Severity.ERROR,
    summary="A field has the wrong type, a bad value, or a required field is missing",
    tags=("kubernetes", "schema"),
)
