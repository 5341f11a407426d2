"""Kustomizations: what each one references, which ones a run renders, and rendering one
with kustomize's build metadata.

A kustomization is read with sidecarlint's own YAML reader, so every entry keeps its
position: a render error, a remote base or a patch is reported at the line that names it.

Rendering never touches the user's files. The kustomization is built through a throwaway
one in a temporary directory that lists it as its only resource and sets
``buildMetadata: [originAnnotations, transformerAnnotations]``; kustomize then annotates
every object with the file it came from (``config.kubernetes.io/origin``) and the
kustomizations whose transformers (patches, images, prefixes, ...) went over it
(``alpha.config.kubernetes.io/transformations``), at every level of nesting. The extra
level changes nothing else: a kustomization with only ``resources`` passes its one
resource through as it is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from sidecarlint.finding import Span, YPath
from sidecarlint.parse import Document
from sidecarlint.records import FrozenRecord, Record
from sidecarlint.renderers import Renderer

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
ORIGIN = "config.kubernetes.io/origin"
TRANSFORMATIONS = "alpha.config.kubernetes.io/transformations"

#: Fields whose items name a file or a directory (a directory holds a kustomization).
_FILE_OR_DIR = ("resources", "bases", "components", "generators", "transformers", "validators")
#: Fields whose items name a file.
_FILES = ("crds", "configurations", "patchesStrategicMerge")
#: Fields whose items are mappings with a ``path`` to a file.
_WITH_PATH = ("patches", "patchesJson6902", "replacements")
_GENERATORS = ("configMapGenerator", "secretGenerator")
#: Fields that may name a kustomization in another directory (a base or a component).
_NESTING = ("resources", "bases", "components")

#: What a remote reference looks like to kustomize: a URL, an scp-like git address, a
#: go-getter prefix, or a host name followed by a path (github.com/org/repo//dir?ref=v1).
_REMOTE = re.compile(
    r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://|git@|git::|gh:|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+(?::\d+)?/)"
    r"|[?&](?:ref|version|timeout|submodules)="
)


def kustomization_file(directory: str) -> str | None:
    """The kustomization file of ``directory``, if it has one."""
    for name in KUSTOMIZATION_FILES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def is_remote(value: str) -> bool:
    """Whether a reference names something kustomize would fetch over the network."""
    return bool(_REMOTE.search(value))


class Entry(FrozenRecord):
    """One reference a kustomization makes, and where it is written."""

    #: The top-level field: ``resources``, ``patches``, ...
    field: str
    #: Where the reference is in the kustomization document.
    path: YPath
    #: As written (for an inline patch: the patch text).
    value: str
    #: The absolute path it names, when it is a local file or directory that exists.
    target: str | None
    #: A URL or git reference (kustomize would fetch it).
    remote: bool
    #: An inline patch (``patch: |`` or a patchesStrategicMerge item holding YAML).
    inline: bool

    def __init__(
        self,
        field: str,
        path: YPath,
        value: str,
        target: str | None = None,
        remote: bool = False,
        inline: bool = False,
    ) -> None:
        self.field = field
        self.path = path
        self.value = value
        self.target = target
        self.remote = remote
        self.inline = inline


class Kustomization(Record):
    """One kustomization file, read with positions."""

    #: Absolute, symlinks resolved.
    directory: str
    file: str
    doc: Document | None
    #: Why the file could not be read as a kustomization (None when it could).
    problem: str | None
    entries: list[Entry]
    #: Where it could not be read (a YAML syntax error).
    where: Span | None

    def __init__(
        self,
        directory: str,
        file: str,
        doc: Document | None = None,
        problem: str | None = None,
        entries: list[Entry] | None = None,
        where: Span | None = None,
    ) -> None:
        self.directory = directory
        self.file = file
        self.doc = doc
        self.problem = problem
        self.entries = [] if entries is None else entries
        self.where = where

    @property
    def data(self) -> dict[str, Any]:
        data = self.doc.data if self.doc is not None else None
        return data if isinstance(data, dict) else {}

    @property
    def component(self) -> bool:
        return self.data.get("kind") == "Component"

    def nested(self) -> Iterator[str]:
        """Directories of the kustomizations this one builds on (bases and components)."""
        for entry in self.entries:
            if entry.field in _NESTING and entry.target is not None and os.path.isdir(entry.target):
                yield entry.target


def _mappings(data: dict[str, Any], field: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The items of a list field that are mappings, with their indexes."""
    items = data.get(field)
    for i, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict):
            yield i, item


