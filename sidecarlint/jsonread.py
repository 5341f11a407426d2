"""JSON documents with exact positions, read the way kubectl reads a JSON stream.

A stream whose first non-blank character is ``{`` is JSON to kubectl (apimachinery
``util/yaml`` ``YAMLOrJSONDecoder``): values are read one after the other, numbers keep JSON's
rules (``1e400`` is refused, not a string as in YAML) and a duplicate key keeps its last
value. The nodes built here are the same node classes the YAML composer builds, so positions
and values go through one code path; numbers carry :data:`NUMBER_TAG` and are decoded by
:func:`sidecarlint.scalars.json_literal`.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Tag of a JSON number node (its value is the number's text).
NUMBER_TAG = "sidecarlint:json-number"

_TOKEN = re.compile(
    r"""(?P<ws>[ \t\n\r]+)
      | (?P<string>"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*")
      | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)
      | (?P<literal>true|false|null)
      | (?P<punct>[{}\[\],:])""",
    re.VERBOSE,
)
_SURROGATE = re.compile("[\ud800-\udfff]")
#: What Go's ``unicode.IsSpace`` accepts (kubectl skips it before looking for ``{``).
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)


class Mark:
    """A 0-based position, like the YAML composer's marks."""

    __slots__ = ("column", "index", "line")

    def __init__(self, line: int, column: int, index: int) -> None:
        self.line = line
        self.column = column
        self.index = index


class JSONError(Exception):
    """Not valid JSON at ``mark``."""

    def __init__(self, message: str, mark: Mark) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class TooDeep(JSONError):
    """Nested deeper than the limit."""


class TooMany(JSONError):
    """A value with more nodes than the limit; read to its end (where the cursor is left),
    but not kept."""


def is_json_stream(text: str) -> bool:
    """kubectl's guess: the first non-blank character of the first 4 KiB is ``{``."""
    return text[:4096].lstrip(GO_SPACE)[:1] == "{"


