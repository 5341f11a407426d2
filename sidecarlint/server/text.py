"""Positions in an editor's text, and edits from one text to another.

sidecarlint counts lines the way YAML does (``\\r\\n``, ``\\r``, ``\\n``, U+0085, U+2028 and
U+2029 end a line) from 1, and columns in code points from 1. The Language Server Protocol
counts lines ended by ``\\r\\n``, ``\\r`` or ``\\n`` from 0, and characters in the code units of
the encoding agreed with the client (UTF-16 unless the client offers another). Everything
here goes through offsets into the text (in code points), so both ways are exact.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right

from sidecarlint.finding import Span
from sidecarlint.parse import LINE_BREAKS

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"

_LSP_BREAKS = re.compile("\r\n|[\r\n]")
_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")
#: Characters that take two UTF-16 code units.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

#: A position as the protocol counts it: 0-based line and character.
Position = tuple[int, int]


class TextIndex:
    """Converts between offsets, sidecarlint spans and protocol positions for one text."""

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.text = text
        self.encoding = encoding
        # The reader drops a byte order mark before counting columns on line 1.
        self._bom = 1 if text.startswith("\ufeff") else 0
        self._yaml_starts = [0, *(m.end() for m in LINE_BREAKS.finditer(text))]
        self._lsp_starts = (
            [0, *(m.end() for m in _LSP_BREAKS.finditer(text))]
            if _YAML_ONLY_BREAKS.search(text)
            else self._yaml_starts
        )
        # Characters count one code unit each: no conversion needed.
        self._plain = (
            encoding == UTF32 or text.isascii() or (encoding == UTF16 and not _ASTRAL.search(text))
        )

    # sidecarlint's positions

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based line and column as sidecarlint reports them."""
        if line < 1:
            return 0
        if line > len(self._yaml_starts):
            return len(self.text)
        start = self._yaml_starts[line - 1] + (self._bom if line == 1 else 0)
        return max(0, min(start + column - 1, len(self.text)))

    def span_offsets(self, span: Span) -> tuple[int, int]:
        start = self.offset(span.line, span.column)
        return start, max(start, self.offset(span.end_line, span.end_column))

    # the protocol's positions

    def position(self, offset: int) -> Position:
        """The protocol position of an offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self._lsp_starts, offset) - 1
        start = self._lsp_starts[line]
        if self._plain:
            return line, offset - start
        return line, self._units(self.text[start:offset])

    def offset_at(self, position: Position) -> int:
        """The offset of a protocol position (clamped to its line, as the protocol says)."""
        line, character = position
        if line < 0:
            return 0
        if line >= len(self._lsp_starts):
            return len(self.text)
        start = self._lsp_starts[line]
        end = self._lsp_starts[line + 1] if line + 1 < len(self._lsp_starts) else len(self.text)
        while end > start and self.text[end - 1] in "\r\n":
            end -= 1
        if self._plain:
            return min(start + max(character, 0), end)
        units = 0
        for i in range(start, end):
            units += self._units(self.text[i])
            if units > character:
                return i
        return end

    def _units(self, text: str) -> int:
        if self.encoding == UTF8:
            return len(text.encode("utf-8", "surrogatepass"))
        if self.encoding == UTF16:
            return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)
        return len(text)


def line_edits(old: str, new: str) -> list[tuple[int, int, str]]:
    """Edits that turn ``old`` into ``new``: ``(start, end, replacement)`` with offsets into
    ``old``, in order and not overlapping; whole lines are replaced."""
    if old == new:
        return []
    a = old.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    starts = [0]
    for line in a:
        starts.append(starts[-1] + len(line))
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [
        (starts[i1], starts[i2], "".join(b[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]
