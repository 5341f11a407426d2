"""Safe autofix: ``--fix`` rewrites files, ``--diff`` shows what would change.

Each fix edits one document through ruamel.yaml's round-trip mode, which keeps comments,
key order, quoting and flow/block style. A document is only rewritten when round-tripping
it *unchanged* reproduces its bytes exactly (indentation styles are detected); every other
document of the file, and every byte outside the edited documents, is left as it was.

A fix can never change what it did not mean to change. For each file:

- the file is locked (an advisory ``flock`` on POSIX, so two ``--fix`` runs take turns),
  then read and checked again under the lock: the fix is computed from the bytes it
  replaces, and a file reached by two names is fixed once;
- a fix applies only where the shape it expects is there, and after fixing, the parsed
  documents must equal the original ones plus exactly the intended change (the objects are
  compared), or the file is left alone with a note;
- the result keeps the file's encoding (UTF-8 or UTF-16), byte-order mark and
  line endings;
- just before it is replaced, the file must still hold the bytes that were read;
- a read-only file, a file with several hard links and a file over ``max-file-size`` are
  left alone with a note; a symlink is written through (its target is replaced), never
  replaced itself;
- the new text goes to ``.NAME.sidecarlint-XXXXXXXXXXXXXXXX.tmp`` next to the file, which
  is then renamed over it (atomic) with the file's mode, owner and group; a temporary file
  left by a killed run is removed by the next run that fixes the same file.
"""

from __future__ import annotations

import copy
import difflib
import io
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from typing import Any

from sidecarlint.finding import Finding, YPath
from sidecarlint.parse import split_documents
from sidecarlint.records import Record

FIXABLE = frozenset(["SCL102", "SCL103", "SCL104", "SCL203", "SCL401"])
MAX_ROUNDS = 3
#: (mapping indent, sequence indent, sequence dash offset) styles tried for round-trips.
_STYLES = ((2, 2, 0), (2, 4, 2), (4, 4, 0), (4, 6, 2), (2, 4, 0))
#: Seconds to wait for another process's lock on a file before leaving it alone.
LOCK_TIMEOUT = 10.0
_TEMP_MARK = ".sidecarlint-"
_TEMP_SUFFIX = ".tmp"
_TEMP_TOKEN = 16  # hex digits


class FileFix(Record):
    """What fixing one file did."""

    file: str
    original: str
    fixed: str
    fixed_findings: list[Finding]
    refused: list[tuple[Finding, str]]
    #: The codec of the file, which the fixed text is written in (a byte-order mark is part
    #: of the text, as U+FEFF).
    encoding: str

    def __init__(
        self,
        file: str,
        original: str,
        fixed: str,
        fixed_findings: list[Finding] | None = None,
        refused: list[tuple[Finding, str]] | None = None,
        encoding: str = "utf-8",
    ) -> None:
        self.file = file
        self.original = original
        self.fixed = fixed
        self.fixed_findings = [] if fixed_findings is None else fixed_findings
        self.refused = [] if refused is None else refused
        self.encoding = encoding

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def fixed_bytes(self) -> bytes:
        return self.fixed.encode(self.encoding)

    def undo(self, why: str) -> None:
        """Leave the file as it was: every fix made is refused for ``why``."""
        self.refused.extend((f, why) for f in self.fixed_findings)
        self.fixed, self.fixed_findings = self.original, []

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


def _mapping(data: Any, path: Sequence[str | int], what: str) -> Any:
    """The mapping at ``path``, or _NotSafe when something else is there."""
    try:
        node = _node(data, path)
    except (KeyError, IndexError, TypeError):
        node = None
    if not isinstance(node, dict):
        raise _NotSafe(f"the fix does not apply here: {what} is not a mapping")
    return node


def _list_or_absent(mapping: Any, key: str) -> None:
    """A list the fix adds to must be a list where it is written (or absent, or empty)."""
    if mapping.get(key) is not None and not isinstance(mapping[key], list):
        raise _NotSafe(f"the fix does not apply here: {key} is not a list")


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


def _move_target(data: Any, finding: Finding) -> tuple[Any, int]:
    """The pod spec holding the container to move to initContainers, and its index."""
    container = _container_path(finding.ypath or ())
    spec = _mapping(data, container[:-2], "the pod spec")
    index = container[-1]
    containers = spec.get("containers")
    if (
        not isinstance(index, int)
        or not isinstance(containers, list)
        or not 0 <= index < len(containers)
        or not isinstance(containers[index], dict)
    ):
        raise _NotSafe("the fix does not apply here: the container is not where it was found")
    _list_or_absent(spec, "initContainers")
    return spec, index


