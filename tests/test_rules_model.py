"""Rules that read the file-and-port model: helpers found by what they do, injector stubs
and workload proxies, shared volumes written by images, init chains that wait on ports and
files, shutdown calls read as the shell runs them, injector opt-outs, ports from args.

Each case asserts the exact finding (code, severity, line, column, message) and its
counterpart that must stay silent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sidecarlint.finding import Finding
from tests.conftest import lint


def at(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based line and column of the ``occurrence``-th ``needle`` in ``text``."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def name_at(text: str, name: str) -> tuple[int, int]:
    """Where a container's name is written (``- name: NAME``)."""
    line, column = at(text, f"- name: {name}\n")
    return line, column + len("- name: ")


def found(text: str, *codes: str, **config: Any) -> list[tuple[str, str, int, int]]:
    return [
        (f.code, f.severity.value, f.span.line, f.span.column)
        for f in lint(text, select=list(codes), **config)
    ]


def only(text: str, code: str, **config: Any) -> Finding:
    (finding,) = lint(text, select=[code], **config)
    return finding


def workload(
    containers: str,
    init: str = "",
    kind: str = "Deployment",
    volumes: str = "",
    annotations: str = "",
    extra: str = "",
) -> str:
    """A Deployment (or Job) with the containers given as YAML list items (8 spaces)."""
    api = "batch/v1" if kind == "Job" else "apps/v1"
    text = (
        f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: w\nspec:\n"
        + ("  selector:\n    matchLabels: {app: w}\n" if kind != "Job" else "")
        + "  template:\n    metadata:\n      labels: {app: w}\n"
        + (f"      annotations:\n{annotations}" if annotations else "")
        + "    spec:\n"
        + ("      restartPolicy: Never\n" if kind == "Job" else "")
    )
    if init:
        text += "      initContainers:\n" + init
    text += "      containers:\n" + containers
    if volumes:
        text += "      volumes:\n" + volumes
    return text + extra


def item(name: str, image: str, **fields: Any) -> str:
    """One container as a YAML list item; field values are written as JSON."""
    out = f"        - name: {name}\n          image: {image}\n"
    for key, value in fields.items():
        out += f"          {key}: {json.dumps(value)}\n"
    return out


SH = ["sh", "-c"]
LOOP = [*SH, 'while true; do echo "logging" >> /opt/logs.txt; sleep 1; done']
DATA = [{"name": "data", "mountPath": "/opt"}]
EMPTY = "        - name: data\n          emptyDir: {}\n"
DEFAULT_ORDER = (
    "it has no start order (the app can start before it is ready) and no stop order (it can "
    "exit before the app has drained)"
)


# --- helpers by what they do ---------------------------------------------------------------


def test_a_follower_of_what_the_app_writes_is_a_helper_even_beside_a_loop() -> None:
    text = workload(
        item("myapp", "alpine", command=LOOP, volumeMounts=DATA)
        + item("logshipper", "alpine", command=[*SH, "tail -F /opt/logs.txt"], volumeMounts=DATA),
        volumes=EMPTY,
    )
    assert found(text, "SCL103") == [("SCL103", "warning", *name_at(text, "logshipper"))]
    assert only(text, "SCL103").message == (
        "'logshipper' looks like a sidecar (it only follows /opt/logs.txt, which 'myapp' "
        f"writes) but is an app container: {DEFAULT_ORDER}"
    )
    # Following a file nobody writes, or writing files itself: not a helper by role.
    nobody = text.replace("/opt/logs.txt; sleep", "/opt/other.txt; sleep")
    assert found(nobody, "SCL103") == []
    writes = text.replace("tail -F /opt/logs.txt", "tail -F /opt/logs.txt >> /opt/copy")
    assert found(writes, "SCL103") == []
    # In a Job, the same helper keeps the Job from completing.
    job = workload(
        item("myapp", "alpine", command=LOOP, volumeMounts=DATA)
        + item("logshipper", "alpine", command=[*SH, "tail -F /opt/logs.txt"], volumeMounts=DATA),
        kind="Job",
        volumes=EMPTY,
    )
    assert found(job, "SCL102") == [("SCL102", "error", *name_at(job, "logshipper"))]
    assert "(it only follows /opt/logs.txt, which 'myapp' writes)" in only(job, "SCL102").message


def test_a_forwarder_another_container_connects_to_is_a_helper() -> None:
    text = workload(
        item(
            "main",
            "busybox",
            command=[*SH, "while true; do sleep 3600; done"],
            env=[{"name": "DATABASE_URL", "value": "localhost:5432"}],
        )
        + item("ambassador", "alpine/socat", args=["tcp-listen:5432,fork", "tcp:db:5432"])
    )
    assert found(text, "SCL103") == [("SCL103", "warning", *name_at(text, "ambassador"))]
    assert "(it only forwards port 5432 (socat), which 'main' connects to)" in (
        only(text, "SCL103").message
    )
    alone = text.replace("localhost:5432", "db.example:5432")
    assert found(alone, "SCL103") == []


# --- injector stubs and workload proxies ------------------------------------------------


