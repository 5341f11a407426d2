"""The catalog of well-known images: what each one listens on, writes and reads by default.

One entry per image (or family of images), each with the upstream source its facts were
read in. The file-and-port model (:mod:`sidecarlint.activity`) starts from these defaults
and reads the container's args, env and mounted configuration for the rest; helper
detection (:mod:`sidecarlint.helpers`) takes the entries marked ``helper`` as long-running
helpers by image.

Images are matched on their name without registry host, tag and digest (``image_name``),
so ``gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1`` and a mirror of it match alike.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sidecarlint.records import FrozenRecord

#: Roles: what a well-known image does in a Pod.
MESH = "mesh proxy"  # intercepts the Pod's traffic (iptables redirection)
CONNECTOR = "connector"  # a local endpoint the app connects to (a database proxy)
PROXY = "proxy"  # a proxy: for the Pod's app, or the workload itself (a gateway)
SHIPPER = "log shipper"  # reads files (or streams) and ships them
SECRETS = "secrets agent"  # renders secrets into files
TELEMETRY = "telemetry agent"
RUNTIME = "runtime sidecar"  # an API the app calls over localhost
RELOADER = "config reloader"
EXPORTER = "metrics exporter"
SYNCER = "file syncer"
APP = "app"


class Listen(FrozenRecord):
    """A port an image listens on by default."""

    port: int
    #: What is served there, for messages (``health``, ``admin``).
    what: str
    #: Bound to the loopback interface only (other containers reach it, kubelet probes don't).
    loopback: bool
    protocol: str
    #: The image binds it whatever its configuration says (a mesh proxy's ports), as
    #: opposed to a default that configuration files (which the Pod may not show) can move.
    fixed: bool

    def __init__(
        self,
        port: int,
        what: str,
        loopback: bool = False,
        protocol: str = "TCP",
        fixed: bool = False,
    ) -> None:
        self.port = port
        self.protocol = protocol
        self.loopback = loopback
        self.what = what
        self.fixed = fixed


class Image(FrozenRecord):
    """What a well-known image does, by default, and where that was read."""

    label: str
    #: A regular expression searched in the image's name (see :func:`image_name`).
    pattern: str
    role: str
    #: The upstream sources of these facts (documentation or source at a release).
    source: str
    #: The program the image runs (its entrypoint's base name).
    binary: str
    #: A long-running helper wherever it runs beside other containers (helper detection).
    helper: bool
    #: Ports it listens on without being told to (args move or add some: see the model).
    listens: tuple[Listen, ...]
    #: Files it writes without being told to.
    writes: tuple[str, ...]

    def __init__(
        self,
        label: str,
        pattern: str,
        role: str,
        source: str,
        binary: str = "",
        helper: bool = False,
        listens: tuple[Listen, ...] = (),
        writes: tuple[str, ...] = (),
    ) -> None:
        self.label = label
        self.pattern = pattern
        self.role = role
        self.helper = helper
        self.listens = listens
        self.writes = writes
        self.source = source
        self.binary = binary


ISTIO = "Istio proxy"
LINKERD = "Linkerd proxy"
ENVOY = "Envoy"
CLOUD_SQL = "Cloud SQL Auth Proxy"
GCE_PROXY = "Cloud SQL Auth Proxy v1"
VAULT = "Vault agent"
OAUTH2_PROXY = "OAuth2 Proxy"
FLUENT_BIT = "Fluent Bit"
FLUENTD = "Fluentd"
FILEBEAT = "Filebeat"
PROMTAIL = "Promtail"
VECTOR = "Vector"
OTEL = "OpenTelemetry Collector"
DATADOG = "Datadog agent"
DAPR = "Dapr sidecar"
CONFIG_RELOADER = "Prometheus config reloader"
CONFIGMAP_RELOAD = "configmap-reload"
NGINX_EXPORTER = "NGINX Prometheus exporter"
STATSD_EXPORTER = "statsd exporter"
KUBE_RBAC_PROXY = "kube-rbac-proxy"
GIT_SYNC = "git-sync"
NGINX = "nginx"
NGINX_UNPRIVILEGED = "nginx (unprivileged)"
POSTGRES = "PostgreSQL"
PGBOUNCER = "PgBouncer"
REDIS = "Redis"

#: The nginx images link their log files to the container's stdout and stderr: a file is
#: written only where a volume hides those links.
NGINX_LOGS = ("/var/log/nginx/access.log", "/var/log/nginx/error.log")

# Built at import, before any test runs: a table, not logic.
CATALOG: tuple[Image, ...] = (  # pragma: no mutate
    Image(
        ISTIO,
        r"(^|/)istio/proxyv2$|(^|/)proxyv2$|(^|/)istio/proxy_debug$|(^|/)proxy_debug$",
        MESH,
        "https://istio.io/latest/docs/ops/deployment/application-requirements/"
        "#ports-used-by-istio; https://github.com/istio/istio/blob/86c9f01fd7/pilot/cmd/"
        "pilot-agent/options/options.go; https://github.com/istio/istio/blob/86c9f01fd7/"
        "pilot/cmd/pilot-agent/status/server.go",
        binary="pilot-agent",
        helper=True,
        listens=(
            Listen(15000, "Envoy admin", loopback=True, fixed=True),
            Listen(15001, "outbound capture", fixed=True),
            Listen(15006, "inbound capture", fixed=True),
            Listen(15020, "pilot-agent status", fixed=True),
            Listen(15021, "health (/healthz/ready)", fixed=True),
            Listen(15090, "Envoy Prometheus stats", fixed=True),
        ),
    ),
    Image(
        LINKERD,
        r"(^|/)linkerd/proxy$|(^|/)linkerd-io/proxy$",
        MESH,
        "https://github.com/linkerd/linkerd2-proxy/blob/29637b64f6/linkerd/app/src/env.rs; "
        "https://github.com/linkerd/linkerd2/blob/b24cd40598/charts/partials/templates/"
        "_proxy.tpl",
        binary="linkerd2-proxy",
        helper=True,
        listens=(
            Listen(4140, "outbound", loopback=True, fixed=True),
            Listen(4143, "inbound", fixed=True),
            Listen(4190, "control", fixed=True),
            Listen(4191, "admin (/ready, /live)", loopback=True, fixed=True),
        ),
    ),
    Image(
        ENVOY,
        r"envoyproxy/envoy[^/]*$|(^|/)envoy$",
        PROXY,
        "https://www.envoyproxy.io/docs/envoy/latest/operations/cli; "
        "https://github.com/envoyproxy/envoy/blob/0d0d6fd6/configs/envoyproxy_io_proxy.yaml; "
        "https://github.com/envoyproxy/envoy/blob/019f458b/ci/Dockerfile-envoy",
        binary="envoy",
        helper=True,
    ),
    Image(
        CLOUD_SQL,
        r"cloud-sql-connectors/cloud-sql-proxy$|(^|/)cloud-sql-proxy$",
        CONNECTOR,
        "https://github.com/GoogleCloudPlatform/cloud-sql-proxy/blob/31c3b33e/cmd/root.go",
        binary="cloud-sql-proxy",
        helper=True,
    ),
    Image(
        GCE_PROXY,
        r"cloudsql-docker/gce-proxy$|(^|/)gce-proxy$",
        CONNECTOR,
        "https://github.com/GoogleCloudPlatform/cloud-sql-proxy/blob/v1.38.3/cmd/"
        "cloud_sql_proxy/cloud_sql_proxy.go",
        binary="cloud_sql_proxy",
        helper=True,
    ),
    Image(
        VAULT,
        r"(^|/)hashicorp/vault(-enterprise)?$|(^|/)vault$",
        SECRETS,
        "https://developer.hashicorp.com/vault/docs/agent-and-proxy/agent; "
        "https://github.com/hashicorp/vault-k8s/blob/fbc5b1f/agent-inject/agent/config.go; "
        "https://github.com/hashicorp/vault-k8s/blob/fbc5b1f/agent-inject/agent/annotations.go",
        binary="vault",
        helper=True,
    ),
    Image(
        OAUTH2_PROXY,
        r"oauth2-proxy(-nightly)?$|(^|/)oauth2_proxy$",
        PROXY,
        "https://github.com/oauth2-proxy/oauth2-proxy/blob/14af2951/pkg/apis/options/"
        "legacy_options.go",
        binary="oauth2-proxy",
        helper=True,
        listens=(Listen(4180, "HTTP", loopback=True),),
    ),
    Image(
        FLUENT_BIT,
        r"fluent-bit$",
        SHIPPER,
        "https://docs.fluentbit.io/manual/pipeline/inputs/tail; "
        "https://github.com/fluent/fluent-bit/blob/d55459d492/plugins/in_tail/tail.c; "
        "https://github.com/fluent/fluent-bit/blob/d55459d492/include/fluent-bit/flb_config.h",
        binary="fluent-bit",
        helper=True,
    ),
    Image(
        FLUENTD,
        r"fluentd[^/]*$",
        SHIPPER,
        "https://docs.fluentd.org/input/tail; "
        "https://github.com/fluent/fluentd/blob/ff8682d797/lib/fluent/plugin/in_tail.rb",
        binary="fluentd",
        helper=True,
    ),
    Image(
        FILEBEAT,
        r"(^|/)filebeat(-oss)?$",
        SHIPPER,
        "https://www.elastic.co/guide/en/beats/filebeat/current/filebeat-input-filestream.html; "
        "https://www.elastic.co/guide/en/beats/filebeat/8.x/directory-layout.html",
        binary="filebeat",
        helper=True,
    ),
    Image(
        PROMTAIL,
        r"(^|/)promtail$",
        SHIPPER,
        "https://github.com/grafana/loki/blob/v3.6.0/docs/sources/send-data/promtail/"
        "configuration.md",
        binary="promtail",
        helper=True,
    ),
    Image(
        VECTOR,
        r"(^|/)vector$",
        SHIPPER,
        "https://vector.dev/docs/reference/configuration/sources/file/; "
        "https://github.com/vectordotdev/vector/blob/022822dc/src/config/api.rs",
        binary="vector",
        helper=True,
    ),
    Image(
        OTEL,
        r"opentelemetry-collector[^/]*$|(^|/)otelcol[^/]*$",
        TELEMETRY,
        "https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/main/receiver/"
        "filelogreceiver/README.md",
        binary="otelcol",
        helper=True,
    ),
    Image(
        DATADOG,
        r"(^|/)datadog/agent$|datadoghq/agent$",
        TELEMETRY,
        "https://github.com/DataDog/datadog-agent/blob/00b4f913/Dockerfiles/agent/Dockerfile",
        binary="agent",
        helper=True,
        listens=(Listen(8125, "DogStatsD", protocol="UDP"), Listen(8126, "APM receiver")),
    ),
    Image(
        DAPR,
        r"(^|/)daprd$",
        RUNTIME,
        "https://github.com/dapr/dapr/blob/d8450742ce/pkg/runtime/config.go; "
        "https://github.com/dapr/dapr/blob/d8450742ce/cmd/daprd/options/options.go",
        binary="daprd",
        helper=True,
    ),
    Image(
        CONFIG_RELOADER,
        r"prometheus-config-reloader$",
        RELOADER,
        "https://github.com/prometheus-operator/prometheus-operator/blob/6adcebc507/cmd/"
        "prometheus-config-reloader/main.go",
        binary="prometheus-config-reloader",
    ),
    Image(
        CONFIGMAP_RELOAD,
        r"(^|/)configmap-reload$",
        RELOADER,
        "https://github.com/jimmidyson/configmap-reload/blob/0ec4d67/configmap-reload.go",
        binary="configmap-reload",
        listens=(Listen(9533, "metrics"),),
    ),
    Image(
        NGINX_EXPORTER,
        r"nginx-prometheus-exporter$",
        EXPORTER,
        "https://github.com/nginxinc/nginx-prometheus-exporter/blob/bff607c/exporter.go",
        binary="nginx-prometheus-exporter",
        listens=(Listen(9113, "metrics"),),
    ),
    Image(
        STATSD_EXPORTER,
        r"statsd[-_]exporter$",
        EXPORTER,
        "https://github.com/prometheus/statsd_exporter/blob/ac592b1/main.go",
        binary="statsd_exporter",
        listens=(
            Listen(9102, "metrics"),
            Listen(9125, "StatsD"),
            Listen(9125, "StatsD", protocol="UDP"),
        ),
    ),
    Image(
        KUBE_RBAC_PROXY,
        r"kube-rbac-proxy$",
        PROXY,
        "https://github.com/brancz/kube-rbac-proxy/blob/898a9f44/cmd/kube-rbac-proxy/app/"
        "options/options.go",
        binary="kube-rbac-proxy",
    ),
    Image(
        GIT_SYNC,
        r"(^|/)git-sync$",
        SYNCER,
        "https://github.com/kubernetes/git-sync/blob/e2be7fa/main.go",
        binary="git-sync",
    ),
    Image(
        NGINX_UNPRIVILEGED,
        r"(^|/)nginxinc/nginx-unprivileged$|^nginx-unprivileged$",
        APP,
        "https://github.com/nginxinc/docker-nginx-unprivileged/blob/8ead5ce/mainline/debian/"
        "Dockerfile",
        binary="nginx",
        listens=(Listen(8080, "HTTP"),),
        writes=NGINX_LOGS,
    ),
    Image(
        NGINX,
        r"^(library/)?nginx$",
        APP,
        "https://github.com/nginxinc/docker-nginx/blob/b430bec/mainline/debian/Dockerfile",
        binary="nginx",
        listens=(Listen(80, "HTTP"),),
        writes=NGINX_LOGS,
    ),
    Image(
        POSTGRES,
        r"^(library/)?postgres$",
        APP,
        "https://github.com/docker-library/postgres/blob/6edb0a8c4d/17/bookworm/Dockerfile",
        binary="postgres",
        listens=(Listen(5432, "default port"),),
    ),
    Image(
        PGBOUNCER,
        r"pgbouncer$",
        CONNECTOR,
        "https://github.com/pgbouncer/pgbouncer/blob/13a344f2/doc/config.md",
        binary="pgbouncer",
    ),
    Image(
        REDIS,
        r"^(library/)?redis$",
        APP,
        "https://github.com/docker-library/redis/blob/e9204996/7.0/debian/Dockerfile",
        binary="redis-server",
        listens=(Listen(6379, "default port"),),
    ),
)
_PATTERNS = [(re.compile(entry.pattern), entry) for entry in CATALOG]  # pragma: no mutate
BY_LABEL = {entry.label: entry for entry in CATALOG}  # pragma: no mutate


def image_name(image: str) -> str:
    """``registry:5000/org/name:tag@sha256:...`` → ``org/name`` (host and tag removed)."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)
    if ":" in last[-1]:
        name = name.rsplit(":", 1)[0]
    parts = name.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    return "/".join(parts).lower()


@lru_cache(maxsize=4096)
def lookup(image: str) -> Image | None:
    """The catalog entry of an image, or None."""
    return _lookup_name(image_name(image))


@lru_cache(maxsize=1024)
def _lookup_name(name: str) -> Image | None:
    for regex, entry in _PATTERNS:
        if regex.search(name):
            return entry
    return None