def _annotation(finding: Finding) -> tuple[str, str]:
    fix = finding.fix or ""
    key, _, value = fix.removeprefix("Add annotation ").partition(": ")
    return key, value.strip('"')


def _apply(data: Any, finding: Finding) -> None:
    """Make the change a finding's fix stands for, in round-trip data (keeping comments)."""
    from ruamel.yaml.comments import CommentedSeq

    path = finding.ypath or ()
    if finding.code in ("SCL102", "SCL103"):
        spec, index = _move_target(data, finding)
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
        elif "initContainers" in spec:  # written but empty
            spec["initContainers"] = CommentedSeq([item])
        else:
            keys = list(spec)
            position = keys.index("containers") if "containers" in keys else len(keys)
            spec.insert(position, "initContainers", CommentedSeq([item]))
        if comment is not None:
            spec["initContainers"].ca.items[0] = comment
    elif finding.code == "SCL104":
        item = _mapping(data, _container_path(path), "the container")
        _insert_after(item, ("image", "name"), "restartPolicy", "Always")
    elif finding.code == "SCL203":
        _mapping(data, path, "the volume mount")["readOnly"] = True
    elif finding.code == "SCL401":
        key, value = _annotation(finding)
        _set_annotation(_mapping(data, path[:-2], "metadata"), key, value)


def _intended(data: Any, finding: Finding) -> None:
    """The same change as :func:`_apply`, on plain parsed data: what the fixed file must
    parse to. Written separately, so that what round-tripping does besides is caught."""
    path = finding.ypath or ()
    if finding.code in ("SCL102", "SCL103"):
        container = _container_path(path)
        spec = _node(data, container[:-2])
        item = spec["containers"].pop(container[-1])
        item["restartPolicy"] = "Always"
        spec["initContainers"] = [item, *(spec.get("initContainers") or [])]
    elif finding.code == "SCL104":
        _node(data, _container_path(path))["restartPolicy"] = "Always"
    elif finding.code == "SCL203":
        _node(data, path)["readOnly"] = True
    elif finding.code == "SCL401":
        key, value = _annotation(finding)
        _intended_annotation(_node(data, path[:-2]), key, value)


def _set_annotation(metadata: Any, key: str, value: str) -> None:
    """Set annotation ``key`` in round-trip ``metadata``; only where annotations are a
    mapping, absent or empty."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if metadata.get("annotations") is not None and not isinstance(metadata["annotations"], dict):
        raise _NotSafe("the fix does not apply here: annotations is not a mapping")
    if not isinstance(metadata.get("annotations"), dict):
        if "annotations" in metadata:
            metadata["annotations"] = CommentedMap()
        else:
            _insert_after(metadata, ("labels", "name"), "annotations", CommentedMap())
    metadata["annotations"][key] = DoubleQuotedScalarString(value)


def _intended_annotation(metadata: Any, key: str, value: str) -> None:
    """:func:`_set_annotation` on plain parsed data."""
    metadata["annotations"] = {**(metadata.get("annotations") or {}), key: value}


def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types (``1`` is not ``True``, ``"1"`` is not ``1``)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b or (a != a and b != b))  # NaN equals NaN here


def _verify(original: str, fixed: str, applied: Mapping[int, Sequence[Edit]]) -> str | None:
    """Why ``fixed`` is not ``original`` plus exactly the changes of ``applied`` (by
    document index; compared as parsed documents), or None when it is."""
    from sidecarlint.parse import parse_text

    before, after = parse_text(original, "before"), parse_text(fixed, "after")
    expected = {d.index: copy.deepcopy(d.data) for d in before.documents}
    try:
        for index, edits in applied.items():
            for _, _, intended in edits:
                intended(expected[index])
    except (KeyError, IndexError, TypeError, AttributeError):
        return "the fix does not apply to the document as parsed"
    got = {d.index: d.data for d in after.documents}
    if [p.code for p in before.problems] != [p.code for p in after.problems] or not (
        expected.keys() == got.keys() and all(_same(expected[i], got[i]) for i in expected)
    ):
        return "the rewritten file would not be the original plus exactly this fix; left unchanged"
    return None


def _order(finding: Finding) -> tuple[Any, ...]:
    # Edits in place first (their paths are still valid), then moves, later containers
    # first so that earlier indexes stay valid.
    path = finding.ypath or ()
    moves = finding.code in ("SCL102", "SCL103")
    return (finding.document or 0, moves, tuple(-p if isinstance(p, int) else 0 for p in path))


def _line_endings(text: str) -> str | None:
    """``"\r\n"`` or ``"\n"``, the file's line ending; None when it mixes them."""
    crlf = text.count("\r\n")
    if crlf == 0:
        return "\n"
    return "\r\n" if crlf == text.count("\n") else None


