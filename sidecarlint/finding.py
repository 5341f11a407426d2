"""The unit every stage produces and every reporter consumes."""

from __future__ import annotations

import enum
from functools import total_ordering

from sidecarlint.records import FrozenRecord


class Severity(str, enum.Enum):
    """How serious a finding is; ordered ``INFO < WARNING < ERROR``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(
                f"invalid severity {text!r}: expected one of error, warning, info"
            ) from None


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}

#: A path into a parsed document: mapping keys and sequence indexes.
YPath = tuple["str | int", ...]

#: Characters of a value from the input that a message quotes: a longer value is cut there,
#: with an ellipsis, so that a finding stays small whatever the input holds.
EXCERPT = 200
#: Characters of a name from the input that a finding carries as a field (object names and
#: namespaces, container names, path keys): more than any name Kubernetes accepts (253), so
#: only a name no cluster would take is cut.
NAME_EXCERPT = 256
ELLIPSIS = "\u2026"


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """``text`` as a message quotes it: the same text, or its first ``limit`` characters
    followed by an ellipsis when it is longer."""
    if len(text) <= limit:
        return text
    return text[:limit] + ELLIPSIS


@total_ordering
class Span(FrozenRecord):
    """A region of a file: 1-based lines and columns, ``end_column`` exclusive.

    Columns count Unicode code points (what editors call characters).
    """

    line: int
    column: int
    end_line: int
    end_column: int

    def __init__(self, line: int, column: int, end_line: int, end_column: int) -> None:
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column

    def __lt__(self, other: Span) -> bool:
        """Ordered by position, field by field."""
        return self._values() < other._values()


class ObjectRef(FrozenRecord):
    """The Kubernetes object a finding belongs to."""

    api_version: str | None
    kind: str | None
    name: str | None
    namespace: str | None

    def __init__(
        self,
        api_version: str | None,
        kind: str | None,
        name: str | None,
        namespace: str | None,
    ) -> None:
        self.api_version = api_version
        self.kind = kind
        self.name = name
        self.namespace = namespace


class Rendered(FrozenRecord):
    """Where a finding in rendered output was found: the renderer (``kustomize`` or
    ``helm``), what was rendered (a kustomization's directory or a chart, as reported),
    the document's index in the rendered output and the object as rendered. The finding's
    own file and span are the source position it was mapped back to."""

    renderer: str
    source: str
    document: int | None
    object: ObjectRef | None

    def __init__(
        self, renderer: str, source: str, document: int | None, object: ObjectRef | None
    ) -> None:
        self.renderer = renderer
        self.source = source
        self.document = document
        self.object = object

    def describe(self) -> str:
        """``overlays/prod as Deployment/prod-web`` (for people)."""
        obj = self.object
        if obj is None or obj.kind is None:
            return self.source
        name = f"{obj.namespace}/{obj.name}" if obj.namespace else str(obj.name or "?")
        return f"{self.source} as {obj.kind}/{name}"


class Finding(FrozenRecord):
    """One problem at one place."""

    code: str
    name: str
    severity: Severity
    message: str
    file: str
    span: Span
    document: int | None
    object: ObjectRef | None
    path: str | None
    container: str | None
    fix: str | None
    fixable: bool
    suppressed: bool
    #: The document path as a tuple (for fixes; not part of any output).
    ypath: YPath | None
    #: The text of the finding's first line (only when a run shows source snippets): the
    #: whole line, or of a long line the part around the finding, which starts at
    #: ``source_start`` (0-based) and ends with an ellipsis unless the line ends there.
    source_line: str | None
    #: GitHub's ``primaryLocationLineHash`` of that line (only for SARIF output).
    line_hash: str | None
    #: Other places involved, with what is there (the language server shows them).
    related: tuple[tuple[Span, str], ...]
    #: For a finding in rendered output (a kustomization, a chart): what was rendered.
    rendered: Rendered | None
    #: Set when this finding stands for findings of its rule left out of its file's list
    #: (past the limit per rule and file): how many there were of each severity, suppressed
    #: or not. Such a finding is not counted itself; the ones it stands for are.
    omitted: tuple[tuple[Severity, bool, int], ...]
    #: Where ``source_line`` starts in its line.
    source_start: int

    _uncompared = frozenset(
        {"suppressed", "ypath", "source_line", "source_start", "line_hash", "related"}
    )
    _unshown = frozenset(
        {"ypath", "source_line", "source_start", "line_hash", "related", "omitted"}
    )

    def __init__(
        self,
        code: str,
        name: str,
        severity: Severity,
        message: str,
        file: str,
        span: Span,
        document: int | None = None,
        object: ObjectRef | None = None,
        path: str | None = None,
        container: str | None = None,
        fix: str | None = None,
        fixable: bool = False,
        suppressed: bool = False,
        ypath: YPath | None = None,
        source_line: str | None = None,
        line_hash: str | None = None,
        related: tuple[tuple[Span, str], ...] = (),
        rendered: Rendered | None = None,
        omitted: tuple[tuple[Severity, bool, int], ...] = (),
        source_start: int = 0,
    ) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.message = message
        self.file = file
        self.span = span
        self.document = document
        self.object = object
        self.path = path
        self.container = container
        self.fix = fix
        self.fixable = fixable
        self.suppressed = suppressed
        self.ypath = ypath
        self.source_line = source_line
        self.line_hash = line_hash
        self.related = related
        self.rendered = rendered
        self.omitted = omitted
        self.source_start = source_start

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.span.line, self.span.column, self.code, self.message)

    def counts(self) -> tuple[tuple[Severity, bool, int], ...]:
        """What this finding counts for in a summary: (severity, suppressed, how many)."""
        return self.omitted or ((self.severity, self.suppressed, 1),)


def format_path(path: YPath) -> str:
    """Render a path as ``spec.template.spec.containers[1].name``."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif out:
            out.append(f".{excerpt(part, NAME_EXCERPT)}")
        else:
            out.append(excerpt(part, NAME_EXCERPT))
    return "".join(out)
