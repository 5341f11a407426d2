"""Stage 1: parse. Multi-document YAML/JSON into the values kubectl would send, with exact
positions for every node.

The stream is read the way kubectl reads it (``kubectl apply -f``: apimachinery
``util/yaml`` ``YAMLOrJSONDecoder``, then sigs.k8s.io/yaml over go-yaml v2 per document):

- a stream whose first non-blank character is ``{`` is a sequence of JSON values
  (:mod:`sidecarlint.jsonread`); otherwise it is split into documents at every line that
  starts with ``---`` (``YAMLReader``: only a comment may follow the marker on its line), and
  each document is read by itself, so one broken document does not hide the others;
- a document is the *first* YAML document of its part of the stream: go-yaml's
  ``Unmarshal`` ignores anything after a ``...`` marker, and a directive (``%YAML``) is an
  error because its ``---`` was taken by the splitter;
- scalars are resolved like go-yaml v2 and then go through the JSON round trip
  (:mod:`sidecarlint.scalars`): ``1.0`` is the integer 1, ``.inf`` refuses the document,
  ``!!binary`` is decoded, duplicate keys keep the last value, ``<<`` merges override the
  keys before them, an anchor may be redefined.

Composing uses libyaml through PyYAML's C extension (``yaml.CParser``, its public loader
API). libyaml and go-yaml's port of it differ in one rule that matters in practice: inside a
flow collection go-yaml reads ``[a:, 001:db8::]`` as plain scalars where libyaml stops with
"found unexpected ':'"; a document libyaml refuses for that reason, or for a redefined
anchor, is composed again by PyYAML's pure-Python parser with go-yaml's rule
(:class:`_GoScanner`). Nesting is bounded before composing (:func:`_too_deep`), so no input
can exhaust the stack.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from sidecarlint import scalars
from sidecarlint.finding import EXCERPT, NAME_EXCERPT, Span, YPath, excerpt
from sidecarlint.jsonread import GO_SPACE, NUMBER_TAG
from sidecarlint.records import FrozenRecord, Record

#: Default limits for untrusted input.
MAX_DEPTH = 100
#: The deepest ``--max-depth`` allowed: libyaml refuses deeper nesting itself (kubectl's
#: go-yaml stops at 10,000; no Kubernetes object comes near either).
MAX_DEPTH_LIMIT = 1000
MAX_NODES = 1_000_000
#: The most text one document may have (bytes of UTF-8, what it takes in a UTF-8 file): the
#: API server refuses a request body over 3 MiB (k8s.io/apiserver ``NewConfig``,
#: ``MaxRequestBodyBytes``), so a document far beyond that cannot be applied. A larger
#: document is reported and skipped as it is read, so that no document can exhaust memory
#: (a copy of its text takes at most this many bytes); a JSON stream, read whole, has the
#: same limit.
MAX_DOCUMENT_SIZE = 8 * 1024 * 1024
#: The most nodes (scalars, lists, mappings) one document may compose into, each of which
#: costs a few hundred bytes: five times the largest object of a corpus of real manifests.
MAX_DOCUMENT_NODES = 250_000
#: A stream that looks like a template is parsed whole before any document is given out;
#: above this many characters it is parsed twice instead of being held parsed.
_TEMPLATE_HELD = 256 * 1024

#: What YAML (libyaml) counts as a line break; positions count lines the same way.
LINE_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

_NUMBER_START = scalars.NUMBER_START
_WORDS = scalars.WORDS
_MERGE = "<<"
_T = TypeVar("_T")


def resolve_plain(text: str) -> Any:
    """An unquoted, untagged scalar as kubectl sends it (raises :class:`scalars.Refused`)."""
    return scalars.plain_value(text)


def key_text(value: Any) -> str:
    """The JSON key a resolved key becomes (raises :class:`scalars.Refused`)."""
    return scalars.to_key(value)


#: (line, column, end line, end column) of a node, 1-based, end column exclusive.
Region = tuple[int, int, int, int]
#: A node's region, its mapping key's region (None for the root and list items), and whether
#: it is an unquoted scalar. Plain tuples: documents hold one per node, so they must be cheap.
Position = tuple[int, int, int, int, "Region | None", bool]


class ParseProblem(FrozenRecord):
    """A problem found while parsing: becomes an SCL001/SCL002 finding."""

    code: str
    message: str
    span: Span
    document: int | None
    #: The file is an unrendered template: this is the only problem reported for it.
    template: bool

    def __init__(
        self,
        code: str,
        message: str,
        span: Span,
        document: int | None = None,
        template: bool = False,
    ) -> None:
        self.code = code
        self.message = message
        self.span = span
        self.document = document
        self.template = template


class SourceText:
    """The text of one document's part of the stream; lines are split only when needed."""

    __slots__ = ("_lines", "line1", "text")

    def __init__(self, text: str, line1: int = 1) -> None:
        self.text = text
        #: The file line number of the text's first line.
        self.line1 = line1
        self._lines: list[str] | None = None

    def line(self, number: int) -> str:
        """File line ``number`` (1-based) without its line break; ``""`` outside the text."""
        if self._lines is None:
            self._lines = LINE_BREAKS.split(self.text)
        index = number - self.line1
        return self._lines[index] if 0 <= index < len(self._lines) else ""


class Document(Record):
    """One document of a file: plain values, and the composed nodes behind them.

    Positions are looked up on demand by walking the node tree along a path: findings are
    few, and recording a position for every node of every document cost more than parsing.
    """

    file: str
    index: int
    data: Any
    #: The composed root node (its marks are relative to the document's part of the stream).
    root: Any
    #: 1-based file line of the part's first line.
    line1: int
    source: SourceText | None
    #: Some mapping key starts with ``$`` (strategic-merge-patch directives).
    patch_keys: bool
    #: Columns to add on the part's first line (a document that starts mid-line).
    column0: int

    _unshown = frozenset({"root", "source"})

    def __init__(
        self,
        file: str,
        index: int,
        data: Any,
        root: Any,
        line1: int = 1,
        source: SourceText | None = None,
        patch_keys: bool = False,
        column0: int = 0,
    ) -> None:
        self.file = file
        self.index = index
        self.data = data
        self.root = root
        self.line1 = line1
        self.source = source
        self.patch_keys = patch_keys
        self.column0 = column0

    def _region(self, node: Any) -> Region:
        return _region(node, self.line1, self.column0)

    def _walk(self, path: YPath) -> tuple[int, Any, Any]:
        """How many parts of ``path`` exist, and the node (and key node) reached."""
        node, key_node = self.root, None
        for depth, part in enumerate(path):
            found = _child(node, part)
            if found is None:
                return depth, node, key_node
            node, key_node = found
        return len(path), node, key_node

    def span(self, path: YPath, *, key: bool = False) -> Span:
        """Where ``path`` is; with ``key=True`` the mapping key of that entry.

        A path that does not exist (a missing field) resolves to its nearest existing
        ancestor, so "missing required field" findings point at the enclosing mapping's key.
        """
        reached, node, key_node = self._walk(path)
        if (key or reached < len(path)) and key_node is not None:
            return Span(*self._region(key_node))
        return Span(*self._region(node))

    def is_plain(self, path: YPath) -> bool:
        """True when the scalar at ``path`` was written unquoted."""
        reached, node, _ = self._walk(path)
        return reached == len(path) and node.id == "scalar" and not node.style

    def raw(self, path: YPath) -> str | None:
        """The source text of a single-line scalar at ``path`` (None when unknown)."""
        reached, node, _ = self._walk(path)
        if reached < len(path) or self.source is None:
            return None
        line, column, end_line, end_column = _region(node, self.line1, 0)
        if line != end_line:
            return None
        return self.source.line(line)[column - 1 : end_column - 1]

    @property
    def positions(self) -> dict[YPath, Position]:
        """Every node's :data:`Position`, by path (a full walk: for tests and tools)."""
        out: dict[YPath, Position] = {}
        stack: list[tuple[YPath, Any, Any]] = [((), self.root, None)]
        while stack:
            path, node, key_node = stack.pop()
            if path in out:
                continue
            key = self._region(key_node) if key_node is not None else None
            plain = node.id == "scalar" and not node.style
            out[path] = (*self._region(node), key, plain)
            for part, child, child_key in _children_with_paths(node):
                stack.append(((*path, part), child, child_key))
        return out

    def get(self, path: YPath, default: Any = None) -> Any:
        """The value at ``path`` or ``default``."""
        node: Any = self.data
        for part in path:
            if isinstance(part, int):
                if not isinstance(node, list) or not -len(node) <= part < len(node):
                    return default
            elif not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node


