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


# --- ports: declared, from args, from the catalog -----------------------------------------


def test_declared_ports_the_args_bind_elsewhere_do_not_clash() -> None:
    bb = "buoyantio/bb:v0.0.6"
    text = workload(
        item(
            "c1",
            bb,
            args=["terminus", "--grpc-server-port", "9090"],
            ports=[{"containerPort": 9090}],
        )
        + item(
            "c2",
            bb,
            args=["terminus", "--grpc-server-port", "8080"],
            ports=[{"containerPort": 9090}],
        )
    )
    assert found(text, "SCL501") == []
    same = text.replace('"8080"', '"9090"')
    assert found(same, "SCL501") == [("SCL501", "warning", *at(same, "9090}]", 2))]
    assert only(same, "SCL501").message == (
        "'c2' and 'c1' both declare containerPort 9090/TCP and run at the same time in one "
        "network namespace: one of them cannot bind it"
    )


def test_a_port_an_arg_binds_clashes_with_a_declared_one() -> None:
    text = workload(
        item("web", "nginx:1.27", ports=[{"containerPort": 8080}])
        + item("metrics", "exporter", args=["--web.listen-address=:8080"])
    )
    f = only(text, "SCL501")
    assert (f.span.line, f.span.column) == at(text, '"--web.listen-address=:8080"')
    assert f.message == (
        "'metrics' listens on 8080/TCP (--web.listen-address), and so does 'web' "
        "(containerPort); they run at the same time in one network namespace: one of them "
        "cannot bind it"
    )


def test_a_port_a_mesh_proxy_holds_clashes_with_a_declared_one() -> None:
    proxy = item("istio-proxy", "istio/proxyv2:1.24.0", args=["proxy", "sidecar"])
    text = workload(
        item("web", "nginx:1.27", ports=[{"containerPort": 15020}]),
        init=proxy.replace("          args:", "          restartPolicy: Always\n          args:"),
    )
    f = only(text, "SCL501")
    assert f.container == "web"
    assert f.message == (
        "'web' listens on 15020/TCP (containerPort), and so does 'istio-proxy' (Istio proxy: "
        "pilot-agent status); they run at the same time in one network namespace: one of "
        "them cannot bind it"
    )
    assert [(r.line, r.column) for r, _ in f.related] == [at(text, "istio/proxyv2")]
    # A default that configuration can move is not a certain clash.
    nginx = workload(item("a", "nginx:1.27") + item("b", "nginx:1.27"))
    assert found(nginx, "SCL501") == []


# --- sidecar resources: injected sidecars are the injector's ------------------------------


@pytest.mark.parametrize(
    ("annotations", "reported"),
    [
        ("        linkerd.io/proxy-version: stable-2.14\n", False),
        ("        linkerd.io/inject: enabled\n", True),
        ("", True),
    ],
)
def test_resources_of_injected_sidecars(annotations: str, reported: bool) -> None:
    proxy = (
        "        - name: linkerd-proxy\n          image: cr.l5d.io/linkerd/proxy:stable\n"
        "          restartPolicy: Always\n"
    )
    text = workload(item("web", "nginx:1.27"), init=proxy, annotations=annotations)
    if not reported:
        assert found(text, "SCL503") == []
        return
    assert found(text, "SCL503") == [("SCL503", "info", *name_at(text, "linkerd-proxy"))]
    assert only(text, "SCL503").message == (
        "sidecar 'linkerd-proxy' has no cpu or memory request, yet runs for the Pod's whole "
        "life: the scheduler reserves cpu 0, memory 0 for this Pod"
    )