def fix_text(text: str, file: str, findings: Sequence[Finding]) -> FileFix:
    """Apply every fixable finding of one file's text."""
    wanted = [f for f in findings if f.fixable and f.code in FIXABLE and f.ypath is not None]
    by_document: dict[int, list[Finding]] = {}
    for finding in wanted:
        by_document.setdefault(finding.document or 0, []).append(finding)
    edits = {
        index: [
            (f, partial(_apply, finding=f), partial(_intended, finding=f))
            for f in sorted(todo, key=_order)
        ]
        for index, todo in by_document.items()
    }
    return edit_documents(text, file, edits)


#: One change to one document, and the finding it is made for: the change made to the
#: round-trip data (keeping comments), and the same change made to plain parsed data (what
#: the rewritten document must parse to).
Edit = tuple[Finding, Callable[[Any], None], Callable[[Any], None]]


def edit_documents(text: str, file: str, edits: Mapping[int, Sequence[Edit]]) -> FileFix:
    """Make ``edits`` (by document index) through the round-trip parser; a document whose
    edits cannot be made safely is left as it was and its findings are refused. The result
    keeps the text's byte-order mark and line endings, and is used only when it parses to
    the original plus exactly the edits made (else nothing is changed)."""
    result = FileFix(file, text, text)
    if not edits:
        return result
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body_text = text[len(bom) :]
    newline = _line_endings(body_text)
    if newline is None:
        result.refused.extend(
            (f, "the file mixes CRLF and LF line endings; rewriting would change them")
            for todo in edits.values()
            for f, *_ in todo
        )
        return result
    body_text = body_text.replace("\r\n", "\n")
    chunks = split_documents(body_text)
    # Map document indexes to chunks (empty chunks hold no document).
    index = 0
    new_chunks: list[str] = []
    applied: dict[int, Sequence[Edit]] = {}
    for _, chunk in chunks:
        header, body = _split_header(chunk)
        if not body.strip() or body.strip() == "...":
            new_chunks.append(chunk)
            continue
        todo = edits.get(index, ())
        index += 1
        if not todo:
            new_chunks.append(chunk)
            continue
        try:
            yaml, data = _round_trip(body)
            for _, change, _ in todo:
                change(data)
            new_chunks.append(header + _dump(yaml, data))
            result.fixed_findings.extend(f for f, *_ in todo)
            applied[index - 1] = todo
        except _NotSafe as exc:
            new_chunks.append(chunk)
            result.refused.extend((f, str(exc)) for f, *_ in todo)
        except (KeyError, IndexError, TypeError, AttributeError, AssertionError) as exc:
            new_chunks.append(chunk)
            result.refused.extend((f, f"the fix does not apply here ({exc!r})") for f, *_ in todo)
    result.fixed = bom + "".join(new_chunks).replace("\n", newline)
    if result.changed:
        why = _verify(text, result.fixed, applied)
        if why is not None:
            result.undo(why)
    return result


def fixable(findings: Iterable[Finding]) -> list[Finding]:
    """The findings ``--fix`` fixes: fixable and not suppressed."""
    return [f for f in findings if f.fixable and not f.suppressed and f.code in FIXABLE]


def fix_file(
    text: str,
    file: str,
    findings: Sequence[Finding],
    lint: Callable[[str, str], Iterable[Finding]],
) -> FileFix:
    """What ``--fix`` makes of one file's text (and the language server of an open one):
    every fixable finding fixed, then the text checked again (``lint(text, file)``) and
    fixed again while that changes it. Every round is held to :func:`edit_documents`'
    checks."""
    result = fix_text(text, file, fixable(findings))
    # A fix can make another one possible (a helper moved to initContainers becomes a
    # sidecar whose read-only mount is then fixable): repeat until nothing changes.
    for _ in range(MAX_ROUNDS):
        if not result.changed:
            break
        step = fix_text(result.fixed, file, fixable(lint(result.fixed, file)))
        result.refused.extend(step.refused)
        if not step.changed:
            break
        result.fixed = step.fixed
        result.fixed_findings.extend(step.fixed_findings)
    return result


