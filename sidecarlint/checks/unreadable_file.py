"""SCL006 unreadable-file: raised when a file cannot be read or decoded."""

from sidecarlint.finding import Severity
from sidecarlint.registry import Rule

RULE = Rule(
    code="SCL006",
    name="unreadable-file",
    severity=Severity.ERROR,
    summary="A file cannot be read, is too large, is not text, or is not a regular file",
    tags=("kubernetes", "io"),
)