# --- injector opt-outs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("annotations", "labels", "expected"),
    [
        ('        sidecar.istio.io/nativeSidecar: "false"\n', "", "Istio"),
        ('        config.linkerd.io/proxy-enable-native-sidecar: "false"\n', "", "Linkerd"),
        ('        sidecar.istio.io/nativeSidecar: "true"\n', "", None),
        ('        dapr.io/enable-native-sidecar: "false"\n', "", None),
        # Injection turned off for the pod: nothing is injected.
        (
            '        sidecar.istio.io/nativeSidecar: "false"\n',
            "sidecar.istio.io/inject: 'false'",
            None,
        ),
    ],
)
def test_a_job_turning_native_mode_off(annotations: str, labels: str, expected: str | None) -> None:
    text = workload(
        item("work", "busybox", command=[*SH, "echo done"]), kind="Job", annotations=annotations
    )
    if labels:
        text = text.replace("labels: {app: w}", "labels: {app: w, " + labels + "}")
    got = lint(text, select=["SCL401"])
    if expected is None:
        assert got == []
        return
    (f,) = got
    key = annotations.strip().split(":")[0]
    assert (f.code, f.severity.value, f.span.line, f.span.column) == (
        "SCL401",
        "warning",
        *at(text, key),
    )
    assert f.message.startswith(
        f'Job pods turn off {expected}\'s native sidecar ({key}: "false"): in a namespace '
        f"where {expected} injects every Pod, the proxy is added to containers and they never "
        'complete; remove the annotation or set it to "true" ('
    )
    deployment = text.replace("kind: Job", "kind: Deployment").replace("batch/v1", "apps/v1")
    assert found(deployment, "SCL401") == []


# --- a sidecar's preStop that stops it --------------------------------------------------


@pytest.mark.parametrize(
    ("image", "command", "how"),
    [
        (
            "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1",
            ["/cloud-sql-proxy", "shutdown", "--admin-port", "9092"],
            "/cloud-sql-proxy shutdown --admin-port 9092",
        ),
        ("nginx:1.27", ["nginx", "-s", "quit"], "nginx -s quit"),
        (
            "istio/proxyv2:1.24.0",
            ["pilot-agent", "request", "POST", "quitquitquit"],
            "pilot-agent request POST quitquitquit",
        ),
        ("istio/proxyv2:1.24.0", ["pilot-agent", "request", "POST", "drain"], None),
        ("gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1", ["/cloud-sql-proxy", "wait"], None),
        ("busybox", ["other", "shutdown"], None),
        ("nginx:1.27", ["nginx", "-s", "reload"], None),
    ],
)
def test_a_pre_stop_hook_running_the_sidecars_own_shutdown(
    image: str, command: list[str], how: str | None
) -> None:
    sidecar = (
        f"        - name: side\n          image: {image}\n          restartPolicy: Always\n"
        f"          lifecycle: {{preStop: {{exec: {{command: {json.dumps(command)}}}}}}}\n"
    )
    text = workload(item("web", "busybox", command=[*SH, "sleep 3600"]), init=sidecar)
    if how is None:
        assert found(text, "SCL404") == []
        return
    assert found(text, "SCL404") == [("SCL404", "warning", *at(text, "preStop"))]
    assert f"stops its own process ({how})" in only(text, "SCL404").message


# --- shutdown calls read as the shell runs them -----------------------------------------


PROXY = item(
    "cloud-sql-proxy",
    "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1",
    args=["--quitquitquit", "--admin-port=9091", "--port=5432", "p:r:i"],
)


@pytest.mark.parametrize(
    ("script", "blocked", "note"),
    [
        ("work; curl -X POST http://localhost:9091/quitquitquit", False, None),
        ("work && wget -qO- --post-data= localhost:9091/quitquitquit", False, None),
        (
            "python -c 'import urllib.request as u; u.urlopen(\"http://localhost:9091/quitquitquit\")'",
            False,
            None,
        ),
        ("work\ncurl -X POST localhost:9091/quitquitquit\n", False, None),
        (
            "work --db=127.0.0.1 curl http://localhost:9091/quitquitquit\n",
            True,
            "no command sends the shutdown request http://localhost:9091/quitquitquit: in the "
            "command of 'work' it is an argument of 'work', as the shell reads the script — a "
            "folded block scalar joins lines into one command",
        ),
        # The call reaches another helper's port: this one keeps running.
        ("work; curl -X POST localhost:15020/quitquitquit", True, None),
        ("work", True, None),
    ],
)
def test_a_shutdown_call_counts_when_the_shell_runs_it(
    script: str, blocked: bool, note: str | None
) -> None:
    istio = item("istio-proxy", "istio/proxyv2:1.24.0", args=["proxy", "sidecar"])
    text = workload(
        item("work", "busybox", command=[*SH, script])
        + PROXY
        + (istio if "15020" in script else ""),
        kind="Job",
    )
    got = [f for f in lint(text, select=["SCL102"]) if f.container == "cloud-sql-proxy"]
    assert bool(got) is blocked
    if got:
        (f,) = got
        assert (f.span.line, f.span.column) == name_at(text, "cloud-sql-proxy")
        head = (
            "'cloud-sql-proxy' looks like a long-running helper (its image is a known sidecar "
            "(Cloud SQL Auth Proxy)): as an app container it keeps running after the work is "
            "done, so the Job never completes"
        )
        assert f.message == head + (f" ({note})" if note else "") + "; make it a native sidecar"


