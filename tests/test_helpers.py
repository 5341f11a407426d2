"""Helper detection: which signal makes a container a long-running helper."""

from __future__ import annotations

from typing import Any

import pytest

from sidecarlint.helpers import helper_match, image_name, known_image, proxy_label
from sidecarlint.locate import Pod
from sidecarlint.registry import Options
from tests.conftest import pod_of as located_pod


def pod_of(
    containers: list[dict[str, Any]], init: list[dict[str, Any]] | None = None, kind: str = "Job"
) -> Pod:

    spec = {"containers": containers, "initContainers": init or []}
    body: dict[str, Any] = (
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "j"},
            "spec": {"template": {"spec": spec}},
        }
        if kind == "Job"
        else {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}
    )
    return located_pod(body)  # type: ignore[no-any-return]


WORK = {"name": "work", "image": "busybox", "command": ["sh", "-c", "echo work"]}


@pytest.mark.parametrize(
    ("image", "name"),
    [
        ("docker.io/istio/proxyv2:1.24.0", "istio/proxyv2"),
        ("localhost:5000/envoyproxy/envoy:v1.31@sha256:abc", "envoyproxy/envoy"),
        ("busybox", "busybox"),
        (
            "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1",
            "cloud-sql-connectors/cloud-sql-proxy",
        ),
    ],
)
def test_image_name(image: str, name: str) -> None:
    assert image_name(image) == name


@pytest.mark.parametrize(
    ("image", "label"),
    [
        ("docker.io/istio/proxyv2:1.24.0", "Istio proxy"),
        ("cr.l5d.io/linkerd/proxy:stable-2.14.10", "Linkerd proxy"),
        ("cr.l5d.io/linkerd/proxy-init:v2.2.1", None),
        ("fluent/fluent-bit:3.1", "Fluent Bit"),
        ("gcr.io/cloudsql-docker/gce-proxy:1.33.2", "Cloud SQL Auth Proxy"),
        ("otel/opentelemetry-collector-contrib:0.110.0", "OpenTelemetry Collector"),
        ("daprio/daprd:1.14.0", "Dapr sidecar"),
        ("quay.io/oauth2-proxy/oauth2-proxy:v7.6.0", "OAuth2 Proxy"),
        ("nginx:1.27", None),
    ],
)
def test_known_images(image: str, label: str | None) -> None:
    assert known_image(image) == label


def test_configured_patterns() -> None:
    options = Options(sidecar_images=("registry.example.com/mesh/*",), sidecar_names=("*-agent",))
    assert known_image("registry.example.com/mesh/proxy:1", options) == (
        "image pattern 'registry.example.com/mesh/*'"
    )
    pod = pod_of([WORK, {"name": "metrics-agent", "image": "example/agent"}])
    match = helper_match(pod.containers[1], pod, options)
    assert match is not None and (match.signal, match.detail) == ("name", "*-agent")


def test_signals() -> None:
    pod = pod_of(
        [
            WORK,
            {"name": "proxy", "image": "envoyproxy/envoy:v1.31.0"},
            {"name": "log-sidecar", "image": "busybox"},
            {"name": "tailer", "image": "busybox", "command": ["tail", "-F", "/x"]},
        ]
    )
    got = [(m.signal, m.detail) if (m := helper_match(c, pod)) else None for c in pod.containers]
    assert got == [
        None,
        ("image", "Envoy"),
        ("name", "*-sidecar"),
        ("command", "'tail -F /x' follows a file forever"),
    ]


def test_single_app_container_is_never_a_helper() -> None:
    pod = pod_of([{"name": "istio-proxy", "image": "istio/proxyv2:1.24.0"}])
    assert helper_match(pod.containers[0], pod) is None


def test_two_forever_loops_have_no_main_work() -> None:
    loop = ["sh", "-c", "while true; do sleep 1; done"]
    pod = pod_of(
        [
            {"name": "a", "image": "busybox", "command": loop},
            {"name": "b", "image": "busybox", "command": loop},
        ],
        kind="Pod",
    )
    assert [helper_match(c, pod) for c in pod.containers] == [None, None]


@pytest.mark.parametrize(
    "init",
    [
        {
            "name": "istio-init",
            "image": "istio/proxyv2:1.24.0",
            "args": ["istio-iptables", "-p", "15001"],
        },
        {
            "name": "istio-validation",
            "image": "istio/proxyv2:1.24.0",
            "args": ["istio-iptables", "--run-validation"],
        },
        {
            "name": "linkerd-init",
            "image": "cr.l5d.io/linkerd/proxy:edge",
            "args": ["--incoming-proxy-port", "4143"],
        },
        {
            "name": "linkerd-network-validator",
            "image": "cr.l5d.io/linkerd/proxy:edge",
            "args": ["--connect-addr", "1.1.1.1:4140"],
        },
        {
            "name": "vault-agent-init",
            "image": "hashicorp/vault:1.17",
            "args": ["agent", "-config=/c"],
        },
        {"name": "vault-agent", "image": "hashicorp/vault:1.17", "args": ["agent", "-config=/c"]},
    ],
)
def test_injector_one_shots_are_not_helpers(init: dict[str, Any]) -> None:
    pod = pod_of([WORK], init=[init])
    assert helper_match(pod.init_containers[0], pod) is None


def test_container_named_after_workload_is_main_work() -> None:

    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "envoy"},
        "spec": {
            "containers": [
                {"name": "shutdown-manager", "image": "contour"},
                {"name": "envoy", "image": "envoyproxy/envoy:v1.31.0"},
            ]
        },
    }
    pod = located_pod(body)
    assert helper_match(pod.containers[1], pod) is None


def test_proxy_label() -> None:
    pod = pod_of(
        [WORK],
        init=[
            {"name": "istio-proxy", "image": "istio/proxyv2:1.24.0"},
            {"name": "x", "image": "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2"},
        ],
    )
    assert [proxy_label(c) for c in pod.init_containers] == ["Istio proxy", "Cloud SQL Auth Proxy"]
