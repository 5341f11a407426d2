"""The file-and-port model of a Pod (:mod:`sidecarlint.activity`): what each container
writes, reads, listens on and connects to, and the evidence of each, from its command and
args, env, declared ports, mounted ConfigMaps of the same input, the injector's annotations
and the catalog of well-known images."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sidecarlint import images
from sidecarlint.activity import (
    Activity,
    activity,
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
            [(6000, "--port", True, True)],
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
            [(9090, "health check (default 9090)", False, True)],
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
                (9801, "health check (--http-port)", True, True),
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