@pytest.mark.parametrize(
    ("args", "reported"),
    [(["wait", "--max=10s"], False), (["--port=5432", "project:region:instance"], True)],
)
def test_a_proxy_run_in_its_one_shot_mode_is_no_helper(args: list[str], reported: bool) -> None:
    """``cloud-sql-proxy wait`` waits for the proxy started elsewhere and exits: it does not
    keep the Job running."""
    text = workload(
        item("work", "busybox", command=[*SH, "echo done"])
        + item("proxy", "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1", args=args),
        kind="Job",
    )
    expected = [("SCL102", "error", *name_at(text, "proxy"))] if reported else []
    assert found(text, "SCL102") == expected


# --- init chains that wait for a later sidecar -------------------------------------------


ISTIO_SIDECAR = (
    "        - name: istio-proxy\n          image: docker.io/istio/proxyv2:1.24.0\n"
    '          restartPolicy: Always\n          args: ["proxy", "sidecar"]\n'
)


def test_an_init_container_waiting_forever_for_a_later_sidecar() -> None:
    wait = item(
        "wait-for-mesh",
        "busybox",
        command=[*SH, "until nc -z 127.0.0.1 15021; do sleep 1; done"],
    )
    text = workload(item("web", "nginx:1.27"), init=wait + ISTIO_SIDECAR)
    assert found(text, "SCL301", "SCL302") == [("SCL301", "error", *name_at(text, "wait-for-mesh"))]
    f = only(text, "SCL301")
    assert f.message == (
        "init container 'wait-for-mesh' waits for localhost:15021 (its command), which sidecar "
        "'istio-proxy' serves (Istio proxy: health (/healthz/ready)), but 'istio-proxy' is "
        "declared after it: init containers run one at a time in order, so it waits forever "
        "and the Pod never leaves Init. Move 'istio-proxy' before 'wait-for-mesh'"
    )
    assert [(r.line, r.column) for r, _ in f.related] == [name_at(text, "istio-proxy")]
    # Declared first, it is running by then.
    assert found(workload(item("web", "nginx:1.27"), init=ISTIO_SIDECAR + wait), "SCL301") == []


@pytest.mark.parametrize(
    ("env", "evidence", "port"),
    [
        (
            [{"name": "DATABASE_URL", "value": "postgres://app@127.0.0.1:5432/db"}],
            "env DATABASE_URL",
            5432,
        ),
        (
            [{"name": "DB_HOST", "value": "localhost"}, {"name": "DB_PORT", "value": "3306"}],
            "env DB_HOST and DB_PORT",
            3306,
        ),
    ],
)
def test_an_init_container_connecting_to_a_later_database_proxy(
    env: list[dict[str, str]], evidence: str, port: int
) -> None:
    migrate = item("migrate", "migrate/migrate", args=["up"], env=env)
    proxy = (
        "        - name: cloud-sql-proxy\n"
        "          image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1\n"
        '          restartPolicy: Always\n          args: ["p:r:i"]\n'
    )
    text = workload(
        item("app", "busybox", command=[*SH, "echo done"]), init=migrate + proxy, kind="Job"
    )
    assert found(text, "SCL301") == [("SCL301", "error", *name_at(text, "migrate"))]
    assert only(text, "SCL301").message.startswith(
        f"init container 'migrate' connects to localhost:{port} ({evidence}), which sidecar "
        "'cloud-sql-proxy' serves (the database engine's default port), but 'cloud-sql-proxy' "
        "is declared after it"
    )
    elsewhere = text.replace("127.0.0.1", "db.example").replace("localhost", "db.example")
    assert found(elsewhere, "SCL301") == []


