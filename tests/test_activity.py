"""The file-and-port model of a Pod (:mod:`sidecarlint.activity`): what each container
writes, reads, listens on and connects to, and the evidence of each, from its command and
args, env, declared ports, mounted ConfigMaps of the same input, the injector's annotations
and the catalog of well-known images."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from sidecarlint import images
from sidecarlint.activity import (
    Activity,
    activity,
    command_connections,
    expand,
    flows,
    local_urls,
    same_file,
    servers,
)
from sidecarlint.activity import FileUse as Use
from sidecarlint.locate import Pod
from sidecarlint.pipeline import Settings, pods_in_text


def pod_of(
    containers: list[dict[str, Any]],
    init: list[dict[str, Any]] | None = None,
    volumes: list[dict[str, Any]] | None = None,
    annotations: dict[str, str] | None = None,
    config_maps: dict[str, dict[str, str]] | None = None,
    after: bool = False,
) -> Pod:
    """A Deployment with these containers, and ConfigMaps defined in the same input
    (before the Deployment, or after it with ``after``)."""
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "selector": {"matchLabels": {"app": "d"}},
            "template": {
                "metadata": {"labels": {"app": "d"}, "annotations": annotations or {}},
                "spec": {
                    "initContainers": init or [],
                    "containers": containers,
                    "volumes": volumes or [],
                },
            },
        },
    }
    maps = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}
        for name, data in (config_maps or {}).items()
    ]
    docs = [deployment, *maps] if after else [*maps, deployment]
    text = "\n---\n".join(json.dumps(d) for d in docs)
    (pod,) = pods_in_text(text, "t.yaml", Settings())
    return pod


def one(container: dict[str, Any], **kw: Any) -> Activity:
    pod = pod_of([{"name": "c", **container}], **kw)
    return activity(pod, pod.containers[0])


def ports(uses: list[Any]) -> list[tuple[int, str]]:
    return [(u.port, u.evidence) for u in uses]


def files(uses: list[Any]) -> list[tuple[str, str]]:
    return [(u.path, u.evidence) for u in uses]


# --- reading values ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("localhost:5432", [5432]),
        ("postgres://user:pw@127.0.0.1:5432/db", [5432]),
        ("http://[::1]:8200/v1", [8200]),
        ("redis://0.0.0.0:6379", [6379]),
        ("db.example:5432", []),
        ("localhost:99999", []),
        ("localhost:0", []),
        ("mylocalhost:80", []),
        ("localhost:5432.5", []),
        ("a=localhost:1 b=127.0.0.1:2", [1, 2]),
    ],
)
def test_local_urls(text: str, found: list[int]) -> None:
    assert local_urls(text) == found


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("--port=$(PORT)", "--port=5431"),
        ("$(PORT)$(PORT)", "54315431"),
        ("$$(PORT)", "$(PORT)"),
        ("$(MISSING)", "$(MISSING)"),
        ("$PORT", "$PORT"),
        ("plain", "plain"),
    ],
)
def test_env_references_expand_like_the_kubelet(text: str, expanded: str) -> None:
    assert expand(text, {"PORT": "5431"}) == expanded


def test_expanded_args_are_read() -> None:
    uses = one(
        {
            "image": "busybox",
            "command": ["sh", "-c", "psql -h 127.0.0.1 -p $(DB_PORT)"],
            "env": [{"name": "DB_PORT", "value": "5431"}],
        }
    )
    assert ports(uses.connects) == [(5431, "its command")]
    assert uses.connects[0].where[-2:] == ("command", 2)


# --- env ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "connects"),
    [
        ({"DATABASE_URL": "postgres://u@127.0.0.1:5432/db"}, [(5432, "env DATABASE_URL")]),
        ({"DATABASE_URL": "localhost:5432"}, [(5432, "env DATABASE_URL")]),
        ({"DB_HOST": "127.0.0.1", "DB_PORT": "5431"}, [(5431, "env DB_HOST and DB_PORT")]),
        ({"PGHOST": "localhost", "PGPORT": "6432"}, [(6432, "env PGHOST and PGPORT")]),
        ({"DB_HOST": "db.example", "DB_PORT": "5431"}, []),
        ({"DB_HOST": "0.0.0.0", "DB_PORT": "5431"}, []),
        ({"DB_HOST": "127.0.0.1", "DB_PORT": "x"}, []),
        ({"DB_HOST": "127.0.0.1"}, []),
        # HOST and PORT with no prefix are what a server binds, not a client's target.
        ({"HOST": "127.0.0.1", "PORT": "8080"}, []),
        ({"LISTEN_ADDR": "127.0.0.1:8080"}, []),
        ({"BIND": "localhost:8080"}, []),
        ({"UPSTREAM": "0.0.0.0:8080"}, []),
    ],
)
def test_env_connections(env: dict[str, str], connects: list[tuple[int, str]]) -> None:
    uses = one({"image": "app", "env": [{"name": k, "value": v} for k, v in env.items()]})
    assert ports(uses.connects) == connects


@pytest.mark.parametrize(
    ("name", "value", "written", "directory"),
    [
        ("LOG_FILE", "/var/log/app/app.log", "/var/log/app/app.log", False),
        ("APP_LOG_PATH", "/logs/a.log", "/logs/a.log", False),
        ("LOGFILE", "/logs/a.log", "/logs/a.log", False),
        ("LOG_DIR", "/var/log/app/", "/var/log/app", True),
        ("LOGGING_FILE_PATH", "/logs", "/logs", True),
        ("LOG_FILE", "relative.log", None, False),
        ("LOG_FILE", "/dev/stdout", None, False),
        ("LOG_FILE", "/a b.log", None, False),
        ("CONFIG_FILE", "/etc/app.conf", None, False),
        ("JAVA_OPTS", "-Xmx1g -Dlogging.file.name=/logs/app.log", "/logs/app.log", False),
        ("JAVA_TOOL_OPTIONS", "-Dlogging.file.path=/logs", "/logs", True),
    ],
)
def test_env_log_files(name: str, value: str, written: str | None, directory: bool) -> None:
    uses = one({"image": "app", "env": [{"name": name, "value": value}]})
    if written is None:
        assert uses.writes == []
        return
    assert [(u.path, u.directory, u.evidence) for u in uses.writes] == [
        (written, directory, f"env {name}")
    ]
    assert uses.writes[0].where[-3:] == ("env", 0, "value")


def test_env_from_config_maps_of_the_input() -> None:
    container = {
        "image": "app",
        "envFrom": [{"configMapRef": {"name": "urls"}, "prefix": "APP_"}],
        "env": [
            {"name": "PGHOST", "valueFrom": {"configMapKeyRef": {"name": "db", "key": "host"}}},
            {"name": "PGPORT", "valueFrom": {"configMapKeyRef": {"name": "db", "key": "port"}}},
            {"name": "X", "valueFrom": {"configMapKeyRef": {"name": "db", "key": "missing"}}},
            {"name": "Y", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
        ],
    }
    maps = {
        "db": {"host": "127.0.0.1", "port": "5432"},
        "urls": {"DATABASE_URL": "localhost:6543"},
    }
    uses = one(container, config_maps=maps)
    assert ports(uses.connects) == [
        (6543, "env APP_DATABASE_URL"),
        (5432, "env PGHOST and PGPORT"),
    ]
    assert uses.connects[0].where[-2:] == ("envFrom", 0)
    assert uses.connects[1].where[-2:] == ("env", 0)
    # Without the ConfigMap in the input, nothing is known.
    assert one(container).connects == []


# --- command and args ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "listens", "connects"),
    [
        (["app", "--port=8080"], [8080], []),
        (["app", "--grpc-server-port", "9090"], [9090], []),
        (["app", "--web.listen-address=:9113"], [9113], []),
        (["app", "--http-address=127.0.0.1:4180"], [4180], []),
        (["app", "--listen=0.0.0.0:8080"], [8080], []),
        (["app", "--db-port=5432", "--upstream-port", "80"], [], []),
        (["app", "--port=x"], [], []),
        (["app", "--host=127.0.0.1", "--port=5432"], [], [5432]),
        (["psql", "--port=5432"], [], []),
        (["psql", "-h", "localhost", "-p", "5432"], [], [5432]),
        (["sh", "-c", "until nc -z 127.0.0.1 15021; do sleep 1; done"], [], [15021]),
        (["sh", "-c", "nc -l -p 9000"], [9000], []),
        (["sh", "-c", "nc -lk 9001"], [9001], []),
        (["sh", "-c", "nc -l"], [], []),
        (["socat", "TCP-LISTEN:5432,fork", "TCP:db.example:5432"], [5432], []),
        (
            ["socat", "tcp-listen:5433,fork,bind=127.0.0.1", "tcp-connect:localhost:15432"],
            [5433],
            [],
        ),
        (["app", "--db=postgres://127.0.0.1:5432/x"], [], [5432]),
    ],
)
def test_command_ports(argv: list[str], listens: list[int], connects: list[int]) -> None:
    uses = one({"image": "app", "command": argv})
    assert [u.port for u in uses.listens] == listens
    assert [u.port for u in uses.connects] == connects


def test_waits_and_forwards() -> None:
    uses = one({"image": "x", "command": ["sh", "-c", "until nc -z localhost 1; do :; done"]})
    assert [(u.port, u.waits) for u in uses.connects] == [(1, True)]
    once = one({"image": "x", "command": ["sh", "-c", "curl localhost:1/ready"]})
    assert [(u.port, u.waits) for u in once.connects] == [(1, False)]
    socat = one({"image": "x", "args": ["tcp-listen:80,fork,bind=127.0.0.1", "tcp:127.0.0.1:8080"]})
    assert [(u.port, u.loopback, u.evidence) for u in socat.listens] == [
        (80, True, "socat TCP-LISTEN")
    ]
    assert ports(socat.forwards) == [(8080, "socat")]


def test_declared_ports_the_args_bind_elsewhere() -> None:
    uses = one(
        {
            "image": "buoyantio/bb:v0.0.6",
            "args": ["terminus", "--grpc-server-port", "8080"],
            "ports": [{"containerPort": 9090}, {"containerPort": 8080}],
        }
    )
    assert ports(uses.listens) == [(8080, "containerPort")]
    assert ports(uses.unbound) == [(9090, "containerPort")]
    kept = one({"image": "x", "args": ["serve"], "ports": [{"containerPort": 9090}]})
    assert ports(kept.listens) == [(9090, "containerPort")] and kept.unbound == []


def test_files_from_the_command() -> None:
    uses = one(
        {
            "image": "busybox",
            "command": ["sh", "-c", "tail -n+1 -F /var/log/a.log; cat /etc/b.conf > /out/c"],
        }
    )
    assert [(u.path, u.follows) for u in uses.reads] == [
        ("/var/log/a.log", True),
        ("/etc/b.conf", False),
    ]
    assert files(uses.writes) == [("/out/c", "its command")]


# --- the catalog of images ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "label"),
    [
        ("docker.io/istio/proxyv2:1.24.0", images.ISTIO),
        ("registry.istio.io/release/proxy_debug:unittest", images.ISTIO),
        ("cr.l5d.io/linkerd/proxy:stable-2.14.10", images.LINKERD),
        ("gcr.io/linkerd-io/proxy:stable", images.LINKERD),
        ("envoyproxy/envoy-distroless:v1.31.0", images.ENVOY),
        ("gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1", images.CLOUD_SQL),
        ("gcr.io/cloudsql-docker/gce-proxy:1.33.2", images.GCE_PROXY),
        ("hashicorp/vault:1.17", images.VAULT),
        ("quay.io/oauth2-proxy/oauth2-proxy:v7.6.0", images.OAUTH2_PROXY),
        ("fluent/fluent-bit:3.1", images.FLUENT_BIT),
        ("grafana/promtail:3.0.0", images.PROMTAIL),
        ("timberio/vector:0.40.0-debian", images.VECTOR),
        ("daprio/daprd:1.14.0", images.DAPR),
        ("nginx:1.27", images.NGINX),
        ("docker.io/library/nginx", images.NGINX),
        ("nginxinc/nginx-unprivileged:1.27", images.NGINX_UNPRIVILEGED),
        ("bitnami/nginx:1.27", None),
        ("postgres:16", images.POSTGRES),
        ("redis:7", images.REDIS),
        ("quay.io/brancz/kube-rbac-proxy:v0.18.0", images.KUBE_RBAC_PROXY),
        ("registry.k8s.io/git-sync/git-sync:v4.2.4", images.GIT_SYNC),
        ("busybox", None),
    ],
)
def test_catalog_lookup(image: str, label: str | None) -> None:
    entry = images.lookup(image)
    assert (entry.label if entry else None) == label


def test_catalog_entries_cite_their_source() -> None:
    assert len(images.CATALOG) >= 25
    for entry in images.CATALOG:
        assert entry.source.startswith("https://"), entry.label
        assert entry.binary, entry.label
    assert len({e.label for e in images.CATALOG}) == len(images.CATALOG)


def test_istio_proxy_ports_and_its_one_shot_uses() -> None:
    proxy = one({"image": "istio/proxyv2:1.24.0", "args": ["proxy", "sidecar"]})
    assert [(u.port, u.loopback, u.certain) for u in proxy.listens] == [
        (15000, True, True),
        (15001, False, True),
        (15006, False, True),
        (15020, False, True),
        (15021, False, True),
        (15090, False, True),
    ]
    assert proxy.listens[4].evidence == "Istio proxy: health (/healthz/ready)"
    assert proxy.listens[0].where[-1] == "image"
    init = one({"image": "istio/proxyv2:1.24.0", "args": ["istio-iptables", "-p", "15001"]})
    assert init.listens == [] and init.one_shot
    moved = pod_of(
        [{"name": "c", "image": "istio/proxyv2:1.24.0"}],
        annotations={"status.sidecar.istio.io/port": "15030"},
    )
    uses = activity(moved, moved.containers[0])
    assert [u.port for u in uses.listens] == [15030, 15000, 15001, 15006, 15021, 15090]
    assert uses.listens[0].evidence == "annotation status.sidecar.istio.io/port"


def test_linkerd_proxy_ports_follow_its_env() -> None:
    proxy = one(
        {
            "image": "cr.l5d.io/linkerd/proxy:edge",
            "env": [{"name": "LINKERD2_PROXY_ADMIN_LISTEN_ADDR", "value": "[::]:4192"}],
        }
    )
    assert [(u.port, u.loopback) for u in proxy.listens] == [
        (4192, False),
        (4140, True),
        (4143, False),
        (4190, False),
    ]
    init = one(
        {
            "image": "cr.l5d.io/linkerd/proxy:edge",
            "command": ["/usr/lib/linkerd/linkerd2-proxy-init"],
            "args": ["--incoming-proxy-port", "4143"],
        }
    )
    assert init.listens == [] and init.one_shot


@pytest.mark.parametrize(
    ("container", "listens"),
    [
        (
            {"args": ["--port=5431", "proj:region:db"]},
            [(5431, "--port", True, True)],
        ),
        (
            {"args": ["--port", "5432", "a:b:c", "d:e:f", "g:h:i?port=7000"]},
            [
                (5432, "--port", True, True),
                (5433, "--port", True, True),
                (7000, "?port=", True, True),
            ],
        ),
        (
            {"args": ["--address=0.0.0.0", "-p", "3306", "a:b:c"]},
            [(3306, "--port", False, True)],
        ),
        (
            {"args": ["a:b:c"], "env": [{"name": "CSQL_PROXY_PORT", "value": "6000"}]},
            [(6000, "env CSQL_PROXY_PORT", True, True)],
        ),
        (
            {"args": ["a:b:c"]},
            [
                (3306, "the database engine's default port", True, False),
                (5432, "the database engine's default port", True, False),
                (1433, "the database engine's default port", True, False),
            ],
        ),
        ({"args": ["--unix-socket", "/cloudsql", "a:b:c"]}, []),
        (
            {"args": ["--health-check", "--http-address=0.0.0.0", "--unix-socket=/s", "a:b:c"]},
            [(9090, "HTTP server (default 9090)", False, True)],
        ),
        (
            {
                "args": ["--unix-socket=/s", "a:b:c"],
                "env": [
                    {"name": "CSQL_PROXY_HEALTH_CHECK", "value": "true"},
                    {"name": "CSQL_PROXY_HTTP_PORT", "value": "9801"},
                    {"name": "CSQL_PROXY_QUITQUITQUIT", "value": "true"},
                ],
            },
            [
                (9801, "HTTP server (env CSQL_PROXY_HTTP_PORT)", True, True),
                (9091, "admin server (default 9091)", True, True),
            ],
        ),
        (
            {"args": ["--quitquitquit", "--admin-port=9092", "--unix-socket=/s", "a:b:c"]},
            [(9092, "admin server (--admin-port)", True, True)],
        ),
        ({"args": ["wait"]}, []),
        ({"command": ["/cloud-sql-proxy", "shutdown"]}, []),
    ],
)
def test_cloud_sql_proxy_ports(
    container: dict[str, Any], listens: list[tuple[int, str, bool, bool]]
) -> None:
    uses = one({"image": "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1", **container})
    assert [(u.port, u.evidence, u.loopback, u.certain) for u in uses.listens] == listens


def test_cloud_sql_proxy_v1_instances() -> None:
    uses = one(
        {
            "image": "gcr.io/cloudsql-docker/gce-proxy:1.33",
            "command": [
                "/cloud_sql_proxy",
                "-instances=a:b:c=tcp:5432,d:e:f=tcp:0.0.0.0:3306,g:h:i=unix:/s",
                "-use_http_health_check",
            ],
        }
    )
    assert [(u.port, u.loopback) for u in uses.listens] == [
        (5432, True),
        (3306, False),
        (8090, False),
    ]
    env = one(
        {
            "image": "gcr.io/cloudsql-docker/gce-proxy:1.33",
            "env": [{"name": "INSTANCES", "value": "a:b:c=tcp:6543"}],
        }
    )
    assert ports(env.listens) == [(6543, "-instances=...=tcp:")]


def test_nginx_logs_and_ports() -> None:
    uses = one({"image": "nginx:1.27"})
    assert [(u.path, u.linked) for u in uses.writes] == [
        ("/var/log/nginx/access.log", "/var/log/nginx"),
        ("/var/log/nginx/error.log", "/var/log/nginx"),
    ]
    assert [(u.port, u.certain) for u in uses.listens] == [(80, False)]
    # The image's program only: a shell loop in the nginx image is something else.
    other = one({"image": "nginx:1.27", "command": ["sh", "-c", "sleep 1"]})
    assert other.writes == [] and other.listens == [] and other.entry is None
    config = "server {\n  listen 8080;\n  access_log /var/log/app/access.log main;\n}\n"
    configured = one(
        {
            "image": "nginx:1.27",
            "volumeMounts": [{"name": "conf", "mountPath": "/etc/nginx/conf.d"}],
        },
        volumes=[{"name": "conf", "configMap": {"name": "nginx-conf"}}],
        config_maps={"nginx-conf": {"default.conf": config}},
    )
    assert ports(configured.listens) == [(8080, "ConfigMap nginx-conf, default.conf (listen)")]
    assert files(configured.writes)[-1] == (
        "/var/log/app/access.log",
        "ConfigMap nginx-conf, default.conf (access_log)",
    )


def test_envoy_ports_logs_and_bootstrap() -> None:
    plain = one({"image": "envoyproxy/envoy:v1.31.0"})
    assert [(u.port, u.certain) for u in plain.listens] == [(9901, False), (10000, False)]
    bootstrap = (
        "admin:\n  address:\n    socket_address: {address: 127.0.0.1, port_value: 9902}\n"
        "static_resources:\n"
        "  listeners:\n"
        "  - address:\n      socket_address: {address: 0.0.0.0, port_value: 8443}\n"
        "    filter_chains:\n"
        "    - filters:\n"
        "      - typed_config:\n"
        "          access_log:\n"
        "          - typed_config:\n"
        '              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.'
        "FileAccessLog\n"
        "              path: /var/log/envoy/access.log\n"
        "  clusters:\n"
        "  - load_assignment:\n"
        "      endpoints:\n"
        "      - lb_endpoints:\n"
        "        - endpoint:\n"
        "            address:\n"
        "              socket_address: {address: 127.0.0.1, port_value: 8080}\n"
    )
    configured = one(
        {
            "image": "envoyproxy/envoy:v1.31.0",
            "args": ["-c", "/etc/envoy/envoy.yaml", "--log-path", "/logs/envoy.log"],
            "volumeMounts": [{"name": "conf", "mountPath": "/etc/envoy"}],
        },
        volumes=[{"name": "conf", "configMap": {"name": "envoy"}}],
        config_maps={"envoy": {"envoy.yaml": bootstrap}},
    )
    assert [(u.port, u.loopback) for u in configured.listens] == [(9902, True), (8443, False)]
    assert ports(configured.forwards) == [(8080, "ConfigMap envoy, envoy.yaml (cluster)")]
    assert files(configured.writes) == [
        ("/logs/envoy.log", "--log-path"),
        ("/var/log/envoy/access.log", "ConfigMap envoy, envoy.yaml (access log)"),
    ]
    validate = one({"image": "envoyproxy/envoy:v1.31.0", "args": ["--mode", "validate"]})
    assert validate.one_shot and validate.listens == []


def test_vault_agent_files_and_listener() -> None:
    config = {
        "template": [{"destination": "/vault/secrets/db"}],
        "listener": [{"type": "tcp", "address": "127.0.0.1:8200"}],
    }
    import base64

    encoded = base64.b64encode(json.dumps(config).encode()).decode()
    pod = pod_of(
        [
            {
                "name": "vault-agent",
                "image": "hashicorp/vault:1.17",
                "args": ["agent", "-config=/c.json"],
                "env": [{"name": "VAULT_CONFIG", "value": encoded}],
            }
        ],
        annotations={
            "vault.hashicorp.com/agent-inject-secret-token": "secret/data/t",
            "vault.hashicorp.com/agent-inject-file-token": "token.txt",
            "vault.hashicorp.com/agent-inject-secret-other": "secret/data/o",
            "vault.hashicorp.com/secret-volume-path-other": "/custom/",
        },
    )
    uses = activity(pod, pod.containers[0])
    assert files(uses.writes) == [
        ("/vault/secrets/db", "env VAULT_CONFIG (template destination)"),
        ("/vault/secrets/token.txt", "annotation vault.hashicorp.com/agent-inject-secret-token"),
        ("/custom/other", "annotation vault.hashicorp.com/agent-inject-secret-other"),
    ]
    assert ports(uses.listens) == [(8200, "env VAULT_CONFIG (listener)")]
    hcl = (
        'template {\n  destination = "/etc/secrets/app.env"\n}\n'
        'listener "tcp" {\n  address = "127.0.0.1:8100"\n  tls_disable = true\n}\n'
    )
    mounted = one(
        {
            "image": "hashicorp/vault:1.17",
            "args": ["agent", "-config=/vault/config/agent.hcl"],
            "volumeMounts": [{"name": "conf", "mountPath": "/vault/config"}],
        },
        volumes=[{"name": "conf", "configMap": {"name": "agent"}}],
        config_maps={"agent": {"agent.hcl": hcl}},
    )
    assert files(mounted.writes) == [
        ("/etc/secrets/app.env", "ConfigMap agent, agent.hcl (template destination)")
    ]
    assert ports(mounted.listens) == [(8100, "ConfigMap agent, agent.hcl (listener)")]
    server = one({"image": "hashicorp/vault:1.17", "args": ["server", "-dev"]})
    assert server.writes == [] and server.listens == []


SHIPPER_CONFIGS = [
    (
        "fluent/fluent-bit:3.1",
        "fluent-bit.conf",
        "[SERVICE]\n    HTTP_Server On\n    HTTP_Port 2021\n"
        "[INPUT]\n    Name tail\n    Path /var/log/app/*.log, /var/log/other.log\n"
        "    DB /var/log/flb.db\n"
        "# a comment\n[OUTPUT]\n    Name file\n    Path /out\n",
        [
            "/var/log/app/*.log (Path)",
            "/var/log/other.log (Path)",
        ],
    ),
    (
        "fluent/fluent-bit:3.1",
        "fluent-bit.yaml",
        "pipeline:\n  inputs:\n    - name: tail\n      path: /var/log/app/*.log\n      db: /x.db\n",
        ["/var/log/app/*.log (path)"],
    ),
    (
        "fluent/fluentd:v1.17",
        "fluent.conf",
        "<source>\n  @type tail\n  path /var/log/app/a.log,/var/log/app/b.log\n"
        "  pos_file /var/log/fluentd.pos\n</source>\n"
        "<source>\n  @type forward\n  port 24225\n</source>\n",
        ["/var/log/app/a.log (path)", "/var/log/app/b.log (path)"],
    ),
    (
        "grafana/promtail:3.0.0",
        "config.yml",
        "server:\n  http_listen_port: 9080\npositions:\n  filename: /tmp/positions.yaml\n"
        "scrape_configs:\n- job_name: app\n  static_configs:\n  - labels:\n"
        "      __path__: /var/log/app/*.log\n",
        ["/var/log/app/*.log (__path__)"],
    ),
    (
        "timberio/vector:0.40.0-debian",
        "vector.toml",
        'data_dir = "/var/lib/vector"\n[sources.app]\ntype = "file"\n'
        'include = ["/var/log/app/*.log"]\n[sources.other]\ntype = "stdin"\n',
        ["/var/log/app/*.log (include)"],
    ),
    (
        "timberio/vector:0.40.0-debian",
        "vector.yaml",
        "sources:\n  app:\n    type: file\n    include: [/var/log/app/*.log]\n",
        ["/var/log/app/*.log (include)"],
    ),
    (
        "docker.elastic.co/beats/filebeat:8.15.0",
        "filebeat.yml",
        "filebeat.inputs:\n- type: filestream\n  paths:\n  - /var/log/app/*.log\n",
        ["/var/log/app/*.log (paths)"],
    ),
    (
        "otel/opentelemetry-collector-contrib:0.110.0",
        "config.yaml",
        "receivers:\n  filelog/app:\n    include: [/var/log/app/*.log]\n  otlp: {}\n",
        ["/var/log/app/*.log (include)"],
    ),
    ("fluent/fluent-bit:3.1", "broken.yaml", "pipeline: [", []),
    ("timberio/vector:0.40.0-debian", "broken.toml", "[sources", []),
]


@pytest.mark.parametrize(("image", "key", "text", "reads"), SHIPPER_CONFIGS)
def test_log_shippers_read_what_their_configuration_says(
    image: str, key: str, text: str, reads: list[str]
) -> None:
    uses = one(
        {"image": image, "volumeMounts": [{"name": "conf", "mountPath": "/etc/shipper"}]},
        volumes=[{"name": "conf", "configMap": {"name": "shipper"}}],
        config_maps={"shipper": {key: text}},
    )
    assert [f"{u.path} {u.evidence.rpartition(' ')[2]}" for u in uses.reads] == reads
    assert all(u.follows for u in uses.reads)
    if uses.reads:
        assert uses.reads[0].evidence.startswith(f"ConfigMap shipper, {key} ")
        assert uses.reads[0].where[-2:] == ("volumeMounts", 0)


def test_fluent_bit_service_and_outputs() -> None:
    text = SHIPPER_CONFIGS[0][2]
    uses = one(
        {"image": "fluent/fluent-bit:3.1", "volumeMounts": [{"name": "c", "mountPath": "/e"}]},
        volumes=[{"name": "c", "configMap": {"name": "fb"}}],
        config_maps={"fb": {"fluent-bit.conf": text}},
    )
    assert files(uses.writes) == [
        ("/var/log/flb.db", "ConfigMap fb, fluent-bit.conf (DB)"),
        ("/out", "ConfigMap fb, fluent-bit.conf (Path)"),
    ]
    assert ports(uses.listens) == [(2021, "ConfigMap fb, fluent-bit.conf (HTTP_Port)")]
    assert uses.reads[0].where[-2:] == ("volumeMounts", 0)


def test_config_map_items_sub_paths_and_order() -> None:
    config = "[INPUT]\n    Name tail\n    Path /var/log/a.log\n"
    volume = {
        "name": "c",
        "configMap": {"name": "fb", "items": [{"key": "main", "path": "x.conf"}]},
    }
    mounted = one(
        {"image": "fluent/fluent-bit:3.1", "volumeMounts": [{"name": "c", "mountPath": "/e"}]},
        volumes=[volume],
        config_maps={"fb": {"main": config, "unused": "[INPUT]\n Name tail\n Path /nope\n"}},
    )
    assert [u.path for u in mounted.reads] == ["/var/log/a.log"]
    sub = one(
        {
            "image": "fluent/fluent-bit:3.1",
            "volumeMounts": [{"name": "c", "mountPath": "/e/fb.conf", "subPath": "fb.conf"}],
        },
        volumes=[{"name": "c", "configMap": {"name": "fb"}}],
        config_maps={"fb": {"fb.conf": config, "other.conf": "[INPUT]\n Name tail\n Path /no\n"}},
    )
    assert [u.path for u in sub.reads] == ["/var/log/a.log"]
    # A ConfigMap defined after the workload in the same input is read all the same.
    later = pod_of(
        [
            {
                "name": "c",
                "image": "fluent/fluent-bit:3.1",
                "volumeMounts": [{"name": "c", "mountPath": "/e"}],
            }
        ],
        volumes=[{"name": "c", "configMap": {"name": "fb"}}],
        config_maps={"fb": {"fb.conf": config}},
        after=True,
    )
    assert [u.path for u in activity(later, later.containers[0]).reads] == ["/var/log/a.log"]


def test_other_well_known_images() -> None:
    dapr = one(
        {"image": "daprio/daprd:1.14", "args": ["--dapr-http-port", "3501", "--app-port", "8080"]}
    )
    assert ports(dapr.listens) == [
        (3501, "--dapr-http-port"),
        (50001, "Dapr gRPC API (default)"),
        (9090, "Dapr metrics (default)"),
    ]
    assert ports(dapr.forwards) == [(8080, "--app-port")]
    oauth = one(
        {
            "image": "quay.io/oauth2-proxy/oauth2-proxy:v7",
            "args": ["--upstream=http://127.0.0.1:8080/"],
        }
    )
    assert [(u.port, u.loopback) for u in oauth.listens] == [(4180, True)]
    assert ports(oauth.forwards) == [(8080, "--upstream")]
    moved = one(
        {
            "image": "quay.io/oauth2-proxy/oauth2-proxy:v7",
            "env": [{"name": "OAUTH2_PROXY_HTTP_ADDRESS", "value": "0.0.0.0:4181"}],
        }
    )
    assert [(u.port, u.loopback) for u in moved.listens] == [(4181, False)]
    exporter = one({"image": "nginx/nginx-prometheus-exporter:1.3"})
    assert ports(exporter.listens) == [(9113, "NGINX Prometheus exporter: metrics")]
    assert ports(exporter.connects) == [(8080, "--nginx.scrape-uri default")]
    reloader = one(
        {
            "image": "quay.io/prometheus-operator/prometheus-config-reloader:v0.76",
            "args": ["--listen-address=:8081", "--watch-interval=0"],
        }
    )
    assert reloader.one_shot and ports(reloader.listens) == [(8081, "--listen-address")]
    sync = one({"image": "registry.k8s.io/git-sync/git-sync:v4.2", "args": ["--one-time"]})
    assert sync.one_shot and [(u.path, u.directory) for u in sync.writes] == [("/git", True)]
    rbac = one(
        {
            "image": "quay.io/brancz/kube-rbac-proxy:v0.18",
            "args": ["--secure-listen-address=0.0.0.0:8443", "--upstream=http://127.0.0.1:8081/"],
        }
    )
    assert ports(rbac.listens) == [(8443, "--secure-listen-address")]
    assert ports(rbac.forwards) == [(8080 + 1, "--upstream")]
    postgres = one({"image": "postgres:16", "args": ["-p", "5433"]})
    assert ports(postgres.listens) == [(5433, "-p")]
    client = one({"image": "postgres:16", "args": ["psql", "-h", "localhost", "-p", "5432"]})
    assert client.listens == [] and ports(client.connects) == [(5432, "its command")]
    bouncer = one({"image": "bitnami/pgbouncer:1.23"})
    assert [(u.port, u.certain) for u in bouncer.listens] == [(6432, False)]


# --- the Pod ------------------------------------------------------------------------------


def test_flows_and_servers() -> None:
    pod = pod_of(
        [
            {
                "name": "app",
                "image": "busybox",
                "command": ["sh", "-c", "while true; do date >> /data/app.log; done"],
                "env": [{"name": "LOG_DIR", "value": "/data/logs"}],
            },
            {
                "name": "tail",
                "image": "busybox",
                "command": ["sh", "-c", "tail -F /data/app.log /data/logs/x.log /data/*.txt"],
            },
        ],
        init=[
            {
                "name": "proxy",
                "image": "busybox",
                "restartPolicy": "Always",
                "ports": [{"containerPort": 5432}],
            }
        ],
    )
    got = [(f.writer.name, f.reader.name, f.path) for f in flows(pod)]
    assert got == [
        ("app", "tail", "/data/app.log"),
        ("app", "tail", "/data/logs/x.log"),
    ]
    assert flows(pod) is flows(pod)
    assert [c.name for c, _ in servers(pod, 5432)] == ["proxy"]
    assert servers(pod, 5432, "UDP") == []


@pytest.mark.parametrize(
    ("written", "read", "path"),
    [
        (Use("/a/b.log", "", ()), Use("/a/b.log", "", ()), "/a/b.log"),
        (Use("/a/b.log", "", ()), Use("/a/*.log", "", ()), "/a/b.log"),
        (Use("/a/b.log", "", ()), Use("/a/c.log", "", ()), None),
        (Use("/a/b.log", "", ()), Use("/a/*.txt", "", ()), None),
        (Use("/a", "", (), directory=True), Use("/a/b.log", "", ()), "/a/b.log"),
        (Use("/a", "", (), directory=True), Use("/ab/c", "", ()), None),
        (Use("/a", "", (), directory=True), Use("/a", "", ()), None),
    ],
)
def test_same_file(written: Use, read: Use, path: str | None) -> None:
    assert same_file(written, read) == path


def test_activity_is_worked_out_once_per_container() -> None:
    pod = pod_of([{"name": "a", "image": "busybox"}, {"name": "b", "image": "busybox"}])
    first = activity(pod, pod.containers[0])
    assert activity(pod, pod.containers[0]) is first
    assert activity(pod, pod.containers[1]) is not first


# --- what each image reader and configuration reader finds ---------------------------------


def _where(pod: Pod, c: Any, where: tuple[Any, ...]) -> str:
    base = tuple(c.path)
    if where[: len(base)] == base:
        return ".".join(str(p) for p in where[len(base) :])
    return "pod:" + ".".join(str(p) for p in where[len(pod.template_path) :])


def describe(pod: Pod, c: Any) -> list[str]:
    """Everything the model reads from one container, one line a use: the port or path,
    the evidence, where the evidence is written (relative to the container), and flags."""
    a = activity(pod, c)
    out = []
    for kind, uses in (
        ("listen", a.listens),
        ("connect", a.connects),
        ("forward", a.forwards),
        ("unbound", a.unbound),
    ):
        for u in uses:
            flags = "".join(
                text
                for text, on in (
                    (" loopback", u.loopback),
                    (" waits", u.waits),
                    (" maybe", not u.certain),
                    (" declared", u.declared),
                )
                if on
            )
            out.append(
                f"{kind} {u.port}/{u.protocol} ({u.evidence}) at {_where(pod, c, u.where)}{flags}"
            )
    for kind, files_ in (("write", a.writes), ("read", a.reads)):
        for f in files_:
            flags = "".join(t for t, on in ((" dir", f.directory), (" follows", f.follows)) if on)
            linked = f" linked {f.linked}" if f.linked else ""
            out.append(
                f"{kind} {f.path} ({f.evidence}) at {_where(pod, c, f.where)}{flags}{linked}"
            )
    if a.one_shot:
        out.append("one-shot")
    return out


_CSQL = "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0"
_GCE = "gcr.io/cloudsql-docker/gce-proxy:1.33.2"
_ENVOY = "envoyproxy/envoy:v1.31.0"
_VAULT = "hashicorp/vault:1.17"
_FB = "fluent/fluent-bit:3.1"
_HCL = (
    'template {\n  destination = "/etc/secrets/db"\n}\nlistener "tcp" {\n  address = '
    '"127.0.0.1:8200"\n}\n'
)


def _conf(name: str, path: str) -> dict[str, Any]:
    return {
        "volumes": [{"name": "conf", "configMap": {"name": name}}],
        "mounts": [{"name": "conf", "mountPath": path}],
    }


READERS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # Cloud SQL Auth Proxy v2
    "csql-port": ({"image": _CSQL, "args": ["--port=5432", "p:r:db"]}, {}),
    "csql-port-two": ({"image": _CSQL, "args": ["--port", "5000", "p:r:a", "p:r:b"]}, {}),
    "csql-short-p": ({"image": _CSQL, "args": ["-p", "6000", "-a", "0.0.0.0", "p:r:a"]}, {}),
    "csql-query-port": (
        {"image": _CSQL, "args": ["--address=0.0.0.0", "p:r:a?port=7000", "p:r:b"]},
        {},
    ),
    "csql-defaults": ({"image": _CSQL, "args": ["--credentials-file", "/k.json", "p:r:a"]}, {}),
    "csql-no-args": ({"image": _CSQL}, {}),
    "csql-command": ({"image": _CSQL, "command": ["/cloud-sql-proxy", "--port=5433", "p:r:a"]}, {}),
    "csql-env": (
        {
            "image": _CSQL,
            "args": ["p:r:a"],
            "env": [
                {"name": "CSQL_PROXY_PORT", "value": "7001"},
                {"name": "CSQL_PROXY_ADDRESS", "value": "localhost"},
            ],
        },
        {},
    ),
    "csql-unix": ({"image": _CSQL, "args": ["--unix-socket", "/cloudsql", "p:r:a"]}, {}),
    "csql-unix-env": (
        {
            "image": _CSQL,
            "args": ["p:r:a"],
            "env": [{"name": "CSQL_PROXY_UNIX_SOCKET", "value": "/cloudsql"}],
        },
        {},
    ),
    "csql-shutdown": ({"image": _CSQL, "command": ["/cloud-sql-proxy", "shutdown"]}, {}),
    "csql-wait": ({"image": _CSQL, "args": ["wait"]}, {}),
    "csql-health": ({"image": _CSQL, "args": ["--port=5432", "--health-check", "p:r:a"]}, {}),
    "csql-health-port": (
        {
            "image": _CSQL,
            "args": [
                "--port=5432",
                "--health-check",
                "--http-port=8090",
                "--http-address=0.0.0.0",
                "p:r:a",
            ],
        },
        {},
    ),
    "csql-health-env": (
        {
            "image": _CSQL,
            "args": ["--port=5432", "p:r:a"],
            "env": [
                {"name": "CSQL_PROXY_HEALTH_CHECK", "value": "true"},
                {"name": "CSQL_PROXY_HTTP_PORT", "value": "8091"},
                {"name": "CSQL_PROXY_HTTP_ADDRESS", "value": "127.0.0.1"},
            ],
        },
        {},
    ),
    "csql-prometheus": ({"image": _CSQL, "args": ["--port=5432", "--prometheus", "p:r:a"]}, {}),
    "csql-admin": ({"image": _CSQL, "args": ["--port=5432", "--quitquitquit", "p:r:a"]}, {}),
    "csql-admin-port": (
        {"image": _CSQL, "args": ["--port=5432", "--debug", "--admin-port=9092", "p:r:a"]},
        {},
    ),
    "csql-admin-env": (
        {
            "image": _CSQL,
            "args": ["--port=5432", "p:r:a"],
            "env": [
                {"name": "CSQL_PROXY_QUITQUITQUIT", "value": "true"},
                {"name": "CSQL_PROXY_ADMIN_PORT", "value": "9093"},
            ],
        },
        {},
    ),
    "csql-debug-env": (
        {
            "image": _CSQL,
            "args": ["--port=5432", "p:r:a"],
            "env": [{"name": "CSQL_PROXY_DEBUG", "value": "1"}],
        },
        {},
    ),
    # Cloud SQL proxy v1
    "gce-instances": (
        {
            "image": _GCE,
            "command": ["/cloud_sql_proxy", "-instances=p:r:a=tcp:5432,p:r:b=tcp:0.0.0.0:3306"],
        },
        {},
    ),
    "gce-instances-loopback": (
        {"image": _GCE, "command": ["/cloud_sql_proxy", "--instances=p:r:a=tcp:127.0.0.1:5433"]},
        {},
    ),
    "gce-env": (
        {
            "image": _GCE,
            "command": ["/cloud_sql_proxy"],
            "env": [{"name": "INSTANCES", "value": "p:r:a=tcp:3307"}],
        },
        {},
    ),
    "gce-health": (
        {
            "image": _GCE,
            "command": ["/cloud_sql_proxy", "-instances=p:r:a=tcp:5432", "-use_http_health_check"],
        },
        {},
    ),
    "gce-health-port": (
        {
            "image": _GCE,
            "command": [
                "/cloud_sql_proxy",
                "-instances=p:r:a=tcp:5432",
                "--use_http_health_check",
                "-health_check_port=8091",
            ],
        },
        {},
    ),
    # Envoy
    "envoy-default": ({"image": _ENVOY}, {}),
    "envoy-config-path": (
        {
            "image": _ENVOY,
            "args": ["-c", "/etc/envoy/envoy.yaml", "--log-path", "/var/log/envoy.log"],
        },
        {},
    ),
    "envoy-config-one-word": (
        {"image": _ENVOY, "command": ["envoy", "--config-path /etc/envoy.yaml"]},
        {},
    ),
    "envoy-admin-path": (
        {
            "image": _ENVOY,
            "args": ["--config-path", "/e.yaml", "--admin-address-path", "/tmp/admin.txt"],
        },
        {},
    ),
    "envoy-validate": ({"image": _ENVOY, "args": ["--mode", "validate", "-c", "/e.yaml"]}, {}),
    "envoy-inline": (
        {
            "image": _ENVOY,
            "args": [
                "--config-yaml",
                (
                    '{"admin": {"address": {"socket_address": {"address": "127.0.0.1", '
                    '"port_value": 9902}}}, "static_resources": {"listeners": [{"address": '
                    '{"socket_address": {"address": "0.0.0.0", "port_value": 8443}}}], '
                    '"clusters": [{"load_assignment": {"endpoints": [{"lb_endpoints": '
                    '[{"endpoint": {"address": {"socket_address": {"address": "127.0.0.1", '
                    '"port_value": 8080}}}}]}]}}]}}'
                ),
            ],
        },
        {},
    ),
    "envoy-configmap": (
        {"image": _ENVOY, "args": ["-c", "/etc/envoy/envoy.yaml"]},
        {
            **_conf("envoy", "/etc/envoy"),
            "maps": {
                "envoy": {
                    "envoy.yaml": (
                        "admin:\n  address:\n    socket_address: {address: 0.0.0.0, port_value: "
                        "9901}\nstatic_resources:\n  listeners:\n  - address:\n      "
                        "socket_address: {address: 127.0.0.1, port_value: 15001}\n    "
                        "filter_chains:\n    - filters:\n      - typed_config:\n          "
                        "access_log:\n          - typed_config:\n              '@type': "
                        "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog"
                        "\n              path: /var/log/envoy/access.log\n  clusters:\n  - "
                        "load_assignment:\n      endpoints:\n      - lb_endpoints:\n        - "
                        "endpoint:\n            address:\n              socket_address: {address:"
                        " localhost, port_value: 8081}\n  - load_assignment:\n      endpoints:\n "
                        "     - lb_endpoints:\n        - endpoint:\n            address:\n       "
                        "       socket_address: {address: backend, port_value: 9000}\n"
                    )
                }
            },
        },
    ),
    # Vault agent
    "vault-server": ({"image": _VAULT, "args": ["server"]}, {}),
    "vault-agent-config": (
        {"image": _VAULT, "args": ["agent", "-config=/etc/vault/agent.hcl"]},
        {**_conf("va", "/etc/vault"), "maps": {"va": {"agent.hcl": _HCL}}},
    ),
    "vault-agent-json": (
        {"image": _VAULT, "args": ["agent", "-config=/etc/vault/agent.json"]},
        {
            **_conf("va", "/etc/vault"),
            "maps": {
                "va": {
                    "agent.json": (
                        '{"template": [{"destination": "/etc/secrets/x"}], "listener": [{"type": '
                        '"tcp", "address": "0.0.0.0:8100"}]}'
                    )
                }
            },
        },
    ),
    "vault-agent-env": (
        {
            "image": _VAULT,
            "args": ["agent", "-exit-after-auth"],
            "env": [{"name": "VAULT_CONFIG", "value": base64.b64encode(_HCL.encode()).decode()}],
        },
        {},
    ),
    "vault-agent-env-plain": (
        {"image": _VAULT, "args": ["agent"], "env": [{"name": "VAULT_CONFIG", "value": _HCL}]},
        {},
    ),
    "vault-agent-annotations": (
        {"image": "hashicorp/vault:1.17", "args": ["agent"]},
        {
            "annotations": {
                "vault.hashicorp.com/agent-inject-secret-db": "secret/db",
                "vault.hashicorp.com/agent-inject-secret-api": "secret/api",
                "vault.hashicorp.com/agent-inject-file-api": "api.json",
                "vault.hashicorp.com/secret-volume-path-api": "/etc/api/",
                "vault.hashicorp.com/secret-volume-path": "/v",
            }
        },
    ),
    # oauth2-proxy
    "oauth2-default": ({"image": "quay.io/oauth2-proxy/oauth2-proxy:v7.6.0"}, {}),
    "oauth2-flags": (
        {
            "image": "quay.io/oauth2-proxy/oauth2-proxy:v7.6.0",
            "args": ["--http-address=127.0.0.1:4181", "--upstream=http://127.0.0.1:8080/"],
        },
        {},
    ),
    "oauth2-env": (
        {
            "image": "quay.io/oauth2-proxy/oauth2-proxy:v7.6.0",
            "args": ["--upstream", "http://localhost:3000"],
            "env": [{"name": "OAUTH2_PROXY_HTTP_ADDRESS", "value": "0.0.0.0:4182"}],
        },
        {},
    ),
    # Fluent Bit command line and configuration
    "fb-http": (
        {
            "image": _FB,
            "args": [
                "-i",
                "tail",
                "-p",
                "path=/var/log/app.log",
                "-o",
                "stdout",
                "-H",
                "-P",
                "2021",
            ],
        },
        {},
    ),
    "fb-http-default": ({"image": _FB, "args": ["--http", "-i", "cpu"]}, {}),
    "fb-classic": (
        {"image": _FB},
        {
            **_conf("fb", "/fluent-bit/etc"),
            "maps": {
                "fb": {
                    "fluent-bit.conf": (
                        "[SERVICE]\n    HTTP_Server On\n    HTTP_Port 2022\n# comment\n[INPUT]\n "
                        "   Name tail\n    Path /var/log/a.log, /var/log/b.log\n    DB "
                        "/var/log/flb.db\n[INPUT]\n    Name cpu\n[OUTPUT]\n    Name file\n    "
                        "Path /out\n"
                    )
                }
            },
        },
    ),
    "fb-classic-http-default": (
        {"image": _FB},
        {
            **_conf("fb", "/fluent-bit/etc"),
            "maps": {
                "fb": {
                    "fluent-bit.conf": (
                        "[SERVICE]\n    HTTP_Server true\n[OUTPUT]\n    Name stdout\n"
                    )
                }
            },
        },
    ),
    "fb-yaml": (
        {"image": _FB},
        {
            **_conf("fb", "/fluent-bit/etc"),
            "maps": {
                "fb": {
                    "fluent-bit.yaml": (
                        "pipeline:\n  inputs:\n    - name: tail\n      path: "
                        "/var/log/c.log,/var/log/d.log\n      db: /var/log/c.db\n    - name: Tail"
                        "\n      path: [/var/log/e.log]\n    - name: cpu\n"
                    )
                }
            },
        },
    ),
    # Fluentd
    "fluentd": (
        {"image": "fluent/fluentd:v1.17"},
        {
            **_conf("fd", "/fluentd/etc"),
            "maps": {
                "fd": {
                    "fluent.conf": (
                        "<source>\n  @type tail\n  path /var/log/x.log,/var/log/y.log\n  pos_file"
                        " /var/log/x.pos\n  # comment\n</source>\n<source>\n  @type forward\n  "
                        'port 24225\n</source>\n<source>\n  type http\n  port "9880"\n</source>\n'
                        "<source>\n  @type syslog\n</source>\n<match **>\n  @type file\n  path "
                        "/out/log\n</match>\n<match x>\n  @type stdout\n  path /nowhere\n</match>"
                        "\n"
                    )
                }
            },
        },
    ),
    # Promtail, Vector, Filebeat, OpenTelemetry
    "promtail": (
        {"image": "grafana/promtail:3.0.0", "args": ["-config.file=/etc/promtail/config.yaml"]},
        {
            **_conf("pt", "/etc/promtail"),
            "maps": {
                "pt": {
                    "config.yaml": (
                        "server:\n  http_listen_port: 9081\npositions:\n  filename: "
                        "/tmp/positions.yaml\nscrape_configs:\n- static_configs:\n  - labels:\n  "
                        "    __path__: /var/log/p.log,/var/log/q.log\n"
                    )
                }
            },
        },
    ),
    "vector-toml": (
        {"image": "timberio/vector:0.39.0-alpine"},
        {
            **_conf("vc", "/etc/vector"),
            "maps": {
                "vc": {
                    "vector.toml": (
                        'data_dir = "/var/lib/vector"\n[sources.logs]\ntype = "file"\ninclude = '
                        '["/var/log/v.log"]\n[sources.other]\ntype = "stdin"\n'
                    )
                }
            },
        },
    ),
    "vector-yaml": (
        {"image": "timberio/vector:0.39.0-alpine"},
        {
            **_conf("vc", "/etc/vector"),
            "maps": {
                "vc": {
                    "vector.yaml": (
                        "sources:\n  logs:\n    type: file\n    include: [/var/log/w.log]\n"
                    )
                }
            },
        },
    ),
    "filebeat": (
        {"image": "docker.elastic.co/beats/filebeat:8.14.0"},
        {
            **_conf("fbt", "/usr/share/filebeat"),
            "maps": {
                "fbt": {
                    "filebeat.yml": "filebeat.inputs:\n- type: log\n  paths: [/var/log/f.log]\n"
                }
            },
        },
    ),
    "filebeat-nested": (
        {"image": "docker.elastic.co/beats/filebeat:8.14.0"},
        {
            **_conf("fbt", "/usr/share/filebeat"),
            "maps": {
                "fbt": {"filebeat.yml": "filebeat:\n  inputs:\n  - paths: [/var/log/g.log]\n"}
            },
        },
    ),
    "otel": (
        {"image": "otel/opentelemetry-collector-contrib:0.104.0"},
        {
            **_conf("oc", "/conf"),
            "maps": {
                "oc": {
                    "config.yaml": (
                        "receivers:\n  filelog/app:\n    include: [/var/log/o.log]\n  otlp: {}\n"
                    )
                }
            },
        },
    ),
    # nginx
    "nginx-default": ({"image": "nginx:1.27"}, {}),
    "nginx-conf": (
        {"image": "nginx:1.27"},
        {
            **_conf("ng", "/etc/nginx/conf.d"),
            "maps": {
                "ng": {
                    "default.conf": (
                        "server {\n  listen 8080;\n  listen [::]:8081;\n  access_log "
                        "/var/log/app/access.log main;\n  error_log /var/log/app/error.log;\n}\n"
                    )
                }
            },
        },
    ),
    # Dapr, exporters, reloaders, git-sync, servers
    "dapr-default": ({"image": "daprio/daprd:1.13.0"}, {}),
    "dapr-flags": (
        {
            "image": "daprio/daprd:1.13.0",
            "args": ["--dapr-http-port", "3501", "--dapr-public-port=3502", "--app-port", "8080"],
        },
        {},
    ),
    "nginx-exporter": ({"image": "nginx/nginx-prometheus-exporter:1.1.0"}, {}),
    "nginx-exporter-flag": (
        {
            "image": "nginx/nginx-prometheus-exporter:1.1.0",
            "args": [
                "--web.listen-address=:9114",
                "--nginx.scrape-uri=http://localhost:8081/stub_status",
            ],
        },
        {},
    ),
    "nginx-exporter-env": (
        {
            "image": "nginx/nginx-prometheus-exporter:1.1.0",
            "env": [{"name": "SCRAPE_URI", "value": "http://127.0.0.1:8082/stub_status"}],
        },
        {},
    ),
    "statsd-exporter": (
        {"image": "prom/statsd-exporter:v0.26.0", "args": ["--web.listen-address=127.0.0.1:9103"]},
        {},
    ),
    "config-reloader": (
        {
            "image": "quay.io/prometheus-operator/prometheus-config-reloader:v0.74.0",
            "args": ["--listen-address=:8081"],
        },
        {},
    ),
    "config-reloader-once": (
        {
            "image": "quay.io/prometheus-operator/prometheus-config-reloader:v0.74.0",
            "args": ["--watch-interval=0", "--reload-url=http://127.0.0.1:9091/-/reload"],
        },
        {},
    ),
    "configmap-reload": (
        {
            "image": "ghcr.io/jimmidyson/configmap-reload:v0.13.1",
            "args": ["--webhook-url=http://localhost:9090/-/reload"],
        },
        {},
    ),
    "kube-rbac-proxy": (
        {
            "image": "quay.io/brancz/kube-rbac-proxy:v0.18.0",
            "args": ["--secure-listen-address=0.0.0.0:8443", "--upstream=http://127.0.0.1:8080/"],
        },
        {},
    ),
    "git-sync-root": (
        {
            "image": "registry.k8s.io/git-sync/git-sync:v4.2.3",
            "args": ["--repo=https://x", "--root=/tmp/git", "--one-time"],
        },
        {},
    ),
    "git-sync-env": (
        {
            "image": "registry.k8s.io/git-sync/git-sync:v4.2.3",
            "env": [
                {"name": "GITSYNC_ROOT", "value": "/data"},
                {"name": "GITSYNC_ONE_TIME", "value": "true"},
            ],
        },
        {},
    ),
    "git-sync-old-env": (
        {
            "image": "registry.k8s.io/git-sync/git-sync:v3.6.9",
            "env": [
                {"name": "GIT_SYNC_ROOT", "value": "/old"},
                {"name": "GIT_SYNC_ONE_TIME", "value": "false"},
            ],
        },
        {},
    ),
    "git-sync-default": ({"image": "registry.k8s.io/git-sync/git-sync:v4.2.3"}, {}),
    "postgres-port": ({"image": "postgres:16", "args": ["-p", "5433"]}, {}),
    "postgres-default": ({"image": "postgres:16"}, {}),
    "redis-port": ({"image": "redis:7", "command": ["redis-server", "--port", "6380"]}, {}),
    "pgbouncer-env": (
        {"image": "bitnami/pgbouncer:1.22.1", "env": [{"name": "PGBOUNCER_PORT", "value": "6433"}]},
        {},
    ),
    "pgbouncer-listen-env": (
        {"image": "edoburu/pgbouncer:1.22.1", "env": [{"name": "LISTEN_PORT", "value": "6434"}]},
        {},
    ),
    "pgbouncer-default": ({"image": "edoburu/pgbouncer:1.22.1"}, {}),
    # meshes
    "istio-status": (
        {"image": "docker.io/istio/proxyv2:1.22.0", "args": ["proxy", "sidecar"]},
        {"annotations": {"status.sidecar.istio.io/port": "15030"}},
    ),
    "istio-iptables": (
        {"image": "docker.io/istio/proxyv2:1.22.0", "args": ["istio-iptables", "-p", "15001"]},
        {},
    ),
    "istio-validation": (
        {"image": "docker.io/istio/proxyv2:1.22.0", "args": ["istio-iptables", "--run-validation"]},
        {},
    ),
    "linkerd-moved": (
        {
            "image": "cr.l5d.io/linkerd/proxy:stable-2.14.10",
            "env": [
                {"name": "LINKERD2_PROXY_INBOUND_LISTEN_ADDR", "value": "0.0.0.0:4144"},
                {"name": "LINKERD2_PROXY_ADMIN_LISTEN_ADDR", "value": "127.0.0.1:4192"},
            ],
        },
        {},
    ),
    "istio-validation-flag": (
        {"image": "docker.io/istio/proxyv2:1.22.0", "args": ["--run-validation", "--x"]},
        {},
    ),
    "linkerd-moved-all": (
        {
            "image": "cr.l5d.io/linkerd/proxy:stable-2.14.10",
            "env": [
                {"name": "LINKERD2_PROXY_OUTBOUND_LISTEN_ADDR", "value": "127.0.0.1:4141"},
                {"name": "LINKERD2_PROXY_CONTROL_LISTEN_ADDR", "value": "0.0.0.0:4194"},
                {"name": "LINKERD2_PROXY_INBOUND_LISTEN_ADDR", "value": "no address"},
            ],
        },
        {},
    ),
    "csql-completion": ({"image": _CSQL, "args": ["completion", "bash"]}, {}),
    "csql-help": ({"image": _CSQL, "command": ["/usr/bin/cloud-sql-proxy", "help"]}, {}),
    "csql-unix-short": ({"image": _CSQL, "args": ["-u", "/cloudsql", "p:r:a"]}, {}),
    "csql-bad-port": ({"image": _CSQL, "args": ["--port=abc", "p:r:a"]}, {}),
    "csql-address-env": (
        {
            "image": _CSQL,
            "args": ["--port=5432", "p:r:a"],
            "env": [{"name": "CSQL_PROXY_ADDRESS", "value": "0.0.0.0"}],
        },
        {},
    ),
    "csql-address-ipv6": ({"image": _CSQL, "args": ["--address=::1", "-p", "5432", "p:r:a"]}, {}),
    "csql-prometheus-env": (
        {
            "image": _CSQL,
            "args": ["-u", "/s", "p:r:a"],
            "env": [
                {"name": "CSQL_PROXY_PROMETHEUS", "value": "true"},
                {"name": "CSQL_PROXY_HTTP_ADDRESS", "value": "0.0.0.0"},
            ],
        },
        {},
    ),
    "csql-health-localhost": (
        {"image": _CSQL, "args": ["-u", "/s", "--health-check", "--http-address=localhost"]},
        {},
    ),
    "csql-health-off": (
        {
            "image": _CSQL,
            "args": ["-u", "/s", "p:r:a"],
            "env": [{"name": "CSQL_PROXY_HEALTH_CHECK", "value": "false"}],
        },
        {},
    ),
    "nginx-exporter-single-dash": (
        {
            "image": "nginx/nginx-prometheus-exporter:1.1.0",
            "args": ["-web.listen-address=:9115", "-nginx.scrape-uri=http://localhost:8083/stub"],
        },
        {},
    ),
    "redis-default": ({"image": "redis:7", "command": ["redis-server"]}, {}),
    "postgres-flag-without-value": ({"image": "postgres:16", "args": ["-p"]}, {}),
    "linkerd-init": (
        {"image": "cr.l5d.io/linkerd/proxy-init:v2.4.0", "args": ["--incoming-proxy-port", "4143"]},
        {},
    ),
}


READ: dict[str, list[str]] = {
    "csql-port": ["listen 5432/TCP (--port) at args.0 loopback"],
    "csql-port-two": [
        "listen 5000/TCP (--port) at args.1 loopback",
        "listen 5001/TCP (--port) at args.1 loopback",
    ],
    "csql-short-p": ["listen 6000/TCP (--port) at args.1"],
    "csql-query-port": [
        "listen 7000/TCP (?port=) at args.1",
        "listen 3306/TCP (the database engine's default port) at args.2 maybe",
        "listen 5432/TCP (the database engine's default port) at args.2 maybe",
        "listen 1433/TCP (the database engine's default port) at args.2 maybe",
    ],
    "csql-defaults": [
        "listen 3306/TCP (the database engine's default port) at args.2 loopback maybe",
        "listen 5432/TCP (the database engine's default port) at args.2 loopback maybe",
        "listen 1433/TCP (the database engine's default port) at args.2 loopback maybe",
    ],
    "csql-no-args": [
        "listen 3306/TCP (the database engine's default port) at image loopback maybe",
        "listen 5432/TCP (the database engine's default port) at image loopback maybe",
        "listen 1433/TCP (the database engine's default port) at image loopback maybe",
    ],
    "csql-command": ["listen 5433/TCP (--port) at command.1 loopback"],
    "csql-env": ["listen 7001/TCP (env CSQL_PROXY_PORT) at env.0.value loopback"],
    "csql-unix": [],
    "csql-unix-env": [],
    "csql-shutdown": ["one-shot"],
    "csql-wait": ["one-shot"],
    "csql-health": [
        "listen 5432/TCP (--port) at args.0 loopback",
        "listen 9090/TCP (HTTP server (default 9090)) at args.1 loopback",
    ],
    "csql-health-port": [
        "listen 5432/TCP (--port) at args.0 loopback",
        "listen 8090/TCP (HTTP server (--http-port)) at args.2",
    ],
    "csql-health-env": [
        "listen 5432/TCP (--port) at args.0 loopback",
        "listen 8091/TCP (HTTP server (env CSQL_PROXY_HTTP_PORT)) at env.1.value loopback",
    ],
    "csql-prometheus": [
        "listen 5432/TCP (--port) at args.0 loopback",
        "listen 9090/TCP (HTTP server (default 9090)) at args.1 loopback",
    ],
    "csql-admin": [
        "listen 5432/TCP (--port) at args.0 loopback",
        "listen 9091/TCP (admin server (default 9091)) at args.1 loopback",
    ],
    "csql-admin-port": [
        "listen 5432/TCP (--port) at args.0 loopback",
        "listen 9092/TCP (admin server (--admin-port)) at args.2 loopback",
    ],
    "csql-admin-env": [
        "listen 5432/TCP (--port) at args.0 loopback",
        "listen 9093/TCP (admin server (env CSQL_PROXY_ADMIN_PORT)) at env.1.value loopback",
    ],
    "csql-debug-env": [
        "listen 5432/TCP (--port) at args.0 loopback",
        "listen 9091/TCP (admin server (default 9091)) at env.0.value loopback",
    ],
    "gce-instances": [
        "listen 5432/TCP (-instances=...=tcp:) at command.1 loopback",
        "listen 3306/TCP (-instances=...=tcp:) at command.1",
    ],
    "gce-instances-loopback": ["listen 5433/TCP (-instances=...=tcp:) at command.1 loopback"],
    "gce-env": ["listen 3307/TCP (-instances=...=tcp:) at env.0.value loopback"],
    "gce-health": [
        "listen 5432/TCP (-instances=...=tcp:) at command.1 loopback",
        "listen 8090/TCP (health check) at command.2",
    ],
    "gce-health-port": [
        "listen 5432/TCP (-instances=...=tcp:) at command.1 loopback",
        "listen 8091/TCP (health check) at command.2",
    ],
    "envoy-default": [
        "listen 9901/TCP (Envoy admin (the image's configuration)) at image maybe",
        "listen 10000/TCP (Envoy listener (the image's configuration)) at image maybe",
    ],
    "envoy-config-path": ["write /var/log/envoy.log (--log-path) at args.3"],
    "envoy-config-one-word": [],
    "envoy-admin-path": ["write /tmp/admin.txt (--admin-address-path) at args.3"],
    "envoy-validate": ["one-shot"],
    "envoy-inline": [
        "listen 9902/TCP (--config-yaml (admin)) at args.1 loopback",
        "listen 8443/TCP (--config-yaml (listener)) at args.1",
        "forward 8080/TCP (--config-yaml (cluster)) at args.1",
    ],
    "envoy-configmap": [
        "listen 9901/TCP (ConfigMap envoy, envoy.yaml (admin)) at volumeMounts.0",
        "listen 15001/TCP (ConfigMap envoy, envoy.yaml (listener)) at volumeMounts.0 loopback",
        "forward 8081/TCP (ConfigMap envoy, envoy.yaml (cluster)) at volumeMounts.0",
        (
            "write /var/log/envoy/access.log (ConfigMap envoy, envoy.yaml (access log)) at "
            "volumeMounts.0"
        ),
    ],
    "vault-server": [],
    "vault-agent-config": [
        "listen 8200/TCP (ConfigMap va, agent.hcl (listener)) at volumeMounts.0 loopback",
        "write /etc/secrets/db (ConfigMap va, agent.hcl (template destination)) at volumeMounts.0",
    ],
    "vault-agent-json": [
        "listen 8100/TCP (ConfigMap va, agent.json (listener)) at volumeMounts.0",
        "write /etc/secrets/x (ConfigMap va, agent.json (template destination)) at volumeMounts.0",
    ],
    "vault-agent-env": [
        "listen 8200/TCP (env VAULT_CONFIG (listener)) at env.0.value loopback",
        "write /etc/secrets/db (env VAULT_CONFIG (template destination)) at env.0.value",
        "one-shot",
    ],
    "vault-agent-env-plain": [
        "listen 8200/TCP (env VAULT_CONFIG (listener)) at env.0.value loopback",
        "write /etc/secrets/db (env VAULT_CONFIG (template destination)) at env.0.value",
    ],
    "vault-agent-annotations": [
        (
            "write /v/db (annotation vault.hashicorp.com/agent-inject-secret-db) at "
            "pod:metadata.annotations.vault.hashicorp.com/agent-inject-secret-db"
        ),
        (
            "write /etc/api/api.json (annotation vault.hashicorp.com/agent-inject-secret-api) at "
            "pod:metadata.annotations.vault.hashicorp.com/agent-inject-secret-api"
        ),
    ],
    "oauth2-default": ["listen 4180/TCP (OAuth2 Proxy: HTTP) at image loopback maybe"],
    "oauth2-flags": [
        "listen 4181/TCP (--http-address) at args.0 loopback",
        "connect 8080/TCP (its command) at args.1",
        "forward 8080/TCP (--upstream) at args.1",
    ],
    "oauth2-env": [
        "listen 4182/TCP (env OAUTH2_PROXY_HTTP_ADDRESS) at env.0.value",
        "connect 3000/TCP (its command) at args.1",
        "forward 3000/TCP (--upstream) at args.1",
    ],
    "fb-http": [
        "listen 2021/TCP (HTTP server (-H)) at args.6",
        "read /var/log/app.log (its command) at args.3 follows",
    ],
    "fb-http-default": ["listen 2020/TCP (HTTP server (--http)) at args.0"],
    "fb-classic": [
        "listen 2022/TCP (ConfigMap fb, fluent-bit.conf (HTTP_Port)) at volumeMounts.0",
        "write /var/log/flb.db (ConfigMap fb, fluent-bit.conf (DB)) at volumeMounts.0",
        "write /out (ConfigMap fb, fluent-bit.conf (Path)) at volumeMounts.0 dir",
        "read /var/log/a.log (ConfigMap fb, fluent-bit.conf (Path)) at volumeMounts.0 follows",
        "read /var/log/b.log (ConfigMap fb, fluent-bit.conf (Path)) at volumeMounts.0 follows",
    ],
    "fb-classic-http-default": [
        "listen 2020/TCP (ConfigMap fb, fluent-bit.conf (HTTP_Port)) at volumeMounts.0"
    ],
    "fb-yaml": [
        "write /var/log/c.db (ConfigMap fb, fluent-bit.yaml (db)) at volumeMounts.0",
        "read /var/log/c.log (ConfigMap fb, fluent-bit.yaml (path)) at volumeMounts.0 follows",
        "read /var/log/d.log (ConfigMap fb, fluent-bit.yaml (path)) at volumeMounts.0 follows",
        "read /var/log/e.log (ConfigMap fb, fluent-bit.yaml (path)) at volumeMounts.0 follows",
    ],
    "fluentd": [
        "listen 24225/TCP (ConfigMap fd, fluent.conf (forward port)) at volumeMounts.0",
        "listen 9880/TCP (ConfigMap fd, fluent.conf (http port)) at volumeMounts.0",
        "write /var/log/x.pos (ConfigMap fd, fluent.conf (pos_file)) at volumeMounts.0",
        "write /out/log (ConfigMap fd, fluent.conf (path)) at volumeMounts.0 dir",
        "read /var/log/x.log (ConfigMap fd, fluent.conf (path)) at volumeMounts.0 follows",
        "read /var/log/y.log (ConfigMap fd, fluent.conf (path)) at volumeMounts.0 follows",
    ],
    "promtail": [
        "listen 9081/TCP (ConfigMap pt, config.yaml (http_listen_port)) at volumeMounts.0",
        "write /tmp/positions.yaml (ConfigMap pt, config.yaml (positions)) at volumeMounts.0",
        "read /var/log/p.log (ConfigMap pt, config.yaml (__path__)) at volumeMounts.0 follows",
        "read /var/log/q.log (ConfigMap pt, config.yaml (__path__)) at volumeMounts.0 follows",
    ],
    "vector-toml": [
        "write /var/lib/vector (ConfigMap vc, vector.toml (data_dir)) at volumeMounts.0 dir",
        "read /var/log/v.log (ConfigMap vc, vector.toml (include)) at volumeMounts.0 follows",
    ],
    "vector-yaml": [
        "read /var/log/w.log (ConfigMap vc, vector.yaml (include)) at volumeMounts.0 follows"
    ],
    "filebeat": [
        "read /var/log/f.log (ConfigMap fbt, filebeat.yml (paths)) at volumeMounts.0 follows"
    ],
    "filebeat-nested": [
        "read /var/log/g.log (ConfigMap fbt, filebeat.yml (paths)) at volumeMounts.0 follows"
    ],
    "otel": ["read /var/log/o.log (ConfigMap oc, config.yaml (include)) at volumeMounts.0 follows"],
    "nginx-default": [
        "listen 80/TCP (nginx: HTTP) at image maybe",
        "write /var/log/nginx/access.log (the nginx image) at image linked /var/log/nginx",
        "write /var/log/nginx/error.log (the nginx image) at image linked /var/log/nginx",
    ],
    "nginx-conf": [
        "listen 8080/TCP (ConfigMap ng, default.conf (listen)) at volumeMounts.0",
        "listen 8081/TCP (ConfigMap ng, default.conf (listen)) at volumeMounts.0",
        "write /var/log/nginx/access.log (the nginx image) at image linked /var/log/nginx",
        "write /var/log/nginx/error.log (the nginx image) at image linked /var/log/nginx",
        "write /var/log/app/access.log (ConfigMap ng, default.conf (access_log)) at volumeMounts.0",
        "write /var/log/app/error.log (ConfigMap ng, default.conf (error_log)) at volumeMounts.0",
    ],
    "dapr-default": [
        "listen 3500/TCP (Dapr HTTP API (default)) at image",
        "listen 50001/TCP (Dapr gRPC API (default)) at image",
        "listen 9090/TCP (Dapr metrics (default)) at image",
    ],
    "dapr-flags": [
        "listen 3501/TCP (--dapr-http-port) at args.1",
        "listen 50001/TCP (Dapr gRPC API (default)) at image",
        "listen 3502/TCP (--dapr-public-port) at args.2",
        "listen 9090/TCP (Dapr metrics (default)) at image",
        "forward 8080/TCP (--app-port) at args.4",
    ],
    "nginx-exporter": [
        "listen 9113/TCP (NGINX Prometheus exporter: metrics) at image maybe",
        "connect 8080/TCP (--nginx.scrape-uri default) at image",
    ],
    "nginx-exporter-flag": [
        "listen 9114/TCP (--web.listen-address) at args.0",
        "connect 8081/TCP (--nginx.scrape-uri) at args.1",
    ],
    "nginx-exporter-env": [
        "listen 9113/TCP (NGINX Prometheus exporter: metrics) at image maybe",
        "connect 8082/TCP (env SCRAPE_URI) at env.0.value",
    ],
    "statsd-exporter": ["listen 9103/TCP (--web.listen-address) at args.0 loopback"],
    "config-reloader": [
        "listen 8081/TCP (--listen-address) at args.0",
        "connect 9090/TCP (--reload-url default) at image",
    ],
    "config-reloader-once": ["connect 9091/TCP (--reload-url) at args.1", "one-shot"],
    "configmap-reload": [
        "listen 9533/TCP (configmap-reload: metrics) at image maybe",
        "connect 9090/TCP (--webhook-url) at args.0",
    ],
    "kube-rbac-proxy": [
        "listen 8443/TCP (--secure-listen-address) at args.0",
        "connect 8080/TCP (its command) at args.1",
        "forward 8080/TCP (--upstream) at args.1",
    ],
    "git-sync-root": ["write /tmp/git (--root) at args.1 dir", "one-shot"],
    "git-sync-env": ["write /data (env GITSYNC_ROOT) at env.0.value dir", "one-shot"],
    "git-sync-old-env": ["write /old (env GIT_SYNC_ROOT) at env.0.value dir"],
    "git-sync-default": ["write /git (the git-sync image's --root) at image dir"],
    "postgres-port": ["listen 5433/TCP (-p) at args.1"],
    "postgres-default": ["listen 5432/TCP (PostgreSQL: default port) at image maybe"],
    "redis-port": ["listen 6380/TCP (--port) at command.2"],
    "pgbouncer-env": ["listen 6433/TCP (env PGBOUNCER_PORT) at env.0.value"],
    "pgbouncer-listen-env": ["listen 6434/TCP (env LISTEN_PORT) at env.0.value"],
    "pgbouncer-default": ["listen 6432/TCP (PgBouncer listen_port (default)) at image maybe"],
    "istio-status": [
        (
            "listen 15030/TCP (annotation status.sidecar.istio.io/port) at "
            "pod:metadata.annotations.status.sidecar.istio.io/port"
        ),
        "listen 15000/TCP (Istio proxy: Envoy admin) at image loopback",
        "listen 15001/TCP (Istio proxy: outbound capture) at image",
        "listen 15006/TCP (Istio proxy: inbound capture) at image",
        "listen 15021/TCP (Istio proxy: health (/healthz/ready)) at image",
        "listen 15090/TCP (Istio proxy: Envoy Prometheus stats) at image",
    ],
    "istio-iptables": ["one-shot"],
    "istio-validation": ["one-shot"],
    "linkerd-moved": [
        "listen 4144/TCP (LINKERD2_PROXY_INBOUND_LISTEN_ADDR) at env.0.value",
        "listen 4192/TCP (LINKERD2_PROXY_ADMIN_LISTEN_ADDR) at env.1.value loopback",
        "listen 4140/TCP (Linkerd proxy: outbound) at image loopback",
        "listen 4190/TCP (Linkerd proxy: control) at image",
    ],
    "istio-validation-flag": ["one-shot"],
    "linkerd-moved-all": [
        "listen 4141/TCP (LINKERD2_PROXY_OUTBOUND_LISTEN_ADDR) at env.0.value loopback",
        "listen 4194/TCP (LINKERD2_PROXY_CONTROL_LISTEN_ADDR) at env.1.value",
        "listen 4143/TCP (Linkerd proxy: inbound) at image",
        "listen 4191/TCP (Linkerd proxy: admin (/ready, /live)) at image loopback",
    ],
    "csql-completion": ["one-shot"],
    "csql-help": ["one-shot"],
    "csql-unix-short": [],
    "csql-bad-port": [
        "listen 3306/TCP (the database engine's default port) at args.1 loopback maybe",
        "listen 5432/TCP (the database engine's default port) at args.1 loopback maybe",
        "listen 1433/TCP (the database engine's default port) at args.1 loopback maybe",
    ],
    "csql-address-env": ["listen 5432/TCP (--port) at args.0"],
    "csql-address-ipv6": ["listen 5432/TCP (--port) at args.2 loopback"],
    "csql-prometheus-env": ["listen 9090/TCP (HTTP server (default 9090)) at env.0.value"],
    "csql-health-localhost": ["listen 9090/TCP (HTTP server (default 9090)) at args.2 loopback"],
    "csql-health-off": [],
    "nginx-exporter-single-dash": [
        "listen 9115/TCP (--web.listen-address) at args.0",
        "connect 8083/TCP (-nginx.scrape-uri) at args.1",
    ],
    "redis-default": ["listen 6379/TCP (Redis: default port) at image maybe"],
    "postgres-flag-without-value": ["listen 5432/TCP (PostgreSQL: default port) at image maybe"],
    "linkerd-init": [],
}


@pytest.mark.parametrize("name", sorted(READERS))
def test_what_each_reader_finds(name: str) -> None:
    container, extra = READERS[name]
    c = {"name": "c", **container}
    if "mounts" in extra:
        c["volumeMounts"] = extra["mounts"]
    pod = pod_of(
        [c],
        volumes=extra.get("volumes"),
        annotations=extra.get("annotations"),
        config_maps=extra.get("maps"),
    )
    assert describe(pod, pod.containers[0]) == READ[name]


@pytest.mark.parametrize(
    ("pod_namespace", "map_namespace", "read"),
    [
        ("a", "a", True),
        ("a", "b", False),
        ("a", None, True),  # a ConfigMap without a namespace goes where it is applied
        (None, "b", True),
        (None, None, True),
    ],
)
def test_a_config_map_is_read_only_in_its_namespace(
    pod_namespace: str | None, map_namespace: str | None, read: bool
) -> None:
    def meta(name: str, namespace: str | None) -> dict[str, str]:
        return {"name": name, **({"namespace": namespace} if namespace else {})}

    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta("db", map_namespace),
        "data": {"DATABASE_URL": "postgres://u@localhost:5432/db"},
    }
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta("p", pod_namespace),
        "spec": {
            "containers": [
                {"name": "app", "image": "app", "envFrom": [{"configMapRef": {"name": "db"}}]}
            ]
        },
    }
    text = json.dumps(config_map) + "\n---\n" + json.dumps(pod)
    (found,) = pods_in_text(text, "t.yaml", Settings())
    uses = activity(found, found.containers[0])
    assert ports(uses.connects) == ([(5432, "env DATABASE_URL")] if read else [])


# --- small readers, both sides of each case ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "port"),
    [("1", 1), ("65535", 65535), ("65536", None), ("0", None), ("123456", None), ("8o", None)],
)
def test_port_numbers(text: str, port: int | None) -> None:
    from sidecarlint.activity import _port

    assert _port(text) == port


@pytest.mark.parametrize(
    ("value", "bound"),
    [
        (":8080", (8080, False)),
        ("8080", (8080, False)),
        ("0.0.0.0:9090", (9090, False)),
        ("127.0.0.1:4180", (4180, True)),
        ("localhost:4181", (4181, True)),
        ("[::1]:4182", (4182, True)),
        ("[::]:4183", (4183, False)),
        ("tcp://127.0.0.1:4184", (4184, True)),
        (" http://localhost:4185/ ", (4185, True)),
        ("host:99999", None),
        ("unix:///run/s.sock", None),
    ],
)
def test_bind_addresses(value: str, bound: tuple[int, bool] | None) -> None:
    from sidecarlint.activity import _bind

    assert _bind(value) == bound


@pytest.mark.parametrize(
    ("value", "true"),
    [
        ("", True),
        ("true", True),
        ("True", True),
        ("1", True),
        ("yes", True),
        ("YES", True),
        ("on", True),
        ("ON", True),
        ("false", False),
        ("0", False),
        ("no", False),
        (None, False),
    ],
)
def test_boolean_values(value: str | None, true: bool) -> None:
    from sidecarlint.activity import _true

    assert _true(value) is true


@pytest.mark.parametrize(
    ("words", "value"),
    [
        (["--x=1"], "1"),
        (["--x", "2"], "2"),
        (["a", "--x"], ""),
        (["--y", "--x=3", "--x=4"], "3"),
        (["--xx=5"], None),
    ],
)
def test_flag_values(words: list[str], value: str | None) -> None:
    from sidecarlint.activity import _flag, _has

    assert _flag(words, ("--x",)) == value
    assert _has(words, "--x") is (value is not None)


@pytest.mark.parametrize(
    ("script", "follows"),
    [
        ("tail -f /var/log/a.log", True),
        ("tail -F /var/log/a.log", True),
        ("tail -qf /var/log/a.log", True),
        ("tail -n 10 -F /var/log/a.log", True),
        ("tail --follow /var/log/a.log", True),
        ("tail --follow=name /var/log/a.log", True),
        ("tail --retry /var/log/a.log", False),
        ("tail --lines=5 /var/log/a.log", False),
        ("tail -n 1 /var/log/a.log", False),
        ("tail /var/log/a.log", False),
        ("cat /var/log/a.log", False),
    ],
)
def test_which_reads_follow(script: str, follows: bool) -> None:
    uses = one({"image": "busybox", "command": ["sh", "-c", script]})
    assert [(u.path, u.follows) for u in uses.reads] == [("/var/log/a.log", follows)]


@pytest.mark.parametrize(
    ("script", "listens", "connects"),
    [
        ("nc -l -p 9000", [(9000, "nc -l", False)], []),
        ("nc -lk 9001", [(9001, "nc -l", False)], []),
        ("nc -l -p x", [], []),
        ("nc -z 127.0.0.1 5432", [], [(5432, False)]),
        ("nc -zv localhost 5433 && echo up", [], [(5433, False)]),
        ("until nc -z 127.0.0.1 5434; do sleep 1; done", [], [(5434, True)]),
        ("nc -z db 5435", [], []),
        ("nc --verbose -z 127.0.0.1 5436", [], [(5436, False)]),
        ("nc 127.0.0.1", [], []),
    ],
)
def test_netcat_listens_and_connects(
    script: str, listens: list[tuple[int, str, bool]], connects: list[tuple[int, bool]]
) -> None:
    uses = one({"image": "busybox", "command": ["sh", "-c", script]})
    assert [(u.port, u.evidence, u.loopback) for u in uses.listens] == listens
    assert [(u.port, u.waits) for u in uses.connects] == connects


# --- the image readers' flags, both sides -------------------------------------------------


def test_linkerd_init_is_known_by_its_program_or_its_flag() -> None:
    """linkerd2-proxy-init (by name, without flags) and ``--incoming-proxy-port`` (without
    the program's name) each mark the one-shot init; the proxy's own program does not."""
    by_name = one(
        {"image": "cr.l5d.io/linkerd/proxy:edge", "command": ["/usr/bin/linkerd2-proxy-init"]}
    )
    assert by_name.one_shot and by_name.listens == []
    by_flag = one(
        {"image": "cr.l5d.io/linkerd/proxy:edge", "args": ["--incoming-proxy-port", "4143"]}
    )
    assert by_flag.one_shot and by_flag.listens == []
    proxy = one(
        {"image": "cr.l5d.io/linkerd/proxy:edge", "command": ["/usr/lib/linkerd/linkerd2-proxy"]}
    )
    assert not proxy.one_shot
    assert [u.port for u in proxy.listens] == [4140, 4143, 4190, 4191]


def test_dapr_flags_each_move_their_port() -> None:
    """Each of daprd's port flags replaces its default; the Dapr sidecar listens on every
    interface; an ``--app-port`` that is not a port is no forward."""
    dapr = one(
        {
            "image": "daprio/daprd:1.14",
            "args": [
                "--dapr-grpc-port",
                "50002",
                "--dapr-internal-grpc-port",
                "50003",
                "--metrics-port",
                "9091",
                "--app-port",
                "x",
            ],
        }
    )
    assert [(u.port, u.evidence, u.loopback) for u in dapr.listens] == [
        (3500, "Dapr HTTP API (default)", False),
        (50002, "--dapr-grpc-port", False),
        (50003, "--dapr-internal-grpc-port", False),
        (9091, "--metrics-port", False),
    ]
    assert dapr.listens[1].where[-2:] == ("args", 1)
    assert dapr.forwards == []
    zero = one({"image": "daprio/daprd:1.14", "args": ["--app-port", "0"]})
    assert zero.forwards == []


# --- ConfigMaps a container mounts ----------------------------------------------------------

_TAIL = "[INPUT]\n    Name tail\n    Path /var/log/a.log\n"
_TAIL_YAML = "pipeline:\n  inputs:\n    - name: tail\n      path: /var/log/y.log\n"


def test_mounts_that_are_no_config_map_of_the_input_are_passed_over() -> None:
    """Mounts of a volume the pod does not define, of an emptyDir, of a ConfigMap the input
    does not hold and without a mountPath come first; the ConfigMap after them is read."""
    uses = one(
        {
            "image": _FB,
            "volumeMounts": [
                {"name": "undefined", "mountPath": "/u"},
                {"name": "scratch", "mountPath": "/scratch"},
                {"name": "elsewhere", "mountPath": "/elsewhere"},
                {"name": "conf"},
                {"name": "conf", "mountPath": "/fluent-bit/etc"},
            ],
        },
        volumes=[
            {"name": "scratch", "emptyDir": {}},
            {"name": "elsewhere", "configMap": {"name": "not-in-the-input"}},
            {"name": "conf", "configMap": {"name": "fb"}},
        ],
        config_maps={"fb": {"fluent-bit.conf": _TAIL}},
    )
    assert files(uses.reads) == [("/var/log/a.log", "ConfigMap fb, fluent-bit.conf (Path)")]
    assert uses.reads[0].where[-2:] == ("volumeMounts", 4)


def test_config_map_items_name_the_files() -> None:
    """Empty ``items`` project every key; items without a key or a path are ignored, a key
    the ConfigMap lacks is skipped, and an item's path (here ``.yaml``) names the file."""
    every = one(
        {"image": _FB, "volumeMounts": [{"name": "c", "mountPath": "/e"}]},
        volumes=[{"name": "c", "configMap": {"name": "fb", "items": []}}],
        config_maps={"fb": {"fluent-bit.conf": _TAIL}},
    )
    assert [u.path for u in every.reads] == ["/var/log/a.log"]
    items = [
        {"path": "no-key.conf"},
        {"key": "main"},
        {"key": "gone", "path": "gone.conf"},
        {"key": "main", "path": "fluent-bit.yaml"},
    ]
    projected = one(
        {"image": _FB, "volumeMounts": [{"name": "c", "mountPath": "/e"}]},
        volumes=[{"name": "c", "configMap": {"name": "fb", "items": items}}],
        config_maps={"fb": {"main": _TAIL_YAML}},
    )
    assert files(projected.reads) == [("/var/log/y.log", "ConfigMap fb, main (path)")]


def test_a_sub_path_mount_is_the_file_it_names() -> None:
    """A subPath mount is one key (not the first), at the mountPath itself; a trailing
    slash on the mountPath does not change the file's name (nor so its format)."""
    maps = {"fb": {"other.conf": "[INPUT]\n Name tail\n Path /no\n", "fb.yaml": _TAIL_YAML}}
    for mount_path in ("/fluent-bit/etc/fluent-bit.yaml", "/fluent-bit/etc/fluent-bit.yaml/"):
        uses = one(
            {
                "image": _FB,
                "volumeMounts": [{"name": "c", "mountPath": mount_path, "subPath": "fb.yaml"}],
            },
            volumes=[{"name": "c", "configMap": {"name": "fb"}}],
            config_maps=maps,
        )
        assert files(uses.reads) == [("/var/log/y.log", "ConfigMap fb, fb.yaml (path)")]


@pytest.mark.parametrize(
    ("pod_namespace", "map_namespace", "read"),
    [("a", "a", True), ("a", "b", False), (None, "b", True)],
)
def test_a_mounted_config_map_is_read_only_in_its_namespace(
    pod_namespace: str | None, map_namespace: str | None, read: bool
) -> None:
    def meta(name: str, namespace: str | None) -> dict[str, str]:
        return {"name": name, **({"namespace": namespace} if namespace else {})}

    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta("fb", map_namespace),
        "data": {"fluent-bit.conf": _TAIL},
    }
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta("p", pod_namespace),
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "image": _FB,
                    "volumeMounts": [{"name": "conf", "mountPath": "/fluent-bit/etc"}],
                }
            ],
            "volumes": [{"name": "conf", "configMap": {"name": "fb"}}],
        },
    }
    text = json.dumps(config_map) + "\n---\n" + json.dumps(pod)
    (found,) = pods_in_text(text, "t.yaml", Settings())
    uses = activity(found, found.containers[0])
    assert [u.path for u in uses.reads] == (["/var/log/a.log"] if read else [])


