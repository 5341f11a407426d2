"""Safe autofix: ``--fix`` rewrites files, ``--diff`` shows what would change.

Each fix edits one document through ruamel.yaml's round-trip mode, which keeps comments,
key order, quoting and flow/block style. A document is only rewritten when round-tripping
it *unchanged* reproduces its bytes exactly (indentation styles are detected); every other
document of the file, and every byte outside the edited documents, is left as it was.
Files are written atomically (temporary file, then rename) with their mode preserved.
"""

from __future__ import annotations

import difflib
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from sidecarlint.finding import Finding, YPath
from sidecarlint.parse import split_documents
from sidecarlint.records import Record

FIXABLE = frozenset(["SCL102", "SCL103", "SCL104", "SCL203", "SCL401"])
MAX_ROUNDS = 3
#: (mapping indent, sequence indent, sequence dash offset) styles tried for round-trips.
_STYLES = ((2, 2, 0), (2, 4, 2), (4, 4, 0), (4, 6, 2), (2, 4, 0))


class FileFix(Record):
    """What fixing one file did."""

    file: str
    original: str
    fixed: str
    fixed_findings: list[Finding]
    refused: list[tuple[Finding, str]]

    def __init__(
        self,
        file: str,
        original: str,
        fixed: str,
        fixed_findings: list[Finding] | None = None,
        refused: list[tuple[Finding, str]] | None = None,
    ) -> None:
        self.file = file
        self.original = original
        self.fixed = fixed
        self.fixed_findings = [] if fixed_findings is None else fixed_findings
        self.refused = [] if refused is None else refused

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def diff(self) -> str:
        from sidecarlint.report._escape import printable

        name = printable(self.file)
        return "".join(
            difflib.unified_diff(
                self.original.splitlines(keepends=True),
                self.fixed.splitlines(keepends=True),
                fromfile=f"a/{name.lstrip('/')}" if name != "-" else "stdin",
                tofile=f"b/{name.lstrip('/')}" if name != "-" else "stdout",
            )
        )


class _NotSafe(Exception):
    pass


def _yaml(style: tuple[int, int, int]) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    mapping, sequence, offset = style
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: Any, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _round_trip(body: str) -> tuple[Any, Any]:
    """Load ``body`` with a style that dumps it back byte for byte, or raise _NotSafe."""
    for style in _STYLES:
        yaml = _yaml(style)
        try:
            data = yaml.load(body)
        except Exception as exc:  # ruamel raises many types
            raise _NotSafe(f"the round-trip parser rejects this document ({exc})") from None
        if _dump(yaml, data) == body:
            return yaml, data
    raise _NotSafe(
        "rewriting this document would change bytes outside the fix (its formatting does not "
        "survive a round-trip)"
    )


