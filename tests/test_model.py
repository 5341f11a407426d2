"""``check`` and ``explain-pod`` share one model of the Pod (:mod:`sidecarlint.model`): every
blocking situation a rule reports is the one ``explain-pod`` shows, and the other way round,
on every example and a sample of the real-world corpus, on each side of the sidecar
boundaries (1.27, 1.28 with and without the gate, 1.29, 1.35)."""

from __future__ import annotations

import gc
import re
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from sidecarlint.activity import activity, flows
from sidecarlint.finding import Finding, Severity
from sidecarlint.locate import Pod
from sidecarlint.model import (
    NEEDS_LATER_SIDECAR,
    NEVER_COMPLETES,
    NEVER_EXITS,
    model,
)
from sidecarlint.pipeline import Settings, lint_text, pods
from sidecarlint.timeline import explain
from tests.conftest import CORPUS, REPO, pod_of, settings

TARGETS: list[dict[str, str]] = [
    {"kubernetes_version": "1.27"},
    {"kubernetes_version": "1.28"},
    {"kubernetes_version": "1.28", "feature_gates": "SidecarContainers=true"},
    {"kubernetes_version": "1.29"},
    {"kubernetes_version": "1.35"},
]
#: The rules that report a Pod stuck in Init or a run-to-completion Pod that never completes.
BLOCKING = ("SCL101", "SCL104", "SCL301", "SCL102", "SCL011")

EXAMPLES = sorted(REPO.glob("examples/**/*.yaml"))


def _corpus_sample() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    # Every Job and CronJob and every file with init containers (where Pods block), then a
    # fixed stride over the rest.
    marked = [p for p in files if re.search(r"^kind: (Cron)?Job|initContainers", _text(p), re.M)]
    chosen = set(marked)
    rest = [p for p in files if p not in chosen]
    return marked + rest[::97]


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _blocking(f: Finding) -> bool:
    if f.code not in BLOCKING or f.suppressed:
        return False
    if f.code == "SCL101":
        return f.severity is Severity.ERROR
    if f.code == "SCL011":
        return "restarts it forever" in f.message
    return True


def _pod_of(f: Finding, found: list[Pod]) -> Pod:
    assert f.ypath is not None
    for pod in found:
        if pod.doc.index == f.document and f.ypath[: len(pod.path)] == pod.path:
            return pod
    raise AssertionError(f"no pod for {f}")


def _marker(f: Finding) -> str:
    return {
        "SCL101": "BLOCKS",
        "SCL104": "BLOCKS",
        "SCL301": "FAILS OR WAITS",
    }.get(f.code, "completion: never")


def _check_file(path: Path, values: dict[str, str]) -> int:
    s: Settings = settings(**values)
    text = _text(path)
    findings = [f for f in lint_text(text, str(path), s) if _blocking(f)]
    found = list(pods([str(path)], s))
    ctx = s.context()
    shown: dict[int, list[str]] = {id(p): list(explain(p, ctx)) for p in found}
    for f in findings:
        lines = shown[id(_pod_of(f, found))]
        label = f"'{f.container}'"
        hits = [line for line in lines if _marker(f) in line]
        assert hits, f"{path} {values}: explain-pod shows no {_marker(f)!r} for {f}"
        stuck = any("the Pod stays in Init" in line for line in lines)
        if f.code in ("SCL102", "SCL011") and stuck:
            continue  # the Pod never gets as far as its app containers
        assert any(label in line for line in hits), (path, values, f.code, hits)
    # And the other way round: every blocker explain-pod shows is a finding.
    for p in found:
        for line in shown[id(p)]:
            for marker in ("BLOCKS", "FAILS OR WAITS", "completion: never — '"):
                if marker in line:
                    assert any(
                        _pod_of(f, found) is p and f"'{f.container}'" in line for f in findings
                    ), f"{path} {values}: explain-pod shows {line!r}, check reports nothing"
    return len(findings)


@pytest.mark.parametrize("values", TARGETS, ids=lambda v: "+".join(v.values()))
def test_examples_check_and_explain_agree(values: dict[str, str]) -> None:
    total = sum(_check_file(path, values) for path in EXAMPLES)
    assert total > 0  # the examples do block somewhere on each target


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared real-world corpus is not available")
@pytest.mark.parametrize("values", TARGETS, ids=lambda v: "+".join(v.values()))
def test_corpus_sample_check_and_explain_agree(values: dict[str, str]) -> None:
    sample = _corpus_sample()
    assert len(sample) > 50
    assert sum(_check_file(path, values) for path in sample) > 0


