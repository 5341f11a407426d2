"""SCL901 invalid-suppression: a malformed suppression comment or annotation."""

from sidecarlint.finding import Severity
from sidecarlint.registry import Rule

RULE = Rule(
    code="SCL901",
    name="invalid-suppression",
    severity=Severity.WARNING,
    summary="A malformed suppression comment, or one that names unknown rules",
    tags=("kubernetes", "suppression"),
)
