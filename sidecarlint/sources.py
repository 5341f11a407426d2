"""Finding and reading input files safely (the front of the parse stage)."""

from __future__ import annotations

import codecs
import fnmatch
import functools
import os
import stat
import sys
from collections.abc import Iterable, Iterator

from sidecarlint.finding import Span
from sidecarlint.records import FrozenRecord

#: Default per-file size cap. Files are read piece by piece and documents are checked one at
#: a time, so this is no memory guard; it only stops runaway input (kubectl reads files far
#: larger than any object the API server accepts, e.g. rendered bundles of CRDs).
MAX_FILE_SIZE = 256 * 1024 * 1024
#: How much is read and decoded at a time.
PIECE_SIZE = 1 << 20
EXTENSIONS = (".yaml", ".yml", ".json")
STDIN = "-"


class Source(FrozenRecord):
    """A file to check: ``display`` is the path as reported, ``path`` what to open.

    ``problem`` says why a path found while walking directories cannot be checked (an
    unreadable directory): it is reported as such, never skipped in silence.
    """

    display: str
    path: str | None  # None for stdin
    explicit: bool
    problem: str | None

    def __init__(
        self, display: str, path: str | None, explicit: bool = True, problem: str | None = None
    ) -> None:
        self.display = display
        self.path = path
        self.explicit = explicit
        self.problem = problem


class ReadError(FrozenRecord):
    """Why a file could not be read, and where (byte offsets become line/column)."""

    message: str
    span: Span

    def __init__(self, message: str, span: Span | None = None) -> None:
        self.message = message
        self.span = Span(1, 1, 1, 1) if span is None else span


class PathError(Exception):
    """A path named on the command line does not exist (exit 2)."""


def discover(
    paths: Iterable[str],
    *,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    follow_symlinks: bool = False,
) -> list[Source]:
    """Expand command-line paths into sources, in a stable order, without duplicates.

    A file is checked once however many ways it is named (``d/f.yaml`` and ``./d/f.yaml``,
    ``dir`` and ``dir/sub``, a symlink and its target): sources are told apart by real path,
    and the first name wins.
    """
    sources: list[Source] = []
    seen: set[str] = set()

    def add(key: str, source: Source) -> None:
        if key not in seen:
            seen.add(key)
            sources.append(source)

    for arg in paths:
        if arg == STDIN:
            add(STDIN, Source(STDIN, None))
            continue
        if not os.path.lexists(arg):
            raise PathError(f"{arg}: no such file or directory")
        if os.path.isdir(arg):
            real_root = os.path.realpath(arg)
            for rel, source in _walk(arg, include, exclude, follow_symlinks):
                # Without --follow-symlinks no link is entered: the root's real path and the
                # relative path make the real path.
                key = (
                    os.path.realpath(source.path or "")
                    if follow_symlinks
                    else os.path.join(real_root, rel)
                )
                add(key, source)
        elif not _excluded(arg, exclude):
            add(os.path.realpath(arg), Source(arg, arg, explicit=True))
    return sources


def _excluded(rel: str, exclude: tuple[str, ...]) -> bool:
    rel = rel.replace(os.sep, "/")
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(name, pat) for pat in exclude)


def chart_of(path: str) -> str | None:
    """The chart a Helm template belongs to, as ``path`` spells it, or None.

    A template is a file under a chart's ``templates/`` directory (at any depth), and a
    chart is the directory beside it that holds a ``Chart.yaml``. Templates are not
    manifests until ``helm template`` renders them.
    """
    parts = path.replace(os.sep, "/").split("/")
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "templates":
            chart = "/".join(parts[:i]) or ("/" if path.startswith("/") and i else ".")
            if _is_chart(chart):
                return chart
    return None


@functools.lru_cache(maxsize=1024)
def _is_chart(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "Chart.yaml"))


def path_matches(file: str, pattern: str, root: str) -> bool:
    """Whether ``pattern`` matches ``file``: its path relative to ``root`` (as given when it
    is outside), or its name alone. ``*`` also matches ``/``, as in ``exclude``."""
    path = os.path.abspath(file)
    rel = os.path.relpath(path, os.path.abspath(root))
    if rel == ".." or rel.startswith(".." + os.sep):
        rel = os.path.normpath(file)
    rel = rel.replace(os.sep, "/")
    pattern = pattern.removeprefix("./")
    return fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel.rsplit("/", 1)[-1], pattern)


