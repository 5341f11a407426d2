"""Scalars as kubectl reads them: go-yaml v2 resolution, then the JSON round trip.

kubectl turns each YAML document into JSON with sigs.k8s.io/yaml (go-yaml v2 underneath,
``resolve.go``; map keys become strings in ``yaml.go`` ``convertToJSONableObject``), and the
API machinery decodes that JSON again: a number whose text is an integer that fits int64
becomes an integer, every other number a float64 (``k8s.io/apimachinery`` ``util/json``).
The value sidecarlint checks is the value after both steps, so ``replicas: 1.0`` is the
integer 1, ``1e400`` the string ``"1e400"`` (go-yaml cannot parse it as a float), and
``.inf`` a document kubectl refuses (JSON has no infinity).
"""

from __future__ import annotations

import math
import re
import struct
from decimal import Decimal
from typing import Any

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1

TAG_PREFIX = "tag:yaml.org,2002:"
STR = TAG_PREFIX + "str"
INT = TAG_PREFIX + "int"
FLOAT = TAG_PREFIX + "float"
BOOL = TAG_PREFIX + "bool"
NULL = TAG_PREFIX + "null"
TIMESTAMP = TAG_PREFIX + "timestamp"
BINARY = TAG_PREFIX + "binary"
MERGE = TAG_PREFIX + "merge"
#: Tags go-yaml v2 resolves (``resolvableTag``); any other tag leaves the text a string.
RESOLVABLE = frozenset([STR, INT, FLOAT, BOOL, NULL, TIMESTAMP])


class Refused(Exception):
    """kubectl refuses the document because of this scalar (the message says why)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unencodable(Refused):
    """kubectl refuses the document when it encodes this value as JSON: a value another
    key overrides later is never encoded, so the refusal applies only to what remains."""


class _Special:
    """A float go-yaml resolves but JSON cannot carry (NaN, ±infinity)."""

    __slots__ = ("json_error", "key")

    def __init__(self, key: str, json_error: str) -> None:
        self.key = key
        self.json_error = json_error


_NAN = _Special(".nan", "NaN")
_INF = _Special(".inf", "+Inf")
_NEG_INF = _Special("-.inf", "-Inf")

# go-yaml v2 resolve.go: resolveMapList.
_MAP: dict[str, Any] = {
    **dict.fromkeys(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE"], True),
    **dict.fromkeys(["on", "On", "ON"], True),
    **dict.fromkeys(["n", "N", "no", "No", "NO", "false", "False", "FALSE"], False),
    **dict.fromkeys(["off", "Off", "OFF"], False),
    **dict.fromkeys(["", "~", "null", "Null", "NULL"], None),
    **dict.fromkeys([".nan", ".NaN", ".NAN"], _NAN),
    **dict.fromkeys([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"], _INF),
    **dict.fromkeys(["-.inf", "-.Inf", "-.INF"], _NEG_INF),
}
_MAP_TAGS = {True: BOOL, False: BOOL, None: NULL}

#: First characters that make go-yaml try more than "a string" (its ``resolve_table``).
_DIGITS = frozenset("0123456789")
_SIGN = frozenset("+-")
_IN_MAP = frozenset("yYnNtTfFoO~")
#: Plain scalars starting with anything else resolve to themselves.
MAYBE_TYPED = _DIGITS | _SIGN | _IN_MAP | {"."}
#: First characters after which go-yaml parses numbers; after the others in
#: :data:`MAYBE_TYPED` it only looks the whole text up in its table of words.
NUMBER_START = _DIGITS | _SIGN | {"."}
#: The words go-yaml resolves (booleans, nulls, NaN and infinities).
WORDS = frozenset(_MAP)

_YAML_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9]+(?:[eE][-+]?[0-9]+)?")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:(?:[Tt]| +)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?"
    r"(?: *(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?"
)
_DIGITS_OF = {2: frozenset("01")}


def _parse_int(text: str, base: int, low: int, high: int) -> int | None:
    """Go's ``strconv.ParseInt(text, base, 64)`` for an explicit base."""
    sign = 1
    if text[:1] in ("+", "-"):
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    allowed = _DIGITS_OF[base]
    if not text or not all(c in allowed for c in text):
        return None
    value = sign * int(text, base)
    return value if low <= value <= high else None