# --- env, both sides ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "connects"),
    [
        # A JSON document or list in a variable is configuration, not an address.
        ({"SETTINGS": '{"url": "localhost:5432"}'}, []),
        ({"UPSTREAMS": '["localhost:5432"]'}, []),
        # A listen address passed over, the next variable is still read.
        (
            {"LISTEN_ADDR": "127.0.0.1:8080", "DATABASE_URL": "localhost:5432"},
            [(5432, "env DATABASE_URL", False)],
        ),
        # A one-letter prefix pairs a host and a port too.
        ({"MHOST": "localhost", "MPORT": "5431"}, [(5431, "env MHOST and MPORT", False)]),
        # Lowercase names pair with the lowercase port variable.
        ({"db_host": "localhost", "db_port": "5431"}, [(5431, "env db_host and db_PORT", False)]),
    ],
)
def test_env_connections_both_sides(
    env: dict[str, str], connects: list[tuple[int, str, bool]]
) -> None:
    uses = one({"image": "app", "env": [{"name": k, "value": v} for k, v in env.items()]})
    assert [(u.port, u.evidence, u.waits) for u in uses.connects] == connects


def test_env_values_from_a_config_map_key_alone() -> None:
    """A value from ``configMapKeyRef`` is read without any ``envFrom``; an env entry with
    neither value nor valueFrom is passed over."""
    uses = one(
        {
            "image": "app",
            "env": [
                {
                    "name": "DATABASE_URL",
                    "valueFrom": {"configMapKeyRef": {"name": "db", "key": "u"}},
                }
            ],
        },
        config_maps={"db": {"u": "postgres://app@localhost:5432/app"}},
    )
    assert ports(uses.connects) == [(5432, "env DATABASE_URL")]
    assert uses.connects[0].where[-2:] == ("env", 0)
    empty = one(
        {
            "image": "app",
            "env": [{"name": "EMPTY"}, {"name": "LOG_FILE", "value": "/var/log/app.log"}],
        }
    )
    assert files(empty.writes) == [("/var/log/app.log", "env LOG_FILE")]


