"""The pure-Python fast path never calls an invalid object valid (jsonschema-rs decides)."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sidecarlint import schemas
from sidecarlint.locate import iter_objects
from sidecarlint.parse import Document, iter_documents, parse_text
from sidecarlint.quickcheck import certainly_valid
from sidecarlint.sources import discover, read_source
from sidecarlint.validate import VALIDATED_KINDS
from tests.conftest import CORPUS
from tests.conftest import REPO as ROOT

DEPLOYMENT = (ROOT / "examples/deployment/deployment.yaml").read_text("utf-8")
JOB = (ROOT / "examples/job/job.yaml").read_text("utf-8")


def data(text: str) -> dict[str, Any]:
    value = parse_text(text, "x").documents[0].data
    assert isinstance(value, dict)
    return value


def verdicts(obj: dict[str, Any], version: str = "1.37") -> tuple[bool, bool]:
    api_version, kind = obj["apiVersion"], obj["kind"]
    schema = schemas.schema_for(version, api_version, kind)
    assert schema is not None
    validator = schemas.validator_for(version, api_version, kind)
    return certainly_valid(schema, obj), bool(validator.is_valid(obj))


def test_valid_examples_are_certainly_valid() -> None:
    assert verdicts(data(DEPLOYMENT)) == (True, True)
    assert verdicts(data(JOB)) == (True, True)


@pytest.mark.parametrize(
    ("path", "value", "rs_valid"),
    [
        # An integer field: a bool is invalid; 8080.0 is an integer to JSON Schema, which
        # the fast path leaves to jsonschema-rs; so is an integer beyond 64 bits.
        (("spec", "replicas"), True, False),
        (("spec", "replicas"), 2.0, True),
        (("spec", "replicas"), 2**70, None),
        (("spec", "replicas"), "2", False),
        # IntOrString is oneOf string/integer: null matches both, so it is invalid.
        (("spec", "strategy"), {"rollingUpdate": {"maxSurge": None}}, False),
        (("spec", "strategy"), {"rollingUpdate": {"maxSurge": "25%"}}, True),
        (("spec", "strategy"), {"rollingUpdate": {"maxSurge": 1.5}}, False),
        (("kind",), "Pod", False),
        (("spec", "selector"), None, True),
        (("spec", "template", "spec", "containers"), None, False),
        (("spec", "unknownField"), 1, False),
        (("metadata", "creationTimestamp"), "not a time", True),
        (("metadata", "labels"), {"a": 1}, False),
    ],
)
def test_fast_path_is_one_sided(path: tuple[str, ...], value: Any, rs_valid: bool | None) -> None:
    obj = data(DEPLOYMENT)
    target = obj
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    schema = schemas.schema_for("1.37", "apps/v1", "Deployment")
    assert schema is not None
    quick = certainly_valid(schema, obj)
    if rs_valid is None:
        assert quick is False  # left to jsonschema-rs, whatever it says
        return
    assert schemas.validator_for("1.37", "apps/v1", "Deployment").is_valid(obj) is rs_valid
    assert quick is (rs_valid and type(value) is not float)


_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**65), max_value=2**65),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.sampled_from(["apps/v1", "Always", "Never", "TCP", "25%"]),
    st.just([]),
    st.just({}),
    st.just({"name": "x"}),
    st.just([{"name": "x", "image": "y"}]),
)


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_paths(item, (*prefix, index)))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([DEPLOYMENT, JOB]),
    st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(["set", "del", "add"]), _LEAVES)),
    st.sampled_from(["1.27", "1.29", "1.37"]),
)
def test_mutated_objects_never_pass_when_invalid(
    text: str, edits: list[tuple[int, str, Any]], version: str
) -> None:
    obj = data(text)
    for index, action, leaf in edits:
        paths = [p for p in _paths(obj) if p and p[:1] not in (("apiVersion",), ("kind",))]
        if not paths:
            break
        path = paths[index % len(paths)]
        parent: Any = obj
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        if action == "set":
            parent[last] = copy.deepcopy(leaf)
        elif action == "del":
            del parent[last]
        elif isinstance(parent, dict):
            parent[f"extra{index % 3}"] = copy.deepcopy(leaf)
        else:
            parent.append(copy.deepcopy(leaf))
    quick, valid = verdicts(obj, version)
    assert valid or not quick


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared real-world corpus is not available")
def test_fast_path_agrees_with_jsonschema_rs_on_the_corpus() -> None:
    counts = {True: 0, False: 0}
    for source in discover([str(CORPUS)]):
        text = read_source(source, 1 << 30)
        if not isinstance(text, str):
            continue
        for doc in iter_documents(text, source.display):
            if not isinstance(doc, Document) or not isinstance(doc.data, dict):
                continue
            for obj in iter_objects(doc):
                if obj.kind not in VALIDATED_KINDS or obj.api_version is None:
                    continue
                if schemas.schema_for("1.37", obj.api_version, obj.kind) is None:
                    continue
                quick, valid = verdicts(obj.data)
                assert valid or not quick, (source.display, obj.kind)
                counts[quick] += 1
    # The fast path must also be useful: most real objects are certainly valid.
    assert counts[True] > 3 * counts[False] > 0


def test_a_small_valid_run_does_not_load_jsonschema_rs(tmp_path: Path) -> None:
    code = (
        "import sys; from sidecarlint.pipeline import lint_text; "
        f"assert lint_text({DEPLOYMENT!r}, 'd.yaml') == []; "
        "print('jsonschema_rs' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False", out.stderr