class _Reader:
    def __init__(
        self,
        text: str,
        start: int,
        max_depth: int,
        line: int,
        line_start: int,
        max_nodes: int | None = None,
    ) -> None:
        self.text = text
        self.pos = start
        self.max_depth = max_depth
        #: Nodes of the value being read (its root counts); past ``max_nodes`` they are read,
        #: not kept.
        self.nodes = 1
        self.max_nodes = max_nodes
        # Line bookkeeping: only blanks between tokens hold line breaks.
        self.line = line
        self.line_start = line_start

    def mark(self, index: int | None = None) -> Mark:
        index = self.pos if index is None else index
        return Mark(self.line, index - self.line_start, index)

    def _advance_ws(self, ws: str, start: int) -> None:
        breaks = ws.count("\n") + ws.count("\r") - ws.count("\r\n")
        if breaks:
            self.line += breaks
            self.line_start = start + max(ws.rfind("\n"), ws.rfind("\r")) + 1

    def token(self) -> tuple[str, str, int]:
        """The next non-blank token: (kind, text, start offset); ("end", "", len) at the end."""
        text = self.text
        while True:
            if self.pos >= len(text):
                return "end", "", self.pos
            match = _TOKEN.match(text, self.pos)
            if match is None:
                raise JSONError(
                    f"invalid character {text[self.pos]!r} looking for beginning of value",
                    self.mark(),
                )
            kind = match.lastgroup or ""
            start = self.pos
            self.pos = match.end()
            if kind == "ws":
                self._advance_ws(match.group(), start)
                continue
            return kind, match.group(), start

    def value(self) -> Any:
        """One JSON value as a node tree (iterative: nesting costs no stack)."""
        from yaml.nodes import MappingNode, ScalarNode, SequenceNode

        # Open collections: [node, state, pending key node]. States: "first" (just opened:
        # an entry or the closing bracket), "entry" (after a comma), "colon", "next" (after
        # an entry: a comma or the closing bracket).
        stack: list[list[Any]] = []
        while True:
            kind, text, start = self.token()
            begin, end = self.mark(start), self.mark(self.pos)
            frame = stack[-1] if stack else None
            state = frame[1] if frame is not None else "entry"
            mapping = frame is not None and frame[0].id == "mapping"
            closing = "}" if mapping else "]"
            if state == "colon":
                if text != ":":
                    raise JSONError("invalid character after object key", begin)
                frame[1] = "value"  # type: ignore[index]
                continue
            if state in ("first", "next") and text == closing:
                node = stack.pop()[0]
                node.end_mark = end
                done = node
            elif state == "next":
                if text != ",":
                    raise JSONError(f"invalid character {text[:1]!r} after a value", begin)
                frame[1] = "entry"  # type: ignore[index]
                continue
            elif kind == "end":
                raise JSONError("unexpected end of JSON input", begin)
            elif mapping and state in ("first", "entry"):
                if kind != "string":
                    raise JSONError(
                        "invalid character looking for beginning of object key string", begin
                    )
                frame[2] = ScalarNode(None, _string(text), begin, end, '"')  # type: ignore[index]
                frame[1] = "colon"  # type: ignore[index]
                continue
            elif kind == "string":
                done = ScalarNode(None, _string(text), begin, end, '"')
            elif kind == "number":
                done = ScalarNode(NUMBER_TAG, text, begin, end, "")
            elif kind == "literal":
                done = ScalarNode(None, text, begin, end, "")
            elif text in ("{", "["):
                if len(stack) >= self.max_depth:
                    raise TooDeep(f"document is nested deeper than {self.max_depth} levels", begin)
                cls = MappingNode if text == "{" else SequenceNode
                stack.append([cls(None, [], begin, end, flow_style=True), "first", None])
                continue
            else:
                raise JSONError(f"invalid character {text!r} looking for beginning of value", begin)
            if not stack:
                return done
            parent = stack[-1]
            parent[1] = "next"
            self.nodes += 1 + (parent[0].id == "mapping")
            if self.max_nodes is not None and self.nodes > self.max_nodes:
                continue  # read on to the end of the value, keeping nothing more
            if parent[0].id == "mapping":
                parent[0].value.append((parent[2], done))
            else:
                parent[0].value.append(done)


def _string(token: str) -> str:
    """A JSON string token's text; lone surrogate escapes become U+FFFD, as in Go."""
    return _SURROGATE.sub("\ufffd", json.loads(token))


class Cursor:
    """Where reading stands: offset, 0-based line, and the offset that line starts at."""

    __slots__ = ("line", "line_start", "offset")

    def __init__(self, offset: int = 0, line: int = 0, line_start: int = 0) -> None:
        self.offset = offset
        self.line = line
        self.line_start = line_start


def read_value(text: str, cursor: Cursor, max_depth: int, max_nodes: int | None = None) -> Any:
    """The JSON value at ``cursor`` (blanks first are skipped); moves the cursor past it.
    A value of more than ``max_nodes`` nodes raises :class:`TooMany` (the cursor past it)."""
    start = Mark(cursor.line, cursor.offset - cursor.line_start, cursor.offset)
    reader = _Reader(text, cursor.offset, max_depth, cursor.line, cursor.line_start, max_nodes)
    node = reader.value()
    cursor.offset, cursor.line, cursor.line_start = reader.pos, reader.line, reader.line_start
    if max_nodes is not None and reader.nodes > max_nodes:
        raise TooMany(f"more than {max_nodes:,} nodes", node.start_mark or start)
    return node


def skip_blanks(text: str, cursor: Cursor) -> None:
    """Move ``cursor`` past JSON blanks."""
    reader = _Reader(text, cursor.offset, 0, cursor.line, cursor.line_start)
    match = _BLANKS.match(text, cursor.offset)
    if match and match.end() > cursor.offset:
        reader._advance_ws(match.group(), cursor.offset)
        cursor.offset = match.end()
        cursor.line, cursor.line_start = reader.line, reader.line_start


_BLANKS = re.compile(r"[ \t\n\r]*")
