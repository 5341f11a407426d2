"""Map back: a finding in rendered output becomes a finding at the source line that caused it.

Rendered output (``kustomize build``, ``helm template``) exists nowhere in the repository,
so its positions mean nothing to a reader. This stage puts each finding back where the
offending key or value was written:

- **Kustomize.** Each rendered object names the file it came from and the kustomizations
  whose transformers went over it (the build metadata annotations, see
  :mod:`sidecarlint.kustomize`). The finding's field path is looked up in the patches that
  target the object, the last applied first (strategic-merge patches, JSON 6902 patches,
  from files or inline), and then in the resource itself; list items are matched by their
  merge key (a container by its ``name``, a mount by its ``mountPath``), as kustomize
  merges them. The first source whose node holds the rendered value is the answer. A value
  that no source holds (a prefixed name, a retagged image, a common label, a generated
  object) is put on the kustomization entry responsible, and the finding says "in the
  rendered output of DIR".
- **Helm.** Each rendered document follows a ``# Source: CHART/templates/FILE`` comment.
  The document's lines are aligned with the template's (a template line matches a rendered
  line when its text around the ``{{ ... }}`` actions is the same), and a position on an
  aligned line maps to the same text in the template, or to the action that produced it.
  A line that came out of an ``include``/``toYaml`` goes to that action's line.

Source files are parsed with :mod:`sidecarlint.parse`, the reader used for everything else.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from sidecarlint.finding import Span, YPath
from sidecarlint.kustomize import ORIGIN, TRANSFORMATIONS, Kustomization, Kustomizations
from sidecarlint.parse import LINE_BREAKS, Document, ParseProblem, iter_documents
from sidecarlint.records import FrozenRecord

_MISSING: Any = object()


class Place(FrozenRecord):
    """Where a finding goes: ``file`` (absolute) and ``span``; ``exact`` is false when no
    source node holds the rendered value (the span is then the entry responsible)."""

    file: str
    span: Span
    document: int | None
    exact: bool

    def __init__(self, file: str, span: Span, document: int | None, exact: bool = True) -> None:
        self.file = file
        self.span = span
        self.document = document
        self.exact = exact


class SourceFiles:
    """Source files read and parsed once per run, by absolute path."""

    def __init__(self, max_file_size: int) -> None:
        self.max_file_size = max_file_size
        self._text: dict[str, str | None] = {}
        self._docs: dict[str, list[Document]] = {}

    def text(self, path: str) -> str | None:
        if path not in self._text:
            from sidecarlint.sources import ReadError, Source, read_source

            text = read_source(Source(path, path), self.max_file_size)
            self._text[path] = None if isinstance(text, ReadError) else text
        return self._text[path]

    def documents(self, path: str) -> list[Document]:
        if path not in self._docs:
            text = self.text(path)
            self._docs[path] = [] if text is None else documents(text, path)
        return self._docs[path]


def documents(text: str, file: str) -> list[Document]:
    """The documents of ``text`` that parse (problems are reported elsewhere)."""
    return [d for d in iter_documents(text, file) if not isinstance(d, ParseProblem)]


def mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one."""
    return value if isinstance(value, dict) else {}


def _get(data: Any, path: YPath) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or not 0 <= part < len(data):
                return _MISSING
        elif not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data


def reach(data: Any, path: YPath) -> int:
    """How many parts of ``path`` exist in ``data``."""
    for depth in range(len(path)):
        if _get(data, path[: depth + 1]) is _MISSING:
            return depth
    return len(path)


def is_key(doc: Document, path: YPath, span: Span) -> bool:
    """Whether a finding at ``span`` for ``path`` points at the key rather than the value."""
    if reach(doc.data, path) < len(path):
        return True
    key_span = doc.span(path, key=True)
    return span == key_span and key_span != doc.span(path)


# --- list items: merged by key, as strategic merge patches merge them --------------------

#: Strategic-merge keys of the pod spec's lists (``patchMergeKey`` in k8s.io/api core/v1).
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name",
    "schedulingGates": "name",
    "readinessGates": "conditionType",
}


