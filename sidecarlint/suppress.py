"""Suppressions: comment directives and object annotations.

- ``# sidecarlint: disable=SCL102,unused-volume -- reason`` on the offending line or on the
  line above it;
- ``# sidecarlint: disable-file`` or ``# sidecarlint: disable-file=SCL202`` among a file's
  leading comments;
- annotations ``sidecarlint.io/ignore: "SCL102,SCL203"`` and ``sidecarlint.io/ignore-all``
  on an object or on its pod template (they survive Helm rendering, comments do not).

A malformed directive is itself a finding (SCL901); directives that suppress nothing are
reported by SCL900 when it is enabled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sidecarlint.finding import Span, excerpt
from sidecarlint.records import Record
from sidecarlint.registry import Registry

MARKER = "sidecarlint:"
IGNORE = "sidecarlint.io/ignore"
IGNORE_ALL = "sidecarlint.io/ignore-all"
_DIRECTIVE = re.compile(r"#\s*sidecarlint:\s*(?P<body>[^#]*)")
_BODY = re.compile(
    r"^(?P<verb>disable-file|disable)(?:\s*=\s*(?P<codes>[^-\s][^\s]*(?:\s*,\s*[^\s,]+)*))?"
    r"\s*(?:--\s*(?P<reason>.*))?$"
)


class Directive(Record):
    """One parsed suppression with what it covers; ``used`` is set when it suppresses."""

    span: Span
    codes: frozenset[str] | None  # None: every code
    lines: frozenset[int]  # empty: the whole file (or object)
    reason: str | None
    used: bool
    text: str

    def __init__(
        self,
        span: Span,
        codes: frozenset[str] | None,
        lines: frozenset[int] = frozenset(),
        reason: str | None = None,
        used: bool = False,
        text: str = "",
    ) -> None:
        self.span = span
        self.codes = codes
        self.lines = lines
        self.reason = reason
        self.used = used
        self.text = text


class Problem(Record):
    """A malformed directive or annotation."""

    span: Span
    message: str

    def __init__(self, span: Span, message: str) -> None:
        self.span = span
        self.message = message


class Suppressions(Record):
    directives: list[Directive]
    problems: list[Problem]

    def __init__(
        self,
        directives: list[Directive] | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        self.directives = [] if directives is None else directives
        self.problems = [] if problems is None else problems

    def match(self, code: str, line: int) -> Directive | None:
        for directive in self.directives:
            if directive.codes is not None and code not in directive.codes:
                continue
            if directive.lines and line not in directive.lines:
                continue
            directive.used = True
            return directive
        return None


def resolve_codes(items: Iterable[str], registry: Registry) -> tuple[set[str], list[str]]:
    """Codes for codes or names; the items that name no rule."""
    codes: set[str] = set()
    unknown: list[str] = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        rule = registry.lookup(item)
        if rule is None:
            unknown.append(item)
        else:
            codes.add(rule.code)
    return codes, unknown


def scan_comments(text: str, registry: Registry) -> Suppressions:
    """Directives in the comments of a file's text (cheap when there are none)."""
    scanner = CommentScanner(registry)
    scanner.feed(text)
    return scanner.result