def _entries(directory: str, data: dict[str, Any]) -> list[Entry]:
    out: list[Entry] = []

    def reference(field: str, path: YPath, value: Any, *, may_be_inline: bool = False) -> None:
        if not isinstance(value, str) or not value.strip():
            return
        if may_be_inline and ("\n" in value or value.lstrip().startswith(("{", "apiVersion:"))):
            out.append(Entry(field, path, value, inline=True))
            return
        local = os.path.join(directory, value)
        if os.path.exists(local):
            out.append(Entry(field, path, value, os.path.realpath(local)))
        else:
            out.append(Entry(field, path, value, remote=is_remote(value)))

    for field in (*_FILE_OR_DIR, *_FILES):
        items = data.get(field)
        if isinstance(items, list):
            for i, item in enumerate(items):
                reference(field, (field, i), item, may_be_inline=field == "patchesStrategicMerge")
    for field in _WITH_PATH:
        for i, item in _mappings(data, field):
            if isinstance(item.get("patch"), str):
                out.append(Entry(field, (field, i, "patch"), item["patch"], inline=True))
            reference(field, (field, i, "path"), item.get("path"))
    openapi = data.get("openapi")
    if isinstance(openapi, dict):
        reference("openapi", ("openapi", "path"), openapi.get("path"))
    for field in _GENERATORS:
        for i, item in _mappings(data, field):
            for key in ("files", "envs"):
                values = item.get(key)
                if isinstance(values, list):
                    for j, value in enumerate(values):
                        if isinstance(value, str):
                            # files: [key=path] or [path]
                            reference(field, (field, i, key, j), value.rpartition("=")[2])
            reference(field, (field, i, "env"), item.get("env"))
    return out


class Kustomizations:
    """Kustomization files read once per run, by directory."""

    def __init__(self) -> None:
        self._cache: dict[str, Kustomization | None] = {}

    def get(self, directory: str) -> Kustomization | None:
        """The kustomization of ``directory`` (None when it has none)."""
        key = os.path.realpath(directory)
        if key not in self._cache:
            self._cache[key] = self._load(key)
        return self._cache[key]

    @staticmethod
    def _load(directory: str) -> Kustomization | None:
        from sidecarlint.parse import iter_documents
        from sidecarlint.sources import ReadError, Source, read_source

        file = kustomization_file(directory)
        if file is None:
            return None
        text = read_source(Source(file, file))
        if isinstance(text, ReadError):
            return Kustomization(directory, file, problem=text.message)
        doc: Document | None = None
        for item in iter_documents(text, file):
            if isinstance(item, Document):
                doc = item
                break
            if item.code == "SCL001":  # a duplicate key (SCL002) still leaves a document
                return Kustomization(directory, file, problem=item.message, where=item.span)
        if doc is None or not isinstance(doc.data, dict):
            return Kustomization(directory, file, doc, problem="not a mapping")
        return Kustomization(directory, file, doc, entries=_entries(directory, doc.data))

    def closure(self, directory: str) -> list[Kustomization]:
        """The kustomization of ``directory`` and every one it builds on, each once."""
        out: list[Kustomization] = []
        seen: set[str] = set()
        stack = [os.path.realpath(directory)]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            kustomization = self.get(current)
            if kustomization is None:
                continue
            out.append(kustomization)
            stack.extend(reversed(list(kustomization.nested())))
        return out

    def inputs(self, directory: str) -> set[str]:
        """Every local file a build of ``directory`` reads (kustomization files included)."""
        files: set[str] = set()
        for kustomization in self.closure(directory):
            files.add(os.path.realpath(kustomization.file))
            for entry in kustomization.entries:
                if entry.target is not None and os.path.isfile(entry.target):
                    files.add(entry.target)
        return files

    def remote(self, directory: str) -> list[tuple[Kustomization, Entry]]:
        """Remote references anywhere in a build of ``directory``."""
        return [(k, entry) for k in self.closure(directory) for entry in k.entries if entry.remote]

    def roots(self, directories: set[str]) -> list[str]:
        """The kustomizations among ``directories`` (real paths) that no other one of them
        builds on, directly or through others; components are never roots."""
        reached: set[str] = set()
        for directory in directories:
            for kustomization in self.closure(directory)[1:]:
                reached.add(kustomization.directory)
        roots = []
        for directory in sorted(directories):
            found = self.get(directory)
            if directory in reached or found is None or found.component:
                continue
            roots.append(directory)
        return roots