def test_a_hooks_command_reads_the_containers_env() -> None:
    """A command run in a container (an exec probe's) expands ``$(VAR)`` from its env."""
    pod = pod_of([{"name": "c", "image": "app", "env": [{"name": "PORT", "value": "5432"}]}])
    got = command_connections(pod, pod.containers[0], ["sh", "-c", "nc -z localhost $(PORT)"])
    assert ports(got) == [(5432, "its command")]
    assert got[0].where[-2:] == ("command", 2)


# --- netcat, word by word -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "listens", "connects"),
    [
        (["nc", "-l", "-p", "9000", "-s", "127.0.0.1"], [(9000, 3)], []),
        (["nc", "-l", "9002", "-k"], [(9002, 2)], []),
        (["nc", "-z", "-w", "1", "127.0.0.1", "5432"], [], [(5432, 5)]),
        (["nc", "127.0.0.1", "5433", "-z"], [], [(5433, 2)]),
        # A long option with an "l" in it is not -l.
        (["nc", "--verbose", "--delay=1", "127.0.0.1", "5434"], [], [(5434, 4)]),
    ],
)
def test_netcat_words(
    command: list[str], listens: list[tuple[int, int]], connects: list[tuple[int, int]]
) -> None:
    """The port nc listens on (``-p``, else its last operand) and the port it connects to
    (the operand after a local host), each at the word that names it."""
    uses = one({"image": "busybox", "command": command})
    assert [(u.port, u.where[-1]) for u in uses.listens] == listens
    assert [(u.port, u.where[-1]) for u in uses.connects] == connects
    assert all(u.where[-2] == "command" for u in [*uses.listens, *uses.connects])