def test_explain_pod_at_128_shows_the_dropped_sidecar_blocking() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sidecarlint", "explain-pod", "examples/job/job.yaml", "-k", "1.28"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    lines = proc.stdout.splitlines()
    assert lines[2] == (
        "    1. 'logshipper' — BLOCKS: declared as a sidecar, but Kubernetes 1.28 drops "
        "restartPolicy: Always (SidecarContainers is off): it runs as a regular init "
        "container and never exits"
    )
    assert lines[3] == "    2. app containers never start (the Pod stays in Init): 'myjob'"
    assert lines[4] == "  completion: never — the Pod stays in Init"
    gate_on = subprocess.run(
        [
            sys.executable,
            "-m",
            "sidecarlint",
            "explain-pod",
            "examples/job/job.yaml",
            "-k",
            "1.28",
            "--feature-gates",
            "SidecarContainers=true",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    ).stdout.splitlines()
    assert gate_on[2] == (
        "    1. sidecar 'logshipper' starts; the next step waits until its process runs"
    )
    assert gate_on[4] == (
        "  completion: when every app container has exited; sidecars are then stopped"
    )


def _job(init: list[dict[str, object]], containers: list[dict[str, object]]) -> Pod:
    pod: Pod = pod_of(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "j"},
            "spec": {
                "template": {
                    "spec": {
                        "restartPolicy": "Never",
                        "initContainers": init,
                        "containers": containers,
                    }
                }
            },
        }
    )
    return pod


SIDECAR = {"name": "proxy", "image": "envoyproxy/envoy:v1.31.0", "restartPolicy": "Always"}
WORK = {"name": "work", "image": "busybox", "command": ["sh", "-c", "echo done"]}


@pytest.mark.parametrize(
    ("values", "native"),
    [
        ({"kubernetes_version": "1.27"}, False),
        ({"kubernetes_version": "1.28"}, False),
        ({"kubernetes_version": "1.28", "feature_gates": "SidecarContainers=true"}, True),
        ({"kubernetes_version": "1.29"}, True),
    ],
)
def test_declared_sidecar_runs_as_one_only_where_the_target_keeps_it(
    values: dict[str, str], native: bool
) -> None:
    pod = _job([SIDECAR], [WORK])
    m = model(pod, settings(**values).context())
    (sidecar,) = pod.init_containers
    assert m.native is native and m.runs_as_sidecar(sidecar) is native
    blockers = [(b.kind, b.code) for b in m.blockers]
    assert blockers == ([] if native else [(NEVER_EXITS, "SCL101")])
    assert m.stuck_in_init is not native


def test_model_finds_each_blocker_kind_once() -> None:
    tail = {"name": "tailer", "image": "busybox", "command": ["sh", "-c", "tail -F /x"]}
    needs = {"name": "fetch", "image": "curl", "command": ["curl", "http://localhost:9901/"]}
    sidecar = {**SIDECAR, "ports": [{"containerPort": 9901}]}
    helper = {"name": "log-shipper", "image": "fluent/fluent-bit:3.1"}
    forever = {**WORK, "name": "again", "restartPolicy": "Always"}
    pod = _job([tail, needs, sidecar], [WORK, helper, forever])
    ctx = settings(kubernetes_version="1.35").context()
    m = model(pod, ctx)
    got = [(b.container.name, b.kind, b.code) for b in m.blockers]
    assert got == [
        ("tailer", NEVER_EXITS, "SCL104"),
        ("fetch", NEEDS_LATER_SIDECAR, "SCL301"),
        ("log-shipper", NEVER_COMPLETES, "SCL102"),
        ("again", NEVER_COMPLETES, "SCL011"),
    ]
    fetch = m.blocker(pod.init_containers[1])
    assert fetch is not None and fetch.needs is pod.init_containers[2]
    assert fetch.detail == "connects to localhost:9901 (its command)"
    assert fetch.provides == "containerPort"
    assert m.blocker(pod.init_containers[1], NEVER_EXITS) is None
    assert model(pod, ctx) is m  # built once per pod and target
    assert m.of_rule("SCL104")[0].match is not None
    # Before 1.35 the app container's restartPolicy is not kept: no such blocker.
    older = model(pod, settings(kubernetes_version="1.34").context())
    assert [b.code for b in older.blockers if b.kind == NEVER_COMPLETES] == ["SCL102"]


def test_a_checked_pod_is_freed_at_once() -> None:
    # The pod keeps its model; the model must not keep the pod: a cycle leaves every checked
    # pod (and its parsed document) to the garbage collector, which then runs several times
    # as often and makes the whole check markedly slower.
    pod = _job([SIDECAR], [WORK])
    m = model(pod, settings(kubernetes_version="1.35").context())
    assert m.pod is pod
    # So must the file-and-port model the rules read (each container's activity, the flows).
    assert [activity(pod, c).listen_ports for c in pod.init_containers] == [{9901, 10000}]
    assert flows(pod) == []
    ref = weakref.ref(pod)
    gc.disable()
    try:
        del pod, m
        assert ref() is None
    finally:
        gc.enable()


def test_shutdown_handshake_lets_the_helper_exit() -> None:
    helper = {"name": "log-shipper", "image": "fluent/fluent-bit:3.1"}
    work = {**WORK, "command": ["sh", "-c", "work; curl -X POST localhost:15000/quitquitquit"]}
    pod = _job([], [work, helper])
    assert model(pod, settings().context()).blockers == []