def test_an_init_container_reading_a_secret_a_later_vault_agent_renders() -> None:
    use = item("configure", "busybox", command=[*SH, "cat /vault/secrets/db > /app/db.env"])
    agent = (
        "        - name: vault-agent\n          image: hashicorp/vault:1.17\n"
        '          restartPolicy: Always\n          args: ["agent", "-config=/c.hcl"]\n'
    )
    annotations = "        vault.hashicorp.com/agent-inject-secret-db: database/creds/app\n"
    text = workload(item("web", "nginx:1.27"), init=use + agent, annotations=annotations)
    assert found(text, "SCL301") == [("SCL301", "error", *name_at(text, "configure"))]
    assert only(text, "SCL301").message == (
        "init container 'configure' reads /vault/secrets/db (its command), which only sidecar "
        "'vault-agent' writes (annotation vault.hashicorp.com/agent-inject-secret-db), but "
        "'vault-agent' is declared after it and has not started. Move 'vault-agent' before "
        "'configure'"
    )
    # An init container that renders it first (the injector's vault-agent-init) provides it.
    first = item("vault-agent-init", "hashicorp/vault:1.17", args=["agent", "-config=/c.hcl"])
    both = workload(item("web", "nginx:1.27"), init=first + use + agent, annotations=annotations)
    assert found(both, "SCL301") == []


def test_a_sidecar_startup_probe_waiting_for_a_later_sidecar() -> None:
    first = (
        "        - name: app-proxy\n          image: busybox\n          restartPolicy: Always\n"
        "          startupProbe: {httpGet: {path: /healthz/ready, port: 15021}}\n"
    )
    text = workload(item("web", "nginx:1.27"), init=first + ISTIO_SIDECAR)
    assert found(text, "SCL303") == [("SCL303", "error", *at(text, "startupProbe"))]
    f = only(text, "SCL303")
    assert f.message == (
        "the startupProbe httpGet of sidecar 'app-proxy' targets port 15021, which only sidecar "
        "'istio-proxy' serves (Istio proxy: health (/healthz/ready)), declared after it: init "
        "containers start one at a time in order, so it has not started and the Pod never "
        "finishes initialising"
    )
    assert [(r.line, r.column) for r, _ in f.related] == [name_at(text, "istio-proxy")]
    swapped = workload(item("web", "nginx:1.27"), init=ISTIO_SIDECAR + first)
    assert found(swapped, "SCL303") == []
    exec_probe = first.replace(
        "{httpGet: {path: /healthz/ready, port: 15021}}",
        '{exec: {command: ["sh", "-c", "nc -z localhost 15021"]}}',
    )
    by_exec = workload(item("web", "nginx:1.27"), init=exec_probe + ISTIO_SIDECAR)
    assert "the startupProbe exec of sidecar 'app-proxy' targets port 15021" in (
        only(by_exec, "SCL303").message
    )