# --- Cloud SQL Auth Proxy and Vault agent, both sides ---------------------------------------


def test_cloud_sql_proxy_flag_edges() -> None:
    """``--http-port`` without a value is no port; ``--address=127.0.0.1`` is loopback."""
    bare = one({"image": _CSQL, "args": ["--health-check", "p:r:a", "--http-port"]})
    assert [u.port for u in bare.listens] == [3306, 5432, 1433]
    local = one({"image": _CSQL, "args": ["--address=127.0.0.1", "--port=5432", "p:r:a"]})
    assert [(u.port, u.evidence, u.loopback) for u in local.listens] == [(5432, "--port", True)]


def test_vault_agent_exits_after_auth_with_either_dash() -> None:
    for flag in ("-exit-after-auth", "--exit-after-auth"):
        assert one({"image": _VAULT, "args": ["agent", flag]}).one_shot
    assert not one({"image": _VAULT, "args": ["agent"]}).one_shot


# --- log shippers' configuration, both sides ------------------------------------------------


def _shipper(image: str, key: str, text: str) -> Activity:
    return one(
        {"image": image, "volumeMounts": [{"name": "c", "mountPath": "/etc/shipper"}]},
        volumes=[{"name": "c", "configMap": {"name": "s"}}],
        config_maps={"s": {key: text}},
    )


