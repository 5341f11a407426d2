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
from collections.abc import Callable, Collection, Iterable

_BLOCK_SIZE = 100
_MOD = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_MOD, _BLOCK_SIZE, 1 << 64)
_TAB, _SPACE, _LF, _CR = 9, 32, 10, 13
_EOF = 65535


#: Distinct hashes counted in one pass over a text; past it the counts are dropped and
#: the wanted lines' hashes counted in a second pass, so memory does not grow with the text.
COUNTS_LIMIT = 100_000


def line_hashes(text: str, wanted: Collection[int] | None = None) -> dict[int, str]:
    """``{line: hash}`` for the 1-based lines of ``text`` (only ``wanted`` ones, if given).

    Hashing stops once the last wanted line has its value, since later lines cannot change
    it.
    """
    return streamed_line_hashes(lambda: [text], wanted)


def streamed_line_hashes(
    pieces: Callable[[], Iterable[str]], wanted: Collection[int] | None = None
) -> dict[int, str]:
    """:func:`line_hashes` of a text given as pieces (``pieces()`` gives them, again if a
    second pass is needed): only the text at hand and the wanted lines' hashes are held.
    """
    first = _Pass(wanted, None)
    first.run(pieces())
    if first.counts is not None:
        return {line: f"{value:x}:{first.numbers[line]}" for line, value in first.hashes.items()}
    # Too many distinct hashes to count them all: the wanted lines' ones are counted again.
    second = _Pass(wanted, set(first.hashes.values()))
    second.run(pieces())
    return {line: f"{value:x}:{second.numbers[line]}" for line, value in first.hashes.items()}


class _Pass:
    """One pass of the rolling hash over a text: the hashes of the wanted lines, and how
    many lines up to each had the same hash (of every hash while there are few, else of
    ``targets``)."""

    def __init__(self, wanted: Collection[int] | None, targets: set[int] | None) -> None:
        self.wanted = wanted
        self.last = max(wanted) if wanted else None
        self.targets = targets
        self.counts: dict[int, int] | None = {}
        self.hashes: dict[int, int] = {}
        self.numbers: dict[int, int] = {}
        self.window = [0] * _BLOCK_SIZE
        self.line_numbers = [-1] * _BLOCK_SIZE
        self.hash_raw = 0
        self.index = 0
        self.line_number = 0
        self.line_start = True
        self.prev_cr = False
        self.done = False

    def run(self, pieces: Iterable[str]) -> None:
        for piece in pieces:
            if self._feed(piece):
                return
        if self._process(_EOF):
            return
        for _ in range(_BLOCK_SIZE):
            if self.line_numbers[self.index] != -1 and self._output():
                return
            self._update(0)

    def _output(self) -> bool:
        """Record the hash of the line that starts at ``index``; True once done."""
        value = self.hash_raw
        line = self.line_numbers[self.index]
        counts = self.counts
        number = 0
        if counts is not None and self.targets is None:
            number = counts[value] = counts.get(value, 0) + 1
            if len(counts) > COUNTS_LIMIT:
                self.counts = None
        elif self.targets is not None and value in self.targets:
            assert counts is not None
            number = counts[value] = counts.get(value, 0) + 1
        wanted = self.wanted
        if wanted is None or line in wanted:
            self.hashes[line] = value
            self.numbers[line] = number
        self.line_numbers[self.index] = -1
        return self.last is not None and line >= self.last

    def _update(self, current: int) -> None:
        index = self.index
        begin = self.window[index]
        self.window[index] = current
        self.hash_raw = (_MOD * self.hash_raw + current - _FIRST_MOD * begin) & _MASK
        self.index = (index + 1) % _BLOCK_SIZE

    def _process(self, current: int) -> bool:
        return self._feed_units([current])

    def _feed(self, text: str) -> bool:
        units = array("H", text.encode("utf-16-le", "surrogatepass"))
        if sys.byteorder == "big":
            units.byteswap()
        return self._feed_units(units)

    def _feed_units(self, units: Iterable[int]) -> bool:
        # The loop of the port, with its state in locals (it runs once per character).
        window, line_numbers = self.window, self.line_numbers
        hash_raw, index = self.hash_raw, self.index
        line_number, line_start, prev_cr = self.line_number, self.line_start, self.prev_cr
        done = False
        for current in units:
            if current in (_SPACE, _TAB) or (prev_cr and current == _LF):
                prev_cr = False
                continue
            if current == _CR:
                current = _LF
                prev_cr = True
            else:
                prev_cr = False
            if line_numbers[index] != -1:
                self.hash_raw, self.index = hash_raw, index
                if self._output():
                    done = True
                    break
            if line_start:
                line_start = False
                line_number += 1
                line_numbers[index] = line_number
            if current == _LF:
                line_start = True
            begin = window[index]
            window[index] = current
            hash_raw = (_MOD * hash_raw + current - _FIRST_MOD * begin) & _MASK
            index = (index + 1) % _BLOCK_SIZE
        self.hash_raw, self.index = hash_raw, index
        self.line_number, self.line_start, self.prev_cr = line_number, line_start, prev_cr
        return done