@pytest.mark.parametrize(
    ("user", "evidence"),
    [
        (
            item(
                "pgbouncer",
                "pgbouncer",
                env=[
                    {"name": "DB_HOST", "value": "127.0.0.1"},
                    {"name": "DB_PORT", "value": "5431"},
                ],
            ),
            "env DB_HOST and DB_PORT",
        ),
        (
            item("app", "busybox", env=[{"name": "DATABASE_URL", "value": "localhost:5431"}]),
            "env DATABASE_URL",
        ),
    ],
)
def test_a_sidecar_used_through_env_without_a_startup_probe(user: str, evidence: str) -> None:
    proxy = (
        "        - name: cloud-sql-proxy\n"
        "          image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1\n"
        '          restartPolicy: Always\n          args: ["--port=5431", "p:r:i"]\n'
    )
    text = workload(user, init=proxy)
    assert found(text, "SCL304") == [("SCL304", "warning", *name_at(text, "cloud-sql-proxy"))]
    name = user.split("name: ")[1].split("\n")[0]
    f = only(text, "SCL304")
    assert f.message.startswith(
        f"'{name}' connects to localhost:5431 ({evidence}) served by sidecar 'cloud-sql-proxy' "
        "(--port), which has no startupProbe"
    )
    assert [(r.line, r.column) for r, _ in f.related] == [
        at(text, '"127.0.0.1"' if "DB_HOST" in evidence else '"localhost:5431"')
    ]
    probed = text.replace(
        'args: ["--port=5431"',
        'startupProbe: {tcpSocket: {port: 5431}}\n          args: ["--port=5431"',
    )
    assert found(probed, "SCL304") == []


# --- shared volumes written by images and read by configured shippers --------------------


SHIPPER_CONFIG = (
    "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: fb}\ndata:\n"
    '  fluent-bit.conf: "[INPUT]\\n    Name tail\\n    Path /var/log/nginx/access.log\\n"\n'
)
SHIPPER = (
    "        - name: shipper\n          image: fluent/fluent-bit:3.1\n"
    "          restartPolicy: Always\n"
    "          volumeMounts:\n"
    "            - {name: conf, mountPath: /fluent-bit/etc}\n"
)
CONF = "        - name: conf\n          configMap: {name: fb}\n"
LOGS = "        - name: logs\n          emptyDir: {}\n"


def test_a_shipper_reading_nginx_logs_without_a_volume() -> None:
    text = workload(item("web", "nginx:1.27"), init=SHIPPER, volumes=CONF, extra=SHIPPER_CONFIG)
    assert found(text, "SCL201") == [("SCL201", "error", *at(text, "{name: conf, mountPath"))]
    f = only(text, "SCL201")
    assert f.message == (
        "'shipper' reads /var/log/nginx/access.log (ConfigMap fb, fluent-bit.conf (Path)), "
        "which 'web' writes to its stdout or stderr: the nginx image links "
        "/var/log/nginx/access.log there unless a volume is mounted at /var/log/nginx. Mount a "
        "shared volume (e.g. an emptyDir) at /var/log/nginx in both"
    )
    assert [(r.line, r.column) for r, _ in f.related] == [at(text, "nginx:1.27")]
    # The ConfigMap above is defined after the workload; one defined before it is read too.
    alone = workload(item("web", "nginx:1.27"), init=SHIPPER, volumes=CONF)
    before = SHIPPER_CONFIG.removeprefix("---\n") + "---\n" + alone
    assert found(before, "SCL201") == [("SCL201", "error", *at(before, "{name: conf, mountPath"))]
    # Without the ConfigMap in the input, what it reads is unknown.
    assert found(alone, "SCL201") == []


@pytest.mark.parametrize(
    ("objects", "characters", "waits"),
    [
        (None, None, True),
        (0, None, False),  # no room: checked at once, before the ConfigMap is read
        (1, 0, True),  # the document's own size, exactly
        (1, -1, False),  # one character more than the bound: checked at once
    ],
)
def test_a_pod_waits_for_a_later_config_map_within_bounds(
    monkeypatch: pytest.MonkeyPatch, objects: int | None, characters: int | None, waits: bool
) -> None:
    """A Pod that mounts a ConfigMap the input has not defined yet waits for the end of the
    input, with its document; at most so many objects and characters wait."""
    from sidecarlint import pipeline
    from sidecarlint.parse import parse_text

    text = workload(item("web", "nginx:1.27"), init=SHIPPER, volumes=CONF, extra=SHIPPER_CONFIG)
    source = parse_text(text, "f").documents[0].source
    assert source is not None
    if objects is not None:
        monkeypatch.setattr(pipeline, "MAX_DEFERRED", objects)
    if characters is not None:
        monkeypatch.setattr(pipeline, "MAX_DEFERRED_TEXT", len(source.text) + characters)
    expected = [("SCL201", "error", *at(text, "{name: conf, mountPath"))] if waits else []
    assert found(text, "SCL201") == expected


