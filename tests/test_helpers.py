"""Helper detection: which signal makes a container a long-running helper."""

from __future__ import annotations

from typing import Any

import pytest

from sidecarlint.helpers import (
    HelperMatch,
    _is_the_workload,
    helper_match,
    helper_role,
    image_name,
    injected_by,
    is_one_shot,
    known_image,
    proxy_label,
    workload_proxy,
)
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
        ("localhost:5000/busybox", "busybox"),  # a registry port is not a tag
        ("registry.example.com:443/team/app", "team/app"),
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


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("istio-proxy", "Istio proxy"),
        ("linkerd-proxy", "Linkerd proxy"),
        ("cloud-sql-proxy", "Cloud SQL Auth Proxy"),
        ("envoy", "Envoy"),
        ("proxy", None),
    ],
)
def test_proxy_label_by_name(name: str, label: str | None) -> None:
    """An image the catalog does not know is a proxy by the name its injector or chart
    gives the container."""
    pod = pod_of([WORK, {"name": name, "image": "registry.example.com/edge:1"}])
    assert proxy_label(pod.containers[1]) == label


def _deployment(name: str | None, containers: list[dict[str, Any]], labels: Any = None) -> Pod:
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name} if name else {},
        "spec": {"template": {"metadata": {"labels": labels}, "spec": {"containers": containers}}},
    }
    return located_pod(body)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("owner", "container", "labels", "workload"),
    [
        ("envoy", "envoy", {}, True),
        ("contour-envoy", "envoy", {}, True),
        ("envoy-gateway", "envoy", {}, True),
        ("myenvoy", "envoy", {}, False),
        ("envoyx", "envoy", {}, False),
        ("d", "envoy", {"app": "envoy"}, True),
        ("d", "envoy", {"app.kubernetes.io/name": "envoy"}, True),
        ("d", "envoy", {"app": "d"}, False),
        ("d", "envoy", None, False),
        ("d", None, {}, False),
    ],
)
def test_the_container_the_workload_is_named_after(
    owner: str, container: str | None, labels: Any, workload: bool
) -> None:
    """By the workload's name (equal, or the name with a prefix or suffix after a dash) or
    its ``app`` / ``app.kubernetes.io/name`` label; a container without a name is none."""
    c = {"image": "envoyproxy/envoy:v1.31.0", **({"name": container} if container else {})}
    pod = _deployment(owner, [c], labels)
    assert _is_the_workload(pod.containers[0], pod) is workload


def test_workload_proxy_reasons() -> None:
    """An Istio gateway (``proxy router`` after any flag) and an Envoy, by image or by the
    name ``envoy``, that nothing goes through, each with its reason."""
    gateway = pod_of(
        [
            {"name": "gw", "image": "istio/proxyv2:1.24.0", "args": ["--log", "proxy", "router"]},
            WORK,
        ],
        kind="Pod",
    )
    assert workload_proxy(gateway.containers[0], gateway) == "an Istio gateway (proxy router)"
    sidecar = pod_of([{"name": "gw", "image": "istio/proxyv2:1.24.0", "args": ["proxy"]}, WORK])
    assert workload_proxy(sidecar.containers[0], sidecar) is None
    for image, name in (
        ("envoyproxy/envoy:v1.31.0", "edge"),
        ("registry.example.com/edge:1", "envoy"),
    ):
        pod = pod_of([{"name": name, "image": image}, WORK], kind="Pod")
        assert workload_proxy(pod.containers[0], pod) == (
            "an Envoy that no other container of the Pod goes through"
        )
    other = pod_of([{"name": "edge", "image": "registry.example.com/edge:1"}, WORK], kind="Pod")
    assert workload_proxy(other.containers[0], other) is None


LOOP = {"name": "loop", "image": "busybox", "command": ["sh", "-c", "while true; do sleep 1; done"]}


