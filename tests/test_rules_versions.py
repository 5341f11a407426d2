"""Per-version behaviour of the sidecar rules: 1.27, 1.28 (gate off and on), 1.29, 1.33,
1.34, 1.35+."""

from __future__ import annotations

import pytest

from tests.conftest import lint

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: report
spec:
  template:
    spec:
      restartPolicy: Never
      initContainers:
        - name: log-shipper
          image: fluent/fluent-bit:3.1
          restartPolicy: Always
          resources:
            requests: {cpu: 10m, memory: 16Mi}
        - name: setup
          image: busybox:1.36
          command: ["sh", "-c", "echo setup"]
          restartPolicy: OnFailure
      containers:
        - name: report
          image: busybox:1.36
          command: ["sh", "-c", "echo report"]
          restartPolicy: Always
"""

GATE_ON = {"feature_gates": "SidecarContainers=true"}


def found(version: str, *codes: str, **config: object) -> list[tuple[str, str, int, int]]:
    return [
        (f.code, f.severity.value, f.span.line, f.span.column)
        for f in lint(JOB, kubernetes_version=version, select=list(codes), **config)
    ]


@pytest.mark.parametrize(
    ("version", "config", "expected"),
    [
        ("1.27", {}, [("SCL101", "error", 12, 11)]),
        ("1.28", {}, [("SCL101", "error", 12, 11)]),
        ("1.28", GATE_ON, [("SCL101", "info", 12, 11)]),
        ("1.29", {}, []),
        ("1.33", {}, []),
        ("1.37", {}, []),
    ],
)
def test_native_sidecar_unsupported(
    version: str, config: dict[str, str], expected: list[object]
) -> None:
    assert found(version, "SCL101", **config) == expected


@pytest.mark.parametrize(
    ("version", "config", "expected"),
    [
        ("1.27", {}, []),  # unknown field there: SCL004's job
        ("1.28", {}, [("SCL010", "warning", 18, 26)]),
        ("1.28", GATE_ON, [("SCL010", "error", 18, 26)]),
        ("1.29", {}, [("SCL010", "error", 18, 26)]),
        ("1.33", {}, [("SCL010", "error", 18, 26)]),
        ("1.34", {}, [("SCL010", "warning", 18, 26)]),
        ("1.34", {"feature_gates": "ContainerRestartRules=true"}, []),
        ("1.35", {}, []),
        ("1.37", {}, []),
    ],
)
def test_init_restart_policy_value(
    version: str, config: dict[str, str], expected: list[object]
) -> None:
    assert found(version, "SCL010", **config) == expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.27", []),
        ("1.28", [("SCL011", "error", 23, 11)]),
        ("1.29", [("SCL011", "error", 23, 11)]),
        ("1.33", [("SCL011", "error", 23, 11)]),
        ("1.34", [("SCL011", "warning", 23, 11)]),
        ("1.35", [("SCL011", "error", 23, 26)]),  # Always in a Job: never completes
        ("1.37", [("SCL011", "error", 23, 26)]),
    ],
)
def test_app_container_restart_policy(version: str, expected: list[object]) -> None:
    assert found(version, "SCL011") == expected


def test_app_container_always_outside_jobs_is_a_warning_on_135() -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "    - name: a\n      image: busybox\n      restartPolicy: Always\n"
    )
    got = [
        (f.code, f.severity.value) for f in lint(text, kubernetes_version="1.35", select=["SCL011"])
    ]
    assert got == [("SCL011", "warning")]


HELPER_JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: report
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: report
          image: busybox:1.36
          command: ["sh", "-c", "echo report"]
        - name: istio-proxy
          image: docker.io/istio/proxyv2:1.24.0
"""


