"""SCL001 yaml-syntax-error: raised by the parse stage."""

from sidecarlint.finding import Severity
from sidecarlint.registry import Rule

RULE = Rule(
    code="SCL001",
    name="yaml-syntax-error",
    severity=Severity.ERROR,
    summary="A document is not valid YAML/JSON (or is an unrendered template); it is not checked",
    tags=("kubernetes", "yaml"),
)
