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

#: Default per-file size cap (Kubernetes itself caps objects near 1.5 MiB).
MAX_FILE_SIZE = 5 * 1024 * 1024
EXTENSIONS = (".yaml", ".yml", ".json")
STDIN = "-"


class Source(FrozenRecord):
    """A file to check: ``display`` is the path as reported, ``path`` what to open."""

    display: str
    path: str | None  # None for stdin
    explicit: bool

    def __init__(self, display: str, path: str | None, explicit: bool = True) -> None:
        self.display = display
        self.path = path
        self.explicit = explicit


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
    """Expand command-line paths into sources, in a stable order, without duplicates."""
    sources: list[Source] = []
    seen: set[str] = set()
    for arg in paths:
        if arg == STDIN:
            sources.append(Source(STDIN, None))
            continue
        if not os.path.lexists(arg):
            raise PathError(f"{arg}: no such file or directory")
        if os.path.isdir(arg):
            for source in _walk(arg, include, exclude, follow_symlinks):
                if source.path not in seen:
                    seen.add(source.path or "")
                    sources.append(source)
        elif arg not in seen and not _excluded(arg, exclude):
            seen.add(arg)
            sources.append(Source(arg, arg, explicit=True))
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
) -> Iterator[Source]:
    real_root = os.path.realpath(root)
    # With symlinks followed, every directory and file is identified by (device, inode) so
    # loops end and a file reached twice is checked once.
    visited: set[tuple[int, int]] = set()
    if follow_symlinks:
        st = os.stat(root)
        visited.add((st.st_dev, st.st_ino))
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        directory = os.path.join(root, rel_dir) if rel_dir else root
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
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
                    shown = rel if root in (".", "./") else os.path.join(root, rel)
                    yield Source(shown, os.path.join(root, rel), explicit=False)
            except OSError:
                continue
        stack.extend(reversed(subdirs))


_STDIN: list[str] = []


def stdin_text() -> str | None:
    """The text read from stdin by this run (for ``--fix -``), if any."""
    return _STDIN[0] if _STDIN else None


def read_source(source: Source, max_size: int = MAX_FILE_SIZE) -> str | ReadError:
    """Read and decode one source; never raises."""
    try:
        if source.path is None:
            if _STDIN:
                return _STDIN[0]
            data = sys.stdin.buffer.read(max_size + 1)
        else:
            data = _read_file(source.path, max_size)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return ReadError(f"cannot read file: {reason}")
    except _NotRegular as exc:
        return ReadError(str(exc))
    if len(data) > max_size:
        return ReadError(
            f"file is larger than {max_size:,} bytes; not checked (raise max-file-size to check it)"
        )
    text = decode(data)
    if source.path is None and isinstance(text, str):
        _STDIN.append(text)
    return text


class _NotRegular(Exception):
    pass


def _read_file(path: str, max_size: int) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _NotRegular("not a regular file (FIFO, socket or device); not checked")
        chunks: list[bytes] = []
        remaining = max_size + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def decode(data: bytes) -> str | ReadError:
    """Decode UTF-8 (or UTF-16/32 with a BOM); report the position of the first bad byte."""
    encoding = "utf-8"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        return ReadError(
            f"file is not valid {encoding.upper().replace('-SIG', '')} text "
            f"(byte 0x{data[exc.start]:02x} at offset {exc.start})",
            _offset_span(data, exc.start),
        )
    nul = text.find("\0")
    if nul >= 0:
        return ReadError(
            "file contains a NUL character (binary data?); not checked",
            _text_span(text, nul),
        )
    return text


def _offset_span(data: bytes, offset: int) -> Span:
    before = data[:offset]
    line = before.count(b"\n") + 1
    line_start = before.rfind(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
    return Span(line, column, line, column + 1)


def _text_span(text: str, offset: int) -> Span:
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return Span(line, column, line, column + 1)