def add_annotation(
    text: str, file: str, finding: Finding, metadata: YPath, key: str, value: str
) -> FileFix:
    """Set annotation ``key`` to ``value`` in the ``metadata`` mapping of the document of
    ``finding``, keeping everything else (as a fix does, with the same checks)."""

    def change(data: Any) -> None:
        _set_annotation(_mapping(data, metadata, "metadata"), key, value)

    def intended(data: Any) -> None:
        _intended_annotation(_node(data, metadata), key, value)

    return edit_documents(text, file, {finding.document or 0: [(finding, change, intended)]})


def _split_header(chunk: str) -> tuple[str, str]:
    """A chunk's ``---`` line (kept verbatim) and the document body."""
    if chunk.startswith("---"):
        newline = chunk.find("\n")
        if newline < 0:
            return chunk, ""
        return chunk[: newline + 1], chunk[newline + 1 :]
    return "", chunk


class Refused(Exception):
    """A file that is left as it is, and why."""


def _temp_name(base: str) -> str:
    return f".{base}{_TEMP_MARK}{os.urandom(_TEMP_TOKEN // 2).hex()}{_TEMP_SUFFIX}"


def _is_temp_of(name: str, base: str) -> bool:
    """``name`` is a temporary file made by :func:`write_atomically` for ``base``."""
    prefix = f".{base}{_TEMP_MARK}"
    token = name[len(prefix) : -len(_TEMP_SUFFIX)]
    return (
        name.startswith(prefix)
        and name.endswith(_TEMP_SUFFIX)
        and len(token) == _TEMP_TOKEN
        and all(c in "0123456789abcdef" for c in token)
    )


def write_atomically(path: str, data: bytes, like: os.stat_result | None = None) -> None:
    """Replace ``path`` with ``data`` so that a crash cannot leave it truncated.

    The new file gets the mode, owner and group of ``like`` (default: of ``path``), or
    :class:`Refused` when it cannot have them. A run killed before the rename leaves
    ``.NAME.sidecarlint-XXXXXXXXXXXXXXXX.tmp`` next to the file, which the next run that
    fixes the file removes (:class:`_Leftovers`).
    """
    st = os.stat(path) if like is None else like
    directory, base = os.path.split(os.path.abspath(path))
    temp = os.path.join(directory, _temp_name(base))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temp, flags | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            made = os.fstat(handle.fileno())
            if (made.st_uid, made.st_gid) != (st.st_uid, st.st_gid):
                try:
                    os.fchown(handle.fileno(), st.st_uid, st.st_gid)
                except (OSError, AttributeError):
                    raise Refused("its owner and group could not be kept") from None
            os.chmod(temp, st.st_mode & 0o7777)
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise


class _Leftovers:
    """Temporary files that killed runs left, by directory (each listed once per run)."""

    def __init__(self) -> None:
        self._names: dict[str, list[str]] = {}

    def remove(self, path: str) -> None:
        """Remove the leftovers of ``path``. Called while holding the file's lock: a run
        writes a file's temporary only while holding it, so none of them is in use."""
        directory, base = os.path.split(path)
        names = self._names.get(directory)
        if names is None:
            try:
                names = self._names[directory] = [
                    n for n in os.listdir(directory or ".") if _TEMP_MARK in n
                ]
            except OSError:
                return
        for name in names:
            if _is_temp_of(name, base):
                with suppress(OSError):
                    os.unlink(os.path.join(directory, name))


