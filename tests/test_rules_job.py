"""Sidecar rules, part 2: injectors, termination, failure policy, resources, ports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO, lint

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: j
spec:
  backoffLimit: 2
  template:
    metadata:
      annotations:
        {annotations}
    spec:
      restartPolicy: {policy}
      terminationGracePeriodSeconds: 10
      initContainers:
        - name: proxy
          image: envoyproxy/envoy:v1.31.0
          restartPolicy: Always
          lifecycle:
            preStop:
              sleep:
                seconds: 10
      containers:
        - name: work
          image: busybox
          command: ["sh", "-c", "echo work"]
"""


def job(annotations: str = "x: y", policy: str = "Never") -> str:
    return JOB.format(annotations=annotations, policy=policy)


def codes(text: str, *select: str, **config: object) -> list[tuple[str, str, int, int]]:
    return [
        (f.code, f.severity.value, f.span.line, f.span.column)
        for f in lint(text, select=list(select), **config)
    ]


@pytest.mark.parametrize(
    ("annotations", "expected"),
    [
        ('sidecar.istio.io/inject: "true"', [("SCL401", "warning", 10, 9)]),
        ('{sidecar.istio.io/inject: "true", sidecar.istio.io/nativeSidecar: "true"}', []),
        (
            '{sidecar.istio.io/inject: "true", sidecar.istio.io/nativeSidecar: "false"}',
            [("SCL401", "error", 10, 10)],
        ),
        ("linkerd.io/inject: enabled", [("SCL401", "warning", 10, 9)]),
        (
            "{linkerd.io/inject: enabled, "
            'config.alpha.linkerd.io/proxy-enable-native-sidecar: "true"}',
            [],
        ),
        ('vault.hashicorp.com/agent-inject: "true"', [("SCL401", "warning", 10, 9)]),
        ('dapr.io/enabled: "true"', [("SCL401", "warning", 10, 9)]),
        ('sidecar.opentelemetry.io/inject: "true"', [("SCL401", "warning", 10, 9)]),
        ('sidecar.opentelemetry.io/inject: "false"', []),
    ],
)
def test_injectors(annotations: str, expected: list[object]) -> None:
    assert codes(job(annotations), "SCL401") == expected


def test_injector_fix_and_message() -> None:
    (f,) = lint(job('dapr.io/enabled: "true"'), select=["SCL401"])
    assert f.fixable and f.fix == 'Add annotation dapr.io/enable-native-sidecar: "true"'
    assert "Dapr 1.18+ and Kubernetes 1.29+" in f.message
    (otel,) = lint(job('sidecar.opentelemetry.io/inject: "true"'), select=["SCL401"])
    assert not otel.fixable and "0.132.0" in otel.message


def test_injection_on_deployments_is_fine() -> None:
    text = job('sidecar.istio.io/inject: "true"').replace(
        "batch/v1\nkind: Job", "v1\nkind: PodTemplate"
    )
    assert codes(text, "SCL401") == []


def test_prestop_sleep_versions() -> None:
    text = job()
    # sleep 10 with a 10 s grace period: accepted by the API, but it uses the whole period.
    assert codes(text, "SCL403", kubernetes_version="1.28") == []
    assert codes(text, "SCL403", kubernetes_version="1.29") == [("SCL403", "warning", 21, 26)]
    assert codes(text, "SCL403", kubernetes_version="1.30") == [("SCL403", "warning", 21, 26)]
    longer = text.replace("seconds: 10", "seconds: 11")
    assert codes(longer, "SCL403", kubernetes_version="1.30") == [("SCL403", "error", 21, 26)]


def test_termination_budget() -> None:
    text = job().replace(
        'command: ["sh", "-c", "echo work"]',
        'command: ["sh", "-c", "echo work"]\n          lifecycle:\n'
        "            preStop:\n              exec:\n"
        '                command: ["sleep", "5"]',
    )
    assert codes(text, "SCL405") == [("SCL405", "info", 13, 7)]


def test_onfailure_backoff() -> None:
    assert codes(job(policy="OnFailure"), "SCL406") == [("SCL406", "warning", 6, 17)]
    assert codes(job(policy="Never"), "SCL406") == []
    assert (
        codes(job(policy="OnFailure").replace("backoffLimit: 2", "backoffLimit: 6"), "SCL406") == []
    )


POLICY = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: j
spec:
  podFailurePolicy:
    rules:
      - action: FailJob
        onExitCodes:
          containerName: {name}
          operator: NotIn
          values: [0]
      - action: Ignore
        onExitCodes:
          operator: In
          values: [42]
  template:
    spec:
      restartPolicy: Never
      initContainers:
        - name: proxy
          image: envoyproxy/envoy:v1.31.0
          restartPolicy: Always
      containers:
        - name: work
          image: busybox
"""


def test_pod_failure_policy() -> None:
    assert codes(POLICY.format(name="wrok"), "SCL402") == [
        ("SCL402", "error", 10, 26),
        ("SCL402", "warning", 14, 9),
    ]
    assert codes(POLICY.format(name="work"), "SCL402") == [("SCL402", "warning", 14, 9)]


PORTS = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - name: setup-a
      image: busybox
      ports: [{containerPort: 8080}]
    - name: sidecar
      image: envoyproxy/envoy:v1.31.0
      restartPolicy: Always
      ports: [{containerPort: 15000}]
    - name: setup-b
      image: busybox
      ports: [{containerPort: 8080}, {containerPort: 15000}]
  containers:
    - name: app
      image: nginx
      ports: [{containerPort: 8080}, {containerPort: 15000, protocol: UDP}, {hostPort: 15000}]
"""


