"""Stage 3: validate workload objects against the bundled schemas of the target version.

The engine is jsonschema-rs (compiled once per process per schema); this module turns its
errors into short, positioned findings: SCL003 schema-violation, SCL004 unknown-field,
SCL005 unsupported-api-version. The first objects of a process go through
:mod:`sidecarlint.quickcheck` first, so small runs do not load jsonschema-rs unless an
object is invalid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from sidecarlint.finding import ELLIPSIS, NAME_EXCERPT, YPath, excerpt
from sidecarlint.locate import KubeObject, is_patch_key
from sidecarlint.records import FrozenRecord

#: Kinds with bundled schemas (the built-in pod-bearing kinds).
VALIDATED_KINDS = frozenset(
    [
        "Pod",
        "PodTemplate",
        "ReplicationController",
        "Deployment",
        "ReplicaSet",
        "DaemonSet",
        "StatefulSet",
        "Job",
        "CronJob",
    ]
)

#: apiVersions that once served a kind and were removed: (apiVersion, kind) -> removed in.
REMOVED: dict[tuple[str, str], str] = {
    **{("extensions/v1beta1", k): "1.16" for k in ("Deployment", "DaemonSet", "ReplicaSet")},
    **{("apps/v1beta1", k): "1.16" for k in ("Deployment", "StatefulSet")},
    **{
        ("apps/v1beta2", k): "1.16"
        for k in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
    },
    ("batch/v2alpha1", "CronJob"): "1.21",
    ("batch/v1beta1", "CronJob"): "1.25",
}

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


class Violation(FrozenRecord):
    """One validation problem, before it becomes a finding."""

    code: str
    path: YPath
    message: str
    key: bool

    def __init__(self, code: str, path: YPath, message: str, key: bool = False) -> None:
        self.code = code
        self.path = path
        self.message = message
        self.key = key


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value:g}"
    if isinstance(value, str):
        return f"string {_json_string(value)}"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _json_string(text: str) -> str:
    """``text`` quoted as JSON, cut to an excerpt (the ellipsis inside the quotes)."""
    cut = excerpt(text)
    if cut is text:
        return json.dumps(text)
    return json.dumps(cut[: -len(ELLIPSIS)])[:-1] + ELLIPSIS + '"'


def _field_name(path: YPath) -> str:
    for part in reversed(path):
        if isinstance(part, str):
            return excerpt(part)
    return "value"


class _SchemaWalker:
    """Follows an instance path through a schema to the definition that governs it."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema

    def _deref(self, node: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        name = None
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 32:
            ref = node["$ref"]
            name = ref.rsplit("/", 1)[-1]
            target: Any = self.schema
            for part in ref.lstrip("#/").split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
            node = target
            seen += 1
        for key in ("allOf", "anyOf", "oneOf"):
            options = node.get(key) if isinstance(node, dict) else None
            if isinstance(options, list):
                for option in options:
                    if isinstance(option, dict) and ("$ref" in option or "properties" in option):
                        inner, inner_name = self._deref(option)
                        if "properties" in inner:
                            return inner, inner_name or name
        return node, name

    def at(self, path: YPath) -> tuple[dict[str, Any], str]:
        """The (dereferenced) schema for ``path`` and its definition's short name."""
        node, name = self._deref(self.schema)
        owner = name or "object"
        for part in path:
            if isinstance(part, int):
                child = node.get("items", {})
            else:
                child = node.get("properties", {}).get(part)
                if child is None:
                    extra = node.get("additionalProperties")
                    child = extra if isinstance(extra, dict) else {}
            node, name = self._deref(child)
            if name:
                owner = name
        return node, _short(owner)


def _short(definition: str) -> str:
    return definition.rsplit(".", 1)[-1]


#: How many objects a validator checks with the pure-Python fast path before it loads
#: jsonschema-rs for good: enough for a pre-commit run, few enough that a big run loses
#: only milliseconds (jsonschema-rs is several times faster per object once loaded).
QUICK_OBJECTS = 32


class Validator:
    """Validates objects for one target version (schemas compiled lazily, once)."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.quick_left = QUICK_OBJECTS

    def validate(self, obj: KubeObject, *, partial: bool = False) -> Iterator[Violation]:
        """Violations for one object (only the kinds with bundled schemas).

        A ``partial`` object (a kustomize patch) is checked for field types and unknown
        fields only: required fields may live in the base it patches.
        """
        kind = obj.kind
        api_version = obj.api_version
        if kind not in VALIDATED_KINDS or api_version is None:
            return
        from sidecarlint import schemas

        schema = schemas.schema_for(self.version, api_version, kind)
        if schema is None:
            yield self._unsupported(obj, api_version, kind)
            return
        if self.quick_left > 0:
            self.quick_left -= 1
            from sidecarlint.quickcheck import certainly_valid

            if certainly_valid(schema, obj.data):
                return
        errors = list(schemas.validator_for(self.version, api_version, kind).iter_errors(obj.data))
        if not errors:
            return
        walker = _SchemaWalker(schema)
        reported: set[tuple[str, YPath]] = set()
        for error in errors:
            for violation in self._explain(error, obj, walker, partial):
                ident = (violation.code, violation.path)
                if ident not in reported:
                    reported.add(ident)
                    yield violation

    def _unsupported(self, obj: KubeObject, api_version: str, kind: str) -> Violation:
        from sidecarlint import schemas

        served = schemas.kinds_served(self.version).get(kind, [])
        removed = REMOVED.get((api_version, kind))
        why = f" (removed in {removed})" if removed else ""
        use = f"; use {' or '.join(served)}" if served else ""
        return Violation(
            "SCL005",
            (*obj.path, "apiVersion"),
            f"{excerpt(api_version)} {kind} is not served by Kubernetes {self.version}{why}{use}",
        )

    def _explain(
        self, error: Any, obj: KubeObject, walker: _SchemaWalker, partial: bool
    ) -> Iterator[Violation]:
        rel: YPath = tuple(error.instance_path)
        path: YPath = (*obj.path, *rel)
        kind = error.kind
        name = type(kind).__name__
        if name == "AdditionalProperties":
            schema, owner = walker.at(rel)
            known = sorted(schema.get("properties", {}))
            for unexpected in kind.unexpected:
                if partial and is_patch_key(unexpected):
                    continue
                yield Violation(
                    "SCL004",
                    (*path, unexpected),
                    self._unknown_message(unexpected, owner, known),
                    key=True,
                )
            return
        if name == "Required":
            if partial:
                return
            _, owner = walker.at(rel)
            where = f"{_field_name(rel)} ({owner})" if rel else owner
            yield Violation(
                "SCL003",
                path,
                f"missing required field `{kind.property}` in {where}",
                key=True,
            )
            return
        value = obj.doc.get(path)
        field = _field_name(rel)
        if name == "Type":
            wanted = [str(t) for t in kind.types]
            yield Violation("SCL003", path, self._type_message(field, wanted, value, obj, path))
            return
        if name in ("OneOfNotValid", "AnyOf"):
            yield Violation("SCL003", path, self._alternatives_message(error, field, value))
            return
        if name == "Enum":
            options = ", ".join(json.dumps(o) for o in kind.options if o is not None)
            yield Violation(
                "SCL003", path, f"`{field}` must be one of {options}, got {_describe(value)}"
            )
            return
        # The engine's own words quote the value: only an excerpt of them is kept.
        message = excerpt(str(error.message), NAME_EXCERPT)
        yield Violation("SCL003", path, f"`{field}`: {message}")

    def _type_message(
        self, field: str, wanted: list[str], value: Any, obj: KubeObject, path: YPath
    ) -> str:
        names = [_TYPE_NAMES.get(t, t) for t in wanted if t != "null"] or ["null"]
        text = f"`{field}` must be {' or '.join(names)}, got {_describe(value)}{_unrendered(value)}"
        if "string" in wanted and not isinstance(value, str) and obj.doc.is_plain(path):
            raw = obj.doc.raw(path)
            raw = raw if raw is None else excerpt(raw)
            text += (
                f": Kubernetes reads the unquoted `{raw}` as YAML 1.1 {_describe(value).split()[0]}"
                f'; quote it ("{raw}")'
            )
        return text

    def _alternatives_message(self, error: Any, field: str, value: Any) -> str:
        # int-or-string style unions: name the acceptable types instead of a tree.
        types: list[str] = []
        for alternative in _alternatives(error):
            t = alternative.get("type")
            for item in t if isinstance(t, list) else [t]:
                if isinstance(item, str) and item != "null" and item not in types:
                    types.append(item)
        if types:
            names = " or ".join(_TYPE_NAMES.get(t, t) for t in types)
            return f"`{field}` must be {names}, got {_describe(value)}{_unrendered(value)}"
        return f"`{field}` does not match any allowed form, got {_describe(value)}"

    def _unknown_message(self, name: str, owner: str, known: list[str]) -> str:
        from sidecarlint import schemas
        from sidecarlint.versions import SUPPORTED, minor

        added = schemas.field_added_in(owner, name)
        shown = excerpt(name)
        if added is not None and minor(added) > minor(self.version) and added in SUPPORTED:
            return (
                f"`{shown}` is not a field of {owner} in Kubernetes {self.version} "
                f"(added in {added})"
            )
        text = f"`{shown}` is not a field of {owner}"
        if shown is not name:
            return text  # no field name is that long: nothing to suggest
        import difflib

        close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        if close:
            text += f" (did you mean `{close[0]}`?)"
        return text


def _alternatives(error: Any) -> list[dict[str, Any]]:
    """The types each branch of a failed ``oneOf``/``anyOf`` wanted (its best match)."""
    out: list[dict[str, Any]] = []
    for branch in getattr(error.kind, "context", None) or []:
        for sub in branch:
            kind: Any = getattr(sub, "kind", None)
            if type(kind).__name__ == "Type":
                out.append({"type": [str(t) for t in kind.types]})
    return out


_VARIABLE = re.compile(r"\$\{?[A-Za-z_]\w*")


def _unrendered(value: Any) -> str:
    """A hint when a value is an unrendered ``${VAR}`` placeholder (envsubst and friends)."""
    if isinstance(value, str) and _VARIABLE.search(value):
        return ": an unrendered variable; substitute variables before checking (e.g. envsubst)"
    return ""