def _included(rel: str, include: tuple[str, ...]) -> bool:
    if not include:
        return rel.lower().endswith(EXTENSIONS)
    rel = rel.replace(os.sep, "/")
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(name, pat) for pat in include)


def _walk(
    root: str, include: tuple[str, ...], exclude: tuple[str, ...], follow_symlinks: bool
) -> Iterator[tuple[str, Source]]:
    """Sources under ``root``, each with its path relative to ``root``."""
    real_root = os.path.realpath(root)
    # With symlinks followed, every directory and file is identified by (device, inode) so
    # loops end and a file reached twice is checked once.
    visited: set[tuple[int, int]] = set()
    if follow_symlinks:
        st = os.stat(root)
        visited.add((st.st_dev, st.st_ino))

    def shown(rel: str) -> str:
        return rel if root in (".", "./") else os.path.join(root, rel)

    stack = [""]
    while stack:
        rel_dir = stack.pop()
        directory = os.path.join(root, rel_dir) if rel_dir else root
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            name = shown(rel_dir) if rel_dir else root
            yield rel_dir, Source(name, directory, False, f"cannot read directory: {_reason(exc)}")
            continue
        subdirs: list[str] = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if entry.name.startswith(".") or _excluded(rel, exclude):
                continue
            try:
                is_link = entry.is_symlink()
                if is_link and not follow_symlinks:
                    continue
                if is_link:
                    target = os.path.realpath(entry.path)
                    if os.path.commonpath([real_root, target]) != real_root:
                        continue
                if follow_symlinks:
                    st = entry.stat(follow_symlinks=True)
                    ident = (st.st_dev, st.st_ino)
                    if ident in visited:
                        continue
                    visited.add(ident)
                if entry.is_dir(follow_symlinks=follow_symlinks):
                    subdirs.append(rel)
                elif entry.is_file(follow_symlinks=follow_symlinks) and _included(rel, include):
                    yield rel, Source(shown(rel), os.path.join(root, rel), explicit=False)
            except OSError as exc:
                # A dangling symlink is only worth a finding where a manifest was expected.
                if _included(rel, include) or not isinstance(exc, FileNotFoundError):
                    problem = f"cannot read: {_reason(exc)}"
                    yield rel, Source(shown(rel), entry.path, False, problem)
        stack.extend(reversed(subdirs))


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


#: What this run read from stdin when it is remembered (for ``--fix -``): its text when it
#: could be read whole, every byte read, and whether stdin was read to its end.
_STDIN: list[str] = []
_STDIN_BYTES: list[bytes] = []
_STDIN_AT_END: list[bool] = []
_REMEMBER_STDIN: list[bool] = []


def remember_stdin() -> None:
    """Keep what is read from stdin (``--fix -`` needs it whole, and its bytes)."""
    _REMEMBER_STDIN.append(True)


def stdin_text() -> str | None:
    """The text read from stdin by this run (when remembered), if any."""
    return _STDIN[0] if _STDIN else None


def stdin_bytes() -> bytes:
    """The bytes read from stdin by this run (when remembered)."""
    return b"".join(_STDIN_BYTES)


def stdin_rest() -> Iterator[bytes]:
    """What is left of stdin after this run stopped reading it (too large, not text)."""
    if not _STDIN_AT_END:
        while block := sys.stdin.buffer.read(PIECE_SIZE):
            yield block


def read_source(source: Source, max_size: int = MAX_FILE_SIZE) -> str | ReadError:
    """Read and decode one whole source; never raises."""
    pieces = read_pieces(source, max_size)
    if isinstance(pieces, ReadError):
        return pieces
    try:
        return "".join(pieces)
    except StreamError as exc:
        return exc.error


class StreamError(Exception):
    """Reading failed part way through a source (raised by the pieces of
    :func:`read_pieces`); what was read before it is still good."""

    def __init__(self, error: ReadError) -> None:
        super().__init__(error.message)
        self.error = error