def _merge_key(field: str | int | None, item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    if field == "ports":  # containerPort in a container, port in a Service
        return "containerPort" if "containerPort" in item else "port" if "port" in item else None
    key = MERGE_KEYS.get(field) if isinstance(field, str) else None
    if key is None and "name" in item:
        key = "name"
    return key if key is not None and key in item else None


def _same_item(field: str | int | None, rendered: Any, source: Any) -> bool:
    key = _merge_key(field, rendered)
    if key is not None:
        return isinstance(source, dict) and source.get(key) == rendered.get(key)
    return bool(source == rendered)


def _index_in(
    field: str | int | None, rendered: list[Any], index: int, source: list[Any]
) -> int | None:
    """The index in ``source`` of the item at ``index`` in the rendered list."""
    item = rendered[index]
    key = _merge_key(field, item)
    if key is not None:
        for j, candidate in enumerate(source):
            if isinstance(candidate, dict) and candidate.get(key) == item.get(key):
                return j
        return None
    if len(source) == len(rendered) or (index < len(source) and source[index] == item):
        return index if index < len(source) else None
    return None


def follow(path: YPath, rendered: Any, source: Any) -> tuple[YPath, Any]:
    """The longest prefix of rendered ``path`` that ``source`` holds, as a path in
    ``source`` (list indexes translated by merge key), and the source value there."""
    out: list[str | int] = []
    field: str | int | None = None
    for part in path:
        if isinstance(part, int):
            if not isinstance(rendered, list) or not isinstance(source, list):
                break
            if not 0 <= part < len(rendered):
                break
            j = _index_in(field, rendered, part, source)
            if j is None:
                break
            rendered, source = rendered[part], source[j]
            out.append(j)
        else:
            if not isinstance(source, dict) or part not in source:
                break
            rendered = rendered.get(part) if isinstance(rendered, dict) else None
            source = source[part]
            out.append(part)
        field = part
    return tuple(out), source


def _scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


# --- sources of a rendered object --------------------------------------------------------


class _Source:
    """A document that may hold (part of) a rendered object: the resource it came from, or
    a patch. ``locate`` turns a path in ``data`` into a span in ``file``."""

    def __init__(
        self,
        file: str,
        doc: Document,
        data: Any,
        prefix: YPath = (),
        patch: bool = False,
        shift: tuple[int, int] | None = None,
    ) -> None:
        self.file = file
        self.doc = doc
        self.data = data
        self.prefix = prefix
        self.patch = patch
        #: (lines, columns) to add: an inline patch inside a kustomization's block scalar.
        self.shift = shift

    @property
    def document(self) -> int | None:
        """The document's index in its file (None inside a kustomization)."""
        return self.doc.index if self.shift is None else None

    def lookup(self, path: YPath, rendered: Any) -> tuple[int, YPath, Any]:
        """(parts of ``path`` found, where they are, the value there)."""
        if isinstance(self.data, list):  # JSON 6902 operations
            return _follow_operations(path, rendered, self.data)
        found, value = follow(path, rendered, self.data)
        return len(found), found, value

    def span(self, path: YPath, key: bool) -> Span:
        span = self.doc.span((*self.prefix, *path), key=key)
        if self.shift is None:
            return span
        lines, columns = self.shift
        return Span(
            span.line + lines,
            span.column + columns,
            span.end_line + lines,
            span.end_column + columns,
        )


def _pointer(text: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in text.split("/")[1:]]


def _follow_operations(path: YPath, rendered: Any, operations: list[Any]) -> tuple[int, YPath, Any]:
    """The deepest match of ``path`` in the values of JSON 6902 ``add``/``replace``
    operations, the last operation first."""
    best: tuple[int, YPath, Any] = (0, (), _MISSING)
    for index in range(len(operations) - 1, -1, -1):
        op = operations[index]
        if not isinstance(op, dict) or op.get("op") not in ("add", "replace") or "value" not in op:
            continue
        if not isinstance(op.get("path"), str):
            continue
        tokens = _pointer(op["path"])
        node = rendered
        field: str | int | None = None
        matched = 0
        for token in tokens:
            if matched >= len(path):
                break
            part = path[matched]
            if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                if token == "-":
                    ok = _same_item(field, node[part], op["value"]) and token is tokens[-1]
                else:
                    ok = token.isdigit() and int(token) == part
            else:
                ok = isinstance(node, dict) and token == part
            if not ok:
                break
            node = node[part]
            field = part
            matched += 1
        if matched < len(tokens):
            continue  # the operation sets something else (or something above the path)
        found, value = follow(path[matched:], node, op["value"])
        depth = matched + len(found)
        if depth > best[0]:
            best = (depth, (index, "value", *found), value)
        if depth == len(path):
            break
    return best


def _object_names(data: Any) -> tuple[str | None, str | None]:
    metadata = data.get("metadata") if isinstance(data, dict) else None
    if not isinstance(metadata, dict):
        return None, None
    name, namespace = metadata.get("name"), metadata.get("namespace")
    return (
        name if isinstance(name, str) else None,
        namespace if isinstance(namespace, str) else None,
    )


def _yaml_value(text: Any) -> Any:
    """An annotation that holds YAML, read (None when it is not there or not YAML)."""
    if not isinstance(text, str):
        return None
    for item in iter_documents(text, "annotation"):
        return None if isinstance(item, ParseProblem) else item.data
    return None


# --- kustomize ---------------------------------------------------------------------------

#: Paths a strategic-merge patch names to find its target, not to set anything.
_IDENTITY = {("apiVersion",), ("kind",), ("metadata", "name"), ("metadata", "namespace")}
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
_BLOCK_HEADER = re.compile(r"\|([+-]?)(\d?)([+-]?)\s*(?:#.*)?$")


class KustomizeMapper:
    """Maps findings in one kustomization's rendered output (see the module docstring)."""

    def __init__(
        self,
        root: str,
        anchor: str,
        kustomizations: Kustomizations,
        files: SourceFiles,
    ) -> None:
        #: The rendered kustomization's directory (absolute, real).
        self.root = root
        #: The directory the build metadata's paths are relative to.
        self.anchor = anchor
        self.kustomizations = kustomizations
        self.files = files

    def _path(self, relative: str) -> str:
        return os.path.realpath(os.path.join(self.anchor, relative))

    def _chain(self, annotations: dict[str, Any]) -> list[Kustomization]:
        """The kustomizations whose transformers went over an object, in order."""
        steps = _yaml_value(annotations.get(TRANSFORMATIONS))
        out: list[Kustomization] = []
        for step in steps if isinstance(steps, list) else []:
            where = step.get("configuredIn") if isinstance(step, dict) else None
            if not isinstance(where, str):
                continue
            kustomization = self.kustomizations.get(os.path.dirname(self._path(where)))
            if kustomization is not None and kustomization not in out:
                out.append(kustomization)
        return out

    def place(self, doc: Document, path: YPath, key: bool) -> Place:
        data = mapping(doc.data)
        annotations = mapping(mapping(data.get("metadata")).get("annotations"))
        origin = mapping(_yaml_value(annotations.get(ORIGIN)))
        chain = self._chain(annotations)
        rendered_value = _get(data, path)

        resource: _Source | None = None
        if isinstance(origin.get("path"), str):
            resource = self._resource(self._path(origin["path"]), data, chain)
        patches = [p for k in chain for p in self._patches(k, data, chain, resource)]

        if tuple(path) not in _IDENTITY:
            for source in reversed(patches):
                depth, found, value = source.lookup(path, data)
                if depth == len(path) and (not _scalar(rendered_value) or value == rendered_value):
                    return Place(source.file, source.span(found, key), source.document)
        if resource is not None:
            depth, found, value = resource.lookup(path, data)
            if depth == len(path) and (not _scalar(rendered_value) or value == rendered_value):
                return Place(resource.file, resource.span(found, key), resource.document)
        entry = None
        if resource is None and isinstance(origin.get("configuredIn"), str):
            # A generated object: its generator wrote it (its name too, hash and all).
            entry = self._generator(self._path(origin["configuredIn"]), data, path)
        if entry is None:
            entry = self._responsible(chain, path, data, rendered_value)
        if entry is not None:
            kustomization, entry_path = entry
            assert kustomization.doc is not None
            span = kustomization.doc.span(entry_path, key=key)
            return Place(kustomization.file, span, None, exact=False)
        # The value is not written anywhere as it is: the deepest source node on its path.
        best: tuple[int, _Source, YPath] | None = None
        for source in ([resource] if resource is not None else []) + patches:
            depth, found, _ = source.lookup(path, data)
            if source.patch and (not found or found in _IDENTITY or found == ("metadata",)):
                continue  # a patch's identifying fields say nothing about the value
            if best is None or depth > best[0]:
                best = (depth, source, found)
        if best is not None:
            depth, source, found = best
            return Place(
                source.file,
                source.span(found, key or depth < len(path)),
                source.document,
                exact=False,
            )
        return self.fallback()

    def fallback(self) -> Place:
        """The rendered kustomization's ``resources`` entry (or its first key)."""
        kustomization = self.kustomizations.get(self.root)
        assert kustomization is not None and kustomization.doc is not None
        doc = kustomization.doc
        first = next(iter(kustomization.data), None)
        field = "resources" if "resources" in kustomization.data else first
        span = doc.span((field,), key=True) if field is not None else doc.span(())
        return Place(kustomization.file, span, None, exact=False)

    def _names(self, name: str, chain: list[Kustomization]) -> set[str]:
        """``name`` and what each kustomization's prefix and suffix made of it."""
        names = {name}
        for kustomization in chain:
            prefix = kustomization.data.get("namePrefix")
            suffix = kustomization.data.get("nameSuffix")
            name = (prefix if isinstance(prefix, str) else "") + name
            name += suffix if isinstance(suffix, str) else ""
            names.add(name)
        return names

    def _resource(
        self, file: str, data: dict[str, Any], chain: list[Kustomization]
    ) -> _Source | None:
        """The document of ``file`` the rendered object came from."""
        kind = data.get("kind")
        rendered_name, _ = _object_names(data)
        docs = [d for d in self.files.documents(file) if isinstance(d.data, dict)]
        same_kind = [d for d in docs if d.data.get("kind") == kind]
        best: Document | None = None
        for doc in same_kind:
            name, _ = _object_names(doc.data)
            if name is not None and rendered_name in self._names(name, chain):
                best = doc
                break
        if best is None and len(same_kind) == 1:
            best = same_kind[0]
        if best is None and rendered_name is not None:
            contained = [
                d for d in same_kind if (_object_names(d.data)[0] or "\0") in rendered_name
            ]
            if contained:
                best = max(contained, key=lambda d: len(_object_names(d.data)[0] or ""))
        return _Source(file, best, best.data) if best is not None else None

    # patches

    def _patches(
        self,
        kustomization: Kustomization,
        data: dict[str, Any],
        chain: list[Kustomization],
        resource: _Source | None,
    ) -> Iterator[_Source]:
        """The patches of ``kustomization`` that target the rendered object, in order."""
        names = {_object_names(data)[0]}
        if resource is not None:
            original = _object_names(resource.data)[0]
            if original is not None:
                names |= self._names(original, chain)
        names.discard(None)
        fields = kustomization.data
        for field in ("patchesStrategicMerge", "patches", "patchesJson6902"):
            items = fields.get(field)
            if not isinstance(items, list):
                continue
            for i, item in enumerate(items):
                target = item.get("target") if isinstance(item, dict) else None
                for source in self._patch_sources(kustomization, field, i, item):
                    if self._targets(source, target, data, names):
                        yield source

    def _patch_sources(
        self, kustomization: Kustomization, field: str, index: int, item: Any
    ) -> Iterator[_Source]:
        """The documents of one patch entry (a file's or an inline patch's)."""
        if isinstance(item, str):
            if field != "patchesStrategicMerge":
                return
            inline = "\n" in item or item.lstrip().startswith(("{", "apiVersion:"))
            yield from (
                self._inline(kustomization, (field, index), item)
                if inline
                else self._file_patch(kustomization, item)
            )
            return
        if not isinstance(item, dict):
            return
        if isinstance(item.get("path"), str):
            yield from self._file_patch(kustomization, item["path"])
        elif isinstance(item.get("patch"), str):
            yield from self._inline(kustomization, (field, index, "patch"), item["patch"])

    def _file_patch(self, kustomization: Kustomization, relative: str) -> Iterator[_Source]:
        file = os.path.realpath(os.path.join(kustomization.directory, relative))
        for doc in self.files.documents(file):
            yield _Source(file, doc, doc.data, patch=True)

    def _inline(self, kustomization: Kustomization, path: YPath, text: str) -> Iterator[_Source]:
        """An inline patch, positioned inside the kustomization file when it is written as
        a literal block scalar (``patch: |``), whose lines are the patch's lines."""
        doc = kustomization.doc
        assert doc is not None
        span = doc.span(path)
        header = doc.source.line(span.line)[span.column - 1 :] if doc.source else ""
        match = _BLOCK_HEADER.match(header)
        shift: tuple[int, int] | None = None
        if match and not match.group(2):
            for number in range(span.line + 1, span.end_line + 1):
                line = doc.source.line(number) if doc.source else ""
                if line.strip():
                    shift = (span.line, len(line) - len(line.lstrip(" ")))
                    break
        for patch in documents(text, kustomization.file):
            if shift is None:
                # Not a literal block: the whole entry is the best position there is.
                yield _Entry(kustomization, path, patch.data)
            else:
                yield _Source(kustomization.file, patch, patch.data, patch=True, shift=shift)

    @staticmethod
    def _targets(source: _Source, target: Any, data: dict[str, Any], names: set[Any]) -> bool:
        """Whether a patch applies to the rendered object (by its ``target`` selector, or,
        for a strategic-merge patch without one, by its own kind and name)."""
        if isinstance(target, dict):
            return _selects(target, data, names)
        if isinstance(source.data, list):
            return False  # JSON 6902 operations need a target
        patch = source.data if isinstance(source.data, dict) else {}
        if patch.get("kind") != data.get("kind"):
            return False
        name, _ = _object_names(patch)
        return name is None or name in names

    # transformers and generators

    def _responsible(
        self,
        chain: list[Kustomization],
        path: YPath,
        data: dict[str, Any],
        value: Any,
    ) -> tuple[Kustomization, YPath] | None:
        """The kustomization entry that set the value at ``path`` (the last one first)."""
        for kustomization in reversed(chain):
            found = _entry_for(kustomization, path, data, value)
            if found is not None and kustomization.doc is not None:
                return kustomization, found
        return None

    def _generator(
        self, file: str, data: dict[str, Any], path: YPath
    ) -> tuple[Kustomization, YPath] | None:
        kustomization = self.kustomizations.get(os.path.dirname(file))
        if kustomization is None or kustomization.doc is None:
            return None
        name = _object_names(data)[0] or ""
        field = "configMapGenerator" if data.get("kind") == "ConfigMap" else "secretGenerator"
        items = kustomization.data.get(field)
        for i, item in enumerate(items if isinstance(items, list) else []):
            given = item.get("name") if isinstance(item, dict) else None
            if isinstance(given, str) and given in name:
                literals = item.get("literals")
                if len(path) >= 2 and path[0] == "data" and isinstance(literals, list):
                    for j, literal in enumerate(literals):
                        if isinstance(literal, str) and literal.partition("=")[0] == path[1]:
                            return kustomization, (field, i, "literals", j)
                return kustomization, (field, i)
        return None


class _Entry(_Source):
    """An inline patch that cannot be positioned line by line: every path in it is put on
    its entry in the kustomization."""

    def __init__(self, kustomization: Kustomization, entry: YPath, data: Any) -> None:
        assert kustomization.doc is not None
        super().__init__(kustomization.file, kustomization.doc, data, patch=True)
        self.entry = entry

    @property
    def document(self) -> int | None:
        return None

    def span(self, path: YPath, key: bool) -> Span:
        return self.doc.span(self.entry)


def _selects(target: dict[str, Any], data: dict[str, Any], names: set[Any]) -> bool:
    """kustomize's patch target selector: kind, name (a regular expression), namespace,
    group, version, labelSelector (equality terms), annotationSelector."""
    kind = target.get("kind")
    if isinstance(kind, str) and kind != data.get("kind"):
        return False
    api_version = str(data.get("apiVersion") or "")
    group, _, version = api_version.rpartition("/")
    for field, actual in (("group", group), ("version", version)):
        wanted = target.get(field)
        if isinstance(wanted, str) and wanted != actual:
            return False
    name = target.get("name")
    if isinstance(name, str):
        try:
            pattern = re.compile(name)
        except re.error:
            pattern = re.compile(re.escape(name))
        if not any(isinstance(n, str) and pattern.fullmatch(n) for n in names):
            return False
    metadata = mapping(data.get("metadata"))
    for field, values in (("labelSelector", "labels"), ("annotationSelector", "annotations")):
        selector = target.get(field)
        if isinstance(selector, str) and not _equality_terms(
            selector, mapping(metadata.get(values))
        ):
            return False
    return True


def _equality_terms(selector: str, labels: dict[str, Any]) -> bool:
    """A label selector's ``k=v``, ``k==v`` and ``k!=v`` terms (other terms pass)."""
    for term in (t.strip() for t in re.split(r",(?![^()]*\))", selector)):
        if "!=" in term:
            key, _, value = term.partition("!=")
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term and " in " not in term:
            key, _, value = term.replace("==", "=").partition("=")
            if labels.get(key.strip()) != value.strip():
                return False
    return True


def _image_name(image: str) -> str:
    """An image reference without its tag or digest."""
    image = image.partition("@")[0]
    slash = image.rfind("/")
    colon = image.rfind(":")
    return image[:colon] if colon > slash else image


def _entry_for(
    kustomization: Kustomization, path: YPath, data: dict[str, Any], value: Any
) -> YPath | None:
    """The entry of ``kustomization`` that sets the value at ``path``, if one does."""
    fields = kustomization.data
    tail = path[-2:] if len(path) >= 2 else ()
    if tuple(path) == ("metadata", "name"):
        for field in ("namePrefix", "nameSuffix"):
            if isinstance(fields.get(field), str) and fields[field]:
                return (field,)
    if tuple(path) == ("metadata", "namespace") and isinstance(fields.get("namespace"), str):
        return ("namespace",)
    if len(tail) == 2 and tail[0] in ("labels", "matchLabels") and isinstance(tail[1], str):
        common = fields.get("commonLabels")
        if isinstance(common, dict) and common.get(tail[1]) == value:
            return ("commonLabels", tail[1])
        labels = fields.get("labels")
        for i, item in enumerate(labels if isinstance(labels, list) else []):
            pairs = item.get("pairs") if isinstance(item, dict) else None
            if isinstance(pairs, dict) and pairs.get(tail[1]) == value:
                return ("labels", i, "pairs", tail[1])
    if len(tail) == 2 and tail[0] == "annotations" and isinstance(tail[1], str):
        common = fields.get("commonAnnotations")
        if isinstance(common, dict) and common.get(tail[1]) == value:
            return ("commonAnnotations", tail[1])
    in_container = any(part in _CONTAINER_LISTS for part in path if isinstance(part, str))
    if path and path[-1] == "image" and isinstance(value, str) and in_container:
        images = fields.get("images")
        rendered = _image_name(value)
        for i, item in enumerate(images if isinstance(images, list) else []):
            if not isinstance(item, dict):
                continue
            names = {item.get("name"), item.get("newName")}
            if rendered in names:
                for field in ("digest", "newTag", "newName", "name"):
                    if field in item:
                        return ("images", i, field)
    if tuple(path) == ("spec", "replicas"):
        replicas = fields.get("replicas")
        name = _object_names(data)[0] or ""
        for i, item in enumerate(replicas if isinstance(replicas, list) else []):
            given = item.get("name") if isinstance(item, dict) else None
            if isinstance(given, str) and given in name and "count" in item:
                return ("replicas", i, "count")
    return None


# --- helm ------------------------------------------------------------------------------------

_ACTION = re.compile(r"\{\{.*?\}\}")
_SOURCE = "# Source: "
#: Actions that print nothing themselves (control flow, definitions, comments, assignments).
_SILENT = re.compile(
    r"^\{\{-?\s*(?:/\*|if\b|else\b|end\b|range\b|with\b|define\b|block\b|break\b|continue\b"
    r"|\$[\w.]*\s*:?=)"
)


class _TemplateLine:
    """One template line as a pattern: literal text with ``{{ ... }}`` actions as wildcards."""

    def __init__(self, line: str) -> None:
        self.indent = len(line) - len(line.lstrip())
        body = line.strip()
        self.body = body
        self.actions = [(m.start(), m.end()) for m in _ACTION.finditer(body)]
        literal = _ACTION.sub("", body).strip()
        self.pattern: re.Pattern[str] | None = None
        self.matchable = bool(literal) and not literal.startswith("#")
        if self.actions and self.matchable:
            parts: list[str] = []
            last = 0
            for start, end in self.actions:
                parts.append(re.escape(body[last:start]))
                parts.append("(.*?)")
                last = end
            parts.append(re.escape(body[last:]))
            self.pattern = re.compile("".join(parts) + r"\Z", re.S)
        self.prints = any(not _SILENT.match(body[s:e]) for s, e in self.actions)

    def match(self, rendered: str) -> re.Match[str] | bool:
        if not self.matchable:
            return False
        if self.pattern is None:
            return rendered == self.body
        return self.pattern.match(rendered) or False


def align(rendered: list[str], template: list[str]) -> dict[int, int]:
    """The longest alignment of rendered lines with template lines (0-based indexes)."""
    patterns = [_TemplateLine(t) for t in template]
    bodies = [r.strip() for r in rendered]
    n, m = len(bodies), len(patterns)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = table[i], table[i + 1]
        body = bodies[i]
        for j in range(m - 1, -1, -1):
            if body and patterns[j].match(body):
                row[j] = below[j + 1] + 1
            else:
                row[j] = max(below[j], row[j + 1])
    pairs: dict[int, int] = {}
    i = j = 0
    while i < n and j < m:
        if bodies[i] and patterns[j].match(bodies[i]) and table[i][j] == table[i + 1][j + 1] + 1:
            pairs[i] = j
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _column(rendered: str, template: str, column: int, end: bool) -> int:
    """A 1-based column of a rendered line on its aligned template line."""
    line = _TemplateLine(template)
    offset = len(rendered) - len(rendered.lstrip())
    body = rendered.strip()
    c = min(max(column - 1 - offset, 0), len(body))
    if line.pattern is None:
        return line.indent + c + 1
    match = line.pattern.match(body)
    if not match:
        return line.indent + 1
    r_last = t_last = 0
    probe = c - 1 if end and c > 0 else c
    for group, (t_start, t_end) in enumerate(line.actions, 1):
        g_start, g_end = match.span(group)
        if probe < g_start:  # in the literal text before this action
            return line.indent + t_last + (c - r_last) + 1
        if probe < g_end:
            return line.indent + (t_end if end else t_start) + 1
        r_last, t_last = g_end, t_end
    return line.indent + t_last + (c - r_last) + 1


class HelmMapper:
    """Maps findings in one chart's rendered output to its templates."""

    def __init__(self, chart: str, files: SourceFiles) -> None:
        #: The chart's directory (absolute).
        self.chart = chart
        self.files = files
        self._alignments: dict[tuple[int, str], dict[int, int]] = {}

    def template_of(self, doc: Document) -> str | None:
        """The template file a rendered document came from (its ``# Source:`` comment)."""
        if doc.source is None:
            return None
        for line in LINE_BREAKS.split(doc.source.text, maxsplit=5)[:5]:
            if line.startswith(_SOURCE):
                name = line[len(_SOURCE) :].strip()
                _, _, inside = name.partition("/")  # the chart's own name first
                path = os.path.join(self.chart, *inside.split("/"))
                return path if inside and os.path.isfile(path) else None
        return None

    def place(self, doc: Document, span: Span) -> Place | None:
        """The template position of a rendered span, or None when the template's text does
        not show where it came from."""
        template = self.template_of(doc)
        text = self.files.text(template) if template is not None else None
        if template is None or text is None or doc.source is None:
            return None
        rendered = LINE_BREAKS.split(doc.source.text)
        lines = LINE_BREAKS.split(text)
        key = (doc.index, template)
        if key not in self._alignments:
            self._alignments[key] = align(rendered, lines)
        pairs = self._alignments[key]
        row = span.line - doc.line1
        if row in pairs:
            t = pairs[row]
            start = _column(rendered[row], lines[t], span.column, False)
            end_row = span.end_line - doc.line1
            if end_row == row:
                end = _column(rendered[row], lines[t], span.end_column, True)
                return Place(template, Span(t + 1, start, t + 1, max(end, start + 1)), None)
            if end_row in pairs:
                u = pairs[end_row]
                end = _column(rendered[end_row], lines[u], span.end_column, True)
                return Place(template, Span(t + 1, start, u + 1, end), None)
            return Place(template, Span(t + 1, start, t + 1, len(lines[t]) + 1), None)
        return _producer(pairs, row, lines, template)


def _producer(pairs: dict[int, int], row: int, lines: list[str], template: str) -> Place | None:
    """The one printing action between the aligned lines around ``row`` (the ``include``
    or ``toYaml`` that wrote it), if there is exactly one."""
    before = max((r for r in pairs if r < row), default=None)
    after = min((r for r in pairs if r > row), default=None)
    low = pairs[before] + 1 if before is not None else 0
    high = pairs[after] if after is not None else len(lines)
    found: list[tuple[int, int, int]] = []
    for t in range(low, high):
        line = _TemplateLine(lines[t])
        for start, end in line.actions:
            if not _SILENT.match(line.body[start:end]):
                found.append((t, line.indent + start + 1, line.indent + end + 1))
    if len(found) != 1:
        return None
    t, start, end = found[0]
    return Place(template, Span(t + 1, start, t + 1, end), None, exact=False)


__all__ = ["HelmMapper", "KustomizeMapper", "Place", "SourceFiles", "align", "is_key", "reach"]
