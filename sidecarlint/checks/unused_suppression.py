"""SCL900 unused-suppression: a suppression that suppresses nothing (off by default)."""

from sidecarlint.finding import Severity
from sidecarlint.registry import Rule

RULE = Rule(
    code="SCL900",
    name="unused-suppression",
    severity=Severity.WARNING,
    summary="A suppression comment or annotation that suppresses nothing",
    default_enabled=False,
    tags=("kubernetes", "suppression"),
)
