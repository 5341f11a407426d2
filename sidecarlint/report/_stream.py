"""Writing a report while it is produced, so that a run holds one file's findings at a time.

:func:`write_json` lays JSON out exactly as ``json.dumps(value, indent=2,
ensure_ascii=True)`` does, but an :class:`Object` is written entry by entry and an
:class:`Items` array item by item: each entry's value is computed only when it is reached
(entries can come from a generator), so an array can come from the findings as they are
found and a summary after them can count them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

#: Text is handed to the output in pieces of about this many characters.
CHUNK = 1 << 16


class Output(Protocol):
    """Where a report is written: a text file, or :class:`Chunked`."""

    def write(self, text: str, /) -> int: ...


class Object:
    """A JSON object written entry by entry, in the order ``entries`` gives them."""

    def __init__(self, entries: Iterable[tuple[str, Any]]) -> None:
        self.entries = entries


class Items:
    """A JSON array written item by item, in the order ``items`` gives them."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


def write_json(out: Output, value: Any, level: int = 0) -> None:
    """Write ``value`` at nesting ``level`` as ``json.dumps(indent=2)`` would place it."""
    pad = "  " * level
    if isinstance(value, Object):
        first = True
        for key, item in value.entries:
            out.write(("{\n" if first else ",\n") + pad + "  " + json.dumps(key) + ": ")
            write_json(out, item, level + 1)
            first = False
        out.write("{}" if first else "\n" + pad + "}")
    elif isinstance(value, Items) or (
        isinstance(value, list) and any(isinstance(v, (Object, Items)) for v in value)
    ):
        first = True
        for item in value.items if isinstance(value, Items) else value:
            out.write(("[\n" if first else ",\n") + pad + "  ")
            write_json(out, item, level + 1)
            first = False
        out.write("[]" if first else "\n" + pad + "]")
    else:
        text = json.dumps(value, indent=2, ensure_ascii=True)
        out.write(text.replace("\n", "\n" + pad) if level else text)


class Chunked:
    """A text output that hands what is written to ``emit`` in pieces of about
    :data:`CHUNK` characters (call :meth:`flush` at the end)."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> int:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= CHUNK:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._parts:
            text = "".join(self._parts)
            self._parts, self._size = [], 0
            self._emit(text)


class Recorded:
    """Findings read once as they come, and kept to be read again (for a second report):
    in memory while they are few, on disk past that."""

    def __init__(self, findings: Iterable[Any]) -> None:
        import tempfile  # imported only for a second report: start-up stays lean

        self._findings = findings
        # Closed by close(), once the findings are read again.
        self._file = tempfile.SpooledTemporaryFile(max_size=1 << 23)  # noqa: SIM115

    def first(self) -> Iterator[Any]:
        import pickle

        for finding in self._findings:
            pickle.dump(finding, self._file, pickle.HIGHEST_PROTOCOL)
            yield finding

    def again(self) -> Iterator[Any]:
        import pickle

        self._file.seek(0)
        while True:
            try:
                yield pickle.load(self._file)
            except EOFError:
                return

    def close(self) -> None:
        self._file.close()