def read_pieces(source: Source, max_size: int = MAX_FILE_SIZE) -> Iterator[str] | ReadError:
    """Open one source and decode it piece by piece: each piece ends at a line break (but
    the last, and the pieces of a line longer than a piece). A problem found on opening is
    returned; one found later (a bad byte, a stream larger than ``max_size``) is raised by
    the iterator as :class:`StreamError`."""
    if source.problem is not None:
        return ReadError(source.problem)
    if source.path is None and _STDIN:
        return iter([_STDIN[0]])
    try:
        stream: _Bytes = _StdinBytes() if source.path is None else _FileBytes(source.path, max_size)
        first = stream.read(PIECE_SIZE)
    except OSError as exc:
        return ReadError(f"cannot read file: {_reason(exc)}")
    except NotRegular as exc:
        return ReadError(str(exc))
    except _TooLarge:
        return ReadError(_too_large(max_size))
    pieces = _decoded(stream, first, max_size)
    if source.path is None and _REMEMBER_STDIN and not isinstance(pieces, ReadError):
        try:
            whole = "".join(pieces)
        except StreamError as exc:  # not read whole: not checked, and passed through
            return exc.error
        _STDIN.append(whole)
        return iter([whole])
    return pieces


def text_pieces(text: str, max_size: int = MAX_FILE_SIZE) -> Iterator[str] | ReadError:
    """What :func:`read_pieces` gives for a UTF-8 file holding ``text`` (an editor's
    buffer): the same pieces, limits and problems."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > max_size:
        return ReadError(_too_large(max_size))
    stream = _MemoryBytes(data)
    return _decoded(stream, stream.read(PIECE_SIZE), max_size)


def _decoded(stream: _Bytes, first: bytes, max_size: int) -> Iterator[str] | ReadError:
    """The pieces of a stream whose first block has been read; a problem in that block is
    returned."""
    decoder = _Decoder(first)
    try:
        text = decoder.feed(first, final=len(first) < PIECE_SIZE)
    except StreamError as exc:
        stream.close()
        return exc.error
    return _pieces(stream, decoder, text, len(first), max_size)


def _too_large(max_size: int) -> str:
    return f"file is larger than {max_size:,} bytes; not checked (raise max-file-size to check it)"


def _pieces(
    stream: _Bytes, decoder: _Decoder, text: str, size: int, max_size: int
) -> Iterator[str]:
    try:
        carry = ""
        done = size < PIECE_SIZE
        while True:
            text = carry + text
            cut = text.rfind("\n") + 1
            if done:
                if text:
                    yield text
                return
            if not cut and len(text) >= PIECE_SIZE:
                # A line longer than a piece is given in pieces of its own (a CR of a CRLF
                # stays with its LF), so that no line is held whole.
                cut = len(text) - text.endswith("\r")
            if cut:
                yield text[:cut]
            carry = text[cut:]
            block = stream.read(PIECE_SIZE)
            size += len(block)
            if size > max_size:
                raise StreamError(
                    ReadError(
                        f"input is larger than {max_size:,} bytes; the rest is not checked "
                        "(raise max-file-size to check it)",
                        decoder.span_here(carry),
                    )
                )
            done = len(block) < PIECE_SIZE
            text = decoder.feed(block, final=done, carry=carry)
    finally:
        stream.close()


class _Bytes:
    def read(self, size: int) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _StdinBytes(_Bytes):
    def read(self, size: int) -> bytes:
        chunks: list[bytes] = []
        while size > 0:
            # read1: what is there (up to 64 KiB) without waiting to fill the whole size.
            chunk = sys.stdin.buffer.read1(min(size, 1 << 16))  # type: ignore[union-attr]
            if not chunk:
                if _REMEMBER_STDIN:
                    _STDIN_AT_END.append(True)
                break
            chunks.append(chunk)
            size -= len(chunk)
        data = b"".join(chunks)
        if _REMEMBER_STDIN:
            _STDIN_BYTES.append(data)
        return data


class _MemoryBytes(_Bytes):
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0

    def read(self, size: int) -> bytes:
        block = self.data[self.position : self.position + size]
        self.position += len(block)
        return block


class _TooLarge(Exception):
    pass


class _FileBytes(_Bytes):
    def __init__(self, path: str, max_size: int) -> None:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        self.fd = os.open(path, flags)
        try:
            st = os.fstat(self.fd)
            if not stat.S_ISREG(st.st_mode):
                raise NotRegular("not a regular file (FIFO, socket or device); not checked")
            if st.st_size > max_size:
                raise _TooLarge
        except BaseException:
            os.close(self.fd)
            raise
        #: What the file is known to hold: reads ask for no more (``os.read`` allocates the
        #: whole size asked for, and most manifests are a few kilobytes).
        self.expected = st.st_size

    def read(self, size: int) -> bytes:
        chunks: list[bytes] = []
        while size > 0:
            # One byte more than expected tells a file that grew from one that ended.
            chunk = os.read(self.fd, max(1, min(size, self.expected + 1)))
            if not chunk:
                break
            chunks.append(chunk)
            size -= len(chunk)
            self.expected = max(0, self.expected - len(chunk))
        return b"".join(chunks)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class _Decoder:
    """Incremental strict decoding (UTF-8, or UTF-16 after its byte order mark) that knows
    where it stands, so a bad byte is reported at its line and column."""

    def __init__(self, head: bytes) -> None:
        self.encoding = _encoding(head)
        self.decoder = codecs.getincrementaldecoder(self.encoding)("strict")
        self.offset = 0  # bytes fed so far
        self.line = 1  # the line the next text starts on
        self.column = 1

    def feed(self, data: bytes, *, final: bool, carry: str = "") -> str:
        if self.encoding == "utf-32":
            raise StreamError(
                ReadError("file is UTF-32, which kubectl does not read; save it as UTF-8")
            )
        try:
            text = self.decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            good = data[: exc.start].decode(self.encoding, "ignore")
            span = self._advance(carry + good, move=False)
            name = self.encoding.upper().replace("-LE", "").replace("-BE", "")
            byte = data[exc.start] if exc.start < len(data) else 0
            raise StreamError(
                ReadError(
                    f"file is not valid {name} text (byte 0x{byte:02x} at offset "
                    f"{self.offset + exc.start}); {'the rest is ' if self.offset else ''}"
                    "not checked",
                    span,
                )
            ) from None
        nul = text.find("\0")
        if nul >= 0:
            span = self._advance(carry + text[:nul], move=False)
            raise StreamError(
                ReadError("file contains a NUL character (binary data?); not checked", span)
            )
        if not self.offset and text.startswith("\ufeff"):
            self.column = 0  # the byte order mark takes no column
        self.offset += len(data)
        self._advance(text)
        return text

    def span_here(self, carry: str) -> Span:
        return self._advance(carry, move=False)

    def _advance(self, text: str, *, move: bool = True) -> Span:
        """The span just after ``text`` (which starts where the last text ended)."""
        breaks = text.count("\n")
        line = self.line + breaks
        column = (len(text) - text.rfind("\n")) if breaks else self.column + len(text)
        if move:
            self.line, self.column = line, column
        return Span(line, column, line, column + 1)


def _encoding(head: bytes) -> str:
    """The encoding a byte order mark names (UTF-8 without one). The mark itself stays in
    the text as U+FEFF, where the parser skips it as kubectl does: once, at the start."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    return "utf-8"


