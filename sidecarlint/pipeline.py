"""The pipeline: parse → locate → validate → rules → (report), one file at a time."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, cast

from sidecarlint.finding import (
    NAME_EXCERPT,
    Finding,
    ObjectRef,
    Severity,
    Span,
    YPath,
    excerpt,
    format_path,
)
from sidecarlint.locate import (
    ConfigMaps,
    CustomPodPath,
    KubeObject,
    Pod,
    Workload,
    is_kubernetes,
    is_partial,
    iter_objects,
    locate,
)
from sidecarlint.locate import workload_for as _workload_for
from sidecarlint.parse import MAX_DEPTH, MAX_NODES, Document, ParseProblem, iter_stream
from sidecarlint.records import FrozenRecord, Record, replace
from sidecarlint.registry import ALWAYS_REPORTED, Hit, Options, Rule, RuleContext, registry
from sidecarlint.sources import (
    MAX_FILE_SIZE,
    PIECE_SIZE,
    ReadError,
    Source,
    StreamError,
    chart_of,
    discover,
    read_pieces,
    text_pieces,
)
from sidecarlint.suppress import CommentScanner, Suppressions, annotation_codes
from sidecarlint.validate import VALIDATED_KINDS, Validator
from sidecarlint.versions import DEFAULT

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
#: Objects of one input whose check waits for the end of the input, because they mount a
#: ConfigMap it has not defined yet (it may come later); past this many, or past
#: :data:`MAX_DEFERRED_TEXT` characters of their documents (which wait with them), they are
#: checked at once.
MAX_DEFERRED = 64
MAX_DEFERRED_TEXT = 8 << 20

#: Findings of one rule listed for one file; past it they are counted in one finding, so
#: what a file costs to report does not grow with its findings.
MAX_FINDINGS = 1000
#: Notes kept for one file (one per object at most); the rest are counted in one note.
MAX_NOTES = 100
#: The most nodes a workload object may have to be checked (validated and ruled): checking
#: holds a few kilobytes per node and schema error, so a larger object is reported instead.
#: Seventeen times the largest workload of a corpus of 2,202 real ones (1,156 nodes).
MAX_OBJECT_NODES = 20_000

#: Gives a file's text again, piece by piece, each time it is called.
Pieces = Callable[[], Iterable[str]]
#: Findings of a file held before they are settled (listed or counted, see
#: :meth:`_Engine._settle`).
_SETTLED_AT = 256
#: Findings no annotation suppresses.
_NOT_BY_ANNOTATION = frozenset({"SCL900", "SCL901", "SCL999"})


class _Annotation(Record):
    """A ``sidecarlint.io/ignore[-all]`` annotation of the object being checked."""

    #: The rules it suppresses (None: all).
    codes: frozenset[str] | None
    path: YPath
    key: str
    unknown: tuple[str, ...]
    #: It suppressed a finding.
    used: bool

    def __init__(
        self,
        codes: frozenset[str] | None,
        path: YPath,
        key: str,
        unknown: tuple[str, ...],
        used: bool = False,
    ) -> None:
        self.codes = codes
        self.path = path
        self.key = key
        self.unknown = unknown
        self.used = used


class Settings(FrozenRecord):
    """Everything that decides what a run reports (built by the CLI from flags and config)."""

    version: str
    gates: tuple[tuple[str, bool], ...]
    #: Enabled rule codes; None means each rule's default.
    enabled: frozenset[str] | None
    severities: tuple[tuple[str, Severity], ...]
    options: Options
    pod_paths: tuple[CustomPodPath, ...]
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    #: (glob, codes): rules that do not apply to the files a glob matches.
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...]
    #: What relative globs are relative to (the configuration file's directory).
    root: str
    follow_symlinks: bool
    max_file_size: int
    max_depth: int
    max_nodes: int
    #: Findings listed per rule and file; the rest are counted in one finding.
    max_findings: int
    validate: bool
    jobs: int
    debug: bool
    #: Skip Helm chart templates (``skip``) or check them as they are (``check``).
    chart_templates: str
    #: Attach each finding's source line (``--show-source``).
    source_lines: bool
    #: Attach each finding's ``primaryLocationLineHash`` (SARIF output).
    line_hashes: bool
    #: Render kustomizations (``auto``: when a renderer is found; ``never``; ``always``).
    kustomize: str
    #: Render Helm charts (``auto``, ``never``, ``always``) ...
    helm: str
    #: ... with these values files.
    helm_values: tuple[str, ...]

    def __init__(
        self,
        version: str = DEFAULT,
        gates: tuple[tuple[str, bool], ...] = (),
        enabled: frozenset[str] | None = None,
        severities: tuple[tuple[str, Severity], ...] = (),
        options: Options | None = None,
        pod_paths: tuple[CustomPodPath, ...] = (),
        include: tuple[str, ...] = (),
        exclude: tuple[str, ...] = (),
        per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = (),
        root: str = ".",
        follow_symlinks: bool = False,
        max_file_size: int = MAX_FILE_SIZE,
        max_depth: int = MAX_DEPTH,
        max_nodes: int = MAX_NODES,
        max_findings: int = MAX_FINDINGS,
        validate: bool = True,
        jobs: int = 1,
        debug: bool = False,
        chart_templates: str = "skip",
        source_lines: bool = False,
        line_hashes: bool = False,
        kustomize: str = "auto",
        helm: str = "auto",
        helm_values: tuple[str, ...] = (),
    ) -> None:
        self.version = version
        self.gates = gates
        self.enabled = enabled
        self.severities = severities
        self.options = Options() if options is None else options
        self.pod_paths = pod_paths
        self.include = include
        self.exclude = exclude
        self.per_file_ignores = per_file_ignores
        self.root = root
        self.follow_symlinks = follow_symlinks
        self.max_file_size = max_file_size
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.max_findings = max_findings
        self.validate = validate
        self.jobs = jobs
        self.debug = debug
        self.chart_templates = chart_templates
        self.source_lines = source_lines
        self.line_hashes = line_hashes
        self.kustomize = kustomize
        self.helm = helm
        self.helm_values = helm_values

    def context(self) -> RuleContext:
        from sidecarlint.features import effective_gates

        return RuleContext(
            self.version, effective_gates(self.version, dict(self.gates)), self.options
        )

    def ignored_in(self, file: str) -> frozenset[str]:
        """The codes ``per-file-ignores`` turns off for ``file``."""
        if not self.per_file_ignores:
            return frozenset()
        from sidecarlint.sources import path_matches

        codes: set[str] = set()
        for glob, ignored in self.per_file_ignores:
            if path_matches(file, glob, self.root):
                codes |= ignored
        return frozenset(codes - ALWAYS_REPORTED)

    def is_enabled(self, rule: Rule) -> bool:
        if self.enabled is None:
            return rule.default_enabled
        return rule.code in self.enabled or rule.code in ALWAYS_REPORTED


class FileResult(Record):
    """What checking one file produced."""

    file: str
    findings: list[Finding]
    documents: int
    objects: int
    non_kubernetes: int
    notes: list[str]
    internal_errors: int
    #: Read and parsed, but holds no Kubernetes object (a values file, a workflow, ...).
    not_kubernetes: bool
    #: ``file:line:col: what happened`` for each internal error, reported or not.
    crashes: list[str]

    def __init__(
        self,
        file: str,
        findings: list[Finding] | None = None,
        documents: int = 0,
        objects: int = 0,
        non_kubernetes: int = 0,
        notes: list[str] | None = None,
        internal_errors: int = 0,
        not_kubernetes: bool = False,
        crashes: list[str] | None = None,
    ) -> None:
        self.file = file
        self.findings = [] if findings is None else findings
        self.documents = documents
        self.objects = objects
        self.non_kubernetes = non_kubernetes
        self.notes = [] if notes is None else notes
        self.internal_errors = internal_errors
        self.not_kubernetes = not_kubernetes
        self.crashes = [] if crashes is None else crashes

    def crashed(self, span: Span, message: str) -> None:
        """Count an internal error, and say where and what it was."""
        self.internal_errors += 1
        if len(self.crashes) < MAX_NOTES:  # the first few are shown; all are counted
            self.crashes.append(f"{self.file}:{span.line}:{span.column}: {message}")


class Report(Record):
    """The result of a run: what reporters see.

    Its findings are a list in file order (:func:`collect`), or, when the run streams
    (:func:`run` with ``stream``), an iterator that checks the files as it is read, one
    file's findings at a time: then the counts and notes are complete once it is
    exhausted, and reporters read them after the findings.
    """

    version: str
    findings: Iterable[Finding]
    files: int
    documents: int
    objects: int
    #: Documents without apiVersion and kind in files that do hold Kubernetes objects.
    non_kubernetes: int
    notes: list[str]
    internal_errors: int
    #: The rules the run had enabled (SARIF lists them).
    rules: list[Rule]
    #: Files that were read and parsed but hold no Kubernetes object.
    non_kubernetes_files: int
    #: The name findings in stdin carry (``-`` unless ``--stdin-filename`` gave one).
    stdin_name: str
    #: Files left out on purpose (Helm chart templates), with a note per chart.
    skipped_files: int
    #: ``file:line:col: what happened`` for each internal error, reported or not.
    crashes: list[str]

    def __init__(
        self,
        version: str,
        findings: Iterable[Finding],
        files: int = 0,
        documents: int = 0,
        objects: int = 0,
        non_kubernetes: int = 0,
        notes: list[str] | None = None,
        internal_errors: int = 0,
        rules: list[Rule] | None = None,
        non_kubernetes_files: int = 0,
        stdin_name: str = "-",
        skipped_files: int = 0,
        crashes: list[str] | None = None,
    ) -> None:
        self.version = version
        self.findings = findings
        self.files = files
        self.documents = documents
        self.objects = objects
        self.non_kubernetes = non_kubernetes
        self.notes = [] if notes is None else notes
        self.internal_errors = internal_errors
        self.rules = [] if rules is None else rules
        self.non_kubernetes_files = non_kubernetes_files
        self.stdin_name = stdin_name
        self.skipped_files = skipped_files
        self.crashes = [] if crashes is None else crashes
        #: Findings counted by (severity, suppressed) as they stream (None: a list, counted
        #: when asked).
        self._tally: dict[tuple[Severity, bool], int] | None = None

    def tally(self) -> dict[tuple[Severity, bool], int]:
        """How many findings there are of each severity, suppressed or not (those left out
        of a file's list included)."""
        if self._tally is not None:
            return self._tally
        tally: dict[tuple[Severity, bool], int] = {}
        _count(tally, self.findings)
        return tally

    def count(self, severity: Severity) -> int:
        return self.tally().get((severity, False), 0)

    @property
    def suppressed(self) -> int:
        return sum(n for (_, hidden), n in self.tally().items() if hidden)

    def exit_code(self, fail_on: str) -> int:
        """0: nothing at or above ``fail_on``; 1: findings; 2: an internal error happened."""
        if self.internal_errors:
            return 2
        if fail_on == "never":
            return 0
        threshold = Severity(fail_on).rank
        active = (sev for (sev, hidden), n in self.tally().items() if n and not hidden)
        return 1 if any(sev.rank >= threshold for sev in active) else 0


def _count(tally: dict[tuple[Severity, bool], int], findings: Iterable[Finding]) -> None:
    for f in findings:
        for severity, hidden, n in f.counts():
            key = (severity, hidden)
            tally[key] = tally.get(key, 0) + n


class _Engine:
    """Per-run state shared by every file: rules to run, the context, severity overrides."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.registry = registry()
        self.context = settings.context()
        self.severities = dict(settings.severities)
        self.rules = [
            r
            for r in self.registry.rules
            if r.check is not None and settings.is_enabled(r) and r.applies_to(settings.version)
        ]
        self.validator: Validator | None = None
        if settings.validate and any(
            settings.is_enabled(self.registry.by_code[c]) for c in ("SCL003", "SCL004", "SCL005")
        ):
            self.validator = Validator(settings.version)
        self._kustomize_dirs: dict[str, bool] = {}
        self._ignored: tuple[str, frozenset[str]] = ("", frozenset())
        # The file at hand: findings listed per rule, those left out, notes left out.
        self._listed: dict[str, int] = {}
        self._omitted: dict[str, tuple[Finding, dict[tuple[Severity, bool], int]]] = {}
        self._notes_omitted = 0
        # Suppressions that apply to the findings being added, and where they start.
        self._directives: Suppressions | None = None
        self._annotations: list[_Annotation] = []
        self._unsettled = 0

    def finding(
        self,
        code: str,
        message: str,
        file: str,
        span: Span,
        *,
        document: int | None = None,
        obj: ObjectRef | None = None,
        path: str | None = None,
        container: str | None = None,
        severity: Severity | None = None,
        fix: str | None = None,
        fixable: bool = False,
        ypath: YPath | None = None,
    ) -> Finding | None:
        rule = self.registry.by_code[code]
        if not self.settings.is_enabled(rule) or code in self._ignored_in(file):
            return None
        sev = self.severities.get(code) or severity or rule.severity
        if ypath is not None and path is None:
            path = format_path(ypath)
        if obj is not None:
            obj = _short_ref(obj)
        if container is not None:
            container = excerpt(container, NAME_EXCERPT)
        return Finding(
            code,
            rule.name,
            sev,
            message,
            file,
            span,
            document,
            obj,
            path,
            container,
            fix,
            fixable,
            ypath=ypath,
        )

    def _ignored_in(self, file: str) -> frozenset[str]:
        if self._ignored[0] != file:
            self._ignored = (file, self.settings.ignored_in(file))
        return self._ignored[1]

    def _kustomize_input(self, file: str) -> bool:
        """A file in a kustomize directory: its objects are bases or patches, not manifests."""
        if file == "-":
            return False
        directory = os.path.dirname(file) or "."
        known = self._kustomize_dirs.get(directory)
        if known is None:
            known = any(os.path.isfile(os.path.join(directory, n)) for n in KUSTOMIZATION_FILES)
            self._kustomize_dirs[directory] = known
        return known

    def lint_text(self, text: str, file: str) -> FileResult:
        result = self.lint_stream([text], file)
        self._annotate(result, lambda: [text])
        return result

    def lint_stream(
        self,
        pieces: Iterable[str],
        file: str,
        *,
        rendered: bool = False,
        documents: list[Document] | None = None,
        stdin: bool = False,
    ) -> FileResult:
        """Check a file given as text pieces (each ending at a line break, but the last);
        a :class:`StreamError` from the pieces becomes an SCL006 finding after what was
        read before it.

        ``rendered``: the pieces are a renderer's output, whose findings are mapped back to
        source files afterwards (:mod:`sidecarlint.rendering`); its comments and
        per-file-ignores then apply where the findings land, not here. ``documents``
        collects the parsed documents, for that mapping. ``stdin``: ``file`` is the name
        given to stdin, which holds no kustomize input (it is rendered output, if anything).
        """
        result = FileResult(file)
        self._listed, self._omitted, self._notes_omitted = {}, {}, 0
        kustomize = not (rendered or stdin) and self._kustomize_input(file)
        base = os.path.basename(file)
        if rendered:
            self._ignored = (file, frozenset())
        elif base in KUSTOMIZATION_FILES and not stdin:
            result.notes.append(
                f"{file}: kustomization file skipped; check the rendered output instead: "
                "'kubectl kustomize DIR | sidecarlint check -'"
            )
            return result
        comments = CommentScanner(self.registry)
        # Directives found so far: when a document comes out of the parser, every line it
        # spans has been scanned, and so has every directive that can suppress its findings.
        directives = comments.result

        def scanned() -> Iterator[str]:
            for piece in pieces:
                if not rendered:
                    comments.feed(piece)
                yield piece

        stream = iter_stream(
            scanned(), file, max_depth=self.settings.max_depth, max_nodes=self.settings.max_nodes
        )
        config_maps = ConfigMaps()
        deferred: list[KubeObject] = []
        self._directives, self._annotations, self._unsettled = directives, [], 0
        try:
            for doc in stream:
                if isinstance(doc, ParseProblem):
                    self._keep(
                        result,
                        self.finding(doc.code, doc.message, file, doc.span, document=doc.document),
                    )
                    continue
                result.documents += 1
                if documents is not None:
                    documents.append(doc)
                if not is_kubernetes(doc.data):
                    result.non_kubernetes += 1
                    continue
                for obj in iter_objects(doc):
                    if obj.kind == "Kustomization":
                        self._note(result, f"{file}: Kustomization object skipped")
                        continue
                    result.objects += 1
                    if obj.kind == "ConfigMap":
                        config_maps.add(obj)
                    self._lint_object(result, obj, kustomize, config_maps, deferred)
        except StreamError as exc:
            self._keep(result, self.finding("SCL006", exc.error.message, file, exc.error.span))
        # Pods that mount a ConfigMap defined later in the input, now that it has been read.
        for obj in deferred:
            self._lint_object(result, obj, kustomize, config_maps)
        self._settle(result)
        # The directives' own problems: no directive applies to them.
        self._directives = None
        for problem in directives.problems:
            self._keep(result, self.finding("SCL901", problem.message, file, problem.span))
        self._unused_directives(result, directives)
        self._settle(result)
        self._close(result)
        result.not_kubernetes = not result.objects and not any(
            f.code == "SCL001" for f in result.findings
        )
        return result

    def _keep(self, result: FileResult, finding: Finding | None) -> None:
        """Add a finding of the file being checked; they are settled a batch at a time, so
        that the findings a file holds at once do not grow past ``max_findings`` a rule."""
        if finding is not None:
            result.findings.append(finding)
            if len(result.findings) - self._unsettled >= _SETTLED_AT:
                self._settle(result)

    def _settle(self, result: FileResult) -> None:
        """The findings not settled yet are final but for suppressions: apply the
        annotations of the object being checked and the comment directives of the file,
        and list each finding unless its rule has reached ``max_findings`` for this file,
        else count it."""
        findings = result.findings
        limit = self.settings.max_findings
        listed = self._listed
        directives = self._directives
        match = directives.match if directives is not None and directives.directives else None
        annotations = self._annotations
        kept = start = self._unsettled
        for i in range(start, len(findings)):
            finding = findings[i]
            code = finding.code
            if annotations and not finding.suppressed and code not in _NOT_BY_ANNOTATION:
                for annotation in annotations:
                    if annotation.codes is None or code in annotation.codes:
                        finding = replace(finding, suppressed=True)
                        annotation.used = True
                        break
            if (
                match is not None
                and not finding.suppressed
                and code not in ("SCL900", "SCL901")
                and match(code, finding.span.line) is not None
            ):
                finding = replace(finding, suppressed=True)
            count = listed.get(code, 0)
            if count < limit:
                listed[code] = count + 1
                findings[kept] = finding
                kept += 1
                continue
            omitted = self._omitted.get(code)
            if omitted is None:
                omitted = self._omitted[code] = (finding, {})
            key = (finding.severity, finding.suppressed)
            omitted[1][key] = omitted[1].get(key, 0) + 1
        del findings[kept:]
        self._unsettled = kept

    def _close(self, result: FileResult) -> None:
        """One finding for each rule that had findings left out, and one note for the
        notes left out."""
        limit = self.settings.max_findings
        for code, (first, counts) in self._omitted.items():
            total = sum(counts.values())
            suppressed = sum(n for (_, hidden), n in counts.items() if hidden)
            active = [sev for (sev, hidden) in counts if not hidden] or [sev for sev, _ in counts]
            hidden = f" ({suppressed:,} of them suppressed)" if suppressed else ""
            more = (
                f"1 more {code} finding in this file is not listed{hidden} — it is here"
                if total == 1
                else f"{total:,} more {code} findings in this file are not listed{hidden} — "
                "the first of them is here"
            )
            most = (
                "At most 1 finding per rule and file is"
                if limit == 1
                else f"At most {limit:,} findings per rule and file are"
            )
            result.findings.append(
                replace(
                    first,
                    severity=max(active, key=lambda sev: sev.rank),
                    message=(
                        f"{more}. {most} listed (max-findings); the ones left out are counted "
                        "in the summary"
                    ),
                    fix=None,
                    fixable=False,
                    suppressed=suppressed == total,
                    ypath=None,
                    related=(),
                    omitted=tuple((sev, hid, n) for (sev, hid), n in counts.items()),
                )
            )
        if self._notes_omitted:
            result.notes.append(
                f"{result.file}: {self._notes_omitted:,} more notes about this file are not shown"
            )

    def _note(self, result: FileResult, note: str) -> None:
        """Keep a note about an object (at most :data:`MAX_NOTES` of them per file)."""
        if len(result.notes) < MAX_NOTES:
            result.notes.append(note)
        else:
            self._notes_omitted += 1

    def _annotate(
        self, result: FileResult, pieces: Pieces, hash_pieces: Pieces | None = None
    ) -> None:
        """Attach what some outputs show besides the finding: its source line, its line
        hash (of ``hash_pieces()``, the file as GitHub reads it, when given), from the
        file's text given again by ``pieces()``."""
        settings = self.settings
        if not result.findings or not (settings.source_lines or settings.line_hashes):
            return
        from sidecarlint.annotate import annotate

        result.findings = annotate(
            result.findings,
            pieces,
            source_lines=settings.source_lines,
            line_hashes=settings.line_hashes,
            hash_pieces=hash_pieces,
        )

    def _unused_directives(self, result: FileResult, suppressions: Suppressions) -> None:
        for directive in suppressions.directives:
            if not directive.used:
                self._keep(
                    result,
                    self.finding(
                        "SCL900",
                        f"suppression '{directive.text}' suppresses nothing",
                        result.file,
                        directive.span,
                    ),
                )

    def _lint_object(
        self,
        result: FileResult,
        obj: KubeObject,
        kustomize: bool,
        config_maps: ConfigMaps | None = None,
        deferred: list[KubeObject] | None = None,
    ) -> None:
        """Check one object; with ``deferred``, a pod that mounts a ConfigMap the input has
        not defined yet is put there instead, to be checked at the end of the input."""
        workload = _workload_for(obj, self.settings.pod_paths)
        if (workload is not None or obj.kind in VALIDATED_KINDS) and _too_large(obj):
            doc = obj.doc
            ref = _short_ref(obj.ref)
            self._keep(
                result,
                self.finding(
                    "SCL001",
                    f"{ref.kind}/{ref.name or '?'} has more than {MAX_OBJECT_NODES:,} nodes "
                    "(values, lists and mappings), the most checked in one workload object; "
                    "this object is not checked",
                    doc.file,
                    doc.span(obj.path),
                    document=doc.index,
                    obj=obj.ref,
                    ypath=obj.path,
                ),
            )
            return
        pod = locate(obj, workload) if workload is not None else None
        if pod is not None and config_maps is not None:
            if (
                deferred is not None
                and len(deferred) < MAX_DEFERRED
                and config_maps.missing(pod)
                and _text(obj) + sum(map(_text, deferred)) <= MAX_DEFERRED_TEXT
            ):
                deferred.append(obj)
                return
            pod.config_maps = config_maps
        self._settle(result)  # what came before is not this object's
        self._annotations = self._annotations_of(obj, pod)
        self._check_object(result, obj, workload, pod, kustomize)
        self._settle(result)
        annotations, self._annotations = self._annotations, []
        for annotation in annotations:
            self._annotation_findings(result, obj, annotation)

    def _annotations_of(self, obj: KubeObject, pod: Pod | None) -> list[_Annotation]:
        """``sidecarlint.io/ignore[-all]`` on the object or its pod template."""
        places: list[tuple[tuple[str | int, ...], object]] = [
            ((*obj.path, "metadata", "annotations"), obj.metadata.get("annotations"))
        ]
        if pod is not None and pod.workload.kind != "Pod":
            places.append(
                (
                    (*pod.template_path, "metadata", "annotations"),
                    pod.template_metadata.get("annotations"),
                )
            )
        out = []
        for path, values in places:
            codes, applies, unknown, keys = annotation_codes(values, self.registry)
            if applies:
                out.append(_Annotation(codes, (*path, keys[0]), keys[0], tuple(unknown)))
        return out

    def _annotation_findings(
        self, result: FileResult, obj: KubeObject, annotation: _Annotation
    ) -> None:
        """An annotation's unknown rules, and whether it suppressed nothing."""
        doc = obj.doc
        if annotation.unknown:
            self._keep(
                result,
                self.finding(
                    "SCL901",
                    f"annotation {annotation.key} names unknown rule(s): "
                    + ", ".join(excerpt(name) for name in annotation.unknown),
                    doc.file,
                    doc.span(annotation.path),
                    document=doc.index,
                    obj=obj.ref,
                    ypath=annotation.path,
                ),
            )
        if not annotation.used:
            self._keep(
                result,
                self.finding(
                    "SCL900",
                    f"annotation {annotation.key} suppresses nothing on this object",
                    doc.file,
                    doc.span(annotation.path, key=True),
                    document=doc.index,
                    obj=obj.ref,
                    ypath=annotation.path,
                ),
            )

    def _check_object(
        self,
        result: FileResult,
        obj: KubeObject,
        workload: Workload | None,
        pod: Pod | None,
        kustomize: bool,
    ) -> None:
        partial = is_partial(obj, workload, pod) or (kustomize and workload is not None)
        if partial:
            ref = _short_ref(obj.ref)
            why = "is in a kustomize directory" if kustomize else "looks like a kustomize patch"
            self._note(
                result,
                f"{obj.doc.file}: {ref.kind}/{ref.name or '?'} {why}; only field types "
                "are checked (check 'kubectl kustomize' output for the rest)",
            )
        if self.validator is not None and obj.kind in VALIDATED_KINDS:
            doc = obj.doc
            for violation in self.validator.validate(obj, partial=partial):
                self._keep(
                    result,
                    self.finding(
                        violation.code,
                        violation.message,
                        doc.file,
                        doc.span(violation.path, key=violation.key),
                        document=doc.index,
                        obj=obj.ref,
                        ypath=violation.path,
                    ),
                )
        if pod is None or partial:
            return
        for rule in self.rules:
            assert rule.check is not None
            try:
                for hit in rule.check(pod, self.context):
                    self._keep(result, self._from_hit(rule, pod, hit))
            except Exception as exc:  # contained: one rule on one object
                detail = excerpt(f"{type(exc).__name__}: {exc}", NAME_EXCERPT)
                if self.settings.debug:
                    import sys
                    import traceback

                    from sidecarlint.report._escape import printable

                    sys.stderr.write(f"{printable(obj.doc.file)}: {traceback.format_exc()}")
                ref = _short_ref(obj.ref)
                message = (
                    f"rule {rule.code} ({rule.name}) crashed on {ref.kind}/{ref.name or '?'}: "
                )
                span = obj.doc.span((*obj.path, "kind"), key=True)
                result.crashed(span, message + detail)
                self._keep(
                    result,
                    self.finding(
                        "SCL999",
                        message + detail,
                        obj.doc.file,
                        span,
                        document=obj.doc.index,
                        obj=ref,
                        path=format_path(pod.path),
                        ypath=(*obj.path, "kind"),
                    ),
                )

    def _from_hit(self, rule: Rule, pod: Pod, hit: Hit) -> Finding | None:
        doc: Document = pod.doc
        finding = self.finding(
            rule.code,
            hit.message,
            doc.file,
            doc.span(hit.path, key=hit.key),
            document=doc.index,
            obj=pod.obj.ref,
            container=hit.container.name if hit.container else None,
            severity=hit.severity,
            fix=hit.fix,
            fixable=hit.fixable,
            ypath=hit.path,
        )
        if finding is None or not hit.related:
            return finding
        related = tuple((doc.span(path), text) for path, text in hit.related)
        return replace(finding, related=related)

    @staticmethod
    def _add(result: FileResult, finding: Finding | None) -> None:
        if finding is not None:
            result.findings.append(finding)

    def lint_source(self, source: Source) -> FileResult:
        """Check one file, read piece by piece. When an output needs source lines
        (``--show-source``, SARIF line hashes), the file is read again afterwards, only as
        far as its findings (stdin, which cannot be read again, is kept aside as it is read:
        in a temporary file once it is large)."""
        settings = self.settings
        pieces = read_pieces(source, settings.max_file_size)
        annotated = (settings.source_lines or settings.line_hashes) and not isinstance(
            pieces, ReadError
        )
        spool = None
        if annotated and source.path is None:
            from sidecarlint.annotate import Spool

            spool = Spool()
            pieces = spool.tee(cast("Iterable[str]", pieces))
        try:
            result = self.lint_read(pieces, source.display, stdin=source.path is None)
            if annotated and result.findings:
                again: Pieces = (
                    spool.pieces if spool is not None else lambda: _read_again(source, settings)
                )
                raw = None
                if settings.line_hashes and source.path is not None:
                    raw = _github_pieces(source.path)
                self._annotate(result, again, raw)
        finally:
            if spool is not None:
                spool.close()
        return result

    def lint_read(
        self, pieces: Iterable[str] | ReadError, file: str, stdin: bool = False
    ) -> FileResult:
        """Check what reading ``file`` gave: its text in pieces, or why it could not be
        read. ``stdin``: ``file`` is the name given to stdin."""
        if isinstance(pieces, ReadError):
            result = FileResult(file)
            self._add(result, self.finding("SCL006", pieces.message, file, pieces.span))
            return result
        try:
            return self.lint_stream(pieces, file, stdin=stdin)
        except (RecursionError, MemoryError) as exc:
            result = FileResult(file)
            self._add(
                result,
                self.finding(
                    "SCL001",
                    f"file could not be processed within limits ({type(exc).__name__}); "
                    "not checked",
                    file,
                    Span(1, 1, 1, 1),
                ),
            )
            return result
        except Exception as exc:  # contained: one file
            if self.settings.debug:
                import sys
                import traceback

                from sidecarlint.report._escape import printable

                sys.stderr.write(f"{printable(file)}: {traceback.format_exc()}")
            return self.file_failed(file, f"checking this file failed: {type(exc).__name__}: {exc}")

    def file_failed(self, file: str, message: str) -> FileResult:
        """The result of a file that could not be checked for an internal error."""
        result = FileResult(file)
        span = Span(1, 1, 1, 1)
        result.crashed(span, message)
        self._add(result, self.finding("SCL999", message, file, span))
        return result


def _too_large(obj: KubeObject) -> bool:
    """Whether ``obj`` has more than :data:`MAX_OBJECT_NODES` nodes. A document of fewer
    than half as many characters and no alias cannot hold that many: it is not counted."""
    source = obj.doc.source
    if source is not None and "*" not in source.text and 2 * len(source.text) <= MAX_OBJECT_NODES:
        return False
    count = 0
    stack: list[Any] = [obj.data]
    while stack:
        value = stack.pop()
        count += 1
        if count > MAX_OBJECT_NODES:
            return True
        if isinstance(value, dict):
            count += len(value)  # the keys
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _text(obj: KubeObject) -> int:
    """Characters of the document holding ``obj`` (what waits with it when it is deferred)."""
    source = obj.doc.source
    return len(source.text) if source is not None else 0


def _short_ref(ref: ObjectRef) -> ObjectRef:
    """``ref`` with names no cluster accepts cut (see :data:`NAME_EXCERPT`)."""
    values = (ref.api_version, ref.kind, ref.name, ref.namespace)
    if all(v is None or len(v) <= NAME_EXCERPT for v in values):
        return ref
    return ObjectRef(*(None if v is None else excerpt(v, NAME_EXCERPT) for v in values))


def _read_again(source: Source, settings: Settings) -> Iterable[str]:
    """The pieces of a file read again (none if it cannot be read any more)."""
    pieces = read_pieces(source, settings.max_file_size)
    return () if isinstance(pieces, ReadError) else pieces


def _github_pieces(path: str) -> Pieces | None:
    """The file as GitHub's upload action reads it (its bytes as UTF-8), piece by piece, if
    that can differ from the text checked: if it has a byte-order mark."""
    import codecs

    try:
        with open(path, "rb") as handle:
            start = handle.read(4)
    except OSError:
        return None
    if not start.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None

    def pieces() -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        try:
            with open(path, "rb") as handle:
                while block := handle.read(PIECE_SIZE):
                    yield decoder.decode(block)
        except OSError:
            return
        yield decoder.decode(b"", final=True)

    return pieces


#: Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 16


def lint_sources(sources: Sequence[Source], settings: Settings) -> Iterator[FileResult]:
    """Check sources in order, in parallel when ``settings.jobs > 1`` and it pays off."""
    jobs = settings.jobs
    files = [s for s in sources if s.path is not None]
    if jobs > 1 and len(files) >= PARALLEL_THRESHOLD and len(files) == len(sources):
        from sidecarlint.workers import lint_in_workers

        yield from lint_in_workers(sources, settings)
        return
    engine = _Engine(settings)
    for source in sources:
        yield engine.lint_source(source)


def collect(results: Iterable[FileResult], version: str) -> Report:
    """Merge per-file results into a sorted report."""
    findings: list[Finding] = []
    report = Report(version, findings)
    for result in results:
        if result.file:  # a result with no file holds a rendering's findings
            report.files += 1
        findings.extend(result.findings)
        _merge(report, result)
        report.notes.extend(result.notes)
        report.crashes.extend(result.crashes)
    findings.sort(key=lambda f: f.sort_key)
    return report


def _merge(report: Report, result: FileResult) -> None:
    report.documents += result.documents
    report.objects += result.objects
    if result.not_kubernetes:
        report.non_kubernetes_files += 1
    else:
        report.non_kubernetes += result.non_kubernetes
    report.internal_errors += result.internal_errors


def _streamed(
    report: Report, results: Iterable[FileResult], order: Sequence[int]
) -> Iterator[Finding]:
    """The findings of ``results`` (checked in file-name order) in report order, one file
    at a time, counted into ``report`` as they go; ``order`` is each result's place in the
    order the files were found, which notes and internal errors keep."""
    tally: dict[tuple[Severity, bool], int] = {}
    report._tally = tally
    notes: list[tuple[int, list[str], list[str]]] = []
    group: list[Finding] = []
    current: str | None = None
    for index, result in zip(order, results, strict=True):
        _merge(report, result)
        _count(tally, result.findings)
        if result.notes or result.crashes:
            notes.append((index, result.notes, result.crashes))
        if result.file != current:
            group.sort(key=lambda f: f.sort_key)
            yield from group
            group, current = [], result.file
        group.extend(result.findings)
        result.findings = []
    group.sort(key=lambda f: f.sort_key)
    yield from group
    notes.sort(key=lambda entry: entry[0])
    report.notes[:0] = [note for _, file_notes, _ in notes for note in file_notes]
    report.crashes[:0] = [crash for _, _, crashes in notes for crash in crashes]


def run(
    paths: Sequence[str],
    settings: Settings,
    *,
    stdin_name: str | None = None,
    stream: bool = False,
    reports: Sequence[str] = (),
) -> Report:
    """Check every file under ``paths`` (``-`` is stdin, reported as ``stdin_name`` when
    given) and return the report.

    With ``stream``, the files are checked as the report's findings are read (one file's
    findings held at a time; see :class:`Report`), unless kustomizations or charts are
    rendered. ``reports``, the files the report is being written to, are not checked.
    """
    sources = discover(
        paths,
        include=settings.include,
        exclude=settings.exclude,
        follow_symlinks=settings.follow_symlinks,
    )
    if stdin_name:
        sources = [Source(stdin_name, None) if s.path is None else s for s in sources]
    if reports:
        sources = _without(sources, reports)
    charts: dict[str, list[Source]] = {}
    if settings.chart_templates == "skip":
        sources, charts = _without_chart_templates(sources)
    if not charts and not _near_kustomization(sources):
        if stream:
            order = sorted(range(len(sources)), key=lambda i: sources[i].display)
            report = Report(settings.version, [], files=len(sources))
            checked = lint_sources([sources[i] for i in order], settings)
            report.findings = _streamed(report, checked, order)
        else:
            report = collect(lint_sources(sources, settings), settings.version)
    else:
        # Kustomizations and charts are rendered (sidecarlint.rendering), starting while
        # the other files are checked. Renderings are checked whole, and their findings
        # land in any file: this report is held (still bounded per file by max-findings).
        from sidecarlint.rendering import Plan

        plan = Plan.make(sources, charts, settings)
        plan.start()
        results = list(lint_sources(plan.sources, settings))
        results.extend(plan.finish())
        report = collect(results, settings.version)
        report.notes.extend(plan.notes)
        report.skipped_files = plan.skipped_files
    report.stdin_name = stdin_name or "-"
    report.rules = [r for r in registry().rules if settings.is_enabled(r)]
    return report


def _without(sources: list[Source], paths: Sequence[str]) -> list[Source]:
    """``sources`` without the files at ``paths`` (the reports being written)."""
    targets = []
    for path in paths:
        try:
            targets.append(os.stat(path))
        except OSError:
            continue
    if not targets:
        return sources
    kept = []
    for source in sources:
        try:
            st = os.stat(source.path) if source.path is not None else None
        except OSError:
            st = None
        if st is None or not any(os.path.samestat(st, target) for target in targets):
            kept.append(source)
    return kept


def _near_kustomization(sources: Sequence[Source]) -> bool:
    """Whether a file to check lies beside a kustomization file."""
    seen: set[str] = set()
    for source in sources:
        if source.path is None:
            continue
        directory = os.path.dirname(source.path) or "."
        if directory in seen:
            continue
        seen.add(directory)
        if any(os.path.isfile(os.path.join(directory, n)) for n in KUSTOMIZATION_FILES):
            return True
    return False


def _without_chart_templates(
    sources: list[Source],
) -> tuple[list[Source], dict[str, list[Source]]]:
    """The sources that are not Helm chart templates, and the templates of each chart
    (stdin is never a template: it is what ``helm template`` printed)."""
    kept: list[Source] = []
    charts: dict[str, list[Source]] = {}
    for source in sources:
        chart = chart_of(source.display) if source.path is not None else None
        if chart is None:
            kept.append(source)
        else:
            charts.setdefault(chart, []).append(source)
    return kept, charts


def pods(paths: Sequence[str], settings: Settings) -> Iterator[Pod]:
    """Every located pod under ``paths`` (for explain-pod); unreadable files are skipped."""
    sources = discover(
        paths,
        include=settings.include,
        exclude=settings.exclude,
        follow_symlinks=settings.follow_symlinks,
    )
    for source in sources:
        pieces = read_pieces(source, settings.max_file_size)
        if isinstance(pieces, ReadError):
            continue
        try:
            found = list(pods_in_text(pieces, source.display, settings))
        except StreamError:
            continue
        yield from found


def pods_in_text(text: str | Iterable[str], file: str, settings: Settings) -> Iterator[Pod]:
    """Every located pod of one text (or its pieces), in order; documents that fail to
    parse are skipped."""
    pieces = [text] if isinstance(text, str) else text
    config_maps = ConfigMaps()
    found: list[Pod] = []
    for doc in iter_stream(pieces, file, max_depth=settings.max_depth):
        if isinstance(doc, ParseProblem) or not is_kubernetes(doc.data):
            continue
        for obj in iter_objects(doc):
            if obj.kind == "ConfigMap":
                config_maps.add(obj)
            workload = _workload_for(obj, settings.pod_paths)
            pod = locate(obj, workload) if workload is not None else None
            if pod is not None:
                pod.config_maps = config_maps
                found.append(pod)
    yield from found


def lint_text(text: str, file: str = "-", settings: Settings | None = None) -> list[Finding]:
    """Check one text and return its sorted findings (the library entry point)."""
    result = _Engine(settings or Settings()).lint_text(text, file)
    return sorted(result.findings, key=lambda f: f.sort_key)


class Linter:
    """Checks texts held in memory (an editor's buffers) with fixed settings.

    :meth:`lint` gives what ``check`` gives for a file holding the same text: the same
    size and content limits, the same engine and suppressions. The engine is built once,
    so a long-running caller pays for rules and schemas only on its first text.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine = _Engine(settings)

    def lint(self, text: str, file: str) -> FileResult:
        """Check ``text`` as the contents of ``file``; findings in file order."""
        settings = self.settings
        pieces = text_pieces(text, settings.max_file_size)
        result = self._engine.lint_read(pieces, file)
        if not isinstance(pieces, ReadError):
            self._engine._annotate(result, lambda: [text])
        result.findings.sort(key=lambda f: f.sort_key)
        return result


__all__ = [
    "FileResult",
    "Linter",
    "Report",
    "Settings",
    "collect",
    "lint_text",
    "pods_in_text",
    "replace",
    "run",
]
