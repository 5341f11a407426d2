"""What some outputs show besides a finding, from the text of its file read again piece by
piece once the file is checked: its source line (``--show-source``) and GitHub's line hash
(SARIF). Only the lines with findings are kept, and of a long line only the text around
each finding, so that a file's findings stay small whatever its lines hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO

from sidecarlint.finding import ELLIPSIS, EXCERPT, Finding
from sidecarlint.parse import LINE_BREAKS
from sidecarlint.records import replace

#: A source line up to this many characters is kept whole; of a longer one, the text from
#: :data:`~sidecarlint.finding.EXCERPT` characters before each finding to as many after it.
LINE_LIMIT = 1000

Pieces = Callable[[], Iterable[str]]


def annotate(
    findings: Sequence[Finding],
    pieces: Pieces,
    *,
    source_lines: bool,
    line_hashes: bool,
    hash_pieces: Pieces | None = None,
) -> list[Finding]:
    """``findings`` with their source lines and line hashes; ``pieces()`` gives the text
    again (each time it is called), ``hash_pieces()`` the text GitHub hashes when it
    differs (a file with a byte order mark). A text that cannot be read again to the end
    gives what was read of it."""
    wanted = {f.span.line for f in findings}
    shown: list[tuple[str, int] | None] = [None] * len(findings)
    if source_lines:
        collector = _Lines(findings)
        collector.run(_until_error(pieces()))
        shown = collector.shown()
    hashes: dict[int, str] = {}
    if line_hashes:
        from sidecarlint.linehash import streamed_line_hashes

        hashed = hash_pieces or pieces
        hashes = streamed_line_hashes(lambda: _until_error(hashed()), wanted)
    out = []
    for finding, source in zip(findings, shown, strict=True):
        text, start = source if source is not None else (None, 0)
        out.append(
            replace(
                finding,
                source_line=text,
                source_start=start,
                line_hash=hashes.get(finding.span.line),
            )
        )
    return out


def _until_error(pieces: Iterable[str]) -> Iterator[str]:
    """``pieces`` up to where reading fails (what was read before is still good)."""
    from sidecarlint.sources import StreamError

    try:
        yield from pieces
    except StreamError:
        return


class _Lines:
    """The wanted parts of the lines findings are on, gathered from a text read piece by
    piece: each line's first :data:`LINE_LIMIT` characters (and one more, to know a longer
    line) and a window around each finding, as character ranges of the line."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        #: line -> ranges (start, end) of characters in the line, the first one its start.
        self.ranges: dict[int, list[tuple[int, int]]] = {}
        #: Each finding's line and range.
        self.places: list[tuple[int, int]] = []
        for f in findings:
            column = f.span.column - 1
            end = f.span.end_column - 1 if f.span.end_line == f.span.line else column + 1
            end = min(max(end, column + 1), column + EXCERPT)
            ranges = self.ranges.setdefault(f.span.line, [(0, LINE_LIMIT + 1)])
            self.places.append((f.span.line, len(ranges)))
            ranges.append((max(0, column - EXCERPT), end + EXCERPT))
        #: line -> the text gathered for each of its ranges; the length of each line read.
        self.parts: dict[int, list[list[str]]] = {
            line: [[] for _ in ranges] for line, ranges in self.ranges.items()
        }
        self.lengths: dict[int, int] = {}
        self.todo = sorted(self.ranges, reverse=True)  # lines still to reach, next last
        self.line = 1  # the line being read
        self.column = 0  # characters of it read so far
        self.after_cr = False  # the last piece ended with a CR (an LF next goes with it)

    def run(self, pieces: Iterable[str]) -> None:
        for piece in pieces:
            if not self.todo:
                return
            self._feed(piece)
        self._line_end()

    def _feed(self, piece: str) -> None:
        if self.after_cr and piece.startswith("\n"):
            piece = piece[1:]
        if not piece:
            return
        self.after_cr = piece.endswith("\r")
        exotic = any(c in piece for c in "\r\x85\u2028\u2029")
        start = 0
        while start < len(piece) and self.todo:
            target = self.todo[-1]
            if self.line < target:
                # Skip to the next line wanted, or past the piece if it is not in it.
                start = self._skip(piece, start, target - self.line, exotic)
                if start < 0:
                    return
                continue
            found = LINE_BREAKS.search(piece, start) if exotic else None
            end = found.start() if found else piece.find("\n", start)
            end = len(piece) if end < 0 else end
            self._take(piece, start, end)
            if end == len(piece):
                return
            self._line_end()
            start = found.end() if found else end + 1

    def _skip(self, piece: str, start: int, lines: int, exotic: bool) -> int:
        """Past up to ``lines`` line breaks of ``piece`` from ``start``: where the line
        reached starts, or -1 when the piece ends first (the lines passed are counted)."""
        if not exotic:
            if piece.count("\n", start) < lines:
                self.line += piece.count("\n", start)
                return -1
            for _ in range(lines):
                start = piece.index("\n", start) + 1
            self.line += lines
            self.column = 0
            return start
        for found in LINE_BREAKS.finditer(piece, start):
            self.line += 1
            lines -= 1
            if not lines:
                self.column = 0
                return found.end()
        return -1

    def _take(self, piece: str, start: int, end: int) -> None:
        """Characters ``piece[start:end]`` of the current line, which is wanted."""
        first = self.column
        last = first + end - start
        for (a, b), gathered in zip(self.ranges[self.line], self.parts[self.line], strict=True):
            if a < last and b > first:
                gathered.append(piece[start + max(a - first, 0) : start + min(b, last) - first])
        self.column = last

    def _line_end(self) -> None:
        if self.todo and self.line == self.todo[-1]:
            self.lengths[self.line] = self.column
            self.todo.pop()
        self.line += 1
        self.column = 0

    def shown(self) -> list[tuple[str, int] | None]:
        """What each finding shows of its line: the text and where it starts in the line."""
        out: list[tuple[str, int] | None] = []
        for line, index in self.places:
            length = self.lengths.get(line)
            if length is None:
                out.append(None)
            elif length <= LINE_LIMIT:
                out.append(("".join(self.parts[line][0]), 0))
            else:
                a, b = self.ranges[line][index]
                text = "".join(self.parts[line][index])
                out.append((text + (ELLIPSIS if b < length else ""), a))
        return out


class Spool:
    """The pieces of a text that cannot be read twice (stdin), kept as they are read to be
    read again: in memory up to :data:`MEMORY` characters, past that in a temporary file."""

    MEMORY = 8 << 20

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self._size = 0
        self._file: IO[str] | None = None

    def tee(self, pieces: Iterable[str]) -> Iterator[str]:
        """``pieces``, kept as they go by."""
        for piece in pieces:
            self._keep(piece)
            yield piece

    def _keep(self, piece: str) -> None:
        if self._file is not None:
            self._file.write(piece)
            return
        self._pieces.append(piece)
        self._size += len(piece)
        if self._size > self.MEMORY:
            import tempfile

            # Closed by close(); newline="" keeps every line break as it is.
            self._file = tempfile.TemporaryFile(  # noqa: SIM115
                "w+", encoding="utf-8", errors="surrogatepass", newline=""
            )
            self._file.writelines(self._pieces)
            self._pieces = []

    def pieces(self) -> Iterator[str]:
        """What was kept, piece by piece."""
        from sidecarlint.sources import PIECE_SIZE

        if self._file is None:
            yield from self._pieces
            return
        self._file.flush()
        self._file.seek(0)
        while chunk := self._file.read(PIECE_SIZE):
            yield chunk

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