def test_fluent_bit_yaml_config_both_sides() -> None:
    """``.yml`` is YAML too; inputs other than tail are not read."""
    text = (
        "pipeline:\n  inputs:\n    - name: systemd\n      path: /var/log/journal\n"
        "    - name: tail\n      path: /var/log/y.log\n"
    )
    for key in ("fluent-bit.yml", "fluent-bit.yaml"):
        uses = _shipper(_FB, key, text)
        assert files(uses.reads) == [("/var/log/y.log", f"ConfigMap s, {key} (path)")]
        assert uses.writes == []


def test_fluent_bit_classic_config_both_sides() -> None:
    """Sections are what sits between brackets on its own line (a glob's brackets in a Path
    are not one); only tail inputs are read, only file outputs written, and the HTTP server
    listens only when HTTP_Server is on (on every interface)."""
    glob = _shipper(_FB, "fb.conf", "[INPUT]\n    Name tail\n    Path /var/log/app.log.[0-9]\n")
    assert [u.path for u in glob.reads] == ["/var/log/app.log.[0-9]"]
    other = _shipper(
        _FB,
        "fb.conf",
        "[SERVICE]\n    Flush 1\n[INPUT]\n    Name systemd\n    Path /var/log/journal\n"
        "[OUTPUT]\n    Name stdout\n",
    )
    assert other.reads == [] and other.writes == [] and other.listens == []
    http = _shipper(_FB, "fb.conf", "[SERVICE]\n    HTTP_Server true\n    HTTP_Port 2021\n")
    assert [(u.port, u.evidence, u.loopback) for u in http.listens] == [
        (2021, "ConfigMap s, fb.conf (HTTP_Port)", False)
    ]


