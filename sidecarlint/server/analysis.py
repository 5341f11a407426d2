"""What the language server knows about one version of one open document.

Nothing here speaks the protocol: findings come from the same engine as ``check``
(:class:`sidecarlint.pipeline.Linter`), fixes from :mod:`sidecarlint.fix` (the very
functions ``--fix`` uses), suppressions from :mod:`sidecarlint.suppress`, and container
hovers from the ``explain-pod`` model (:mod:`sidecarlint.timeline`). Results are plain
values: new texts, Markdown, offsets into the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from sidecarlint.finding import Finding
from sidecarlint.locate import Container, KubeObject, Pod, Role, iter_objects
from sidecarlint.parse import MAX_DEPTH, Document, ParseProblem, iter_documents
from sidecarlint.pipeline import FileResult, pods_in_text
from sidecarlint.records import Record
from sidecarlint.server.folders import FolderConfig
from sidecarlint.server.text import UTF16, TextIndex

#: Keys that mark a Kubernetes manifest even while it does not parse yet.
_API_VERSION = re.compile(r"""(?:^|[\s{,])["']?apiVersion["']?\s*:""", re.MULTILINE)
_KIND = re.compile(r"""(?:^|[\s{,])["']?kind["']?\s*:""", re.MULTILINE)

#: Findings not offered to be disabled: suppressions do not apply to SCL900 and SCL901,
#: and an internal error is a bug to report, not a finding to silence.
_NOT_DISABLED = frozenset({"SCL900", "SCL901", "SCL999"})

FIX_ALL = "source.fixAll.sidecarlint"
QUICKFIX = "quickfix"


class Action(Record):
    """A code action as plain values: what it does to the text, or why it cannot."""

    title: str
    kind: str
    findings: list[Finding]
    #: The whole text after the action (None when it cannot be taken).
    new_text: str | None
    #: Why it cannot be taken.
    disabled: str | None
    preferred: bool

    def __init__(
        self,
        title: str,
        kind: str,
        findings: list[Finding],
        new_text: str | None = None,
        disabled: str | None = None,
        preferred: bool = False,
    ) -> None:
        self.title = title
        self.kind = kind
        self.findings = findings
        self.new_text = new_text
        self.disabled = disabled
        self.preferred = preferred


def looks_like_manifest(text: str) -> bool:
    """A text that holds Kubernetes objects, or is being typed to: it has an ``apiVersion``
    key and a ``kind`` key somewhere (half-written YAML does not parse into objects yet).
    Other YAML and JSON files (workflows, compose files, package locks) are not checked."""
    return bool(_API_VERSION.search(text) and _KIND.search(text))


class Checked:
    """One version of one document, checked with its folder's configuration.

    ``findings`` are what ``check`` reports for the same text (suppressed ones left out),
    or nothing at all when the document is not checked (``skipped`` says why).
    """

    def __init__(
        self,
        text: str,
        path: str | None,
        folder: FolderConfig,
        encoding: str = UTF16,
        version: int | None = None,
    ) -> None:
        self.text = text
        self.path = path
        self.file = path if path is not None else "-"
        self.folder = folder
        self.version = version
        self.index = TextIndex(text, encoding)
        self.result: FileResult | None = None
        self.findings: list[Finding] = []
        self.skipped: str | None = None
        self._pods: list[Pod] | None = None
        self._actions: dict[tuple[str, int], Action | None] = {}
        linter = folder.linter
        if linter is None:
            self.skipped = folder.error or "no configuration"
        elif not folder.checks(path):
            self.skipped = "left out by the configuration (exclude, include, chart templates)"
        elif not looks_like_manifest(text):
            self.skipped = "not a Kubernetes manifest"
        else:
            self.result = linter.lint(text, self.file)
            self.findings = [f for f in self.result.findings if not f.suppressed]

    # positions

    def offsets(self, finding: Finding) -> tuple[int, int]:
        return self.index.span_offsets(finding.span)

    def findings_at(self, start: int, end: int | None = None) -> list[Finding]:
        """Findings whose range touches the offsets ``start``..``end``."""
        end = start if end is None else end
        out = []
        for finding in self.findings:
            first, last = self.offsets(finding)
            if first <= end and start <= last:
                out.append(finding)
        return out

    # code actions

    def actions(self, findings: list[Finding]) -> list[Action]:
        """Code actions for ``findings`` (some of :attr:`findings`): the fix of each fixable
        one, disabling each for its line and for its object, and fixing the whole file."""
        out: list[Action] = []
        for number, finding in enumerate(self.findings):
            if finding.code == "SCL999" or not any(finding is f for f in findings):
                continue
            for kind in ("fix", "line", "object"):
                action = self._action(kind, number)
                if action is not None:
                    out.append(action)
        fix_all = self._action("all", -1)
        if fix_all is not None:
            out.append(fix_all)
        return out

    def _action(self, kind: str, number: int) -> Action | None:
        key = (kind, number)
        if key not in self._actions:
            finding = self.findings[number] if number >= 0 else None
            builders: dict[str, Callable[[Finding | None], Action | None]] = {
                "fix": self._fix,
                "line": self._disable_line,
                "object": self._disable_object,
                "all": lambda _: self._fix_all(),
            }
            self._actions[key] = builders[kind](finding)
        return self._actions[key]

    def _fix(self, finding: Finding | None) -> Action | None:
        from sidecarlint.fix import FIXABLE, fix_text

        if finding is None or not finding.fixable or finding.code not in FIXABLE:
            return None
        result = fix_text(self.text, self.file, [finding])
        title = f"Fix {finding.code}: {finding.fix or finding.name}"
        if not result.changed:
            why = result.refused[0][1] if result.refused else "the fix changes nothing"
            return Action(title, QUICKFIX, [finding], disabled=why)
        return Action(title, QUICKFIX, [finding], result.fixed, preferred=True)

    def _fix_all(self) -> Action | None:
        from sidecarlint.fix import fix_file, fixable

        todo = fixable(self.findings)
        if not todo or self.folder.linter is None:
            return None
        linter = self.folder.linter
        result = fix_file(self.text, self.file, todo, lambda t, f: linter.lint(t, f).findings)
        title = "Fix all sidecarlint findings that have a fix"
        if not result.changed:
            why = result.refused[0][1] if result.refused else "the fixes change nothing"
            return Action(title, FIX_ALL, todo, disabled=why)
        return Action(title, FIX_ALL, result.fixed_findings, result.fixed)

    def _disable_line(self, finding: Finding | None) -> Action | None:
        if finding is None or finding.code in _NOT_DISABLED:
            return None
        title = f"Disable {finding.code} for this line"
        new_text = disable_line(self.text, finding.span.line, finding.code, self._parse)
        if new_text is None:
            return Action(
                title,
                QUICKFIX,
                [finding],
                disabled="no comment can be placed here without changing the document",
            )
        return Action(title, QUICKFIX, [finding], new_text)

    def _disable_object(self, finding: Finding | None) -> Action | None:
        from sidecarlint.fix import add_annotation
        from sidecarlint.suppress import IGNORE, IGNORE_ALL

        if finding is None or finding.object is None or finding.code in _NOT_DISABLED:
            return None
        obj = self._object_of(finding)
        if obj is None:
            return None
        ref = obj.ref
        title = f"Disable {finding.code} for {ref.kind}/{ref.name or '?'}"
        annotations = obj.metadata.get("annotations")
        if not isinstance(obj.data.get("metadata"), dict) or (
            isinstance(annotations, dict) and IGNORE_ALL in annotations
        ):
            return None
        existing = annotations.get(IGNORE) if isinstance(annotations, dict) else None
        codes = [c.strip() for c in str(existing or "").split(",") if c.strip()]
        value = ",".join([*codes, finding.code])
        result = add_annotation(
            self.text, self.file, finding, (*obj.path, "metadata"), IGNORE, value
        )
        if not result.changed:
            why = result.refused[0][1] if result.refused else "the annotation changes nothing"
            return Action(title, QUICKFIX, [finding], disabled=why)
        return Action(title, QUICKFIX, [finding], result.fixed)

    def _documents(self, text: str) -> Iterator[Document | ParseProblem]:
        settings = self.folder.settings
        depth = settings.max_depth if settings is not None else MAX_DEPTH
        return iter_documents(text, self.file, max_depth=depth)

    def _parse(self, text: str) -> list[Any]:
        """The documents of ``text`` as values (problems by code: their messages may name
        lines)."""
        return [d.data if isinstance(d, Document) else d.code for d in self._documents(text)]

    def _object_of(self, finding: Finding) -> KubeObject | None:
        """The object a finding belongs to (in a List, the item holding it)."""
        offset = self.offsets(finding)[0]
        for doc in self._documents(self.text):
            if not isinstance(doc, Document) or doc.index != finding.document:
                continue
            for obj in iter_objects(doc):
                if obj.ref != finding.object:
                    continue
                first, last = self.index.span_offsets(doc.span(obj.path))
                if obj.path == () or first <= offset <= last:
                    return obj
        return None

    # hovers

    @property
    def pods(self) -> list[Pod]:
        if self._pods is None:
            settings = self.folder.settings
            self._pods = (
                list(pods_in_text(self.text, self.file, settings))
                if settings is not None and self.result is not None
                else []
            )
        return self._pods

    def hover(self, offset: int) -> tuple[str, tuple[int, int]] | None:
        """Markdown for what is at ``offset`` (findings, a container name) and the range
        it covers."""
        parts: list[str] = []
        ranges: list[tuple[int, int]] = []
        for finding in self.findings_at(offset):
            parts.append(finding_hover(finding))
            ranges.append(self.offsets(finding))
        found = self.container_at(offset)
        if found is not None and self.folder.settings is not None:
            pod, container, where = found
            parts.append(container_hover(pod, container, self.folder.settings.context()))
            ranges.append(where)
        if not parts:
            return None
        # Every range holds the offset: the hover covers where they overlap.
        return "\n\n---\n\n".join(parts), (max(r[0] for r in ranges), min(r[1] for r in ranges))

    def container_at(self, offset: int) -> tuple[Pod, Container, tuple[int, int]] | None:
        """The container whose ``name`` key or value is at ``offset``."""
        for pod in self.pods:
            doc = pod.doc
            for c in pod.all_containers:
                if "name" not in c.data:
                    continue
                path = (*c.path, "name")
                key = self.index.span_offsets(doc.span(path, key=True))
                value = self.index.span_offsets(doc.span(path))
                if key[0] <= offset <= value[1]:
                    return pod, c, (key[0], value[1])
        return None


def disable_line(text: str, line: int, code: str, parse: Any) -> str | None:
    """``text`` with ``code`` disabled for ``line`` by a comment, or None when no comment
    can do that without changing what the document says (inside a block scalar, say).

    An existing ``disable=`` directive on the line, or alone on the line above, gets the
    code added; otherwise a directive is put alone on a new line above (indented like the
    line), or, failing that, at the end of the line. Each candidate is parsed again: it must
    give the same documents, and the directive must cover the line.
    """
    from sidecarlint.registry import registry
    from sidecarlint.suppress import add_to_directive, disable_comment, scan_comments

    lines = text.splitlines(keepends=True)
    if not 1 <= line <= len(lines):
        return None
    target = lines[line - 1]
    body = target.rstrip("\r\n")
    ending = target[len(body) :]
    newline = "\r\n" if "\r\n" in text else "\n"
    candidates: list[tuple[list[str], int]] = []
    extended = add_to_directive(body, code)
    if extended is not None:
        candidates.append(([*lines[: line - 1], extended + ending, *lines[line:]], line))
    if line > 1 and lines[line - 2].lstrip().startswith("#"):
        above = lines[line - 2]
        above_body = above.rstrip("\r\n")
        extended = add_to_directive(above_body, code)
        if extended is not None:
            new = extended + above[len(above_body) :]
            candidates.append(([*lines[: line - 2], new, *lines[line - 1 :]], line))
    indent = body[: len(body) - len(body.lstrip(" \t"))]
    comment = disable_comment(code)
    candidates.append(
        ([*lines[: line - 1], f"{indent}{comment}{newline}", *lines[line - 1 :]], line + 1)
    )
    candidates.append(([*lines[: line - 1], f"{body}  {comment}{ending}", *lines[line:]], line))
    before = parse(text)
    for new_lines, new_line in candidates:
        new_text = "".join(new_lines)
        if scan_comments(new_text, registry()).match(code, new_line) is None:
            continue
        if parse(new_text) == before:
            return new_text
    return None


_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
_FENCE = re.compile(r"^```\w*\n", re.MULTILINE)
_CODE = re.compile(r"`([^`\n]*)`")


def plain_text(markdown: str) -> str:
    """A hover's Markdown for clients that show plain text only."""
    text = _FENCE.sub("", markdown)
    text = _LINK.sub(r"\1: \2", text).replace("**", "").replace("\n---\n", "\n")
    return _CODE.sub(r"\1", text)


def finding_hover(finding: Finding) -> str:
    """A finding's rule: its summary, and how to fix it (the finding's own fix, else the
    rule page's corrected example), with a link to the rule page."""
    from sidecarlint.docs import help_uri, rule_sections
    from sidecarlint.registry import registry

    rule = registry().by_code.get(finding.code)
    parts = [f"**{finding.code}** `{finding.name}` · {finding.severity.value}"]
    if rule is not None:
        parts.append(rule.summary)
    if finding.fix:
        quick = " (quick fix available)" if finding.fixable else ""
        parts.append(f"**Fix{quick}:** {finding.fix}")
    else:
        sections = rule_sections(finding.code)
        use_instead = next((v for k, v in sections.items() if k.startswith("Use instead")), None)
        if use_instead:
            parts.append(f"**Fix:** as in this corrected example:\n\n{use_instead}")
    if rule is not None:
        parts.append(f"[{finding.code} {finding.name}]({help_uri(finding.code, finding.name)})")
    return "\n\n".join(parts)


#: What a container is, in words.
_KINDS = {
    Role.APP: "app container",
    Role.INIT: "init container",
    Role.SIDECAR: "sidecar",
    Role.EPHEMERAL: "ephemeral container",
}


def container_hover(pod: Pod, container: Container, ctx: Any) -> str:
    """A container's role in its Pod and its place in the start and stop order."""
    from sidecarlint.model import NEVER_EXITS, model
    from sidecarlint.timeline import start_order, stop_order

    ref = pod.obj.ref
    role = _KINDS[container.role]
    if container.is_sidecar and not ctx.native_sidecars:
        role = (
            f"init container (declared as a sidecar; Kubernetes {ctx.version} runs it as a "
            "regular init container)"
        )
    name = container.name or container.label
    lines = [f"**{role}** `{name}` of {ref.kind}/{ref.name or '?'} · Kubernetes {ctx.version}"]
    for what, steps in (("Start", start_order(pod, ctx)), ("Stop", stop_order(pod, ctx))):
        place = next(
            (
                (i, step)
                for i, step in enumerate(steps, start=1)
                if any(c is container for c in step.containers)
            ),
            None,
        )
        if place is not None:
            i, step = place
            lines.append(f"**{what}:** step {i} of {len(steps)}: {step.text}")
            lines.extend(f"- {note}" for note in step.notes if note.startswith(container.label))
        elif container.role.value == "ephemeral":
            lines.append(f"**{what}:** not in the {what.lower()} order (added to a running Pod)")
        elif what == "Stop" and model(pod, ctx).blocker(container, NEVER_EXITS) is not None:
            lines.append(
                "**Stop:** not in the stop order: it never exits, so the Pod stays in Init"
            )
        elif what == "Stop":
            lines.append(
                "**Stop:** not in the stop order: it has exited before the app containers start"
            )
    return "\n\n".join(lines)
