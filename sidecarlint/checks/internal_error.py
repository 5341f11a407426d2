"""SCL999 internal-error: a rule failed on an object; the other rules still ran."""

from sidecarlint.finding import Severity
from sidecarlint.registry import Rule

RULE = Rule(
    code="SCL999",
    name="internal-error",
    severity=Severity.ERROR,
    summary="A rule crashed on an object (a bug in sidecarlint); other rules and objects still ran",
    tags=("kubernetes", "internal"),
)