def test_fluentd_syslog_and_monitor_agent_ports() -> None:
    text = (
        "<source>\n  @type syslog\n  port 5140\n</source>\n"
        "<source>\n  @type monitor_agent\n  port 24220\n</source>\n"
    )
    uses = _shipper("fluent/fluentd:v1.17", "fluent.conf", text)
    assert [(u.port, u.evidence, u.loopback) for u in uses.listens] == [
        (5140, "ConfigMap s, fluent.conf (syslog port)", False),
        (24220, "ConfigMap s, fluent.conf (monitor_agent port)", False),
    ]


def test_envoy_bootstrap_both_sides() -> None:
    """A listener on ``::1`` is loopback; an entry of listeners that is no mapping is
    passed over; a route's ``path`` is not an access log."""
    bootstrap = (
        "static_resources:\n"
        "  listeners:\n"
        "  - not-a-listener\n"
        "  - address:\n"
        '      socket_address: {address: "::1", port_value: 8443}\n'
        "    filter_chains:\n"
        "    - filters:\n"
        "      - typed_config:\n"
        "          route_config:\n"
        "            virtual_hosts:\n"
        "            - routes:\n"
        "              - match: {path: /ready}\n"
    )
    uses = one(
        {
            "image": _ENVOY,
            "args": ["-c", "/etc/envoy/envoy.yaml"],
            "volumeMounts": [{"name": "conf", "mountPath": "/etc/envoy"}],
        },
        volumes=[{"name": "conf", "configMap": {"name": "envoy"}}],
        config_maps={"envoy": {"envoy.yaml": bootstrap}},
    )
    assert [(u.port, u.evidence, u.loopback) for u in uses.listens] == [
        (8443, "ConfigMap envoy, envoy.yaml (listener)", True)
    ]
    assert uses.writes == []


