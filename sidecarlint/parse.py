"""Stage 1: parse. Multi-document YAML/JSON into plain values with exact positions.

Documents are split the way kubectl splits a stream (a line starting with ``---``), so one
broken document does not hide the others. Each document is composed with ruamel.yaml's
libyaml-backed ``CBaseLoader`` (the pure-Python composer when the C extension is missing),
which resolves nothing: every scalar arrives as text with its quoting style, and this module
resolves plain scalars with the rules Kubernetes applies (go-yaml v2 via sigs.k8s.io/yaml):
``yes``/``on``/``y`` are booleans, ``0777`` is octal, timestamps stay strings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from sidecarlint.finding import Span, YPath
from sidecarlint.records import FrozenRecord, Record

#: Default limits for untrusted input.
MAX_DEPTH = 100
MAX_NODES = 1_000_000

#: What YAML (libyaml) counts as a line break; positions count lines the same way.
LINE_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

# go-yaml v2 resolve.go: the plain scalars that resolve to bool and null.
_BOOLS = {
    **dict.fromkeys(
        ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"], True
    ),
    **dict.fromkeys(
        ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"], False
    ),
}
_NULLS = frozenset(["", "~", "null", "Null", "NULL"])
_SPECIAL_FLOATS = {
    **dict.fromkeys([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"], math.inf),
    **dict.fromkeys(["-.inf", "-.Inf", "-.INF"], -math.inf),
    **dict.fromkeys([".nan", ".NaN", ".NAN"], math.nan),
}
_INT_RE = re.compile(r"^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$")
_FLOAT_RE = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_MERGE = "<<"
_NUMERIC = frozenset("+-.0123456789") | {""}
_SPECIAL_KEYS = frozenset([*_BOOLS, *_NULLS, _MERGE])


def _explicit_tag(node: Any) -> str | None:
    """The tag written on ``node`` (``!foo``, ``!!str``...), or None when it has none."""
    tag = node.ctag
    if tag is None or tag is _DEFAULT_TAGS.get(node.id):
        return None
    return str(tag)


#: Standard tags whose text go-yaml v2 resolves even when quoted (``!!int "7"`` is 7).
_RESOLVED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "null", "timestamp")
)


def _scalar_value(node: Any) -> Any:
    """A scalar node's value the way go-yaml v2 decodes it: plain text is resolved, quoted
    text is a string, ``!!str`` and local tags (``!foo``) keep the text."""
    tag = _explicit_tag(node)
    if tag is None:
        return node.value if node.style else resolve_plain(node.value)
    if tag in _RESOLVED_TAGS:
        return resolve_plain(node.value)
    return node.value


_DEFAULT_TAGS: dict[str, Any] = {}


def resolve_plain(text: str) -> Any:
    """Resolve an unquoted scalar the way go-yaml v2 (and so Kubernetes) does."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if not text or text[0] not in "+-.0123456789":
        return text
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    plain = text.replace("_", "")
    if _INT_RE.match(plain):
        sign = -1 if plain[0] == "-" else 1
        digits = plain.lstrip("+-")
        if len(digits) > 1 and digits[0] == "0" and digits[1] in "xXoObB":
            return sign * int(digits, 0)
        if len(digits) > 1 and digits[0] == "0":
            return sign * int(digits, 8)
        return sign * int(digits)
    if _FLOAT_RE.match(plain):
        return float(plain)
    return text


def key_text(value: Any) -> str:
    """The JSON key a resolved YAML key becomes (sigs.k8s.io/yaml stringifies keys)."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    return str(value)


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
    """A file's text, shared by its documents; lines are split only when first needed."""

    __slots__ = ("_lines", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None

    def line(self, number: int) -> str:
        """Line ``number`` (1-based) without its line break; ``""`` past the end."""
        if self._lines is None:
            self._lines = LINE_BREAKS.split(self.text)
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""


class Document(Record):
    """One non-empty document of a file: plain values, and the composed nodes behind them.

    Positions are looked up on demand by walking the node tree along a path: findings are
    few, and recording a position for every node of every document cost more than parsing.
    """

    file: str
    index: int
    data: Any
    #: The composed root node (its marks are relative to the document's chunk).
    root: Any
    #: 1-based file line of the chunk's first line.
    line1: int
    source: SourceText | None
    #: Some mapping key starts with ``$`` (strategic-merge-patch directives).
    patch_keys: bool

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
    ) -> None:
        self.file = file
        self.index = index
        self.data = data
        self.root = root
        self.line1 = line1
        self.source = source
        self.patch_keys = patch_keys

    def _region(self, node: Any) -> Region:
        start, end = node.start_mark, node.end_mark
        line1 = self.line1
        return (start.line + line1, start.column + 1, end.line + line1, end.column + 1)

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
        line, column, end_line, end_column = self._region(node)
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