def test_port_conflicts() -> None:
    # setup-a/setup-b/app share 8080 but never run at the same time; setup-b runs while the
    # sidecar does; UDP does not clash with TCP.
    assert codes(PORTS, "SCL501") == [("SCL501", "warning", 15, 54)]


def test_qos_and_sidecar_resources() -> None:
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - name: proxy
      image: envoyproxy/envoy:v1.31.0
      restartPolicy: Always
  containers:
    - name: app
      image: nginx
      resources:
        limits: {cpu: "1", memory: 1Gi}
"""
    assert codes(text, "SCL502", "SCL503") == [
        ("SCL502", "warning", 6, 13),
        ("SCL503", "info", 6, 13),
    ]
    (info,) = lint(text, select=["SCL503"])
    assert "reserves cpu 1, memory 1Gi for this Pod" in info.message


def test_sidecar_prestop_kill() -> None:
    text = job().replace(
        "              sleep:\n                seconds: 10",
        '              exec:\n                command: ["sh", "-c", "pkill envoy"]',
    )
    assert codes(text, "SCL404") == [("SCL404", "warning", 19, 13)]
    assert codes(text, "SCL404", kubernetes_version="1.28") == []


def test_explain_pod_cli() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sidecarlint", "explain-pod", "-"],
        input=job(),
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "Job/j (-:11), Kubernetes 1.37"
    assert "    1. sidecar 'proxy' starts; the next step waits until its process runs" in lines
    assert (
        "    2. sidecar 'proxy' gets SIGTERM (preStop sleeps 10s, started at termination)" in lines
    )


def test_explain_pod_names_an_init_container_waiting_for_a_later_sidecar() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sidecarlint",
            "explain-pod",
            "examples/broken/init-waits-for-later-proxy.yaml",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert (
        "    1. init container 'migrate' runs to completion — FAILS OR WAITS: it connects to "
        "localhost:5432 (its command), which sidecar 'cloud-sql-proxy' provides "
        "(containerPort), but 'cloud-sql-proxy' is declared after it and has not started"
    ) in proc.stdout.splitlines()


def test_start_and_stop_order_steps() -> None:
    from sidecarlint.pipeline import Settings, pods_in_text
    from sidecarlint.timeline import start_order, stop_order

    for version, start, stop in (
        (
            "1.37",
            [
                "sidecar 'proxy' starts; the next step waits until its process runs",
                "app containers start together: 'work'",
            ],
            [
                "app containers get SIGTERM: 'work'",
                "sidecar 'proxy' gets SIGTERM (preStop sleeps 10s, started at termination)",
            ],
        ),
        (
            # The same words as check's native-sidecar-unsupported (one model of the Pod).
            "1.27",
            [
                "'proxy' — BLOCKS: declared as a sidecar, but Kubernetes 1.27 does not know "
                "restartPolicy on init containers: it runs as a regular init container and "
                "never exits",
                "app containers never start (the Pod stays in Init): 'work'",
            ],
            ["app containers get SIGTERM: 'work'"],
        ),
    ):
        settings = Settings(version=version)
        [pod] = pods_in_text(job(), "j.yaml", settings)
        starts = start_order(pod, settings.context())
        assert [s.text for s in starts] == start
        assert [[c.name for c in s.containers] for s in starts] == [["proxy"], ["work"]]
        assert [s.text for s in stop_order(pod, settings.context())] == stop


def test_container_hover_shows_the_model_blocker() -> None:
    """The language server's hover reads the same start order as explain-pod and check."""
    from sidecarlint.pipeline import Settings, pods_in_text
    from sidecarlint.server.analysis import container_hover

    settings = Settings(version="1.27")
    [pod] = pods_in_text(job(), "j.yaml", settings)
    [proxy] = pod.init_containers
    assert container_hover(pod, proxy, settings.context()).split("\n\n") == [
        "**init container (declared as a sidecar; Kubernetes 1.27 runs it as a regular init "
        "container)** `proxy` of Job/j · Kubernetes 1.27",
        "**Start:** step 1 of 2: 'proxy' — BLOCKS: declared as a sidecar, but Kubernetes 1.27 "
        "does not know restartPolicy on init containers: it runs as a regular init container "
        "and never exits",
        "**Stop:** not in the stop order: it never exits, so the Pod stays in Init",
    ]
    [work] = pod.containers
    assert container_hover(pod, work, settings.context()).split("\n\n")[1] == (
        "**Start:** step 2 of 2: app containers never start (the Pod stays in Init): 'work'"
    )
    # A regular init container: a known sidecar image never exits; busybox runs to completion
    # and has exited before the app containers start.
    settings = Settings(version="1.37")
    text = job().replace("          restartPolicy: Always\n", "")
    [pod] = pods_in_text(text, "j.yaml", settings)
    [proxy] = pod.init_containers
    assert container_hover(pod, proxy, settings.context()).split("\n\n")[1:] == [
        "**Start:** step 1 of 2: init container 'proxy' runs to completion — BLOCKS: it never "
        "exits: its image is a known sidecar (Envoy)",
        "**Stop:** not in the stop order: it never exits, so the Pod stays in Init",
    ]
    text = text.replace("envoyproxy/envoy:v1.31.0", "busybox")
    [pod] = pods_in_text(text, "j.yaml", settings)
    [proxy] = pod.init_containers
    assert container_hover(pod, proxy, settings.context()).split("\n\n")[1:] == [
        "**Start:** step 1 of 2: init container 'proxy' runs to completion",
        "**Stop:** not in the stop order: it has exited before the app containers start",
    ]