def test_only_run_to_completion_pods_have_completion_blockers() -> None:
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "template": {
                "spec": {
                    "containers": [WORK, {"name": "log-shipper", "image": "fluent/fluent-bit"}]
                }
            }
        },
    }
    assert model(pod_of(body), settings().context()).blockers == []


def test_reasons_in_words() -> None:
    tail = {"name": "tailer", "image": "busybox", "command": ["sh", "-c", "tail -F /x"]}
    helper = {"name": "log-shipper", "image": "fluent/fluent-bit:3.1"}
    forever = {**WORK, "name": "again", "restartPolicy": "Always"}
    reads = {"name": "use", "image": "busybox", "command": ["sh", "-c", "cat /run/token"]}
    writer = {
        "name": "agent",
        "image": "busybox",
        "restartPolicy": "Always",
        "command": ["sh", "-c", "fetch > /run/token"],
    }
    pod = _job([tail, reads, writer], [WORK, helper, forever])
    m = model(pod, settings(kubernetes_version="1.35").context())
    assert [b.reason for b in m.blockers] == [
        "its command never exits ('tail -F /x' follows a file forever)",
        "it reads /run/token (its command), which sidecar 'agent' provides (its command), but "
        "'agent' is declared after it and has not started",
        "it looks like a long-running helper (its image is a known sidecar (Fluent Bit)) and "
        "keeps running after the work is done",
        "its restartPolicy is Always: the kubelet restarts it whenever it exits",
    ]


@pytest.mark.parametrize(
    ("version", "why"),
    [
        ("1.27", "Kubernetes 1.27 does not know restartPolicy on init containers"),
        ("1.28", "Kubernetes 1.28 drops restartPolicy: Always (SidecarContainers is off)"),
    ],
)
def test_dropped_sidecar_reason_and_every_init_container(version: str, why: str) -> None:
    other = {**SIDECAR, "name": "second"}
    pod = _job([SIDECAR, other], [WORK])
    m = model(pod, settings(kubernetes_version=version).context())
    reasons = [(b.container.name, b.reason) for b in m.blockers]
    text = f"declared as a sidecar, but {why}: it runs as a regular init container and never exits"
    assert reasons == [("proxy", text), ("second", text)]
    lines = list(explain(pod, settings(kubernetes_version=version).context()))
    assert lines[2] == f"    1. 'proxy' — BLOCKS: {text}"
    assert lines[3] == f"    2. 'second' — BLOCKS: {text}"


def test_only_later_sidecars_are_needed() -> None:
    sidecar = {**SIDECAR, "ports": [{"containerPort": 9901}]}
    needs = {"name": "fetch", "image": "curl", "command": ["curl", "http://localhost:9901/"]}
    plain = {"name": "plain", "image": "busybox", "command": ["true"]}
    before = _job([sidecar, needs], [WORK])
    assert model(before, settings().context()).blockers == []
    two = {**sidecar, "name": "proxy2"}
    after = _job([plain, needs, sidecar, two], [WORK])
    got = [
        (b.container.name, b.needs.name if b.needs else None)
        for b in model(after, settings().context()).blockers
    ]
    assert got == [("fetch", "proxy"), ("fetch", "proxy2")]


def test_configured_helpers_block() -> None:
    init = {"name": "waiter", "image": "registry.example/team/waiter:1"}
    app = {"name": "shipper", "image": "registry.example/team/shipper:1"}
    pod = _job([init], [WORK, app])
    plain = model(pod, settings().context())
    assert plain.blockers == []
    configured = model(pod, settings(sidecar_images=["*/waiter", "*/shipper"]).context())
    assert [(b.container.name, b.code) for b in configured.blockers] == [
        ("waiter", "SCL104"),
        ("shipper", "SCL102"),
    ]


def test_explain_shows_each_kind_of_blocker_in_process() -> None:
    tail = {"name": "tailer", "image": "busybox", "command": ["sh", "-c", "tail -F /x"]}
    helper = {"name": "log-shipper", "image": "fluent/fluent-bit:3.1"}
    stuck = _job([tail], [WORK])
    lines = list(explain(stuck, settings().context()))
    assert lines[2] == (
        "    1. init container 'tailer' runs to completion — BLOCKS: it never exits: its "
        "command never exits ('tail -F /x' follows a file forever)"
    )
    assert lines[3] == "    2. app containers never start (the Pod stays in Init): 'work'"
    assert lines[4] == "  completion: never — the Pod stays in Init"
    done = _job([], [WORK, helper])
    lines = list(explain(done, settings().context()))
    assert lines[2] == "    1. app containers start together: 'work', 'log-shipper'"
    assert lines[4] == (
        "  completion: never — 'log-shipper': it looks like a long-running helper (its image "
        "is a known sidecar (Fluent Bit)) and keeps running after the work is done"
    )
