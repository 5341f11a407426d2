"""Stage 4: rules, one module per rule, registered explicitly below (no discovery magic)."""

from __future__ import annotations

from sidecarlint.checks import (
    duplicate_key,
    internal_error,
    schema_violation,
    unknown_field,
    unreadable_file,
    unsupported_api_version,
    yaml_syntax_error,
)
from sidecarlint.registry import Rule

#: Every built-in rule. Add new modules here; never reuse a code.
RULES: tuple[Rule, ...] = (
    yaml_syntax_error.RULE,
    duplicate_key.RULE,
    schema_violation.RULE,
    unknown_field.RULE,
    unsupported_api_version.RULE,
    unreadable_file.RULE,
    internal_error.RULE,
)