def _region(node: Any, line1: int, column0: int) -> Region:
    start, end = node.start_mark, node.end_mark
    first = start.column + 1 + (column0 if start.line == 0 else 0)
    last = end.column + 1 + (column0 if end.line == 0 else 0)
    return (start.line + line1, first, end.line + line1, last)


def _is_merge(key_node: Any) -> bool:
    """go-yaml's ``isMerge``: an implicit (untagged, unquoted) ``<<``, or ``!!merge``."""
    return (
        key_node.id == "scalar"
        and key_node.value == _MERGE
        and ((key_node.tag is None and not key_node.style) or key_node.tag == scalars.MERGE)
    )


def _merges(node: Any) -> list[bool]:
    """Which keys of a mapping node are merges. An alias to a ``<<`` scalar is not one
    (go-yaml's ``isMerge`` sees an alias node there): composed, an alias is the anchored
    node itself, which ends before the text read so far of this mapping."""
    flags: list[bool] = []
    cursor = node.start_mark.index
    for key_node, value_node in node.value:
        flags.append(_is_merge(key_node) and key_node.start_mark.index >= cursor)
        cursor = max(cursor, key_node.end_mark.index, value_node.end_mark.index)
    return flags


def _key_of(key_node: Any, merge: bool = False) -> str | None:
    """The JSON key a scalar key node becomes (None for complex keys, merges and keys
    kubectl refuses)."""
    if key_node.id != "scalar" or merge:
        return None
    try:
        return _scalar_key(key_node)
    except scalars.Refused:
        return None


def _scalar_key(key_node: Any) -> str:
    text = key_node.value
    tag = key_node.tag
    if tag is None:
        if key_node.style:
            return str(text)
        return scalars.plain_key(text)
    return scalars.to_key(_tagged(tag, text))


def _tagged(tag: str, text: str) -> Any:
    if tag == NUMBER_TAG:
        return scalars.json_literal(text)
    if tag == _NON_SPECIFIC:
        return text
    return scalars.resolve_tagged(tag, text)


#: The tag this module gives a plain scalar written with the non-specific tag ``!``.
_NON_SPECIFIC = "!"


def _merge_sources(value_node: Any) -> list[Any]:
    """The mappings a ``<<`` value merges, in the order go-yaml applies them (for a list,
    the last first, so earlier mappings win)."""
    if value_node.id == "sequence":
        return list(reversed(value_node.value))
    return [value_node]


#: Above this many entries, a mapping's keys are looked up in an index built once and kept
#: on the node, not by a scan: a finding for each key of a large mapping must not cost the
#: square of its size.
_SCANNED = 64


def _child(node: Any, part: str | int) -> tuple[Any, Any] | None:
    """The (value node, key node) for one path step, resolving duplicates and merges the
    way go-yaml v2 does: entries apply in order, a merge sets every key of its mappings,
    and the last assignment of a key wins."""
    if isinstance(part, int):
        if node.id == "sequence" and 0 <= part < len(node.value):
            return node.value[part], None
        return None
    if node.id != "mapping":
        return None
    if len(node.value) > _SCANNED:
        return _key_index(node).get(part)
    for (key_node, value_node), merge in reversed(
        list(zip(node.value, _merges(node), strict=True))
    ):
        if merge:
            for source in reversed(_merge_sources(value_node)):
                if source.id == "mapping":
                    found = _child(source, part)
                    if found is not None:
                        return found
        elif _key_of(key_node) == part:
            return value_node, key_node
    return None


def _key_index(node: Any) -> dict[str, tuple[Any, Any]]:
    """Every key of a mapping node with its (value node, key node), as :func:`_child` finds
    them: entries apply in order and the last assignment of a key wins."""
    index: dict[str, tuple[Any, Any]] | None = getattr(node, "sidecarlint_keys", None)
    if index is not None:
        return index
    index = {}
    for (key_node, value_node), merge in zip(node.value, _merges(node), strict=True):
        if merge:
            for source in _merge_sources(value_node):
                if source.id == "mapping":
                    index.update(_key_index(source))
        else:
            key = _key_of(key_node)
            if key is not None:
                index[key] = (value_node, key_node)
    node.sidecarlint_keys = index
    return index


def _children_with_paths(node: Any) -> list[tuple[str | int, Any, Any]]:
    if node.id == "sequence":
        return [(i, item, None) for i, item in enumerate(node.value)]
    if node.id != "mapping":
        return []
    keys: list[str | int] = []
    for (key_node, value_node), merge in zip(node.value, _merges(node), strict=True):
        if merge:
            for source in _merge_sources(value_node):
                if source.id == "mapping":
                    keys.extend(k for k, _, _ in _children_with_paths(source))
        else:
            text = _key_of(key_node)
            if text is not None:
                keys.append(text)
    out: list[tuple[str | int, Any, Any]] = []
    for part in dict.fromkeys(keys):
        found = _child(node, part)
        if found is not None:
            out.append((part, found[0], found[1]))
    return out


class ParsedFile(Record):
    """Everything parsing one file produced."""

    documents: list[Document]
    problems: list[ParseProblem]
    #: True when the file looks like an unrendered Helm/Go template.
    template: bool

    def __init__(
        self,
        documents: list[Document],
        problems: list[ParseProblem],
        template: bool = False,
    ) -> None:
        self.documents = documents
        self.problems = problems
        self.template = template