def check_size(data: bytes, max_size: int) -> ReadError | None:
    """The error for data read with :func:`read_fd` that is over ``max_size``, else None."""
    return ReadError(_too_large(max_size)) if len(data) > max_size else None


class NotRegular(Exception):
    """A path that is no regular file (a FIFO, a socket, a device)."""


def read_file(path: str, max_size: int) -> bytes:
    """A file's bytes, as :func:`read_fd` reads them (without blocking on a FIFO)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        return read_fd(fd, max_size)
    finally:
        os.close(fd)


def read_fd(fd: int, max_size: int) -> bytes:
    """All of a regular file's bytes from the start, or ``max_size + 1`` of them when it is
    larger (:func:`check_size` tells)."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegular("not a regular file (FIFO, socket or device); not checked")
    os.lseek(fd, 0, os.SEEK_SET)
    chunks: list[bytes] = []
    remaining = max_size + 1
    expected = st.st_size  # reads ask for what the file holds, as _FileBytes does
    while remaining > 0:
        chunk = os.read(fd, max(1, min(remaining, expected + 1, PIECE_SIZE)))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
        expected = max(0, expected - len(chunk))
    return b"".join(chunks)


def text_encoding(data: bytes) -> str:
    """The codec :func:`decode` reads ``data`` with, so that a rewrite is encoded the same
    way. A byte order mark stays in the decoded text (as U+FEFF), so encoding the text
    with this codec writes the mark back."""
    return _encoding(data)


def decode(data: bytes) -> str | ReadError:
    """Decode UTF-8 (or UTF-16 with a BOM); report the position of the first bad byte."""
    decoder = _Decoder(data)
    try:
        return decoder.feed(data, final=True)
    except StreamError as exc:
        return exc.error
