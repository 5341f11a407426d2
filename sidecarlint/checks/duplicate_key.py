"""SCL002 duplicate-key: raised by the parse stage."""

from sidecarlint.finding import Severity
from sidecarlint.registry import Rule

RULE = Rule(
    code="SCL002",
    name="duplicate-key",
    severity=Severity.ERROR,
    summary="A mapping repeats a key: kubectl silently keeps the last value",
    tags=("kubernetes", "yaml"),
)