@pytest.mark.parametrize(
    ("image", "reported"),
    [
        ("auto", False),
        ('""', False),
        ("docker.io/istio/proxyv2:1.24.0", True),
    ],
)
def test_injector_stubs_are_left_to_the_injector(image: str, reported: bool) -> None:
    text = workload(item("app", "nginx:1.27") + item("istio-proxy", image))
    expected = [("SCL103", "warning", *name_at(text, "istio-proxy"))] if reported else []
    assert found(text, "SCL103") == expected
    job = workload(
        item("app", "busybox", command=[*SH, "echo done"]) + item("istio-proxy", image),
        kind="Job",
    )
    assert [code for code, *_ in found(job, "SCL102")] == (["SCL102"] if reported else [])


def test_a_stub_without_an_image_line() -> None:
    text = workload(item("app", "nginx:1.27") + "        - name: linkerd-proxy\n")
    assert found(text, "SCL103") == []


def test_an_istio_gateway_is_the_workload() -> None:
    router = workload(
        item("istio-proxy", "istio/proxyv2:1.24.0", args=["proxy", "router", "--domain", "x"])
        + item("helper", "busybox", command=[*SH, "sleep 10"])
    )
    assert found(router, "SCL103") == []
    sidecar = router.replace('"router"', '"sidecar"')
    assert found(sidecar, "SCL103") == [("SCL103", "warning", *name_at(sidecar, "istio-proxy"))]


ENVOY_BOOTSTRAP = (
    "static_resources:\n"
    "  clusters:\n"
    "  - load_assignment:\n"
    "      endpoints:\n"
    "      - lb_endpoints:\n"
    "        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8080}}}\n"
)


def test_an_envoy_that_no_container_goes_through_is_the_workload() -> None:
    contour = workload(
        item("contour", "ghcr.io/projectcontour/contour:v1", command=["contour"], args=["serve"])
        + item(
            "envoy",
            "docker.io/envoyproxy/envoy-alpine:v1.6.0",
            command=["envoy"],
            args=["-c", "/config/envoy.json"],
            ports=[{"containerPort": 8080}, {"containerPort": 8443}],
        )
    )
    assert found(contour, "SCL103") == []
    # Another container connects to it: it proxies for the Pod.
    client = contour.replace(
        'args: ["serve"]', 'args: ["serve", "--envoy-url=http://localhost:8443/"]'
    )
    assert found(client, "SCL103") == [("SCL103", "warning", *name_at(client, "envoy"))]
    # Its configuration forwards to a port of the app.
    config = item("web", "nginx:1.27", ports=[{"containerPort": 8080}]) + item(
        "envoy",
        "envoyproxy/envoy:v1.31.0",
        args=["-c", "/etc/envoy/envoy.yaml"],
        volumeMounts=[{"name": "conf", "mountPath": "/etc/envoy"}],
    )
    volume = "        - name: conf\n          configMap: {name: envoy}\n"
    configmap = (
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: envoy}\ndata:\n"
        f"  envoy.yaml: {json.dumps(ENVOY_BOOTSTRAP)}\n"
    )
    fronted = workload(config, volumes=volume, extra=configmap)
    assert found(fronted, "SCL103") == [("SCL103", "warning", *name_at(fronted, "envoy"))]
    without = workload(config, volumes=volume)
    assert found(without, "SCL103") == []
    # In a Job any long-running proxy keeps the Job from completing.
    job = workload(
        item("work", "busybox", command=[*SH, "echo done"])
        + item("envoy", "envoyproxy/envoy:v1.31.0"),
        kind="Job",
    )
    assert [code for code, *_ in found(job, "SCL102")] == ["SCL102"]


@pytest.mark.parametrize(
    ("post_start", "first", "wait"),
    [
        (["pilot-agent", "wait"], True, "pilot-agent wait"),
        (
            ["/usr/lib/linkerd/linkerd-await", "--timeout=2m"],
            True,
            "/usr/lib/linkerd/linkerd-await --timeout=2m",
        ),
        (
            [*SH, "until curl -sf localhost:15021/healthz/ready; do sleep 1; done"],
            True,
            "curl -sf localhost:15021/healthz/ready",
        ),
        (["pilot-agent", "wait"], False, None),
        (["sh", "-c", "echo started"], True, None),
    ],
)
def test_a_proxy_started_first_by_its_post_start_hook(
    post_start: list[str], first: bool, wait: str | None
) -> None:
    proxy = item(
        "istio-proxy",
        "istio/proxyv2:1.24.0",
        args=["proxy", "sidecar"],
        lifecycle={"postStart": {"exec": {"command": post_start}}},
    )
    app = item("app", "nginx:1.27")
    text = workload(proxy + app if first else app + proxy)
    f = only(text, "SCL103")
    head = "'istio-proxy' looks like a sidecar (its image is a known sidecar (Istio proxy)) but "
    if wait is None:
        assert f.message == head + f"is an app container: {DEFAULT_ORDER}"
    else:
        assert f.message == head + (
            f"is an app container: it starts first (its postStart hook '{wait}' holds the next "
            "containers until it is ready), but it has no stop order (it can exit before the "
            "app has drained)"
        )
