"""Stage 3, fast path: is an object certainly valid against a bundled schema? Pure Python.

Loading jsonschema-rs (a large native library, plus the standard-library modules it imports
when loaded) costs more than checking a few dozen objects in Python, and most runs started
by an editor or a pre-commit hook check a file or two. So the validator first asks this
module, for the first objects of a process. The answer is three-valued and one-sided:
``True`` only when the object is valid for certain under the keywords the bundled schemas
use (``type``, ``enum``, ``properties``, ``additionalProperties``, ``required``, ``items``,
``$ref``, ``oneOf``; ``format`` is an annotation in draft 2020-12). ``False`` (invalid) and
``None`` (not sure: a float where an integer is expected, an unknown keyword...) both send
the object to jsonschema-rs, which then reports the violations. Findings are the same
either way; a test holds this module to jsonschema-rs on the whole corpus.
"""

from __future__ import annotations

from typing import Any

#: Keywords this module understands; a schema with any other one gets "not sure".
KEYWORDS = frozenset(
    [
        "$defs",
        "$ref",
        "$schema",
        "additionalProperties",
        "enum",
        "format",
        "items",
        "oneOf",
        "properties",
        "required",
        "type",
    ]
)
#: Deeper than this, give up (no bundled schema nests this deep; recursion guard).
MAX_DEPTH = 64
_INT_MIN = -(2**63)
_INT_MAX = 2**64 - 1


def certainly_valid(schema: dict[str, Any], instance: Any) -> bool:
    """True only if ``instance`` is valid against ``schema`` (a root with ``$defs``)."""
    return _check(schema, schema, instance, 0) is True


def _type(name: str, value: Any) -> bool | None:
    kind = type(value)
    if name == "string":
        return kind is str
    if name == "object":
        return kind is dict
    if name == "array":
        return kind is list
    if name == "null":
        return value is None
    if name == "boolean":
        return kind is bool
    if name == "integer":
        if kind is int:
            return _INT_MIN <= value <= _INT_MAX or None
        return None if kind is float else False
    if name == "number":
        if kind is int:
            return _INT_MIN <= value <= _INT_MAX or None
        if kind is float:
            return (value - value == 0) or None  # finite
        return False
    return None


def _check(root: dict[str, Any], schema: Any, value: Any, depth: int) -> bool | None:
    if type(schema) is not dict or depth > MAX_DEPTH:
        return None
    verdict: bool | None = True
    for keyword, argument in schema.items():
        if keyword not in KEYWORDS:
            return None
        if keyword == "type":
            if type(argument) is str:
                result = _type(argument, value)
            else:
                answers = [_type(name, value) for name in argument]
                result = True if True in answers else (None if None in answers else False)
        elif keyword == "properties":
            result = _properties(root, schema, value, depth)
        elif keyword == "additionalProperties":
            result = True  # checked with "properties"
            if "properties" not in schema:
                result = _properties(root, schema, value, depth)
        elif keyword == "required":
            result = type(value) is not dict or all(name in value for name in argument)
        elif keyword == "items":
            result = True
            if type(value) is list:
                for item in value:
                    result = _check(root, argument, item, depth + 1)
                    if result is not True:
                        break
        elif keyword == "enum":
            # Only strings are compared (JSON equality differs from Python's for 1/True).
            result = (value in argument) if type(value) is str else None
        elif keyword == "$ref":
            result = _check(root, _resolve(root, argument), value, depth + 1)
        elif keyword == "oneOf":
            answers = [_check(root, option, value, depth + 1) for option in argument]
            result = None if None in answers else answers.count(True) == 1
        else:  # format, $schema, $defs: annotations here
            result = True
        if result is False:
            return False
        if result is None:
            verdict = None
    return verdict


def _properties(
    root: dict[str, Any], schema: dict[str, Any], value: Any, depth: int
) -> bool | None:
    if type(value) is not dict:
        return True
    known = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    verdict: bool | None = True
    for key, item in value.items():
        sub = known.get(key)
        if sub is None:
            if extra is False:
                return False
            if extra is True:
                continue
            sub = extra
        result = _check(root, sub, item, depth + 1)
        if result is False:
            return False
        if result is None:
            verdict = None
    return verdict


def _resolve(root: dict[str, Any], ref: Any) -> Any:
    prefix = "#/$defs/"
    if type(ref) is not str or not ref.startswith(prefix):
        return None
    return root.get("$defs", {}).get(ref[len(prefix) :])