def _key_of(key_node: Any) -> str | None:
    """The JSON key a scalar key node becomes (None for complex keys and merges)."""
    if key_node.id != "scalar":
        return None
    text = key_node.value
    if key_node.style or (text[:1] not in _NUMERIC and text not in _SPECIAL_KEYS):
        return str(text)
    if text == _MERGE:
        return None
    return key_text(resolve_plain(text))


def _child(node: Any, part: str | int) -> tuple[Any, Any] | None:
    """The (value node, key node) for one path step, resolving duplicates and merges the
    way the builder did: the last duplicate wins; merged keys only fill gaps."""
    if isinstance(part, int):
        if node.id == "sequence" and 0 <= part < len(node.value):
            return node.value[part], None
        return None
    if node.id != "mapping":
        return None
    merges = []
    for key_node, value_node in reversed(node.value):
        if key_node.id == "scalar" and not key_node.style and key_node.value == _MERGE:
            merges.append(value_node)
        elif _key_of(key_node) == part:
            return value_node, key_node
    for merge in reversed(merges):
        for source in merge.value if merge.id == "sequence" else [merge]:
            if source.id == "mapping":
                for key_node, value_node in source.value:
                    if _key_of(key_node) == part:
                        return value_node, key_node
    return None


def _children_with_paths(node: Any) -> list[tuple[str | int, Any, Any]]:
    if node.id == "sequence":
        return [(i, item, None) for i, item in enumerate(node.value)]
    if node.id != "mapping":
        return []
    out: list[tuple[str | int, Any, Any]] = []
    seen: set[str] = set()
    for key_node, _ in reversed(node.value):
        key = _key_of(key_node)
        if key is not None and key not in seen:
            seen.add(key)
            found = _child(node, key)
            if found is not None:
                out.append((key, found[0], found[1]))
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
    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


class _Node:
    """A composed node, as plain as it gets.

    ruamel.yaml's own node classes wrap every tag in a ``Tag`` object and take keyword
    arguments; libyaml builds one node per scalar, so that cost is most of composing beyond
    libyaml itself. These carry only what this module reads. ``ctag`` is ``None`` for an
    implicit tag and the tag text otherwise.
    """

    __slots__ = ("ctag", "end_mark", "start_mark", "value")
    id = ""

    def __init__(
        self, tag: Any, value: Any, start_mark: Any = None, end_mark: Any = None, *_: Any
    ) -> None:
        self.ctag = tag
        self.value = value
        self.start_mark = start_mark
        self.end_mark = end_mark


class _ScalarNode(_Node):
    # Sets every slot itself rather than calling ``_Node.__init__``: one call fewer for
    # each scalar, the most common node.
    __slots__ = ("style",)
    id = "scalar"

    def __init__(
        self,
        tag: Any,
        value: Any,
        start_mark: Any = None,
        end_mark: Any = None,
        style: Any = None,
        *_: Any,
    ) -> None:
        self.ctag = tag
        self.value = value
        self.start_mark = start_mark
        self.end_mark = end_mark
        self.style = style


class _SequenceNode(_Node):
    __slots__ = ()
    id = "sequence"


class _MappingNode(_Node):
    __slots__ = ()
    id = "mapping"


class _LeanNodes:
    """While composing, the C composer builds :class:`_Node` objects instead of ruamel's.

    The composer looks its node classes up in its module's globals on every call, so they
    are swapped in for the duration of one document and put back after: other users of
    ruamel.yaml in the same process keep getting ruamel's nodes. A lock keeps threads that
    parse at the same time from putting the classes back under each other (composing holds
    the interpreter lock anyway, so little parallelism is lost).
    """

    def __init__(self, module: Any) -> None:
        import threading

        self.module = module
        self.saved = (module.ScalarNode, module.SequenceNode, module.MappingNode)
        self.lock = threading.Lock()

    def __enter__(self) -> None:
        self.lock.acquire()
        module = self.module
        module.ScalarNode = _ScalarNode
        module.SequenceNode = _SequenceNode
        module.MappingNode = _MappingNode

    def __exit__(self, *_: object) -> None:
        module = self.module
        module.ScalarNode, module.SequenceNode, module.MappingNode = self.saved
        self.lock.release()