@contextmanager
def _locked(path: str) -> Iterator[int]:
    """An open descriptor of ``path`` with an exclusive advisory lock on the file that is at
    ``path`` now (not on one that another run has since replaced)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no advisory locks
        fcntl = None  # type: ignore[assignment]
    deadline = time.monotonic() + LOCK_TIMEOUT
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    while True:
        fd = os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))
        try:
            while fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise Refused(
                            f"another process has held its lock for {LOCK_TIMEOUT:g} s"
                        ) from None
                    time.sleep(0.02)
            held, now = os.fstat(fd), os.stat(path)
        except BaseException:
            os.close(fd)
            raise
        if (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino):
            break
        os.close(fd)  # replaced while we waited: lock the new file
    try:
        yield fd
    finally:
        os.close(fd)  # and with it the lock


def _unwritable(path: str, st: os.stat_result) -> str | None:
    """Why a file must not be replaced, or None."""
    if st.st_nlink > 1:
        return f"it has {st.st_nlink} hard links, which replacing it would split"
    geteuid = getattr(os, "geteuid", None)
    if geteuid is not None and geteuid() == 0:
        writable = bool(st.st_mode & 0o222)  # root may write anything: honour the mode
    else:
        writable = os.access(path, os.W_OK)
    return None if writable else "it is read-only"


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
        # Those left out of a file's list (past max-findings) count too.
        return sum(n for f in self.report.findings for _, hidden, n in f.counts() if not hidden)


class _Fixer:
    """Fixes files one at a time: each is read, analysed and fixed afresh."""

    def __init__(self, settings: Any, write: bool) -> None:
        from sidecarlint.pipeline import _Engine

        self.engine = _Engine(settings)
        self.max_size: int = settings.max_file_size
        self.write = write
        self.leftovers = _Leftovers()

    def fix_bytes(self, data: bytes, file: str) -> tuple[FileFix, Any]:
        """The fix of a file's bytes, and the file's analysis once fixed (or as it is)."""
        from sidecarlint.sources import check_size, decode, text_encoding

        problem = check_size(data, self.max_size)
        text = decode(data) if problem is None else problem
        if not isinstance(text, str):
            raise Refused(text.message)
        analysis = self.engine.lint_text(text, file)
        result = fix_file(
            text, file, analysis.findings, lambda t, f: self.engine.lint_text(t, f).findings
        )
        result.encoding = text_encoding(data)
        return result, self.engine.lint_text(result.fixed, file) if result.changed else analysis

    def fix_path(self, file: str) -> tuple[FileFix, Any]:
        """Fix one file; its symlinks are followed, and the file they lead to is replaced."""
        from sidecarlint.sources import NotRegular, read_fd, read_file

        target = os.path.realpath(file)
        try:
            if not self.write:
                return self.fix_bytes(read_file(target, self.max_size), file)
            with _locked(target) as fd:
                st = os.fstat(fd)
                data = read_fd(fd, self.max_size)
                result, after = self.fix_bytes(data, file)
                if not result.changed:
                    return result, after
                why = _unwritable(target, st)
                now = os.stat(target)
                if why is None and (
                    (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino)
                    or read_fd(fd, self.max_size) != data
                ):
                    why = "it changed while it was being fixed; run again"
                if why is None:
                    self.leftovers.remove(target)
                    try:
                        write_atomically(target, result.fixed_bytes(), st)
                    except Refused as exc:
                        why = str(exc)
                    except OSError as exc:
                        why = f"cannot write the file ({exc.strerror or exc})"
                if why is not None:
                    raise Refused(why)
                return result, after
        except NotRegular as exc:
            raise Refused(str(exc)) from None
        except OSError as exc:
            raise Refused(f"cannot read the file ({exc.strerror or exc})") from None


def fix_report(report: Any, settings: Any, *, write: bool) -> FixOutcome:
    """Fix every file of ``report`` that has fixable findings; write them when ``write``.

    Each file is read and analysed again, under its lock when writing: the report that
    comes back describes the files as they are after fixing.
    """
    from sidecarlint.records import replace
    from sidecarlint.sources import stdin_bytes

    files = sorted({f.file for f in fixable(report.findings)})
    fixer = _Fixer(settings, write)
    fixes: list[FileFix] = []
    analysed: dict[str, Any] = {}
    notes = list(report.notes)
    stdin = getattr(report, "stdin_name", "-")
    for file in files:
        try:
            if file == stdin:
                result, analysed[file] = fixer.fix_bytes(stdin_bytes(), file)
            else:
                result, analysed[file] = fixer.fix_path(file)
        except Refused as exc:
            notes.append(f"{file}: not fixed: {exc}")
            continue
        fixes.append(result)
        for finding, why in result.refused:
            notes.append(
                f"{finding.file}:{finding.span.line}:{finding.span.column}: "
                f"{finding.code} not fixed: {why}"
            )
    findings = [f for f in report.findings if f.file not in analysed]
    findings += [f for r in analysed.values() for f in r.findings]
    findings.sort(key=lambda f: f.sort_key)
    crashes = [c for c in report.crashes if not any(c.startswith(f"{f}:") for f in analysed)]
    crashes += [c for r in analysed.values() for c in r.crashes]
    after = replace(
        report, findings=findings, notes=notes, internal_errors=len(crashes), crashes=crashes
    )
    return FixOutcome(fixes, after)