def test_a_shipper_and_nginx_sharing_the_log_volume() -> None:
    mount = [{"name": "logs", "mountPath": "/var/log/nginx"}]
    shipper = SHIPPER + "            - {name: logs, mountPath: /var/log/nginx, readOnly: true}\n"
    text = workload(
        item("web", "nginx:1.27", volumeMounts=mount),
        init=shipper,
        volumes=CONF + LOGS,
        extra=SHIPPER_CONFIG,
    )
    assert found(text, "SCL201", "SCL203") == []
    # The reader mounts the volume elsewhere; the writer mounts it read-only.
    elsewhere = text.replace(
        "{name: logs, mountPath: /var/log/nginx, readOnly: true}", "{name: logs, mountPath: /logs}"
    )
    assert (
        "'shipper' does not see it there: 'shipper' has no volume there"
        in only(elsewhere, "SCL201").message
    )
    read_only = text.replace(
        '"mountPath": "/var/log/nginx"}', '"mountPath": "/var/log/nginx", "readOnly": true}'
    )
    f = only(read_only, "SCL201")
    assert f.container == "web"
    assert f.message.startswith(
        "'web' writes /var/log/nginx/access.log (the nginx image), which 'shipper' reads, on "
        "volume 'logs', but mounts that volume read-only: the write fails"
    )


def test_a_follower_without_the_volume_another_container_mounts_there() -> None:
    text = workload(
        item(
            "app",
            "registry.example/app:1",
            volumeMounts=[{"name": "logs", "mountPath": "/var/log/app"}],
        )
        + item("tailer", "busybox", command=[*SH, "tail -F /var/log/app/app.log"]),
        volumes=LOGS,
    )
    assert found(text, "SCL201") == [("SCL201", "error", *at(text, '"tail -F'))]
    f = only(text, "SCL201")
    assert f.message == (
        "'tailer' follows /var/log/app/app.log (its command), under /var/log/app, where 'app' "
        "mounts emptyDir volume 'logs' for it; 'tailer' does not see that volume there: "
        "'tailer' has no volume there. Mount volume 'logs' at /var/log/app in 'tailer'"
    )
    assert [(r.line, r.column) for r, _ in f.related] == [at(text, '{"name": "logs"')]
    # A directory every container has of its own, a read-only mount, another volume
    # type, or a read that is not followed: nothing to say.
    for change in (
        ("/var/log/app", "/tmp"),
        ('"mountPath": "/var/log/app"}', '"mountPath": "/var/log/app", "readOnly": true}'),
        ("emptyDir: {}", "persistentVolumeClaim: {claimName: c}"),
        ("tail -F", "cat"),
    ):
        assert found(text.replace(*change), "SCL201") == [], change


def test_log_files_named_by_env() -> None:
    app = item(
        "app",
        "registry.example/app:1",
        env=[{"name": "LOG_DIR", "value": "/logs/app"}],
    )
    tailer = item("tailer", "busybox", command=[*SH, "tail -F /logs/app/server.log"])
    text = workload(app + tailer)
    f = only(text, "SCL201")
    assert f.message.startswith(
        "'tailer' reads /logs/app/server.log (its command), which 'app' writes to its own "
        "filesystem (env LOG_DIR)"
    )
    assert [(r.line, r.column) for r, _ in f.related] == [at(text, '"/logs/app"')]


def test_a_shipper_reading_through_its_configuration_mounts_read_write() -> None:
    shipper = SHIPPER + "            - {name: logs, mountPath: /var/log/nginx}\n"
    text = workload(
        item("web", "nginx:1.27", volumeMounts=[{"name": "logs", "mountPath": "/var/log/nginx"}]),
        init=shipper,
        volumes=CONF + LOGS,
        extra=SHIPPER_CONFIG,
    )
    assert found(text, "SCL203") == [
        ("SCL203", "info", *at(text, "{name: logs, mountPath: /var/log/nginx}"))
    ]
    assert "(it reads /var/log/nginx/access.log: ConfigMap fb, fluent-bit.conf (Path))" in (
        only(text, "SCL203").message
    )