# --- the model's flags are booleans ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(READERS))
def test_every_flag_of_every_use_is_a_boolean(name: str) -> None:
    """``loopback``, ``waits``, ``certain``, ``declared``, ``directory``, ``follows`` and
    ``one_shot`` are True or False, never something else that reads as false."""
    container, extra = READERS[name]
    c = {"name": "c", **container}
    if "mounts" in extra:
        c["volumeMounts"] = extra["mounts"]
    pod = pod_of(
        [c],
        volumes=extra.get("volumes"),
        annotations=extra.get("annotations"),
        config_maps=extra.get("maps"),
    )
    a = activity(pod, pod.containers[0])
    for use in (*a.listens, *a.connects, *a.forwards, *a.unbound):
        assert [type(v) for v in (use.loopback, use.waits, use.certain, use.declared)] == [
            bool
        ] * 4, use
    for file in (*a.writes, *a.reads):
        assert [type(file.directory), type(file.follows)] == [bool, bool], file
    assert type(a.one_shot) is bool


# --- more than one of a kind -----------------------------------------------------------------


def test_every_use_of_a_kind_is_kept() -> None:
    """Two writes of a command, two socat forwards, two declared ports the args do not bind,
    two local Envoy clusters: each list keeps both."""
    writes = one({"image": "busybox", "command": ["sh", "-c", "date >> /a.log; date >> /b.log"]})
    assert [u.path for u in writes.writes] == ["/a.log", "/b.log"]
    socat = one(
        {
            "image": "busybox",
            "command": [
                "sh",
                "-c",
                "socat tcp-listen:81 tcp:127.0.0.1:8081 & socat tcp-listen:82 tcp:localhost:8082",
            ],
        }
    )
    assert [(u.port, u.where[-2:]) for u in socat.forwards] == [
        (8081, ("command", 2)),
        (8082, ("command", 2)),
    ]
    unbound = one(
        {
            "image": "app",
            "args": ["--port=8080"],
            "ports": [{"containerPort": 9090}, {"containerPort": 9091}, {"containerPort": 8080}],
        }
    )
    assert [u.port for u in unbound.unbound] == [9090, 9091]
    oauth = one(
        {
            "image": "quay.io/oauth2-proxy/oauth2-proxy:v7",
            "args": ["--upstream=http://127.0.0.1:8080/", "--upstream=http://127.0.0.1:8081/"],
        }
    )
    assert ports(oauth.forwards) == [(8080, "--upstream"), (8081, "--upstream")]


def test_java_log_directory_flag_on_the_command_line() -> None:
    uses = one({"image": "app", "command": ["java", "-Dlogging.file.path=/logs", "-jar", "a.jar"]})
    assert [(u.path, u.evidence, u.directory) for u in uses.writes] == [
        ("/logs", "-Dlogging.file.path", True)
    ]


def test_a_file_a_command_writes_is_not_also_read() -> None:
    uses = one(
        {"image": "busybox", "command": ["sh", "-c", "date >> /a.log; tail -F /a.log /b.log"]}
    )
    assert [u.path for u in uses.writes] == ["/a.log"]
    assert [u.path for u in uses.reads] == ["/b.log"]


def test_declared_ports_come_first_and_the_images_follow() -> None:
    """A declared port, then the image's own; entries without a containerPort are passed
    over."""
    uses = one({"image": "nginx:1.27", "ports": [{"name": "metrics"}, {"containerPort": 8080}]})
    assert [(u.port, u.evidence) for u in uses.listens] == [
        (8080, "containerPort"),
        (80, "nginx: HTTP"),
    ]
    none = one({"image": "app", "ports": [{"name": "metrics"}]})
    assert none.listens == []


def test_udp_ports_of_the_catalog() -> None:
    """The StatsD exporter listens on 9125 over TCP and UDP both."""
    uses = one({"image": "prom/statsd-exporter:v0.27.1"})
    assert [(u.port, u.protocol) for u in uses.listens] == [
        (9102, "TCP"),
        (9125, "TCP"),
        (9125, "UDP"),
    ]


def test_a_listen_flags_value_is_not_read_as_a_connection() -> None:
    uses = one({"image": "app", "args": ["--listen", "127.0.0.1:8080"]})
    assert [(u.port, u.loopback) for u in uses.listens] == [(8080, True)]
    assert uses.connects == []


@pytest.mark.parametrize(
    ("argv", "listens", "connects"),
    [
        # Flags with no address in the command line.
        (["app", "--listen", "8080"], [8080], []),
        (["app", "--http-addr", "8081"], [8081], []),
        (["app", "--bind", "8082"], [8082], []),
        (["pg_isready", "-h=127.0.0.1", "-p=5432"], [], [5432]),
    ],
)
def test_port_flags_without_a_colon(
    argv: list[str], listens: list[int], connects: list[int]
) -> None:
    uses = one({"image": "app", "command": argv})
    assert [u.port for u in uses.listens] == listens
    assert [u.port for u in uses.connects] == connects


def test_expanded_args_and_items_that_are_not_strings() -> None:
    """``$(VAR)`` in args (without a command) is expanded; a number among the args is
    read as its text."""
    uses = one(
        {
            "image": "app",
            "args": ["--metrics=$(M)", "--port", 8080],
            "env": [{"name": "M", "value": "1"}],
        }
    )
    assert [(u.port, u.where[-2:]) for u in uses.listens] == [(8080, ("args", 1))]
    moved = one(
        {"image": "app", "args": ["--port=$(PORT)"], "env": [{"name": "PORT", "value": "8081"}]}
    )
    assert [(u.port, u.where[-2:]) for u in moved.listens] == [(8081, ("args", 0))]