def _loader_class() -> tuple[Any, Any]:
    """The loader class, and the context that composes with lean nodes where possible."""
    import importlib

    try:
        module = importlib.import_module("_ruamel_yaml")
    except ImportError:  # without ruamel.yaml.clib (PyPy, for one)
        from contextlib import nullcontext

        return _python_loader_class(), nullcontext()

    class Loader(module.CParser):  # type: ignore[misc,name-defined]
        """libyaml's parser and composer, with no constructor and no resolver: sidecarlint
        resolves scalars itself, so an implicit tag stays ``None``."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> None:
            return None

        # The composer calls these two around every node and ignores what they return:
        # builtins that do nothing with their arguments cost less than a Python method.
        descend_resolver = dict[Any, Any]().get  # (parent, index) -> index
        ascend_resolver = ().__len__  # () -> 0

    return Loader, _LeanNodes(module)


def _python_loader_class() -> Any:
    import importlib

    base: Any = importlib.import_module("ruamel.yaml.loader").BaseLoader
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    _DEFAULT_TAGS["scalar"] = base.DEFAULT_SCALAR_TAG
    _DEFAULT_TAGS["mapping"] = base.DEFAULT_MAPPING_TAG
    _DEFAULT_TAGS["sequence"] = base.DEFAULT_SEQUENCE_TAG

    class Loader(base):  # type: ignore[misc]
        """Resolves nothing: sidecarlint resolves scalars itself."""

        #: The composer reads this (normally set by ``YAML()``); 0 is no limit of its own:
        #: nesting is limited before composing.
        max_depth = 0

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is ScalarNode:
                return self.DEFAULT_SCALAR_TAG
            if kind is MappingNode:
                return self.DEFAULT_MAPPING_TAG
            return self.DEFAULT_SEQUENCE_TAG

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None

    return Loader


_LOADER: Any = None
_NODES: Any = None


def _separators(text: str) -> list[int]:
    """Offsets of the lines that start with ``---`` followed by a blank or the line's end.

    ``str.find`` instead of a multi-line regex: the regex tries every offset of the file.
    """
    starts: list[int] = []
    if text.startswith("---") and text[3:4] in _AFTER_SEPARATOR:
        starts.append(0)
    index = text.find("\n---")
    while index >= 0:
        after = index + 4
        if text[after : after + 1] in _AFTER_SEPARATOR:
            starts.append(index + 1)
        index = text.find("\n---", after)
    return starts


#: What may follow ``---`` on a separator line ("" is the end of the text).
_AFTER_SEPARATOR = frozenset(["", " ", "\t", "\r", "\n"])


def split_documents(text: str) -> list[tuple[int, str]]:
    """Split a stream like kubectl's YAMLReader: ``(first line index, chunk)`` pairs.

    Each chunk keeps its ``---`` line so the parser sees the same lines and columns.
    A JSON stream (first non-blank character ``{`` or ``[``) is one chunk.
    """
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        return [(0, text)]
    starts = _separators(text)
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
    """Documents and problems in file order, one at a time; never raises for bad input.

    Streaming matters: holding thousands of documents alive makes the garbage collector
    rescan them over and over. A file that looks like a template is parsed in full first,
    because a template is reported once, instead of its documents.
    """
    global _LOADER, _NODES
    if _LOADER is None:
        _LOADER, _NODES = _loader_class()
    if text.startswith("\ufeff"):
        text = text[1:]
    if _has_template_markers(text):
        buffered = list(_iter_documents(text, file, max_depth, max_nodes, template=True))
        templated = [p for p in buffered if isinstance(p, ParseProblem) and p.template]
        if templated:
            yield _template_problem(_first_template_marker(text) or templated[0].span)
        else:
            yield from buffered
        return
    yield from _iter_documents(text, file, max_depth, max_nodes, template=False)


_BRACKETS = re.compile(r"[\[\]{}]")


def _too_deep(chunk: str, limit: int) -> tuple[int, int] | None:
    """Where a chunk nests deeper than ``limit`` (0-based line, column), else None.

    libyaml composes recursively and overflows the C stack near 100,000 levels, so deep
    input must be caught before composing. A cheap text test decides whether the exact
    (event-based, non-recursive) count is needed at all.
    """
    # Block nesting deeper than ``limit`` needs a line prefix of over ``limit`` characters of
    # indentation, dashes and '?': look for one only when a long run of spaces, a compact
    # nested sequence, a complex key or a tab is there at all (substring tests are cheap).
    suspicious = (
        " " * (limit // 4) in chunk or "- -" in chunk or "? " in chunk or "\t" in chunk
    ) and re.search(rf"^[ \t?-]{{{limit}}}", chunk, re.MULTILINE) is not None
    if not suspicious and chunk.count("[") + chunk.count("{") > limit:
        depth = 0
        for match in _BRACKETS.finditer(chunk):
            depth += 1 if match.group() in "[{" else -1
            if depth > limit:
                suspicious = True
                break
    if not suspicious:
        return None
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    loader = _LOADER(chunk)
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
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose is not None:
            dispose()
    return None


def _iter_documents(
    text: str, file: str, max_depth: int, max_nodes: int, *, template: bool
) -> Iterator[Document | ParseProblem]:
    index = 0
    source = SourceText(text)
    for line0, chunk in split_documents(text):
        try:
            deep = _too_deep(chunk, max_depth)
            if deep is not None:
                line, column = line0 + deep[0] + 1, deep[1] + 1
                raise _Abort(
                    f"document is nested deeper than {max_depth} levels; not checked",
                    Span(line, column, line, column + 1),
                )
            for node in _compose(chunk):
                builder = _Builder(file, line0, max_depth, max_nodes, "*" in chunk)
                data = builder.build(node)
                if builder.complex_key is not None and template:
                    yield _template_problem(builder.complex_key)
                    return
                for p in builder.problems:
                    yield ParseProblem(p.code, p.message, p.span, index)
                if data is None:
                    continue
                yield Document(file, index, data, node, line0 + 1, source, builder.patch_keys)
                index += 1
        except _Abort as exc:
            yield ParseProblem("SCL001", exc.message, exc.span, index)
            index += 1
        except Exception as exc:  # the YAML libraries raise many unrelated types
            span = _error_span(exc, line0, chunk)
            if template:
                yield _template_problem(span)
                return
            yield ParseProblem("SCL001", _error_message(exc), span, index)
            index += 1


def _compose(chunk: str) -> Iterator[Any]:
    loader = _LOADER(chunk)
    try:
        while True:
            with _NODES:
                if not loader.check_node():
                    break
                node = loader.get_node()
            yield node
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose is not None:
            dispose()


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


def _error_span(exc: Exception, line0: int, chunk: str) -> Span:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None and getattr(mark, "line", None) is not None:
        lines = chunk.splitlines()
        row, column = int(mark.line), int(mark.column) + 1
        if row >= len(lines) or not lines[row][column - 1 :].strip():
            # The parser gave up at the end of the document: point at its last content
            # instead of the next document's separator line.
            row = min(row, len(lines) - 1)
            while row > 0 and not lines[row].strip():
                row -= 1
            if row >= 0 and lines:
                column = len(lines[row].rstrip()) or 1
        line = line0 + row + 1
        return Span(line, column, line, column + 1)
    position = getattr(exc, "position", None)
    if isinstance(position, int):
        before = chunk[:position]
        line = line0 + before.count("\n") + 1
        column = position - (before.rfind("\n") + 1) + 1
        return Span(line, column, line, column + 1)
    return Span(line0 + 1, 1, line0 + 1, 1)


def _error_message(exc: Exception) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if isinstance(problem, str) and problem:
        text = problem
        if isinstance(context, str) and context:
            text = f"{problem} ({context})"
    else:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, RecursionError):
        text = "document is nested too deeply to parse"
    return f"YAML syntax error: {text}"


class _Builder:
    """Turns a composed node tree into plain values, reporting key and structure problems."""

    def __init__(
        self, file: str, line0: int, max_depth: int, max_nodes: int, aliases: bool = True
    ) -> None:
        self.file = file
        self.aliases = aliases
        # Marks are 0-based; positions are 1-based and relative to the file, not the chunk.
        self.line1 = line0 + 1
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.problems: list[ParseProblem] = []
        self.complex_key: Span | None = None
        #: A strategic-merge directive key (``$patch``...) was seen: a kustomize patch.
        self.patch_keys = False
        self._sizes: dict[int, int] = {}

    def _region(self, node: Any) -> Region:
        start, end = node.start_mark, node.end_mark
        line1 = self.line1
        return (start.line + line1, start.column + 1, end.line + line1, end.column + 1)

    def _span(self, node: Any) -> Span:
        return Span(*self._region(node))

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
                    "an alias refers to a node that contains it (recursive structure); not checked",
                    self._span(current),
                )
            if done:
                open_nodes.discard(key)
                total = 1 + sum(sizes.get(id(c), 1) for c in children)
                sizes[key] = total
                if total > self.max_nodes:
                    raise _Abort(
                        f"document expands to more than {self.max_nodes:,} nodes through "
                        "aliases (possible alias bomb); not checked",
                        self._span(current),
                    )
            else:
                open_nodes.add(key)
                stack.append((current, True))
                stack.extend((c, False) for c in children if id(c) not in sizes)

    def build(self, node: Any, depth: int = 0) -> Any:
        """The plain value of ``node`` (checks nesting, aliases, keys on the way)."""
        if depth == 0 and self.aliases:
            self._check_expansion(node)
        if depth > self.max_depth:
            raise _Abort(
                f"document is nested deeper than {self.max_depth} levels; not checked",
                self._span(node),
            )
        kind = node.id
        if kind == "scalar":
            return _scalar_value(node)
        if kind == "sequence":
            build = self.build
            depth += 1
            return [build(item, depth) for item in node.value]
        return self._mapping(node, depth)

    def _mapping(self, node: Any, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merges: list[Any] = []
        build = self.build
        child_depth = depth + 1
        inline = child_depth <= self.max_depth
        for key_node, value_node in node.value:
            if key_node.id != "scalar":
                span = self._span(key_node)
                if self.complex_key is None:
                    self.complex_key = span
                self.problems.append(ParseProblem("SCL001", "mapping key is not a scalar", span))
                continue
            text = key_node.value
            if text[:1] == "$":
                self.patch_keys = True
            if key_node.style or (text[:1] not in _NUMERIC and text not in _SPECIAL_KEYS):
                key = text  # the common case: a plain identifier resolves to itself
            elif text == _MERGE:
                merges.append(value_node)
                continue
            else:
                key = key_text(resolve_plain(text))
            if key in result:
                self._duplicate(node, key, key_node)
            if inline and value_node.id == "scalar":
                # Scalars inline: most nodes are scalar values, and a call per node adds up.
                # Plain text that cannot be a number, bool or null resolves to itself.
                value = value_node.value
                if value_node.ctag is not None:
                    value = _scalar_value(value_node)
                elif not value_node.style and (value[:1] in _NUMERIC or value in _SPECIAL_KEYS):
                    value = resolve_plain(value)
                result[key] = value
            else:
                result[key] = build(value_node, child_depth)
        for merge in merges:
            self._merge(merge, result, depth)
        return result

    def _duplicate(self, node: Any, key: str, second: Any) -> None:
        first = next(k for k, _ in node.value if k.id == "scalar" and _key_of(k) == key)
        self.problems.append(
            ParseProblem(
                "SCL002",
                f"duplicate key '{key}' (first at line {self._region(first)[0]}); kubectl keeps "
                "this last value and drops the earlier one, kustomize rejects the file",
                self._span(second),
            )
        )

    def _merge(self, merge: Any, result: dict[str, Any], depth: int) -> None:
        """``<<: *anchor``: keys of the merged mappings that the mapping does not set itself."""
        sources = merge.value if merge.id == "sequence" else [merge]
        for source in sources:
            if source.id != "mapping":
                self.problems.append(
                    ParseProblem(
                        "SCL001",
                        "merge key '<<' needs a mapping or a list of mappings",
                        self._span(source),
                    )
                )
                continue
            for key_node, value_node in source.value:
                if key_node.id != "scalar":
                    continue
                text = key_node.value
                key = text if key_node.style else key_text(resolve_plain(text))
                if key not in result:
                    result[key] = self.build(value_node, depth + 1)


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