def _parse_float(text: str) -> float | None:
    """Go's ``strconv.ParseFloat`` on text already known to be decimal float syntax."""
    value = float(text)
    return None if math.isinf(value) else value  # out of range: Go reports ErrRange


def _looks_like_timestamp(text: str) -> bool:
    return _TIMESTAMP.fullmatch(text) is not None


_INT = re.compile(
    r"([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|([1-9][0-9]*|0))"
)


def _go_int(plain: str) -> int | None:
    """``strconv.ParseInt(plain, 0, 64)``, else ``strconv.ParseUint(plain, 0, 64)``."""
    match = _INT.fullmatch(plain)
    if match is None:
        return None
    sign, hex_digits, octal, binary, leading_zero, decimal = match.groups()
    if decimal is not None:
        value = int(decimal)
    elif hex_digits is not None:
        value = int(hex_digits, 16)
    elif binary is not None:
        value = int(binary, 2)
    else:
        value = int(octal if octal is not None else leading_zero, 8)
    if sign == "-":
        value = -value
    if _INT64_MIN <= value <= _INT64_MAX or (not sign and value <= _UINT64_MAX):
        return value  # ParseUint takes no sign
    return None


def resolve(text: str, timestamps: bool = True) -> tuple[str, Any]:
    """go-yaml v2 ``resolve("", text)``: the tag it resolves to and the Go-level value.

    Integers outside int64 that fit uint64 stay Python ints here (Go's uint64); what JSON
    makes of them is :func:`to_json`'s business. ``timestamps`` is go-yaml's "untagged or
    !!timestamp": only then does text that looks like a date resolve as one.
    """
    first = text[:1]
    if first and first not in MAYBE_TYPED:
        return STR, text
    if text in _MAP:
        value = _MAP[text]
        return (FLOAT if isinstance(value, _Special) else _MAP_TAGS[value]), value
    if first == ".":
        if _DOT_FLOAT.fullmatch(text):
            number = _parse_float(text)
            if number is not None:
                return FLOAT, number
        return STR, text
    if first in _IN_MAP:
        return STR, text
    # 'D' and 'S': int, float or timestamp (which go-yaml keeps as the string it was).
    if timestamps and text[4:5] == "-" and _looks_like_timestamp(text):
        return TIMESTAMP, text
    plain = text.replace("_", "") if "_" in text else text
    integer = _go_int(plain)
    if integer is not None:
        return INT, integer
    if _YAML_FLOAT.fullmatch(plain):
        number = _parse_float(plain)
        if number is not None:
            return FLOAT, number
    if plain.startswith(("0b", "-0b")):  # go-yaml's own binary forms (e.g. "0b-101")
        digits = plain[2:] if plain[0] == "0" else "-" + plain[3:]
        integer = _parse_int(digits, 2, _INT64_MIN, _INT64_MAX)
        if integer is not None:
            return INT, integer
    return STR, text


def _short(tag: str) -> str:
    return "!!" + tag[len(TAG_PREFIX) :] if tag.startswith(TAG_PREFIX) else tag


def resolve_tagged(tag: str, text: str) -> Any:
    """go-yaml v2 on a scalar with an explicit tag; raises :class:`Refused` where it fails.

    Returns the Go-level value (see :func:`resolve`); ``!!binary`` is decoded to text.
    """
    if tag == BINARY:
        return _binary(text)
    if tag not in RESOLVABLE or tag == STR:
        return text
    rtag, value = resolve(text, timestamps=tag == TIMESTAMP)
    if rtag == tag:
        return value
    if tag == FLOAT and rtag == INT and _INT64_MIN <= value <= _INT64_MAX:
        return float(value)
    raise Refused(f"cannot decode {_short(rtag)} `{text}` as a {_short(tag)}")


_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def _binary(text: str) -> str:
    """``!!binary``: base64 (line breaks ignored, like Go's decoder) to text, each invalid
    UTF-8 byte replaced by U+FFFD the way Go's JSON encoder does."""
    import base64
    import binascii

    data = text.replace("\r", "").replace("\n", "")
    if len(data) % 4 or not _BASE64.fullmatch(data):
        raise Refused("!!binary value contains invalid base64 data")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise Refused("!!binary value contains invalid base64 data") from None
    return raw.decode("utf-8", "sidecarlint-go-replace")


