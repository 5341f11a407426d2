"""Any JSON type at any field: the schema finding reports the type, rules skip what they
cannot read, and nothing crashes (no SCL999)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sidecarlint.finding import Finding
from sidecarlint.parse import parse_text
from sidecarlint.pipeline import _Engine
from sidecarlint.registry import registry
from tests.conftest import REPO, positions
from tests.conftest import settings as make_settings
from tests.ruledocs import all_pages

ALL_RULES = [r.code for r in registry().rules]
#: Every rule on, on the newest version and on the oldest with native sidecars.
ENGINES = [
    _Engine(make_settings(select=ALL_RULES)),
    _Engine(
        make_settings(
            select=ALL_RULES, kubernetes_version="1.28", feature_gates="SidecarContainers=true"
        )
    ),
]
#: One value of each JSON type, and containers holding the wrong things.
VALUES: list[Any] = [None, True, 0, 1.5, "", "x", [], {}, [1], ["x"], [{}], {"a": 1}, [[]]]


def _documents(text: str) -> list[dict[str, Any]]:
    return [d.data for d in parse_text(text, "seed").documents if isinstance(d.data, dict)]


EXAMPLES = [
    d for p in sorted((REPO / "examples").rglob("*.yaml")) for d in _documents(p.read_text())
]
#: Fields that rules read and no example has.
EXTRA = """
apiVersion: batch/v1
kind: Job
metadata: {name: j, annotations: {a: b}}
spec:
  podFailurePolicy: {rules: [{action: Ignore, onExitCodes: {operator: In, values: [1]}}]}
  template:
    metadata: {labels: {app: j}}
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 5
      initContainers:
      - name: proxy
        image: envoyproxy/envoy:v1.31.0
        restartPolicy: Always
        ports: [{name: admin, containerPort: 9901, protocol: TCP, hostPort: 9901}]
        startupProbe: {httpGet: {port: admin, host: localhost}}
        lifecycle:
          postStart: {exec: {command: [sh, -c, "curl localhost:8080"]}}
          preStop: {sleep: {seconds: 10}}
        resources: {requests: {cpu: 10m, memory: 1Mi}, limits: {cpu: 1, memory: 1Gi}}
        volumeDevices: [{name: dev, devicePath: /dev/x}]
        volumeMounts: [{name: logs, mountPath: /logs, subPath: a, readOnly: false}]
        args: [tail, -F, /logs/a.log]
      containers:
      - name: work
        image: busybox
        command: [sh, -c, "echo hi > /logs/a.log"]
        ports: [{name: http, containerPort: 8080}]
        volumeMounts: [{name: logs, mountPath: /logs}]
        resizePolicy: [{resourceName: cpu, restartPolicy: NotRequired}]
      volumes: [{name: logs, emptyDir: {}}, {name: dev, persistentVolumeClaim: {claimName: c}}]
"""
#: The rule pages' examples reach every rule.
SEEDS = [
    *EXAMPLES,
    *_documents(EXTRA),
    *(d for page in all_pages() for b in page.blocks for d in _documents(b.text)),
]


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


def _replace(data: Any, path: tuple[str | int, ...], value: Any) -> Any:
    out = json.loads(json.dumps(data))  # a deep copy, faster
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def _crashes(engine: _Engine, data: Any) -> list[str]:
    # JSON in a YAML document: the C composer reads it (a JSON stream goes to the slower,
    # exact JSON reader, which the values here do not need)
    result = engine.lint_text("---\n" + json.dumps(data), "t.yaml")
    crashed = [f.message for f in result.findings if f.code == "SCL999"]
    assert len(crashed) == result.internal_errors
    return crashed


def test_every_field_of_every_example_as_every_json_type() -> None:
    engine = _Engine(make_settings(select=ALL_RULES))
    engine.validator = None  # rules only: the schema stage is fuzzed below
    crashes: list[str] = []
    variants = 0
    for doc in SEEDS:
        for path in list(_paths(doc)):
            for value in VALUES:
                variants += 1
                crashes += _crashes(engine, _replace(doc, path, value))
    assert variants > 20_000
    assert crashes == []


def _lint(text: str) -> list[Finding]:
    result = ENGINES[0].lint_text(text, "t.yaml")
    assert result.internal_errors == 0
    return result.findings


def test_volume_mount_name_of_the_wrong_type() -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "  - name: a\n    image: b\n    volumeMounts:\n    - {name: [x], mountPath: /d}\n"
        "    - {name: {n: y}, mountPath: /e}\n"
        "  volumes: [{name: x, emptyDir: {}}]\n"
    )
    findings = _lint(text)
    # the schema finding names the type; SCL202 cannot tell which volume is mounted
    assert positions(findings) == [("SCL003", 9, 14), ("SCL003", 10, 14)]
    assert "must be a string, got a list" in findings[0].message
    assert "must be a string, got a mapping" in findings[1].message


def test_pod_failure_policy_container_name_of_the_wrong_type() -> None:
    text = (
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  podFailurePolicy:\n"
        "    rules:\n    - action: FailJob\n      onExitCodes: {containerName: [a], operator: In,"
        " values: [1]}\n"
        "  template:\n    spec:\n      restartPolicy: Never\n"
        "      containers: [{name: a, image: b}]\n"
    )
    assert [(f.code, f.span.line) for f in _lint(text)] == [("SCL003", 8)]


def test_named_port_of_the_wrong_type() -> None:
    text = EXTRA.replace("{name: admin,", "{name: [admin],")
    assert ("SCL003", 16, 24) in positions(_lint(text))


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.floats(allow_nan=False)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=max(1000, settings.default.max_examples))
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.integers(0, 10**6), JSON), min_size=1, max_size=4),
    st.sampled_from(ENGINES),
)
def test_fields_swapped_for_other_json_types(
    doc: dict[str, Any], swaps: list[tuple[int, Any]], engine: _Engine
) -> None:
    for choice, value in swaps:
        paths = list(_paths(doc))
        if not paths:
            break
        doc = _replace(doc, paths[choice % len(paths)], value)
    assert _crashes(engine, doc) == []
