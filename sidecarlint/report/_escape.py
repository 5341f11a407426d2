"""Text from the input, made safe for a terminal or a log: nothing in a manifest or a file
name can start a line, move the cursor or send an escape sequence.

Every human-facing output (text, GitHub annotations, notes and errors on stderr,
``explain-pod``) passes what it prints from the input through :func:`printable`. The JSON and
SARIF reports need nothing more than their JSON encoding (ASCII, with ``\\u`` escapes).
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