def _go_replace(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return "\ufffd", error.start + 1  # Go replaces one byte at a time


def _register() -> None:
    import codecs

    codecs.register_error("sidecarlint-go-replace", _go_replace)


_register()


def json_number(number: float) -> int | float:
    """A float64 after Go's JSON encoder and the API machinery's decoder.

    Integral values below 1e21 are written without exponent (``12345678901234567000``) and
    read back as integers in JSON terms; everything else stays a float.
    """
    if number.is_integer() and abs(number) < 1e21:
        return int(Decimal(repr(number)))
    return number


def to_json(value: Any) -> Any:
    """A Go-level scalar value as the JSON value kubectl sends; raises :class:`Refused`."""
    if isinstance(value, _Special):
        raise Unencodable(f"json: unsupported value: {value.json_error}")
    if isinstance(value, float):
        return json_number(value)
    if isinstance(value, int) and not isinstance(value, bool) and value > _INT64_MAX:
        return json_number(float(value))  # uint64: decoded again as a float64
    return value


def to_key(value: Any) -> str:
    """The JSON key a resolved map key becomes (sigs.k8s.io/yaml); raises :class:`Refused`."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if value > _INT64_MAX:
            raise Unencodable(f"unsupported map key of type: uint64, key: {value:#x}")
        return str(value)
    if isinstance(value, float):
        return format_float32(value)
    if isinstance(value, _Special):
        return value.key
    raise Unencodable("unsupported map key of type: %!s(<nil>), key: <nil>")


_FLOAT32_MAX = struct.unpack("<f", b"\xff\xff\x7f\x7f")[0]


def _to_float32(value: float) -> float:
    try:
        return float(struct.unpack("<f", struct.pack("<f", value))[0])
    except OverflowError:
        return math.copysign(math.inf, value)


def format_float32(value: float) -> str:
    """Go's ``strconv.FormatFloat(value, 'g', -1, 32)``, with go-yaml's names for infinity."""
    f32 = _to_float32(value)
    if math.isinf(f32):
        return ".inf" if f32 > 0 else "-.inf"
    if f32 == 0:
        return "-0" if math.copysign(1.0, f32) < 0 else "0"
    # The shortest decimal that reads back as the same float32.
    for precision in range(1, 10):
        text = f"{f32:.{precision - 1}e}"
        if _to_float32(float(text)) == f32:
            break
    mantissa, _, exponent_text = text.partition("e")
    negative = mantissa.startswith("-")
    digits = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    exponent = int(exponent_text)
    sign = "-" if negative else ""
    if exponent < -4 or exponent >= 6:  # %e when the exponent is < -4 or >= 6 (shortest)
        tail = f".{digits[1:]}" if len(digits) > 1 else ""
        return f"{sign}{digits[0]}{tail}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    point = exponent + 1  # digits before the decimal point
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def json_literal(text: str) -> int | float:
    """A JSON number as the API machinery decodes it (``UseNumber``, then Int64 or Float64)."""
    if "." not in text and "e" not in text and "E" not in text:
        integer = int(text)
        if _INT64_MIN <= integer <= _INT64_MAX:
            return integer
    number = float(text)
    if math.isinf(number):
        raise Refused(f"json: cannot unmarshal number {text} into Go value of type float64")
    return json_number(number)


#: Plain scalars that may be typed, with their JSON values: the same few (ports, counts,
#: quantities, booleans) recur in every manifest. Bounded; values are immutable.
_PLAIN: dict[str, Any] = {}
_PLAIN_MAX = 8192
_PLAIN_LENGTH = 40


def plain_value(text: str) -> Any:
    """An untagged plain scalar as the JSON value kubectl sends (the common path)."""
    if text and text[0] not in MAYBE_TYPED:
        return text
    found = _PLAIN.get(text, _PLAIN)
    if found is not _PLAIN:
        return found
    value = to_json(resolve(text)[1])
    if len(text) <= _PLAIN_LENGTH and len(_PLAIN) < _PLAIN_MAX:
        _PLAIN[text] = value
    return value


def plain_key(text: str) -> str:
    """An untagged plain map key as the JSON key kubectl sends."""
    if text and text[0] not in MAYBE_TYPED:
        return text
    return to_key(resolve(text)[1])