@pytest.mark.parametrize(
    ("version", "config", "fixable"),
    [
        ("1.27", {}, False),
        ("1.28", {}, False),
        ("1.28", GATE_ON, True),
        ("1.29", {}, True),
        ("1.33", {}, True),
        ("1.37", {}, True),
    ],
)
def test_helper_in_job_fix_depends_on_version(
    version: str, config: dict[str, str], fixable: bool
) -> None:
    (f,) = lint(HELPER_JOB, kubernetes_version=version, select=["SCL102"], **config)
    assert (f.code, f.span.line, f.span.column, f.fixable) == ("SCL102", 13, 17, fixable)
    assert "its image is a known sidecar (Istio proxy)" in f.message
    if not fixable:
        assert "shutdown endpoint" in f.message


@pytest.mark.parametrize(("version", "count"), [("1.28", 0), ("1.29", 1), ("1.33", 1), ("1.37", 1)])
def test_sidecar_in_containers_from_129(version: str, count: int) -> None:
    text = HELPER_JOB.replace("batch/v1\nkind: Job", "apps/v1\nkind: Deployment").replace(
        "spec:\n  template:\n    spec:\n      restartPolicy: Never\n",
        "spec:\n  selector: {matchLabels: {app: r}}\n  template:\n"
        "    metadata: {labels: {app: r}}\n    spec:\n",
    )
    assert len(lint(text, kubernetes_version=version, select=["SCL103"])) == count


RESIZE = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  restartPolicy: Never
  initContainers:
    - name: setup
      image: busybox
      command: ["sh", "-c", "echo"]
      resizePolicy:
        - {resourceName: cpu, restartPolicy: RestartContainer}
  containers:
    - name: a
      image: busybox
"""


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.29", [("SCL019", "warning", 10, 7)]),
        ("1.32", [("SCL019", "warning", 10, 7)]),
        ("1.33", [("SCL019", "error", 11, 46)]),
        ("1.37", [("SCL019", "error", 11, 46)]),
    ],
)
def test_resize_policy(version: str, expected: list[object]) -> None:
    got = [
        (f.code, f.severity.value, f.span.line, f.span.column)
        for f in lint(RESIZE, kubernetes_version=version, select=["SCL019"])
    ]
    assert got == expected


RULES_ON_SIDECAR = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - name: watcher
      image: busybox
      restartPolicy: Always
      command: ["sh", "-c", "sleep 60; exit 88"]
      restartPolicyRules:
        - action: Restart
          exitCodes: {operator: In, values: [88]}
  containers:
    - name: a
      image: busybox
"""


@pytest.mark.parametrize(
    ("version", "config", "expected"),
    [
        ("1.33", {}, []),
        ("1.34", {}, [("SCL016", "warning")]),
        ("1.35", {}, [("SCL016", "error")]),
        ("1.35", {"feature_gates": "RestartAllContainersOnContainerExits=true"}, []),
        ("1.36", {}, []),
        (
            "1.36",
            {"feature_gates": "RestartAllContainersOnContainerExits=false"},
            [("SCL016", "error")],
        ),
    ],
)
def test_restart_rules_on_sidecar(
    version: str, config: dict[str, str], expected: list[object]
) -> None:
    got = [
        (f.code, f.severity.value)
        for f in lint(RULES_ON_SIDECAR, kubernetes_version=version, select=["SCL016"], **config)
    ]
    assert got == expected


def test_probe_on_regular_init_container_message_per_version() -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n"
        '    - name: i\n      image: busybox\n      command: ["true"]\n'
        '      livenessProbe: {exec: {command: ["true"]}}\n'
        "  containers:\n    - {name: a, image: busybox}\n"
    )
    (old,) = lint(text, kubernetes_version="1.27", select=["SCL012"])
    (new,) = lint(text, kubernetes_version="1.29", select=["SCL012"])
    assert (old.span.line, old.span.column) == (9, 7)
    assert old.message.startswith("livenessProbe: Forbidden: may not be set for init containers (")
    assert "without restartPolicy=Always" in new.message
    assert old.fix is None and new.fix == "Add 'restartPolicy: Always' to 'i' if it is a sidecar"