class CommentScanner:
    """Directives in the comments of a file read piece by piece (each piece ends at a line
    break, but the last). Lines are counted the way YAML counts them, as positions are;
    only the lines that hold the marker are looked at."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.result = Suppressions()
        self.lines = 0  # lines before the next piece
        #: The first line with content (not a comment, a blank or '---'), once seen.
        self.first_content: int | None = None
        #: The last piece ended inside a line (a line longer than a piece): the next one
        #: starts with the rest of it, which was looked at with its start.
        self._mid_line = False

    def feed(self, text: str) -> None:
        from sidecarlint.parse import LINE_BREAKS, count_line_breaks

        if not self.lines and not self._mid_line and text.startswith("\ufeff"):
            text = text[1:]  # a byte order mark is no content
        exotic = "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text
        if self._mid_line:
            found = LINE_BREAKS.search(text) if exotic else None
            end = found.end() if found else text.find("\n") + 1
            if not end:
                return  # the line goes on
            self.lines += count_line_breaks(text, 0, end, exotic)
            text = text[end:]
        self._mid_line = bool(text) and text[-1] not in "\n\r\x85\u2028\u2029"
        if self.first_content is None:
            # Line by line from the top, only as far as the first line with content.
            number, start = self.lines, 0
            while start <= len(text):
                found = LINE_BREAKS.search(text, start) if exotic else None
                end = found.start() if found else text.find("\n", start)
                line = text[start:] if end < 0 else text[start:end]
                number += 1
                stripped = line.strip()
                if stripped and not stripped.startswith("#") and stripped != "---":
                    self.first_content = number
                    break
                if end < 0:
                    break
                start = found.end() if found else end + 1
        if MARKER in text:
            if exotic:
                lines = LINE_BREAKS.split(text)
                for number, line in enumerate(lines, start=self.lines + 1):
                    if MARKER in line:
                        self._line(number, line)
            else:
                number, counted = self.lines + 1, 0
                index = text.find(MARKER)
                while index >= 0:
                    start = text.rfind("\n", 0, index) + 1
                    end = text.find("\n", index)
                    end = len(text) if end < 0 else end
                    number += text.count("\n", counted, start)
                    counted = start
                    self._line(number, text[start:end])
                    index = text.find(MARKER, end)
        self.lines += count_line_breaks(text, 0, len(text), exotic)

    def _line(self, number: int, line: str) -> None:
        registry = self.registry
        result = self.result
        is_comment = line.strip().startswith("#")
        leading = self.first_content is None or number < self.first_content
        match = _DIRECTIVE.search(line)
        if match is None:
            return
        column = match.start() + 1
        span = Span(number, column, number, len(line) + 1)
        body = match.group("body").strip()
        parsed = _BODY.match(body)
        if parsed is None:
            result.problems.append(
                Problem(
                    span,
                    f"malformed suppression '{excerpt(body)}': expected "
                    "'disable=CODE[,CODE...]' or 'disable-file[=CODE,...]', optionally followed "
                    "by '-- reason'",
                )
            )
            return
        verb, codes_text, reason = (
            parsed.group("verb"),
            parsed.group("codes"),
            parsed.group("reason"),
        )
        if reason is not None:
            reason = excerpt(reason)
        codes: frozenset[str] | None = None
        if codes_text is not None:
            found, unknown = resolve_codes(codes_text.split(","), registry)
            if unknown:
                names = ", ".join(excerpt(name) for name in unknown)
                result.problems.append(Problem(span, f"suppression names unknown rule(s): {names}"))
                if not found:
                    return
            codes = frozenset(found)
        if verb == "disable":
            if codes is None:
                result.problems.append(
                    Problem(span, "'disable' needs the rules to disable: 'disable=CODE[,CODE...]'")
                )
                return
            # Alone on its line: covers the next line; after content: that line.
            lines = frozenset({number, number + 1}) if is_comment else frozenset({number})
            result.directives.append(Directive(span, codes, lines, reason, text=excerpt(body)))
        elif not leading:
            result.problems.append(
                Problem(span, "'disable-file' only works in the comments at the top of the file")
            )
        else:
            result.directives.append(
                Directive(span, codes, frozenset(), reason, text=excerpt(body))
            )


def disable_comment(code: str) -> str:
    """The comment that disables ``code`` on its line (alone on a line: on the next one)."""
    return f"# {MARKER} disable={code}"


def add_to_directive(line: str, code: str) -> str | None:
    """``line`` with ``code`` added to the well-formed ``disable=`` directive on it, or None
    when it holds none."""
    match = _DIRECTIVE.search(line)
    if match is None:
        return None
    body = match.group("body")
    parsed = _BODY.match(body.strip())
    if parsed is None or parsed.group("verb") != "disable" or parsed.group("codes") is None:
        return None
    end = match.start("body") + len(body) - len(body.lstrip()) + parsed.end("codes")
    return f"{line[:end]},{code}{line[end:]}"


def annotation_codes(
    annotations: object, registry: Registry
) -> tuple[frozenset[str] | None, bool, list[str], list[str]]:
    """(codes to ignore or None for all, whether any annotation applies, unknown names,
    annotation keys that applied)."""
    if not isinstance(annotations, dict):
        return frozenset(), False, [], []
    keys: list[str] = []
    if IGNORE_ALL in annotations:
        return None, True, [], [IGNORE_ALL]
    value = annotations.get(IGNORE)
    if value is None:
        return frozenset(), False, [], []
    keys.append(IGNORE)
    codes, unknown = resolve_codes(str(value).split(","), registry)
    return frozenset(codes), True, unknown, keys