class Build(Record):
    """How to render one kustomization: the command, the directory the build metadata's
    paths are relative to (``anchor``), and what to do when it has run."""

    argv: list[str]
    anchor: str
    #: The temporary directory to remove once the renderer has run (None: nothing).
    scratch: str | None
    #: The path of the kustomization relative to ``anchor``, as kustomize reports it.
    relative: str | None

    def __init__(
        self, argv: list[str], anchor: str, scratch: str | None, relative: str | None
    ) -> None:
        self.argv = argv
        self.anchor = anchor
        self.scratch = scratch
        self.relative = relative

    def cleanup(self) -> None:
        if self.scratch is not None:
            import shutil

            shutil.rmtree(self.scratch, ignore_errors=True)

    def message(self, text: str) -> str:
        """kustomize's error message without the throwaway kustomization's layer."""
        return _clean_message(text, self.relative, self.anchor)


def build(directory: str, renderer: Renderer) -> Build:
    """The command that renders ``directory`` with origin and transformer annotations,
    through a throwaway kustomization in a new temporary directory."""
    import tempfile

    verb = "build" if renderer.name == "kustomize" else "kustomize"
    scratch = tempfile.mkdtemp(prefix="sidecarlint-kustomize-")
    anchor = os.path.realpath(scratch)
    try:
        relative = os.path.relpath(os.path.realpath(directory), anchor)
    except ValueError:  # another drive (Windows): render it as it is, without origins
        os.rmdir(scratch)
        return Build([renderer.path, verb, directory], os.path.realpath(directory), None, None)
    with open(os.path.join(anchor, "kustomization.yaml"), "w", encoding="utf-8") as handle:
        handle.write(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            f"resources:\n- {_quoted(relative.replace(os.sep, '/'))}\n"
            "buildMetadata: [originAnnotations, transformerAnnotations]\n"
        )
    return Build([renderer.path, verb, anchor], anchor, scratch, relative)


def _quoted(text: str) -> str:
    import json

    return json.dumps(text)


#: What the throwaway kustomization's level adds in front of kustomize's error messages.
_WRAPPER = (
    re.compile(r"'[^']*' must resolve to a file': "),
    re.compile(r"recursed accumulation of path '[^']*': "),
    re.compile(r"couldn't make target for path '[^']*': "),
)


def _clean_message(message: str, relative: str | None, anchor: str) -> str:
    """kustomize's message without the throwaway kustomization's level and paths."""
    lines = [line for line in message.splitlines() if not line.startswith("# Warning:")]
    text = " ".join(line.strip() for line in lines if line.strip()) or message
    text = text.removeprefix("error: ").removeprefix("Error: ")
    outer = f"accumulating resources: accumulation err='accumulating resources from '{relative}': "
    if relative is not None and text.startswith(outer):
        text = text[len(outer) :]
        for layer in _WRAPPER:
            match = layer.match(text)
            if match:
                text = text[match.end() :]
    cwd = os.getcwd().rstrip(os.sep) + os.sep
    return text.replace(anchor + os.sep, "").replace(cwd, "")
