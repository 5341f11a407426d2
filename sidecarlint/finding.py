"""The unit every stage produces and every reporter consumes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
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


@total_ordering
@dataclass(repr=False, eq=False)
class Span(FrozenRecord):
    """A region of a file: 1-based lines and columns, ``end_column`` exclusive.

    Columns count Unicode code points (what editors call characters).
    """

    line: int
    column: int
    end_line: int
    end_column: int

    def __lt__(self, other: Span) -> bool:
        """Ordered by position, field by field."""
        return self._values() < other._values()


@dataclass(repr=False, eq=False)
class ObjectRef(FrozenRecord):
    """The Kubernetes object a finding belongs to."""

    api_version: str | None
    kind: str | None
    name: str | None
    namespace: str | None


@dataclass(repr=False, eq=False)
class Finding(FrozenRecord):
    """One problem at one place."""

    code: str
    name: str
    severity: Severity
    message: str
    file: str
    span: Span
    document: int | None = None
    object: ObjectRef | None = None
    path: str | None = None
    container: str | None = None
    fix: str | None = None
    fixable: bool = False
    suppressed: bool = field(default=False, compare=False)
    #: The document path as a tuple (for fixes; not part of any output).
    ypath: YPath | None = field(default=None, compare=False, repr=False)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.span.line, self.span.column, self.code, self.message)


def format_path(path: YPath) -> str:
    """Render a path as ``spec.template.spec.containers[1].name``."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif out:
            out.append(f".{part}")
        else:
            out.append(part)
    return "".join(out)