# --- explain-pod shows the model -------------------------------------------------------


def test_explain_pod_shows_who_writes_reads_listens_and_connects() -> None:
    from sidecarlint.pipeline import Settings, pods_in_text
    from sidecarlint.timeline import explain

    app = item(
        "app",
        "alpine",
        command=LOOP,
        volumeMounts=DATA,
        env=[{"name": "DB_HOST", "value": "127.0.0.1"}, {"name": "DB_PORT", "value": "5431"}],
    )
    shipper = item(
        "logshipper", "alpine", command=[*SH, "tail -F /opt/logs.txt"], volumeMounts=DATA
    )
    proxy = (
        "        - name: db\n          image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2\n"
        '          restartPolicy: Always\n          args: ["--port=5431", "p:r:i"]\n'
    )
    text = workload(app + shipper, init=proxy, volumes=EMPTY)
    (pod,) = pods_in_text(text, "t.yaml", Settings())
    lines = list(explain(pod, Settings(version="1.33").context()))
    files = lines.index("  files (who writes and who reads):")
    assert lines[files + 1 : files + 3] == [
        "    'app' writes /opt/logs.txt (its command) to volume 'data' at /opt",
        "    'logshipper' follows /opt/logs.txt (its command) from volume 'data' at /opt; "
        "written by 'app'",
    ]
    ports = lines.index("  ports (who listens, who connects over localhost):")
    assert lines[ports + 1 : ports + 3] == [
        "    'db' listens on 5431/TCP (--port, localhost only)",
        "    'app' connects to localhost:5431 (env DB_HOST and DB_PORT); served by 'db'",
    ]
    assert (
        "       'logshipper' looks like a helper (it only follows /opt/logs.txt, which 'app' "
        "writes): no ordering with the app"
    ) in lines


# --- long values are quoted as excerpts ----------------------------------------------------


def test_long_paths_config_map_names_and_env_names_are_quoted_as_excerpts() -> None:
    from sidecarlint.finding import ELLIPSIS, EXCERPT

    long_dir = "/var/log/" + "d" * 3000
    config = SHIPPER_CONFIG.replace("name: fb}", "name: " + "f" * 3000 + "}").replace(
        "/var/log/nginx/access.log", long_dir + "/app.log"
    )
    text = workload(
        item(
            "web",
            "busybox",
            command=[*SH, f"while true; do date >> {long_dir}/app.log; sleep 1; done"],
        ),
        init=SHIPPER,
        volumes=CONF.replace("name: fb}", "name: " + "f" * 3000 + "}"),
        extra=config,
    )
    f = only(text, "SCL201")
    assert (f.code, f.severity.value, f.span.line, f.span.column) == (
        "SCL201",
        "error",
        *at(text, "{name: conf, mountPath"),
    )
    cut = (long_dir + "/app.log")[:EXCERPT] + ELLIPSIS
    assert f.message.startswith(
        f"'shipper' reads {cut} (ConfigMap {'f' * EXCERPT}{ELLIPSIS}, fluent-bit.conf (Path)), "
        f"which 'web' writes to its own filesystem (its command)"
    )
    assert len(f.message) < 1000
    assert all(len(note) < 600 for _, note in f.related)
    # An env name that pairs a host with a port: the name is cut too.
    prefix = "X" * 3000 + "_"
    env = [
        {"name": prefix + "HOST", "value": "127.0.0.1"},
        {"name": prefix + "PORT", "value": "5431"},
    ]
    text = workload(
        item("app", "busybox", env=env),
        init=(
            "        - name: cloud-sql-proxy\n"
            "          image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0\n"
            "          restartPolicy: Always\n"
            '          args: ["--port=5431", "p:r:db"]\n'
        ),
    )
    f = only(text, "SCL304")
    assert f.message.startswith(
        f"'app' connects to localhost:5431 (env {(prefix + 'HOST')[:EXCERPT]}{ELLIPSIS} and "
        f"{prefix[:EXCERPT]}{ELLIPSIS}PORT) served by sidecar 'cloud-sql-proxy'"
    )