@pytest.mark.parametrize(
    ("others", "options", "signal"),
    [
        # The work is done by a container after the loop.
        ([WORK], Options(), "command"),
        # Helpers by image, by configured image pattern, by name, or by what they do, do
        # no work.
        ([{"name": "proxy", "image": "envoyproxy/envoy:v1.31.0"}], Options(), None),
        (
            [{"name": "meshd", "image": "registry.example.com/mesh/agent:1"}],
            Options(sidecar_images=("registry.example.com/mesh/*",)),
            None,
        ),
        ([{"name": "log-sidecar", "image": "busybox"}], Options(), None),
        (
            [
                {"name": "follower", "image": "busybox", "command": ["tail", "-F", "/d/app.log"]},
                {
                    "name": "app",
                    "image": "app",
                    "env": [{"name": "LOG_FILE", "value": "/d/app.log"}],
                },
            ],
            Options(),
            "command",
        ),
    ],
)
def test_a_forever_loop_is_a_helper_when_another_container_does_work(
    others: list[dict[str, Any]], options: Options, signal: str | None
) -> None:
    pod = pod_of([LOOP, *others], kind="Pod")
    match = helper_match(pod.containers[0], pod, options)
    assert (match.signal if match else None) == signal


def test_the_vault_image_is_a_helper_only_as_an_agent() -> None:
    pod = pod_of(
        [
            WORK,
            {"name": "vault", "image": "hashicorp/vault:1.17", "args": ["server"]},
            {"name": "agent", "image": "hashicorp/vault:1.17", "args": ["agent", "-config=/c"]},
        ],
        kind="Pod",
    )
    got = [(m.signal, m.detail) if (m := helper_match(c, pod)) else None for c in pod.containers]
    assert got == [None, None, ("image", "Vault agent")]


def test_helper_roles_both_sides() -> None:
    """A container follows only what another writes (not a file others pass between
    themselves; not while it also listens); a socat forwarder is found after other
    listeners."""
    pod = pod_of(
        [
            {"name": "writer", "image": "app", "env": [{"name": "LOG_FILE", "value": "/w.log"}]},
            {"name": "reader", "image": "busybox", "command": ["tail", "-F", "/w.log"]},
            {"name": "lonely", "image": "busybox", "command": ["tail", "-F", "/c.log"]},
            {
                "name": "busy",
                "image": "busybox",
                "command": ["sh", "-c", "nc -l -p 9000 & tail -F /w.log"],
            },
            {
                "name": "fwd",
                "image": "busybox",
                "command": ["sh", "-c", "nc -l -p 9001 & socat tcp-listen:8080,fork tcp:db:5432"],
            },
            {"name": "client", "image": "busybox", "command": ["curl", "localhost:8080"]},
        ],
        kind="Pod",
    )
    assert [helper_role(c, pod) for c in pod.containers] == [
        None,
        "it only follows /w.log, which 'writer' writes",
        None,
        None,
        "it only forwards port 8080 (socat), which 'client' connects to",
        None,
    ]


def test_injected_by_the_annotation_value() -> None:
    """The Vault agent injector marks the Pod ``agent-inject-status: injected``; another
    value is not its mark."""

    def injector(status: str) -> str | None:
        body = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "p",
                "annotations": {"vault.hashicorp.com/agent-inject-status": status},
            },
            "spec": {"containers": [{"name": "vault-agent", "image": "hashicorp/vault:1.17"}]},
        }
        pod = located_pod(body)
        return injected_by(pod.containers[0], pod)

    assert injector("injected") == "Vault agent injector"
    assert injector("update") is None


CLOUD_SQL = {"name": "proxy", "image": "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1"}
GIT_SYNC = {"name": "sync", "image": "registry.k8s.io/git-sync/git-sync:v4.2.1"}


@pytest.mark.parametrize(
    ("container", "one_shot"),
    [
        ({"name": "istio-init", "args": ["-p", "15001"]}, True),
        ({"name": "setup", "args": ["istio-iptables", "-p", "15001"]}, True),
        ({"name": "check", "command": ["vault", "version"]}, True),
        ({"name": "agent", "command": ["vault", "agent"]}, False),
        # A well-known image in its one-shot mode, as its reader in the model sees it.
        (CLOUD_SQL | {"args": ["wait", "--max=10s"]}, True),
        (CLOUD_SQL | {"args": ["--port=5432", "p:r:i"]}, False),
        (GIT_SYNC | {"args": ["--repo=https://example.com/r", "--one-time"]}, True),
        (GIT_SYNC | {"args": ["--repo=https://example.com/r"]}, False),
    ],
)
def test_one_shots_by_name_or_args(container: dict[str, Any], one_shot: bool) -> None:
    pod = pod_of([WORK], init=[{"image": "busybox", **container}])
    assert is_one_shot(pod.init_containers[0], pod) is one_shot


def test_describe_the_name_signal() -> None:
    assert HelperMatch("name", "*-sidecar").describe() == (
        "its name matches the helper pattern '*-sidecar'"
    )