def _node(data: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        data = data[part]
    return data


def _insert_after(mapping: Any, after: Iterable[str], key: str, value: Any) -> None:
    keys = list(mapping)
    position = len(keys)
    for name in after:
        if name in keys:
            position = keys.index(name) + 1
            break
    mapping.insert(position, key, value)


def _container_path(path: YPath) -> YPath:
    return path[:-1] if path and path[-1] == "name" else path


def _apply(data: Any, finding: Finding) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    path = finding.ypath or ()
    if finding.code in ("SCL102", "SCL103"):
        container = _container_path(path)
        spec = _node(data, container[:-2])
        index = container[-1]
        assert isinstance(index, int)
        containers = spec["containers"]
        # A comment on the line above the moved container belongs to it, not to its list.
        comment = containers.ca.items.get(index)
        item = containers.pop(index)
        if "restartPolicy" not in item:
            _insert_after(item, ("image", "name"), "restartPolicy", "Always")
        else:
            item["restartPolicy"] = "Always"
        if isinstance(spec.get("initContainers"), list):
            spec["initContainers"].insert(0, item)
        else:
            keys = list(spec)
            position = keys.index("containers") if "containers" in keys else len(keys)
            spec.insert(position, "initContainers", CommentedSeq([item]))
        if comment is not None:
            spec["initContainers"].ca.items[0] = comment
    elif finding.code == "SCL104":
        item = _node(data, _container_path(path))
        _insert_after(item, ("image", "name"), "restartPolicy", "Always")
    elif finding.code == "SCL203":
        mount = _node(data, path)
        mount["readOnly"] = True
    elif finding.code == "SCL401":
        fix = finding.fix or ""
        key, _, value = fix.removeprefix("Add annotation ").partition(": ")
        metadata = _node(data, path[:-2])
        if not isinstance(metadata.get("annotations"), dict):
            _insert_after(metadata, ("labels", "name"), "annotations", CommentedMap())
        metadata["annotations"][key] = DoubleQuotedScalarString(value.strip('"'))


def _order(finding: Finding) -> tuple[Any, ...]:
    # Edits in place first (their paths are still valid), then moves, later containers
    # first so that earlier indexes stay valid.
    path = finding.ypath or ()
    moves = finding.code in ("SCL102", "SCL103")
    return (moves, tuple(-p if isinstance(p, int) else 0 for p in path))


def fix_text(text: str, file: str, findings: Sequence[Finding]) -> FileFix:
    """Apply every fixable finding of one file's text."""
    result = FileFix(file, text, text)
    wanted = [f for f in findings if f.fixable and f.code in FIXABLE and f.ypath is not None]
    if not wanted:
        return result
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body_text = text[len(bom) :]
    crlf = "\r\n" in body_text
    if crlf:
        body_text = body_text.replace("\r\n", "\n")
    chunks = split_documents(body_text)
    by_document: dict[int, list[Finding]] = {}
    for finding in wanted:
        by_document.setdefault(finding.document or 0, []).append(finding)
    # Map document indexes to chunks (empty chunks hold no document).
    index = 0
    new_chunks: list[str] = []
    for _, chunk in chunks:
        header, body = _split_header(chunk)
        if not body.strip() or body.strip() == "...":
            new_chunks.append(chunk)
            continue
        todo = by_document.get(index, [])
        index += 1
        if not todo:
            new_chunks.append(chunk)
            continue
        try:
            yaml, data = _round_trip(body)
            for finding in sorted(todo, key=_order):
                _apply(data, finding)
            new_chunks.append(header + _dump(yaml, data))
            result.fixed_findings.extend(todo)
        except _NotSafe as exc:
            new_chunks.append(chunk)
            result.refused.extend((f, str(exc)) for f in todo)
        except (KeyError, IndexError, TypeError, AttributeError, AssertionError) as exc:
            new_chunks.append(chunk)
            result.refused.extend((f, f"the fix does not apply here ({exc!r})") for f in todo)
    fixed = "".join(new_chunks)
    if crlf:
        fixed = fixed.replace("\n", "\r\n")
    result.fixed = bom + fixed
    return result


def _split_header(chunk: str) -> tuple[str, str]:
    """A chunk's ``---`` line (kept verbatim) and the document body."""
    if chunk.startswith("---"):
        newline = chunk.find("\n")
        if newline < 0:
            return chunk, ""
        return chunk[: newline + 1], chunk[newline + 1 :]
    return "", chunk


def write_atomically(path: str, text: str) -> None:
    """Replace ``path`` with ``text`` so that a crash cannot leave it truncated."""
    directory = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777
    fd, temp = tempfile.mkstemp(prefix=".sidecarlint-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


class FixOutcome(Record):
    """The result of fixing a run's files."""

    files: list[FileFix]
    #: The report after fixing: fixed files re-linted, the others as they were.
    report: Any

    def __init__(self, files: list[FileFix], report: Any) -> None:
        self.files = files
        self.report = report

    @property
    def fixed(self) -> int:
        return sum(len(f.fixed_findings) for f in self.files if f.changed)

    @property
    def remaining(self) -> int:
        return sum(1 for f in self.report.findings if not f.suppressed)


def fix_report(report: Any, settings: Any, *, write: bool) -> FixOutcome:
    """Fix every file of ``report`` that has fixable findings; write them when ``write``."""
    from sidecarlint.pipeline import _Engine
    from sidecarlint.records import replace
    from sidecarlint.sources import Source, read_source, stdin_text

    by_file: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.fixable and not finding.suppressed and finding.code in FIXABLE:
            by_file.setdefault(finding.file, []).append(finding)
    engine = _Engine(settings)
    fixes: list[FileFix] = []
    relinted: dict[str, Any] = {}
    for file, findings in sorted(by_file.items()):
        stdin = file == getattr(report, "stdin_name", "-")
        text = stdin_text() if stdin else read_source(Source(file, file))
        if not isinstance(text, str):
            continue
        result = fix_text(text, file, findings)
        # A fix can make another one possible (a helper moved to initContainers becomes a
        # sidecar whose read-only mount is then fixable): repeat until nothing changes.
        for _ in range(MAX_ROUNDS):
            if not result.changed:
                break
            again = [
                f
                for f in engine.lint_text(result.fixed, file).findings
                if f.fixable and not f.suppressed and f.code in FIXABLE
            ]
            step = fix_text(result.fixed, file, again)
            if not step.changed:
                break
            result.fixed = step.fixed
            result.fixed_findings.extend(step.fixed_findings)
            result.refused.extend(step.refused)
        if result.changed and write and not stdin:
            try:
                write_atomically(file, result.fixed)
            except OSError as exc:
                why = f"cannot write the file ({exc.strerror or exc})"
                result.refused.extend((f, why) for f in result.fixed_findings)
                result.fixed, result.fixed_findings = result.original, []
        fixes.append(result)
        if result.changed:
            relinted[file] = engine.lint_text(result.fixed, file)
    notes = list(report.notes)
    for result in fixes:
        for finding, why in result.refused:
            notes.append(
                f"{finding.file}:{finding.span.line}:{finding.span.column}: "
                f"{finding.code} not fixed: {why}"
            )
    findings = [f for f in report.findings if f.file not in relinted]
    findings += [f for r in relinted.values() for f in r.findings]
    findings.sort(key=lambda f: f.sort_key)
    after = replace(
        report,
        findings=findings,
        notes=notes,
        internal_errors=report.internal_errors + sum(r.internal_errors for r in relinted.values()),
        crashes=report.crashes + [c for r in relinted.values() for c in r.crashes],
    )
    return FixOutcome(fixes, after)