def test_env_entries_that_are_malformed_are_passed_over() -> None:
    """With envFrom, an env entry without a name or with a valueFrom that is no mapping is
    passed over; the next one is read."""
    uses = one(
        {
            "image": "app",
            "envFrom": [{"configMapRef": {"name": "none"}}],
            "env": [
                {"value": "localhost:1"},
                {"name": "X", "valueFrom": "oops"},
                {"name": "DATABASE_URL", "value": "localhost:5432"},
            ],
        }
    )
    assert ports(uses.connects) == [(5432, "env DATABASE_URL")]


def test_env_from_without_the_inputs_config_maps() -> None:
    """A pod located without the ConfigMaps of its input reads no env from them."""
    from tests.conftest import pod_of as located_pod

    pod = located_pod(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {
                "containers": [
                    {"name": "c", "image": "app", "envFrom": [{"configMapRef": {"name": "db"}}]}
                ]
            },
        }
    )
    assert activity(pod, pod.containers[0]).connects == []


def test_java_options_only_in_the_jvms_variables() -> None:
    uses = one(
        {"image": "app", "env": [{"name": "EXTRA", "value": "-Dlogging.file.name=/l/a.log"}]}
    )
    assert uses.writes == []


def test_config_maps_of_images_without_a_configuration_reader() -> None:
    uses = one(
        {
            "image": "quay.io/oauth2-proxy/oauth2-proxy:v7",
            "volumeMounts": [{"name": "c", "mountPath": "/etc/oauth2"}],
        },
        volumes=[{"name": "c", "configMap": {"name": "o"}}],
        config_maps={"o": {"oauth2.cfg": 'http_address = "0.0.0.0:4180"\n'}},
    )
    assert [(u.port, u.certain) for u in uses.listens] == [(4180, False)]


def test_the_largest_configuration_read() -> None:
    """A file of exactly MAX_CONFIG characters is read; a larger one is passed over, and the
    next file is still read."""
    from sidecarlint.activity import MAX_CONFIG

    exact = _TAIL + "#" * (MAX_CONFIG - len(_TAIL))
    big = _TAIL + "#" * (MAX_CONFIG + 1 - len(_TAIL))
    uses = _shipper(_FB, "a.conf", exact)
    assert [u.path for u in uses.reads] == ["/var/log/a.log"]
    two = one(
        {"image": _FB, "volumeMounts": [{"name": "c", "mountPath": "/e"}]},
        volumes=[{"name": "c", "configMap": {"name": "s"}}],
        config_maps={"s": {"a.conf": big, "b.conf": "[INPUT]\n Name tail\n Path /b.log\n"}},
    )
    assert [u.path for u in two.reads] == ["/b.log"]


def test_where_a_use_shown_nowhere_in_the_args_is() -> None:
    """A path the shell unescapes is not written as such in the command: the evidence is
    the container (its name)."""
    plain = one({"image": "busybox", "command": ["sh", "-c", "tail -F /var/log/a\\ b.log"]})
    assert [(u.path, u.where[-1]) for u in plain.reads] == [("/var/log/a b.log", "name")]
    expanded = one(
        {
            "image": "busybox",
            "command": ["sh", "-c", "tail -F /var/log/$(APP)\\ b.log"],
            "env": [{"name": "APP", "value": "x"}],
        }
    )
    assert [(u.path, u.where[-1]) for u in expanded.reads] == [("/var/log/x b.log", "name")]


def test_port_numbers_have_at_most_five_digits() -> None:
    from sidecarlint.activity import _port

    assert _port("008080") is None


def test_flows_from_a_container_that_also_reads() -> None:
    pod = pod_of(
        [
            {
                "name": "a",
                "image": "busybox",
                "command": ["sh", "-c", "date >> /d/a.log; tail -F /d/b.log"],
            },
            {"name": "b", "image": "busybox", "command": ["tail", "-F", "/d/a.log"]},
        ]
    )
    assert [(f.writer.name, f.reader.name, f.path) for f in flows(pod)] == [("a", "b", "/d/a.log")]


def test_same_file_under_a_directory_written_with_a_trailing_slash() -> None:
    assert same_file(Use("/a/", "", (), directory=True), Use("/a/b.log", "", ())) == "/a/b.log"


# --- more image readers, both sides ---------------------------------------------------------


def test_envoy_config_path_in_one_word_with_the_short_flag() -> None:
    uses = one({"image": _ENVOY, "command": ["envoy", "-c /etc/envoy/envoy.yaml"]})
    assert uses.listens == []


def test_cloud_sql_proxy_first_word_is_an_instance() -> None:
    """The first argument is an instance even when the last is a flag that takes a value."""
    uses = one({"image": _CSQL, "args": ["p:r:a", "--port"]})
    assert [(u.port, u.where[-2:]) for u in uses.listens] == [
        (3306, ("args", 0)),
        (5432, ("args", 0)),
        (1433, ("args", 0)),
    ]


def test_cloud_sql_proxy_v1_flags_over_env() -> None:
    """``-instances`` wins over the INSTANCES variable; ``--health_check_port`` with two
    dashes moves the health check."""
    uses = one(
        {
            "image": _GCE,
            "command": [
                "/cloud_sql_proxy",
                "-instances=p:r:a=tcp:5432",
                "-use_http_health_check",
                "--health_check_port=8092",
            ],
            "env": [{"name": "INSTANCES", "value": "p:r:a=tcp:6543"}],
        }
    )
    assert ports(uses.listens) == [(5432, "-instances=...=tcp:"), (8092, "health check")]


def test_vault_annotations_that_are_not_text_are_passed_over() -> None:
    annotations: Any = {
        "vault.hashicorp.com/agent-inject-secret-a": "secret/a",
        "vault.hashicorp.com/secret-volume-path-a": 5,
        "vault.hashicorp.com/agent-inject-secret-b": "secret/b",
    }
    pod = pod_of([{"name": "c", "image": _VAULT, "args": ["agent"]}], annotations=annotations)
    assert [u.path for u in activity(pod, pod.containers[0]).writes] == ["/vault/secrets/b"]


def test_oauth2_proxy_address_flags() -> None:
    """``-http-address`` with one dash; the flag wins over the env variable; an upstream's
    value is the word after the flag."""
    single = one({"image": "quay.io/oauth2-proxy/oauth2-proxy:v7", "args": ["-http-address=:4181"]})
    assert [(u.port, u.evidence, u.loopback) for u in single.listens] == [
        (4181, "--http-address", False)
    ]
    both = one(
        {
            "image": "quay.io/oauth2-proxy/oauth2-proxy:v7",
            "args": [
                "--http-address=127.0.0.1:4182",
                "--upstream",
                "http://127.0.0.1:8080/",
            ],
            "env": [{"name": "OAUTH2_PROXY_HTTP_ADDRESS", "value": "0.0.0.0:4183"}],
        }
    )
    assert [(u.port, u.evidence, u.loopback) for u in both.listens] == [
        (4182, "--http-address", True)
    ]
    assert ports(both.forwards) == [(8080, "--upstream")]


def test_fluent_bit_http_port_long_flag() -> None:
    uses = one({"image": _FB, "args": ["-i", "cpu", "--http", "--port", "2021"]})
    assert ports(uses.listens) == [(2021, "HTTP server (--http)")]


def test_listen_flag_that_is_no_address_keeps_the_default() -> None:
    uses = one(
        {
            "image": "ghcr.io/jimmidyson/configmap-reload:v0.13",
            "args": ["--web.listen-address=unix:///tmp/s"],
        }
    )
    assert ports(uses.listens) == [(9533, "configmap-reload: metrics")]


def test_config_reloader_once_with_a_duration() -> None:
    once = one(
        {
            "image": "quay.io/prometheus-operator/prometheus-config-reloader:v0.76",
            "args": ["--watch-interval=0s"],
        }
    )
    assert once.one_shot


@pytest.mark.parametrize(
    ("env", "one_shot"),
    [
        ({"GIT_SYNC_ONE_TIME": "true"}, True),
        ({"GITSYNC_ONE_TIME": "true"}, True),
        ({"GITSYNC_ONE_TIME": "false", "GIT_SYNC_ONE_TIME": "true"}, False),
        ({}, False),
    ],
)
def test_git_sync_one_time_env(env: dict[str, str], one_shot: bool) -> None:
    """git-sync v4's GITSYNC_ONE_TIME, else v3's GIT_SYNC_ONE_TIME."""
    uses = one(
        {
            "image": "registry.k8s.io/git-sync/git-sync:v4.2",
            "env": [{"name": k, "value": v} for k, v in env.items()],
        }
    )
    assert uses.one_shot is one_shot


def test_pgbouncer_port_variable_that_is_no_port() -> None:
    uses = one(
        {
            "image": "bitnami/pgbouncer:1.23",
            "env": [
                {"name": "PGBOUNCER_PORT", "value": "x"},
                {"name": "LISTEN_PORT", "value": "6434"},
            ],
        }
    )
    assert ports(uses.listens) == [(6434, "env LISTEN_PORT")]


def test_fluentd_paths_separated_by_comma_and_space() -> None:
    text = "<source>\n  @type tail\n  path /var/log/a.log, /var/log/b.log\n</source>\n"
    uses = _shipper("fluent/fluentd:v1.17", "fluent.conf", text)
    assert [u.path for u in uses.reads] == ["/var/log/a.log", "/var/log/b.log"]


@pytest.mark.parametrize(
    ("image", "key", "text"),
    [
        # Documents that are not mappings.
        ("grafana/promtail:3.0.0", "config.yaml", "- a\n"),
        ("docker.elastic.co/beats/filebeat:8.15.0", "filebeat.yml", "- a\n"),
        ("otel/opentelemetry-collector-contrib:0.110.0", "config.yaml", "- a\n"),
        # Sections of the wrong shape.
        ("grafana/promtail:3.0.0", "config.yaml", "positions: /tmp/p.yaml\nserver: 9080\n"),
        (
            "grafana/promtail:3.0.0",
            "config.yaml",
            "scrape_configs:\n- static_configs:\n  - labels:\n      __path__: [/var/log/a.log]\n",
        ),
        ("otel/opentelemetry-collector-contrib:0.110.0", "config.yaml", "receivers: x\n"),
        # Inputs of another kind: a filestats receiver reads no log lines, a journald
        # source no files.
        (
            "otel/opentelemetry-collector-contrib:0.110.0",
            "config.yaml",
            "receivers:\n  filestats:\n    include: /var/log/*.log\n",
        ),
        (
            "timberio/vector:0.40.0-debian",
            "vector.yaml",
            "sources:\n  j:\n    type: journald\n    include: [/var/log/a.log]\n",
        ),
    ],
)
def test_shipper_configurations_that_name_nothing(image: str, key: str, text: str) -> None:
    uses = _shipper(image, key, text)
    assert (uses.reads, uses.writes, uses.listens) == ([], [], [])


def test_filebeat_inputs_beside_other_filebeat_settings() -> None:
    text = "filebeat.inputs:\n- paths: [/var/log/a.log]\nfilebeat:\n  config: {}\n"
    uses = _shipper("docker.elastic.co/beats/filebeat:8.15.0", "filebeat.yml", text)
    assert [u.path for u in uses.reads] == ["/var/log/a.log"]


def test_envoy_socket_address_without_an_address() -> None:
    bootstrap = (
        "static_resources:\n  listeners:\n  - address:\n      socket_address: {port_value: 8443}\n"
    )
    uses = one(
        {
            "image": _ENVOY,
            "args": ["-c", "/etc/envoy/envoy.yaml"],
            "volumeMounts": [{"name": "conf", "mountPath": "/etc/envoy"}],
        },
        volumes=[{"name": "conf", "configMap": {"name": "envoy"}}],
        config_maps={"envoy": {"envoy.yaml": bootstrap}},
    )
    assert uses.listens == []


def test_vault_json_config_edges() -> None:
    """JSON after leading whitespace is JSON; the Vault server's address is no listener."""
    config = (
        '\n{"vault": {"address": "http://127.0.0.1:8200"}, '
        '"template": [{"destination": "/etc/secrets/x"}]}'
    )
    uses = one(
        {"image": _VAULT, "args": ["agent"], "env": [{"name": "VAULT_CONFIG", "value": config}]}
    )
    assert files(uses.writes) == [("/etc/secrets/x", "env VAULT_CONFIG (template destination)")]
    assert uses.listens == []


def test_covering_mount_passes_over_mounts_without_a_path() -> None:
    from sidecarlint.activity import covering_mount

    pod = pod_of(
        [
            {
                "name": "c",
                "image": "busybox",
                "volumeMounts": [{"name": "a"}, {"name": "b", "mountPath": "/data"}],
            }
        ]
    )
    found = covering_mount(pod.containers[0], "/data/x.log")
    assert found is not None and found.name == "b"


def test_a_namespace_that_is_not_text_is_no_namespace() -> None:
    """A Pod whose namespace is not a string is read as one without a namespace: it sees
    the ConfigMaps of every namespace of the input."""
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "db", "namespace": "b"},
        "data": {"DATABASE_URL": "postgres://u@localhost:5432/db"},
    }
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": 5},
        "spec": {
            "containers": [
                {"name": "app", "image": "app", "envFrom": [{"configMapRef": {"name": "db"}}]}
            ]
        },
    }
    text = json.dumps(config_map) + "\n---\n" + json.dumps(pod)
    (found,) = pods_in_text(text, "t.yaml", Settings())
    assert ports(activity(found, found.containers[0]).connects) == [(5432, "env DATABASE_URL")]


def test_args_alone_that_name_a_local_url() -> None:
    """Args without a command (the image's entrypoint runs) are read all the same."""
    uses = one({"image": "app", "args": ["--db=postgres://127.0.0.1:5432/x"]})
    assert ports(uses.connects) == [(5432, "its command")]


def test_a_config_map_ref_that_is_no_mapping_is_passed_over() -> None:
    uses = one(
        {
            "image": "app",
            "envFrom": [{"configMapRef": "db"}],
            "env": [{"name": "DATABASE_URL", "value": "localhost:5432"}],
        },
        config_maps={"db": {"X": "1"}},
    )
    assert ports(uses.connects) == [(5432, "env DATABASE_URL")]


def test_evidence_points_at_the_command_or_args_item_naming_it() -> None:
    pod = pod_of(
        [
            {"name": "a", "image": "busybox", "command": ["sh", "-c"], "args": ["tail -F /x", 3]},
            {"name": "b", "image": "busybox", "command": "sh"},
        ]
    )
    a = activity(pod, pod.containers[0])
    base = pod.containers[0].path
    assert a.argv_where("/x") == (*base, "args", 0)
    assert a.argv_where("sh") == (*base, "command", 0)
    assert a.argv_where("-c") == (*base, "command", 1)
    assert a.argv_where("nothing") == (*base, "name")
    b = activity(pod, pod.containers[1])
    assert b.argv_where("sh") == (*pod.containers[1].path, "name")  # not a list
