"""Text from the input, made safe for a terminal or a log: nothing in a manifest or a file
name can start a line, move the cursor or send an escape sequence.

Every human-facing output (text, GitHub annotations, notes and errors on stderr,
``explain-pod``) passes what it prints from the input through :func:`printable`. The JSON and
SARIF reports are ASCII JSON; :func:`valid_unicode` keeps lone surrogates (a file name's
undecodable bytes) out of them, which strict JSON readers reject.
"""

from __future__ import annotations

import re

#: C0 controls (newline and tab included), DEL, C1 controls (NEL included), the Unicode line
#: and paragraph separators, bidirectional overrides, and lone surrogates (the undecodable
#: bytes of a file name).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _show(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not valid UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (``\\n``, ``\\x1b``,
    ``\\u2028``); the same text when it has none."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_show, text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _percent(match: re.Match[str]) -> str:
    char = match.group()
    errors = "surrogateescape" if 0xDC80 <= ord(char) <= 0xDCFF else "surrogatepass"
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", errors))


def valid_unicode(text: str) -> str:
    """``text`` with each lone surrogate percent-escaped as the bytes it stands for: an
    undecodable byte of a file name as itself (``caf\\xe9.yaml`` gives ``caf%E9.yaml``, as
    in a URI), any other as its UTF-8 form; the same text when it has none."""
    if _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(_percent, text)
