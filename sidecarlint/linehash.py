"""GitHub code scanning's ``primaryLocationLineHash`` of source lines.

A port of ``hash`` in github/codeql-action ``src/fingerprints.ts``, which the upload-sarif
action runs on results that do not carry the value: a rolling hash over the first 100
characters from the start of each line, with spaces and tabs skipped and CR, LF and CRLF
all read as LF, in 64-bit two's-complement arithmetic over UTF-16 code units (what
JavaScript's ``charCodeAt`` returns). The value is ``hex:n``: the hash in lowercase hex
without leading zeros, and how many lines of the file so far had the same hash. A line
hashes the same wherever it moves, as long as it and the ~100 characters after it do not
change.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Collection

_BLOCK_SIZE = 100
_MOD = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_MOD, _BLOCK_SIZE, 1 << 64)
_TAB, _SPACE, _LF, _CR = 9, 32, 10, 13
_EOF = 65535


def line_hashes(text: str, wanted: Collection[int] | None = None) -> dict[int, str]:
    """``{line: hash}`` for the 1-based lines of ``text`` (only ``wanted`` ones, if given).

    Hashing stops once the last wanted line has its value, since later lines cannot change
    it.
    """
    last = max(wanted) if wanted else None
    out: dict[int, str] = {}
    window = [0] * _BLOCK_SIZE
    line_numbers = [-1] * _BLOCK_SIZE
    hash_raw = 0
    index = 0
    line_number = 0
    line_start = True
    prev_cr = False
    counts: dict[str, int] = {}

    def output_hash() -> bool:
        """Record the hash of the line that starts at ``index``; True once done."""
        value = format(hash_raw, "x")
        counts[value] = counts.get(value, 0) + 1
        line = line_numbers[index]
        if wanted is None or line in wanted:
            out[line] = f"{value}:{counts[value]}"
        line_numbers[index] = -1
        return last is not None and line >= last

    def update_hash(current: int) -> None:
        nonlocal hash_raw, index
        begin = window[index]
        window[index] = current
        hash_raw = (_MOD * hash_raw + current - _FIRST_MOD * begin) & _MASK
        index = (index + 1) % _BLOCK_SIZE

    def process(current: int) -> bool:
        nonlocal prev_cr, line_start, line_number
        if current in (_SPACE, _TAB) or (prev_cr and current == _LF):
            prev_cr = False
            return False
        if current == _CR:
            current = _LF
            prev_cr = True
        else:
            prev_cr = False
        done = line_numbers[index] != -1 and output_hash()
        if line_start:
            line_start = False
            line_number += 1
            line_numbers[index] = line_number
        if current == _LF:
            line_start = True
        update_hash(current)
        return done

    units = array("H", text.encode("utf-16-le", "surrogatepass"))
    if sys.byteorder == "big":
        units.byteswap()
    for unit in units:
        if process(unit):
            return out
    if process(_EOF):
        return out
    for _ in range(_BLOCK_SIZE):
        if line_numbers[index] != -1 and output_hash():
            return out
        update_hash(0)
    return out