class _Abort(Exception):
    def __init__(self, message: str, span: Span, deferrable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        #: kubectl refuses the value only if it is still there once the mapping holding
        #: it is read (a later duplicate key or merge may replace it first).
        self.deferrable = deferrable


# --- splitting the stream ---------------------------------------------------------------


class _Part:
    """One document's part of the stream: its text, where it starts, and how to read it."""

    __slots__ = ("column0", "json", "line0", "problem", "text")

    def __init__(
        self,
        line0: int,
        text: str,
        *,
        column0: int = 0,
        json: Any = None,
        problem: ParseProblem | None = None,
    ) -> None:
        self.line0 = line0
        self.column0 = column0
        self.text = text
        #: A JSON value already read (a node), or None for YAML text.
        self.json = json
        #: A problem with the stream itself at this point (a bad separator line).
        self.problem = problem


_EXOTIC_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def count_line_breaks(text: str, start: int, end: int, exotic: bool) -> int:
    """Line breaks in ``text[start:end]``, counted the way YAML counts them."""
    count = text.count("\n", start, end)
    if exotic:
        count += text.count("\r", start, end) - text.count("\r\n", start, end)
        count += sum(text.count(c, start, end) for c in _EXOTIC_BREAKS[1:])
    return count


def _separator_starts(piece: str) -> list[int]:
    """Offsets of the lines of ``piece`` that start with ``---`` (separators to kubectl)."""
    starts = [0] if piece.startswith("---") else []
    index = piece.find("\n---")
    while index >= 0:
        starts.append(index + 1)
        index = piece.find("\n---", index + 1)
    return starts


class _Separator:
    """A separator line read after its ``---``, maybe over several pieces (a line longer
    than a piece): kubectl's ``YAMLReader`` allows only blanks and a comment after the
    marker. Only what a message needs of the line is kept."""

    __slots__ = ("blanks", "content", "length", "line", "rest")

    def __init__(self, line: int) -> None:
        #: The line's 0-based number.
        self.line = line
        #: Blanks between the marker and the first other character.
        self.blanks = 0
        #: The first characters from there on (as many as a message quotes).
        self.rest = ""
        #: Characters from there on, and up to the last that is not a blank.
        self.length = 0
        self.content = 0

    def feed(self, text: str) -> None:
        """The next characters of the line (its line break may end them)."""
        if not self.length:
            stripped = text.lstrip(GO_SPACE)
            self.blanks += len(text) - len(stripped)
            text = stripped
            if not text:
                return
        if len(self.rest) <= EXCERPT:
            self.rest += text[: EXCERPT + 1 - len(self.rest)]
        body = text.rstrip(GO_SPACE)
        if body:
            self.content = self.length + len(body)
        self.length += len(text)

    def problem(self) -> ParseProblem | None:
        """The problem kubectl has with the whole line, if any."""
        if not self.length or self.rest.startswith("#"):
            return None
        column = 4 + self.blanks
        rest = excerpt(self.rest[: self.content])
        return ParseProblem(
            "SCL001",
            f"kubectl stops reading the stream here ('invalid Yaml document separator: {rest}'): "
            "only a comment may follow '---' on its line; move the content to the next line",
            Span(self.line + 1, column, self.line + 1, column + self.content),
        )


class _Held:
    """The text of the part being read; past ``max_size`` bytes it is dropped, and
    only its size and where its content starts are kept."""

    __slots__ = ("max_size", "pieces", "size", "start")

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self.pieces: list[str] = []
        self.size = 0
        #: Set once the part is too large: where its first node starts (0-based line
        #: within the part, 0-based column, end column), if that was within the text held.
        self.start: tuple[int, int, int] | None = None

    @property
    def too_large(self) -> bool:
        return self.size > self.max_size

    def add(self, text: str) -> None:
        size = self.size
        self.size += utf8_size(text)
        if size <= self.max_size:
            self.pieces.append(text)
            if self.size > self.max_size:
                self.start = _first_content("".join(self.pieces))
                self.pieces = []

    def part(self, line0: int, column0: int) -> _Part:
        if not self.too_large:
            return _Part(line0, "".join(self.pieces), column0=column0)
        line, column, end = self.start or (0, 0, 1)
        if line == 0:
            column, end = column + column0, end + column0
        span = Span(line0 + line + 1, column + 1, line0 + line + 1, end + 1)
        message = _skipped(
            f"document has {self.size:,} bytes, more than the {self.max_size:,} "
            f"({self.max_size / (1 << 20):g} MiB) read for one document; the API server takes "
            "a request body of at most 3 MiB (split a List into one document per item)"
        )
        return _Part(line0, "", problem=ParseProblem("SCL001", message, span))


def utf8_size(text: str) -> int:
    """How many bytes ``text`` takes in UTF-8."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def _first_content(text: str) -> tuple[int, int, int] | None:
    """Where the first node of a document's text starts: the first line that is not
    blank, a comment or a ``---`` marker (0-based line, first and end column of its
    content); None if there is no such line."""
    line = start = 0
    while start < len(text):
        found = LINE_BREAKS.search(text, start)
        end = len(text) if found is None else found.start()
        content = text[start:end].rstrip(" \t")
        stripped = content.lstrip(" \t\ufeff")
        if stripped.startswith("---") and stripped[3:].lstrip(" \t")[:1] in ("", "#"):
            stripped = ""
        if stripped and not stripped.startswith("#"):
            return line, len(content) - len(stripped), len(content)
        if found is None:
            break
        start = found.end()
        line += 1
    return None


def _yaml_parts(
    pieces: Iterable[str], line0: int = 0, column0: int = 0, max_size: int = MAX_DOCUMENT_SIZE
) -> Iterator[_Part]:
    """Split a YAML stream at separator lines, as kubectl's ``YAMLReader`` does.

    A separator line ends the part held so far; when nothing is held yet (the first line
    of the stream, or a separator right after another), ``YAMLReader`` keeps the line as
    the start of the next part instead, and go-yaml reads it as a document start marker.
    ``pieces`` must each end at a line break, but the last, and the pieces of a line too
    long to read at once: the stream is read piece by piece, and no more than one
    document's text is held, up to ``max_size`` bytes of UTF-8 (a larger part is given as a
    problem at its first node).
    """
    splitter = _Splitter(line0, column0, max_size)
    for piece in pieces:
        if piece:
            yield from splitter.feed(piece)
    yield from splitter.end()


class _Splitter:
    """The state of :func:`_yaml_parts` between pieces."""

    def __init__(self, line0: int, column0: int, max_size: int) -> None:
        self.max_size = max_size
        self.held = _Held(max_size)
        self.holding = False  # any text held (it may all be empty strings)
        self.part_line, self.part_column = line0, column0
        self.line = line0  # the line the next piece starts on
        self.mid_line = False  # the last piece ended inside a line
        #: A separator line not ended yet, and whether its text starts the next part.
        self.separator: _Separator | None = None
        self.keep = False

    def feed(self, piece: str) -> Iterator[_Part]:
        exotic = any(c in piece for c in _EXOTIC_BREAKS)
        starts = _separator_starts(piece)
        if self.mid_line and starts and starts[0] == 0:
            del starts[0]  # the rest of a long line, not a line of its own
        offset = 0
        if self.separator is not None:  # a separator line goes on from the last piece
            newline = piece.find("\n")
            offset = len(piece) if newline < 0 else newline + 1
            self.separator.feed(piece[:offset])
            if self.keep:
                self.held.add(piece[:offset])
            self.line += count_line_breaks(piece, 0, offset, exotic)
            if newline >= 0:
                yield from self._separator_ended()
        for start in starts:
            if self.separator is not None:
                break  # a line still going on holds no other line
            if start > offset:
                self._add(piece[offset:start])
            self.line += count_line_breaks(piece, offset, start, exotic)
            newline = piece.find("\n", start)
            offset = len(piece) if newline < 0 else newline + 1
            self.separator = _Separator(self.line)
            self.separator.feed(piece[start + 3 : offset])
            self.keep = not self.holding
            if self.holding:
                yield self.held.part(self.part_line, self.part_column)
                self.held, self.holding = _Held(self.max_size), False
            else:
                # Nothing held: the line starts the next part (unless kubectl refuses it).
                self._add(piece[start:offset])
                self.part_line, self.part_column = self.line, 0
            self.line += count_line_breaks(piece, start, offset, exotic)
            if newline >= 0:
                yield from self._separator_ended()
        if self.separator is None and offset < len(piece):
            self._add(piece[offset:])
            self.line += count_line_breaks(piece, offset, len(piece), exotic)
        self.mid_line = not piece.endswith("\n")

    def end(self) -> Iterator[_Part]:
        if self.separator is not None:
            yield from self._separator_ended()
        if self.holding:
            yield self.held.part(self.part_line, self.part_column)

    def _add(self, text: str) -> None:
        self.held.add(text)
        self.holding = True

    def _separator_ended(self) -> Iterator[_Part]:
        """The separator line being read has ended: the next part starts after it, unless
        it starts the next part itself; a problem if kubectl refuses it."""
        separator = self.separator
        assert separator is not None
        self.separator = None
        problem = separator.problem()
        if problem is not None:
            if self.keep:
                self.held, self.holding = _Held(self.max_size), False
            yield _Part(separator.line, "", problem=problem)
        if problem is not None or not self.keep:
            self.part_line, self.part_column = self.line, 0


def split_documents(text: str) -> list[tuple[int, str]]:
    """Split a stream like kubectl's ``YAMLReader``: ``(first line index, chunk)`` pairs.

    Each chunk keeps its ``---`` line (so that chunks join back into the text); a JSON
    stream (first non-blank character ``{``) is one chunk.
    """
    from sidecarlint.jsonread import is_json_stream

    if is_json_stream(text):
        return [(0, text)]
    starts = [0] if text.startswith("---") else []
    index = text.find("\n---")
    while index >= 0:
        starts.append(index + 1)
        index = text.find("\n---", index + 4)
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    chunks: list[tuple[int, str]] = []
    line = 0
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        chunk = text[start:end]
        chunks.append((line, chunk))
        line += chunk.count("\n")
    return chunks


def _json_parts(text: str, max_depth: int) -> Iterator[_Part]:
    """A JSON stream as kubectl's ``YAMLOrJSONDecoder`` reads it: JSON values one after the
    other; if a value is not valid JSON after at most one good one, the rest of the stream
    (from the end of the last good value, its line break eaten) is read as YAML."""
    from sidecarlint.jsonread import Cursor, JSONError, TooDeep, TooMany, read_value, skip_blanks

    cursor = Cursor()
    consumed = Cursor()
    count = 0
    skip_blanks(text, cursor)
    while cursor.offset < len(text):
        try:
            node = read_value(text, cursor, max_depth, MAX_DOCUMENT_NODES)
        except TooMany as exc:
            # Read to its end, not kept: reported, and the stream goes on after it.
            mark = exc.mark
            found = LINE_BREAKS.search(text, mark.index, cursor.offset)
            end = cursor.offset if found is None else found.start()
            line, column = mark.line + 1, mark.column + 1
            span = Span(line, column, line, column + max(end - mark.index, 1))
            yield _Part(mark.line, "", problem=ParseProblem("SCL001", _too_many_message(), span))
            count += 1
            consumed = Cursor(cursor.offset, cursor.line, cursor.line_start)
            skip_blanks(text, cursor)
            continue
        except TooDeep as exc:
            mark = exc.mark
            span = Span(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2)
            problem = ParseProblem("SCL001", _skipped(exc.message), span)
            yield _Part(mark.line, "", problem=problem)
            return
        except JSONError as exc:
            if count > 1:
                mark = exc.mark
                span = Span(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2)
                message = (
                    f"JSON syntax error: {exc.message}; kubectl stops reading this JSON stream here"
                )
                problem = ParseProblem("SCL001", _skipped(message), span)
                yield _Part(mark.line, "", problem=problem)
                return
            rest = _after_blank_line(text, consumed)
            yield from _yaml_parts([text[rest.offset :]], rest.line, rest.offset - rest.line_start)
            return
        yield _Part(0, text, json=node)
        count += 1
        consumed = Cursor(cursor.offset, cursor.line, cursor.line_start)
        skip_blanks(text, cursor)


def _after_blank_line(text: str, cursor: Any) -> Any:
    """Past the blanks after ``cursor`` up to and including the first line break (what
    kubectl skips before reading the rest of a stream as YAML)."""
    from sidecarlint.jsonread import Cursor

    offset = cursor.offset
    while offset < len(text) and text[offset] in GO_SPACE:
        offset += 1
        if text[offset - 1] == "\n":
            return Cursor(offset, cursor.line + 1, offset)
    return Cursor(offset, cursor.line, cursor.line_start)


# --- composing ----------------------------------------------------------------------------

_C_LOADER: Any = None
_GO_LOADER: Any = None


def _c_loader() -> Any:
    """libyaml's parser and composer (PyYAML's C extension) resolving nothing: an implicit
    tag stays ``None``, and sidecarlint resolves scalars itself. None without libyaml."""
    global _C_LOADER
    if _C_LOADER is None:
        try:
            from yaml.cyaml import CParser
        except ImportError:  # PyYAML built without libyaml
            _C_LOADER = False
            return None

        class CLoader(CParser):  # type: ignore[misc]
            def resolve(self, kind: Any, value: Any, implicit: Any) -> None:
                return None

            # The composer calls these two around every node and ignores what they return:
            # builtins that do nothing with their arguments cost less than a Python method.
            descend_resolver = dict[Any, Any]().get  # (parent, index) -> index
            ascend_resolver = ().__len__  # () -> 0

        _C_LOADER = CLoader
    return _C_LOADER or None


def _go_loader() -> Any:
    """PyYAML's pure-Python loader with go-yaml v2's rules where they differ.

    - A plain scalar ends at ``:`` only when a blank follows (in a flow collection also at
      ``,?[]{}``): go-yaml reads ``[a:, 001:db8::]`` as two scalars, libyaml refuses it.
    - An anchor may be defined again; later aliases refer to the latest definition.
    - Tabs are blanks where libyaml and go-yaml take them as blanks.
    """
    global _GO_LOADER
    if _GO_LOADER is not None:
        return _GO_LOADER
    from yaml.composer import Composer
    from yaml.events import AliasEvent
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.resolver import BaseResolver
    from yaml.scanner import Scanner, ScannerError
    from yaml.tokens import ScalarToken

    blankz = "\0 \t\r\n\x85\u2028\u2029"
    breaks = "\r\n\x85\u2028\u2029"

    class GoScanner(Scanner):  # type: ignore[misc]
        """PyYAML's scanner where it differs from go-yaml v2 (``scannerc.go``): blanks may
        be tabs where go-yaml allows them, and a plain scalar ends at ``:`` only before a
        blank."""

        #: go-yaml's escapes: PyYAML's without ``\\/``, with ``\\'``.
        ESCAPE_REPLACEMENTS = {  # noqa: RUF012 (PyYAML's class attribute)
            **{k: v for k, v in Scanner.ESCAPE_REPLACEMENTS.items() if k != "/"},
            "'": "'",
        }

        def scan_flow_scalar(self, double: bool) -> Any:
            start_mark = self.get_mark()
            token = super().scan_flow_scalar(double)
            if _SURROGATE.search(token.value):
                raise ScannerError(
                    "while parsing a quoted scalar",
                    start_mark,
                    "found invalid Unicode character escape code",
                    token.end_mark,
                )
            return token

        def scan_to_next_token(self) -> None:
            # yaml_parser_scan_to_next_token: tabs are blanks in flow context and where no
            # simple key may start.
            if self.index == 0 and self.peek() == "\ufeff":
                self.forward()
            while True:
                while self.peek() == " " or (
                    (self.flow_level or not self.allow_simple_key)  # type: ignore[has-type]
                    and self.peek() == "\t"
                ):
                    self.forward()
                if self.peek() == "#":
                    while self.peek() not in "\0" + breaks:
                        self.forward()
                if not self.scan_line_break():
                    return
                if not self.flow_level:
                    self.allow_simple_key = True

        def scan_block_scalar_indicators(self, start_mark: Any) -> tuple[Any, Any]:
            # As PyYAML's, but a tab may follow the indicators (as a blank).
            chomping = increment = None
            for _ in range(2):
                ch = self.peek()
                if ch in "+-" and chomping is None:
                    chomping = ch == "+"
                elif ch in "0123456789" and increment is None:
                    increment = int(ch)
                    if increment == 0:
                        raise ScannerError(
                            "while scanning a block scalar",
                            start_mark,
                            "expected indentation indicator in the range 1-9, but found 0",
                            self.get_mark(),
                        )
                else:
                    break
                self.forward()
            ch = self.peek()
            if ch not in "\0 \t" + breaks:
                raise ScannerError(
                    "while scanning a block scalar",
                    start_mark,
                    f"expected chomping or indentation indicators, but found {ch!r}",
                    self.get_mark(),
                )
            return chomping, increment

        def scan_block_scalar_ignored_line(self, start_mark: Any) -> str:
            while self.peek() in " \t":
                self.forward()
            return str(super().scan_block_scalar_ignored_line(start_mark))

        def scan_plain(self) -> Any:
            # yaml_parser_scan_plain_scalar, run by run instead of character by character.
            chunks: list[str] = []
            start_mark = end_mark = self.get_mark()
            indent = self.indent + 1
            leading_break, whitespaces = "", ""
            trailing: list[str] = []
            leading_blanks = False
            while True:
                if self.column == 0 and self.prefix(3) in ("---", "...") and self.peek(3) in blankz:
                    break
                if self.peek() == "#":
                    break
                length = 0
                while True:
                    ch = self.peek(length)
                    if (
                        ch in blankz
                        or (ch == ":" and self.peek(length + 1) in blankz)
                        or (self.flow_level and ch in ",?[]{}")
                    ):
                        break
                    length += 1
                if length:
                    if leading_blanks:
                        if leading_break == "\n":
                            chunks.append("".join(trailing) if trailing else " ")
                        else:
                            chunks.append(leading_break)
                            chunks.extend(trailing)
                        leading_break, trailing, leading_blanks = "", [], False
                    elif whitespaces:
                        chunks.append(whitespaces)
                        whitespaces = ""
                    chunks.append(self.prefix(length))
                    self.forward(length)
                    end_mark = self.get_mark()
                ch = self.peek()
                if ch not in " \t" + breaks or ch == "\0":
                    break
                while ch != "\0" and ch in " \t" + breaks:
                    if ch in " \t":
                        if leading_blanks and self.column < indent and ch == "\t":
                            raise ScannerError(
                                "while scanning a plain scalar",
                                start_mark,
                                "found a tab character that violates indentation",
                                self.get_mark(),
                            )
                        if not leading_blanks:
                            whitespaces += ch
                        self.forward()
                    elif not leading_blanks:
                        whitespaces = ""
                        leading_break = self.scan_line_break()
                        leading_blanks = True
                    else:
                        trailing.append(self.scan_line_break())
                    ch = self.peek()
                if not self.flow_level and self.column < indent:
                    break
            if leading_blanks:
                self.allow_simple_key = True
            return ScalarToken("".join(chunks), True, start_mark, end_mark)

    class GoComposer(Composer):  # type: ignore[misc]
        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            if not isinstance(event, AliasEvent) and event.anchor is not None:
                self.anchors.pop(event.anchor, None)  # redefined: the new one wins
            return super().compose_node(parent, index)

    class GoLoader(Reader, GoScanner, Parser, GoComposer, BaseResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            GoScanner.__init__(self)
            Parser.__init__(self)
            GoComposer.__init__(self)
            BaseResolver.__init__(self)

        def resolve(self, kind: Any, value: Any, implicit: Any) -> None:
            return None

        def dispose(self) -> None:
            pass

    _GO_LOADER = GoLoader
    return GoLoader


#: Text that libyaml reads otherwise than go-yaml: a byte order mark past the start (libyaml
#: skips it at the start of any line), and the escapes ``\\/`` (go-yaml refuses it) and
#: ``\\'`` (libyaml refuses it).
_GO_ONLY = ("\ufeff", "\\/", "\\'")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: A tag directly followed by ``,``, ``[`` or ``]``: go-yaml (like the YAML 1.1 grammar)
#: reads them as part of the tag, libyaml ends the tag there in a flow collection.
_TAG_THEN_FLOW = re.compile(r"![\w;/?:@&=+$.!~*'()%-]*[,\[\]]")

#: libyaml refusals that go-yaml does not share: such a document is composed again.
_LIBYAML_ONLY = ("found unexpected ':'", "found duplicate anchor")


def _compose_first(text: str) -> Any:
    """The root node of the first document of ``text``, or None when it has none.

    Text that libyaml reads otherwise than go-yaml (:data:`_GO_ONLY`) is composed by the
    pure-Python parser with go-yaml's rules, and so is a document libyaml refuses where
    go-yaml does not (:data:`_LIBYAML_ONLY`).
    """
    loader_class = _c_loader()
    go_only = any(mark in text for mark in _GO_ONLY) or (
        "!" in text and _TAG_THEN_FLOW.search(text) is not None
    )
    if loader_class is not None and not go_only:
        try:
            return _first_node(loader_class, text)
        except Exception as exc:
            problem = str(getattr(exc, "problem", "") or "")
            context = str(getattr(exc, "context", "") or "")
            if not (problem.startswith(_LIBYAML_ONLY) or context.startswith(_LIBYAML_ONLY)):
                raise
    return _first_node(_go_loader(), text)


def _first_node(loader_class: Any, text: str) -> Any:
    loader = loader_class(text)
    try:
        if not loader.check_node():
            return None
        return loader.get_node()
    finally:
        loader.dispose()


_PREFIX_LF: dict[int, re.Pattern[str]] = {}
_PREFIX_ANY: dict[int, re.Pattern[str]] = {}


def _prefix_pattern(width: int, exotic: bool) -> re.Pattern[str]:
    cache = _PREFIX_ANY if exotic else _PREFIX_LF
    pattern = cache.get(width)
    if pattern is None:
        # A literal first character lets the regex engine skip ahead: much faster.
        breaks = "[\r\n\x85\u2028\u2029]" if exotic else "\n"
        pattern = cache[width] = re.compile(f"{breaks}[ \t?:-]{{{width}}}")
    return pattern


_INDICATOR_RUN = re.compile("[ \t?:-]*")


def _too_deep(text: str, limit: int) -> tuple[int, int] | None:
    """Where the first document of ``text`` nests deeper than ``limit`` (0-based line and
    column), else None; nothing is composed, so no depth can exhaust the stack.

    A cheap bound decides whether the exact count is needed: a node's depth is at most the
    number of ``[`` and ``{`` characters plus the length of the longest run of blanks and
    ``-?:`` indicators that starts a line (block nesting needs one of those per level), plus
    two. Counting characters also counts those in comments and strings, so the bound can
    only be too high, never too low.
    """
    half = limit // 2
    brackets = text.count("[") + text.count("{")
    if brackets <= half - 2:
        exotic = any(c in text for c in _EXOTIC_BREAKS)
        first_run = _INDICATOR_RUN.match(text)
        short_start = first_run is None or first_run.end() < half
        if short_start and _prefix_pattern(half, exotic).search(text) is None:
            return None
    return _exact_depth(text, limit)


def _exact_depth(text: str, limit: int) -> tuple[int, int] | None:
    """The event-by-event depth count (the parsers keep their stacks on the heap).

    libyaml's scanner looks ahead for keys and may stop at its own nesting limit before
    the event at ``limit`` is reached; the pure-Python parser then counts instead.
    """
    return _count_events(_count_depth, text, limit, None)


def _count_events(count: Callable[[Any, str, int], _T], text: str, limit: int, failed: _T) -> _T:
    """``count`` over the parser's events with libyaml, else (libyaml missing or stopping
    first) with the pure-Python parser; ``failed`` if the text does not parse (composing
    then reports the syntax error)."""
    import yaml

    c_loader = _c_loader()
    if c_loader is not None:
        try:
            return count(c_loader, text, limit)
        except yaml.YAMLError:
            pass
    try:
        return count(_go_loader(), text, limit)
    except yaml.YAMLError:
        return failed


#: Characters that each node but the first needs one of, counted generously (a node per
#: ``:``, ``?`` and ``-`` may open a collection as well as hold a value).
_NODE_MARKS = (":", "?", "-", ",", "[", "{")


def _too_many_nodes(text: str, limit: int) -> bool:
    """Whether the first document of ``text`` composes into more than ``limit`` nodes,
    told before composing: a cheap bound first (characters that each node needs, counted
    in comments and strings too, so the bound can only be too high), then, past the limit,
    a count of the parser's events, which builds no node. The marks are characters of the
    text, so a text short enough is within the bound without counting them."""
    if 1 + 3 * len(text) <= limit or 1 + 3 * sum(text.count(c) for c in _NODE_MARKS) <= limit:
        return False
    return _count_events(_count_nodes, text, limit, False)


def _count_nodes(loader_class: Any, text: str, limit: int) -> bool:
    from yaml.events import CollectionStartEvent, DocumentEndEvent, ScalarEvent

    loader = loader_class(text)
    count = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (ScalarEvent, CollectionStartEvent)):
                count += 1
                if count > limit:
                    return True
            elif isinstance(event, DocumentEndEvent):
                break
    finally:
        loader.dispose()
    return False


def _count_depth(loader_class: Any, text: str, limit: int) -> tuple[int, int] | None:
    from yaml.events import CollectionEndEvent, CollectionStartEvent, DocumentEndEvent

    loader = loader_class(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > limit:
                    mark = event.start_mark
                    return int(mark.line), int(mark.column)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
            elif isinstance(event, DocumentEndEvent):
                break
    finally:
        loader.dispose()
    return None


# --- building values ------------------------------------------------------------------------


def _skipped(message: str) -> str:
    return f"{message}; this document is not checked"


class _Builder:
    """Turns a composed node tree into the values kubectl would send, reporting duplicate
    keys, and refusing what kubectl refuses."""

    def __init__(
        self,
        text: str,
        line1: int,
        column0: int,
        max_depth: int,
        max_nodes: int,
        aliases: bool = True,
    ) -> None:
        self.text = text
        #: The text has a '!' at all (a tag may make a plain scalar a string).
        self.bangs = "!" in text
        self.aliases = aliases
        self.line1 = line1
        self.column0 = column0
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.problems: list[ParseProblem] = []
        self.complex_key: Span | None = None
        #: A strategic-merge directive key (``$patch``...) was seen: a kustomize patch.
        self.patch_keys = False
        self._sizes: dict[int, int] = {}
        self._reported: set[tuple[int, str]] = set()
        self._first_keys: dict[int, dict[str, Any]] = {}

    def _span(self, node: Any) -> Span:
        return Span(*_region(node, self.line1, self.column0))

    def _refused(self, node: Any, exc: scalars.Refused) -> _Abort:
        text = node.value if node.id == "scalar" else ""
        hint = ""
        if node.id == "scalar" and not node.style and node.tag is None:
            hint = "; quote the value if it is meant as text"
        return _Abort(
            _skipped(
                f"kubectl refuses this document: {exc.message} (the value {excerpt(text)!r}){hint}"
            ),
            self._span(node),
            isinstance(exc, scalars.Unencodable),
        )

    def _check_expansion(self, node: Any) -> None:
        # An alias bomb composes into a small shared graph; walking it expands it.
        # Compute the expanded size bottom-up, memoised by node identity, before walking.
        stack: list[tuple[Any, bool]] = [(node, False)]
        sizes = self._sizes
        open_nodes: set[int] = set()
        while stack:
            current, done = stack.pop()
            key = id(current)
            if key in sizes:
                continue
            children = _children(current)
            if not done and key in open_nodes:
                raise _Abort(
                    _skipped("an alias refers to a node that contains it (recursive structure)"),
                    self._span(current),
                )
            if done:
                open_nodes.discard(key)
                total = 1 + sum(sizes.get(id(c), 1) for c in children)
                sizes[key] = total
                if total > self.max_nodes:
                    raise _Abort(
                        _skipped(
                            f"document expands to more than {self.max_nodes:,} nodes through "
                            "aliases (possible alias bomb)"
                        ),
                        self._span(current),
                    )
            else:
                open_nodes.add(key)
                stack.append((current, True))
                stack.extend((c, False) for c in children if id(c) not in sizes)

    def _non_specific(self, node: Any) -> bool:
        """A plain scalar written with the tag ``!`` (which keeps it a string in go-yaml)."""
        if not self.bangs:
            return False
        index = node.start_mark.index
        return index < len(self.text) and self.text[index] == "!"

    def scalar(self, node: Any) -> Any:
        """A scalar node's JSON value (raises :class:`_Abort` where kubectl refuses it)."""
        text = node.value
        tag = node.tag
        try:
            if tag is None:
                if node.style:
                    return text
                value = scalars.plain_value(text)
                if value.__class__ is not str and self._non_specific(node):
                    return text
                return value
            return scalars.to_json(_tagged(tag, text))
        except scalars.Refused as exc:
            if tag is None and self._non_specific(node):
                return text
            raise self._refused(node, exc) from None

    def key(self, node: Any) -> str:
        """A scalar key node's JSON key (raises :class:`_Abort` where kubectl refuses it)."""
        if node.tag is None and not node.style and self._non_specific(node):
            return str(node.value)
        try:
            return _scalar_key(node)
        except scalars.Refused as exc:
            raise _Abort(
                _skipped(
                    f"kubectl refuses this document: {exc.message} "
                    f"(the key {excerpt(node.value)!r})"
                ),
                self._span(node),
                isinstance(exc, scalars.Unencodable),
            ) from None

    def build(self, node: Any, depth: int = 0) -> Any:
        """The value of ``node`` (checks nesting, aliases, keys on the way)."""
        if depth == 0 and self.aliases:
            self._check_expansion(node)
        if depth > self.max_depth:
            raise _Abort(
                _skipped(f"document is nested deeper than {self.max_depth} levels"),
                self._span(node),
            )
        kind = node.id
        if kind == "scalar":
            return self.scalar(node)
        if kind == "sequence":
            build = self.build
            depth += 1
            return [build(item, depth) for item in node.value]
        return self._mapping(node, depth)

    def _mapping(self, node: Any, depth: int) -> dict[str, Any]:
        result, pending = self._entries(node, depth)
        if pending:
            raise next(iter(pending.values()))
        return result

    def _entries(self, node: Any, depth: int) -> tuple[dict[str, Any], dict[str, _Abort]]:
        """A mapping's keys and values, and the refusals of values JSON cannot carry, by
        key: go-yaml v2 sets each key in turn and kubectl encodes what is left, so a value
        that a later key replaces is never refused."""
        result: dict[str, Any] = {}
        pending: dict[str, _Abort] = {}
        #: Keys the mapping sets itself, once a merge has set others (None before that).
        explicit: set[str] | None = None
        build = self.build
        child_depth = depth + 1
        inline = child_depth <= self.max_depth
        merges: list[bool] | None = None
        for index, (key_node, value_node) in enumerate(node.value):
            if key_node.id != "scalar":
                span = self._span(key_node)
                if self.complex_key is None:
                    self.complex_key = span
                raise _Abort(
                    _skipped("kubectl refuses this document: a mapping key is not a scalar"),
                    span,
                )
            text = key_node.value
            if text[:1] == "$":
                self.patch_keys = True
            if key_node.tag is None and (
                key_node.style
                or (text and text[0] not in _NUMBER_START and text not in _WORDS and text != _MERGE)
            ):
                key = text  # the common case: a plain identifier resolves to itself
            elif _is_merge(key_node) and (merges or (merges := _merges(node)))[index]:
                if explicit is None:
                    explicit = set(result)
                self._merge(key_node, value_node, result, pending, depth)
                continue
            else:
                key = self.key(key_node)
            if key in result and (explicit is None or key in explicit):
                self._duplicate(node, key, key_node)
            if explicit is not None:
                explicit.add(key)
            try:
                if inline and value_node.id == "scalar":
                    # Scalars inline: most nodes are scalar values, and a call per node adds
                    # up. Plain text that cannot be a number, bool or null resolves to itself.
                    value = value_node.value
                    if value_node.tag is not None or (
                        not value_node.style
                        and (not value or value[0] in _NUMBER_START or value in _WORDS)
                    ):
                        value = self.scalar(value_node)
                    result[key] = value
                else:
                    result[key] = build(value_node, child_depth)
            except _Abort as exc:
                if not exc.deferrable:
                    raise
                result[key] = None
                pending[key] = exc
                continue
            if pending:
                pending.pop(key, None)
        return result, pending

    def _duplicate(self, node: Any, key: str, second: Any) -> None:
        if (id(node), key) in self._reported:
            return  # an aliased mapping is built once per alias; report it once
        self._reported.add((id(node), key))
        # The first key node of each key, found once per mapping: a mapping of n keys written
        # twice costs n, not n squared.
        firsts = self._first_keys.get(id(node))
        if firsts is None:
            firsts = self._first_keys[id(node)] = {}
            for (k, _), merge in zip(node.value, _merges(node), strict=True):
                found = _key_of(k, merge)
                if found is not None:
                    firsts.setdefault(found, k)
        first = firsts[key]
        self.problems.append(
            ParseProblem(
                "SCL002",
                f"duplicate key '{excerpt(key)}' (first at line {self._span(first).line}); "
                "kubectl keeps this last value and drops the earlier one, kustomize rejects the "
                "file",
                self._span(second),
            )
        )

    def _merge(
        self,
        key: Any,
        merge: Any,
        result: dict[str, Any],
        pending: dict[str, _Abort],
        depth: int,
    ) -> None:
        """``<<: *anchor`` the way go-yaml v2 merges: every key of the merged mappings is
        set, over the keys set before it (later keys set it again); in a list of mappings,
        earlier mappings win. go-yaml takes a list only when it is written there: an alias
        to a list is refused (an alias is the anchored node itself, which stands earlier in
        the text than the merge key)."""
        aliased_list = merge.id == "sequence" and merge.start_mark.index < key.end_mark.index
        for source in [merge] if aliased_list else _merge_sources(merge):
            if source.id != "mapping":
                why = (
                    "; an alias to a list cannot be merged, write the list of aliases here"
                    if aliased_list
                    else ""
                )
                # An alias has no node of its own: point at the merge key then.
                where = (
                    key if aliased_list or source.start_mark.index < key.end_mark.index else source
                )
                raise _Abort(
                    _skipped(
                        "kubectl refuses this document: map merge requires map or sequence "
                        f"of maps as the value{why}"
                    ),
                    self._span(where),
                )
            values, refused = self._entries(source, depth)
            result.update(values)
            for name in values:
                if name in refused:
                    pending[name] = refused[name]
                elif pending:
                    pending.pop(name, None)


def _children(node: Any) -> list[Any]:
    if node.id == "sequence":
        return list(node.value)
    if node.id == "mapping":
        out: list[Any] = []
        for key, value in node.value:
            out.append(key)
            out.append(value)
        return out
    return []


# --- errors ---------------------------------------------------------------------------------


def _error_span(exc: Exception, part: _Part, text: str) -> Span:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line0, column0 = part.line0, part.column0
    if _directive_error(exc, text):
        # Point at the directive, not at the end of the document.
        row = len(LINE_BREAKS.findall(text[: text.index("%")]))
        column = len(LINE_BREAKS.split(text[: text.index("%")])[-1]) + 1
        return Span(line0 + row + 1, column, line0 + row + 1, column + 1)
    if mark is not None and getattr(mark, "line", None) is not None:
        lines = LINE_BREAKS.split(text)
        row, column = int(mark.line), int(mark.column) + 1
        if row >= len(lines) or not lines[row][column - 1 :].strip():
            # The parser gave up at the end of the document: point at its last content
            # instead of the next document's separator line.
            row = min(row, len(lines) - 1)
            while row > 0 and not lines[row].strip():
                row -= 1
            if row >= 0 and lines:
                column = len(lines[row].rstrip()) or 1
        if row == 0:
            column += column0
        line = line0 + row + 1
        return Span(line, column, line, column + 1)
    position = getattr(exc, "position", None)
    if isinstance(position, int):
        if getattr(exc, "encoding", None) != "unicode":
            # libyaml counts bytes of the UTF-8 text; the pure-Python reader characters.
            position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
        before = text[:position]
        row = len(LINE_BREAKS.findall(before))
        line_start = LINE_BREAKS.split(before)[-1]
        column = len(line_start) + 1 + (column0 if row == 0 else 0)
        line = line0 + row + 1
        return Span(line, column, line, column + 1)
    return Span(line0 + 1, 1, line0 + 1, 1)


def _is_directive(text: str) -> bool:
    return text.lstrip().startswith("%")


def _directive_error(exc: Exception, text: str) -> bool:
    problem = str(getattr(exc, "problem", "") or "")
    return problem.startswith("did not find expected <document start>") and _is_directive(text)


def _character_at(exc: Exception, text: str) -> str:
    mark = getattr(exc, "problem_mark", None)
    index = getattr(mark, "index", None)
    if isinstance(index, int) and 0 <= index < len(text):
        return text[index]
    return ""


_QUOTE = "put the value in quotes"


def _hint(problem: str, context: str, char: str, text: str) -> str:
    """What the user can do about a syntax error, where a simple change fixes it."""
    if problem.startswith("mapping values are not allowed"):
        return f"a value that contains ': ' must be quoted: {_QUOTE}"
    if problem.startswith("found character that cannot start any token"):
        if char == "\t":
            return "YAML does not allow a tab here (indent with spaces)"
        if char:
            return f"a value cannot start with {char!r} unless it is quoted: {_QUOTE}"
    if problem.startswith("found undefined alias"):
        return f"a value that starts with '*' is read as an alias: {_QUOTE} if it is text"
    anchor = "anchor" in context or "alias" in context
    if "alphabetic or numeric character" in problem and anchor:
        return f"a value that starts with '&' or '*' is read as an anchor or alias: {_QUOTE}"
    if problem.startswith("found unknown escape character"):
        return "use single quotes, or write the backslash as '\\\\'"
    if problem.startswith("found unexpected ':'"):
        return _QUOTE
    if problem.startswith("found a tab character"):
        return "indent with spaces, not tabs"
    if problem.startswith("did not find expected <document start>") and _is_directive(text):
        return (
            "kubectl splits the stream at the '---' after a '%YAML' or '%TAG' directive, "
            "so the directive stands alone and kubectl refuses it; remove the directive"
        )
    if problem.startswith("could not find expected ':'"):
        return "a key needs ': ' after it, and a multi-line value needs quotes or a block scalar"
    if "expected ',' or" in problem:
        return "close the bracket, or quote an item that contains a bracket or comma"
    if "expected <block end>" in problem or problem.startswith("did not find expected key"):
        return "check the indentation of this line and the ones before it"
    return ""


def _error_message(exc: Exception, text: str) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if isinstance(problem, str) and problem:
        detail = problem
        if isinstance(context, str) and context:
            detail = f"{problem} ({context})"
    else:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        problem = detail
    detail = excerpt(detail, NAME_EXCERPT)  # the parser's words may quote a value
    if isinstance(exc, RecursionError):
        detail = "document is nested too deeply to parse"
    hint = _hint(str(problem), str(context or ""), _character_at(exc, text), text)
    return _skipped(f"YAML syntax error: {detail}" + (f"; {hint}" if hint else ""))


# --- the stream -----------------------------------------------------------------------------


def parse_text(
    text: str,
    file: str,
    *,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> ParsedFile:
    """Parse every document of ``text`` into memory; never raises for bad input."""
    result = ParsedFile([], [])
    for item in iter_documents(text, file, max_depth=max_depth, max_nodes=max_nodes):
        if isinstance(item, Document):
            result.documents.append(item)
        else:
            result.problems.append(item)
            result.template = result.template or item.template
    return result


def iter_documents(
    text: str,
    file: str,
    *,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> Iterator[Document | ParseProblem]:
    """Documents and problems of ``text`` in file order, one at a time; never raises for
    bad input."""
    return iter_stream([text], file, max_depth=max_depth, max_nodes=max_nodes)


def iter_stream(
    pieces: Iterable[str],
    file: str,
    *,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> Iterator[Document | ParseProblem]:
    """Documents and problems of a stream given as text pieces, each ending at a line break
    (but the last, and the pieces of a line too long for one), one at a time: only the
    document at hand is held in memory, and a document larger than
    :data:`MAX_DOCUMENT_SIZE` is reported without being held.

    A stream that looks like a template (``{{`` in its first piece) is read in full first,
    because a template is reported once, instead of its documents; so is a JSON stream.
    Either is read whole only up to :data:`MAX_DOCUMENT_SIZE`: a larger JSON stream is
    reported, a larger template-looking one is read document by document.
    """
    from itertools import chain

    from sidecarlint.jsonread import is_json_stream

    max_depth = min(max_depth, MAX_DEPTH_LIMIT)
    _allow_recursion(max_depth)
    stream = iter(pieces)
    first = next(stream, "")
    if first.startswith("\ufeff"):
        first = first[1:]
    if is_json_stream(first):
        held, whole = _read_whole(first, stream, MAX_DOCUMENT_SIZE)
        if not whole:
            # A JSON stream is read whole: one that large is reported at its first value.
            line, column = _json_start(first)
            message = (
                f"JSON stream has more than {MAX_DOCUMENT_SIZE:,} bytes "
                f"({MAX_DOCUMENT_SIZE >> 20} MiB), the most read for a JSON stream, which is "
                "read whole; the API server takes a request body of at most 3 MiB (split the "
                "stream into one document per object); this file is not checked"
            )
            yield ParseProblem("SCL001", message, Span(line, column, line, column + 1))
            return
        text = "".join(held)
        del held  # the text alone is held while it is read
        yield from _documents(_json_parts(text, max_depth), file, max_depth, max_nodes, False)
        return
    if _has_template_markers(first):
        held, whole = _read_whole(first, stream, MAX_DOCUMENT_SIZE)
        if whole:  # a larger stream is read as YAML, document by document
            text = "".join(held)
            del held
            yield from _template_stream(text, file, max_depth, max_nodes)
            return
        first, stream = held[0], chain(held[1:], stream)
    parts = _yaml_parts(chain([first], stream))
    yield from _documents(parts, file, max_depth, max_nodes, False)


def _json_start(text: str) -> tuple[int, int]:
    """The 1-based line and column of the first character of a JSON stream that is not a
    blank (the ``{`` kubectl saw)."""
    stripped = text.lstrip(GO_SPACE)
    blanks = text[: len(text) - len(stripped)]
    breaks = list(LINE_BREAKS.finditer(blanks))
    if not breaks:
        return 1, len(blanks) + 1
    return len(breaks) + 1, len(blanks) - breaks[-1].end() + 1


def _too_many(part: _Part, text: str) -> _Abort:
    """A document with more nodes than :data:`MAX_DOCUMENT_NODES`, at its first node."""
    line, column, end = _first_content(text) or (0, 0, 1)
    if line == 0:
        column, end = column + part.column0, end + part.column0
    line += part.line0 + 1
    return _Abort(_too_many_message(), Span(line, column + 1, line, end + 1))


def _too_many_message() -> str:
    return _skipped(
        f"document has more than {MAX_DOCUMENT_NODES:,} nodes (values, lists and mappings), "
        "the most read for one document (split a List into one document per item)"
    )


def _read_whole(first: str, stream: Iterator[str], limit: int) -> tuple[list[str], bool]:
    """The pieces of a stream up to ``limit`` bytes of UTF-8, and whether they are all of it."""
    held, size = [first], utf8_size(first)
    while size <= limit:
        piece = next(stream, None)
        if piece is None:
            return held, True
        held.append(piece)
        size += utf8_size(piece)
    return held, False


def _template_stream(
    text: str, file: str, max_depth: int, max_nodes: int
) -> Iterator[Document | ParseProblem]:
    """A stream that looks like a template: reported once if it is one, else its documents.
    They are held until the end while the text is small, else parsed again."""
    held: list[Document | ParseProblem] | None = [] if len(text) <= _TEMPLATE_HELD else None
    for item in _documents(_yaml_parts([text]), file, max_depth, max_nodes, True):
        if isinstance(item, ParseProblem) and item.template:
            yield _template_problem(_first_template_marker(text) or item.span)
            return
        if held is not None:
            held.append(item)
    yield from (
        _documents(_yaml_parts([text]), file, max_depth, max_nodes, True) if held is None else held
    )


def _allow_recursion(max_depth: int) -> None:
    """Building values and the pure-Python composer recurse a few frames per level."""
    needed = 6 * max_depth + 500
    if sys.getrecursionlimit() < needed:
        sys.setrecursionlimit(needed)


def _documents(
    parts: Iterable[_Part], file: str, max_depth: int, max_nodes: int, template: bool
) -> Iterator[Document | ParseProblem]:
    import yaml

    index = 0
    for part in parts:
        if part.problem is not None:
            yield ParseProblem(part.problem.code, part.problem.message, part.problem.span, index)
            index += 1
            continue
        text = part.text
        if text.startswith("\ufeff"):
            text = text[1:]  # go-yaml skips a byte order mark at the start of a document
        if part.json is None and not text.endswith("\n"):
            text += "\n"  # kubectl's line reader ends every line, the last one too
        try:
            if part.json is not None:
                node = part.json
            else:
                deep = _too_deep(text, max_depth)
                if deep is not None:
                    line = part.line0 + deep[0] + 1
                    column = deep[1] + 1 + (part.column0 if deep[0] == 0 else 0)
                    raise _Abort(
                        _skipped(f"document is nested deeper than {max_depth} levels"),
                        Span(line, column, line, column + 1),
                    )
                if _too_many_nodes(text, MAX_DOCUMENT_NODES):
                    raise _too_many(part, text)
                node = _compose_first(text)
                if node is None:
                    continue
            # A JSON value has no tags or aliases: its text (the whole stream) is not searched.
            searched = text if part.json is None else ""
            builder = _Builder(
                searched, part.line0 + 1, part.column0, max_depth, max_nodes, "*" in searched
            )
            try:
                data = builder.build(node)
            except _Abort:
                if builder.complex_key is not None and template:
                    yield _template_problem(builder.complex_key)
                    return
                raise
            for p in builder.problems:
                yield ParseProblem(p.code, p.message, p.span, index)
            if data is None:
                continue  # a null document: kubectl skips it
            yield Document(
                file,
                index,
                data,
                node,
                part.line0 + 1,
                SourceText(text, part.line0 + 1),
                builder.patch_keys,
                part.column0,
            )
            index += 1
        except _Abort as exc:
            yield ParseProblem("SCL001", exc.message, exc.span, index)
            index += 1
        except (yaml.YAMLError, RecursionError, ValueError) as exc:
            span = _error_span(exc, part, text)
            if template:
                yield _template_problem(span)
                return
            yield ParseProblem("SCL001", _error_message(exc, text), span, index)
            index += 1


def _has_template_markers(text: str) -> bool:
    return "{{" in text


def _first_template_marker(text: str) -> Span | None:
    """The first ``{{`` outside quotes and comments (where the template starts to matter)."""
    for number, line in enumerate(text.splitlines(), start=1):
        start = 0
        while (index := line.find("{{", start)) >= 0:
            before = line[:index]
            if "#" not in before and before.count('"') % 2 == 0 and before.count("'") % 2 == 0:
                end = line.find("}}", index)
                return Span(number, index + 1, number, (end + 3) if end >= 0 else len(line) + 1)
            start = index + 2
    return None


def _template_problem(span: Span) -> ParseProblem:
    message = (
        "this file is a Helm/Go template (unrendered '{{ ... }}'); render it first, "
        "e.g. 'helm template RELEASE CHART | sidecarlint check -'"
    )
    return ParseProblem("SCL001", message, span, None, template=True)
