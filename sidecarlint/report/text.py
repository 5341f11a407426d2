"""Human-readable output.

Each finding starts with one short line, ``path:line:col: SEVERITY CODE headline``; the rest
of its message (why it matters, what to do) and its fix follow on indented lines, and with
``--show-source`` the source line with a caret under the offending key or value. The
summary says what was checked; ``--statistics`` counts findings per rule instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sidecarlint.finding import ELLIPSIS, Finding, Severity
from sidecarlint.report._escape import printable
from sidecarlint.report._stream import Output

if TYPE_CHECKING:
    from sidecarlint.pipeline import Report

_COLOURS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"
INDENT = "    "

#: Kubernetes' own error types (``field.ErrorType``) and ours that open a message: the
#: headline is what follows them, not the type alone.
_PREFIXES = (
    "Required value: ",
    "Duplicate value: ",
    "Not found: ",
    "Forbidden: ",
    "Invalid value: ",
    "Unsupported value: ",
    "Too long: ",
    "Too many: ",
    "YAML syntax error: ",
)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _top_level(text: str, start: int = 0) -> list[int]:
    """Indexes of ``text`` outside brackets and quotes (single quotes only around words)."""
    out: list[int] = []
    depth = 0
    quote: str | None = None
    for i, ch in enumerate(text):
        if quote is not None:
            after = text[i + 1 : i + 2]
            if ch == quote and (quote != "'" or not after.isalnum()):
                quote = None
            continue
        if ch in '"`' or (ch == "'" and (i == 0 or not text[i - 1].isalnum())):
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and i >= start:
            out.append(i)
    return out


def split_message(message: str) -> tuple[str, list[str]]:
    """A message as a headline and the lines that explain it.

    The headline ends at the first top-level " — ", else at the first top-level ": " or
    "; " (a leading error type such as "Required value: " does not count). What follows
    is split into sentences. Joined, the parts hold every word of the message.
    """
    start = next((len(p) for p in _PREFIXES if message.startswith(p)), 0)
    positions = _top_level(message, start)
    cut = next((i for i in positions if message.startswith(" — ", i)), None)
    width = 3
    if cut is None:
        cut = next((i for i in positions if message.startswith((": ", "; "), i)), None)
        width = 2
    if cut is None:
        return message, []
    head, rest = message[:cut], message[cut + width :].strip()
    sentences: list[str] = []
    begin = 0
    for i in _top_level(rest):
        if rest.startswith(". ", i) and rest[i + 2 : i + 3].isupper():
            sentences.append(rest[begin : i + 1])
            begin = i + 2
    sentences.append(rest[begin:])
    return head, [s for s in sentences if s]


def snippet(f: Finding) -> list[str]:
    """The finding's source line with a caret under its span (to the end of the line when
    the span goes on), in a gutter like ``  19 | ...``."""
    line = f.source_line
    if line is None:
        return []
    offset = f.source_start  # a long line is shown around the finding, after an ellipsis
    start = min(max(f.span.column - 1 - offset, 0), len(line))
    end = f.span.end_column - 1 - offset if f.span.end_line == f.span.line else len(line)
    end = min(max(end, start + 1), max(len(line), start + 1))
    lead = ELLIPSIS if offset else ""
    # Keep tabs under tabs so the caret lines up however the terminal expands them.
    pad = " " * len(lead) + "".join(ch if ch == "\t" else " " for ch in _source(line[:start]))
    carets = "^" * max(len(_source(line[start:end])), 1)
    gutter = f"{f.span.line:>4} | "
    return [f"{'':>4} |", gutter + lead + _source(line), f"{'':>4} | {pad}{carets}"]


def _source(text: str) -> str:
    """A source line as shown: control characters as escapes, but tabs kept (they only move
    the cursor to the right)."""
    return "\t".join(printable(part) for part in text.split("\t"))


def finding_lines(f: Finding, *, colour: bool = False, show_source: bool = False) -> list[str]:
    """Every line one finding prints (the one place a finding's text is rendered)."""
    headline, details = split_message(printable(f.message))
    sev = f.severity.value.upper()
    where = f"{printable(f.file)}:{f.span.line}:{f.span.column}:"
    if colour:
        where = f"{_BOLD}{where}{_RESET}"
        sev = f"{_COLOURS[f.severity]}{sev}{_RESET}"
    tail = " (suppressed)" if f.suppressed else ""
    lines = [f"{where} {sev} {f.code} {headline}{tail}"]
    lines.extend(INDENT + d for d in details)
    if f.rendered is not None:
        lines.append(f"{INDENT}rendered: {f.rendered.describe()}")
    if f.fix:
        lines.append(f"{INDENT}fix: {printable(f.fix)}")
    if show_source:
        lines.extend(snippet(f))
    return lines


def summary(report: Report) -> str:
    """One line: counts by severity, what was checked, what was skipped."""
    errors = report.count(Severity.ERROR)
    warnings = report.count(Severity.WARNING)
    infos = report.count(Severity.INFO)
    line = (
        f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}, {_plural(infos, 'info')} "
        f"in {_plural(report.files, 'file')} ({_plural(report.documents, 'document')}, "
        f"{_plural(report.objects, 'object')}; Kubernetes {report.version})"
    )
    extras = []
    if report.suppressed:
        extras.append(f"{report.suppressed} suppressed")
    files = report.non_kubernetes_files
    if files:
        extras.append(
            "1 file is not a Kubernetes manifest"
            if files == 1
            else f"{files} files are not Kubernetes manifests"
        )
    if report.non_kubernetes:
        other = "other " if files else ""
        extras.append(
            f"{_plural(report.non_kubernetes, other + 'non-Kubernetes document')} skipped"
        )
    if extras:
        line += "; " + ", ".join(extras)
    return line


def statistics(report: Report, *, show_suppressed: bool = False) -> list[tuple[Finding, int]]:
    """A finding of each rule (a fixable one if any) with how many the rule has, most
    frequent first (the findings left out of a file's list included)."""
    counts: dict[str, int] = {}
    first: dict[str, Finding] = {}
    for f in report.findings:
        n = sum(n for _, hidden, n in f.counts() if show_suppressed or not hidden)
        if not n:
            continue
        counts[f.code] = counts.get(f.code, 0) + n
        if f.code not in first or (f.fixable and not first[f.code].fixable):
            first[f.code] = f
    order = sorted(counts, key=lambda code: (-counts[code], code))
    return [(first[code], counts[code]) for code in order]


def write(
    report: Report,
    out: Output,
    *,
    colour: bool = False,
    show_suppressed: bool = False,
    show_source: bool = False,
    quiet: bool = False,
    statistics_only: bool = False,
    **_: object,
) -> None:
    listed = False
    if statistics_only:
        rows = statistics(report, show_suppressed=show_suppressed)
        width = max((len(f.severity.value) for f, _ in rows), default=0)
        for f, count in rows:
            fixable = "  [fixable]" if f.fixable else ""
            out.write(f"{count:>5}  {f.code}  {f.severity.value:<{width}}  {f.name}{fixable}\n")
            listed = True
    else:
        previous: str | None = None
        for f in report.findings:
            if f.suppressed and not show_suppressed:
                continue
            if previous is not None and f.file != previous:
                out.write("\n")
            previous = f.file
            out.write(
                "".join(
                    line + "\n" for line in finding_lines(f, colour=colour, show_source=show_source)
                )
            )
            listed = True
    if quiet:
        return
    if listed:
        out.write("\n")
    for note in report.notes:
        out.write(f"note: {printable(note)}\n")
    out.write(summary(report) + "\n")
