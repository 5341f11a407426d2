"""Exact findings of the API-validation rules on both sides of every version boundary and
threshold: code, severity, line, column and the message's key fact."""

from __future__ import annotations

from typing import Any

import pytest

from sidecarlint.finding import Finding
from tests.conftest import lint


def found(text: str, code: str, **config: Any) -> list[tuple[str, str, int, int]]:
    return [
        (f.code, f.severity.value, f.span.line, f.span.column)
        for f in lint(text, select=[code], **config)
    ]


def one(text: str, code: str, **config: Any) -> Finding:
    (finding,) = lint(text, select=[code], **config)
    return finding


def pod(containers: str, init: str = "", spec: str = "") -> str:
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n" + spec
    if init:
        text += "  initContainers:\n" + init
    return text + "  containers:\n" + containers


# --- SCL020 duplicate-host-port and SCL501 port-conflict ---------------------------------

TWO_APPS = pod(
    "    - name: a\n"  # 7
    "      image: nginx\n"
    "      ports:\n"
    "        - containerPort: 80\n"  # 10
    "          hostPort: 8080\n"  # 11
    "    - name: b\n"
    "      image: nginx\n"
    "      ports:\n"
    "        - containerPort: 81\n"  # 15
    "          hostPort: 8080\n"  # 16
)


def test_host_port_twice_among_app_containers_is_rejected() -> None:
    assert found(TWO_APPS, "SCL020") == [("SCL020", "error", 16, 21)]
    f = one(TWO_APPS, "SCL020")
    assert f.message == (
        'Duplicate value: "TCP//8080" — hostPorts must be unique across app containers '
        "('b', already used by 'a')"
    )
    assert f.container == "b"
    # The first use is the related place (the language server links it).
    assert [(r.line, r.column, m) for r, m in f.related] == [
        (11, 21, "'a' declares TCP//8080 first, here")
    ]
    # The API rejects it: port-conflict leaves it alone.
    assert found(TWO_APPS, "SCL501") == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("hostPort: 8080\n    - name: b", "hostPort: 8081\n    - name: b"), []),
        (("containerPort: 81\n", "containerPort: 81\n          protocol: UDP\n"), []),
        (("containerPort: 81\n", "containerPort: 81\n          hostIP: 10.0.0.1\n"), []),
        (("containerPort: 81\n", "containerPort: 81\n          protocol: TCP\n"), [17]),
        (("hostPort: 8080\n    - name: b", "hostPort: 0\n    - name: b"), []),
        # A field of the wrong type is the schema's finding: the port is not compared.
        (("containerPort: 81\n", "containerPort: 81\n          hostIP: [10.0.0.1]\n"), []),
        (("containerPort: 81\n", "containerPort: 81\n          protocol: {TCP: 1}\n"), []),
        (("hostPort: 8080\n", "hostPort: 8080\n          protocol: [TCP]\n"), []),
        (("containerPort: 81\n", "containerPort: 81\n          hostIP: ''\n"), [17]),
    ],
)
def test_host_port_key_is_protocol_host_ip_and_port(
    change: tuple[str, str], expected: list[int]
) -> None:
    text = TWO_APPS.replace(*change)
    assert [line for _, _, line, _ in found(text, "SCL020")] == expected


def test_ports_after_one_without_host_port_are_compared() -> None:
    # 'b' declares a port without hostPort first.
    text = TWO_APPS.replace(
        "- containerPort: 81\n", "- containerPort: 79\n        - containerPort: 81\n"
    )
    assert found(text, "SCL020") == [("SCL020", "error", 17, 21)]


def test_host_port_twice_in_one_container() -> None:
    text = pod(
        "    - name: a\n"
        "      image: nginx\n"
        "      ports:\n"
        "        - containerPort: 80\n"
        "          hostPort: 9000\n"
        "        - containerPort: 81\n"
        "          hostPort: 9000\n"  # 13
        "        - containerPort: 82\n"
        "          hostPort: 9000\n"  # 15
    )
    assert found(text, "SCL020") == [("SCL020", "error", 13, 21), ("SCL020", "error", 15, 21)]
    assert (
        "('a')"
        in one(
            text.replace(
                "hostPort: 9000\n        - containerPort: 82",
                "hostPort: 1\n        - containerPort: 82",
            ),
            "SCL020",
        ).message
    )


INIT_PORTS = (
    "    - name: first\n"  # 7
    "      image: busybox\n"
    "      ports:\n"
    "        - containerPort: 80\n"
    "          hostPort: 9090\n"  # 11
    "    - name: second\n"
    "      image: busybox\n"
    "      ports:\n"
    "        - containerPort: 80\n"
    "          hostPort: 9090\n"  # 16
)


def test_init_containers_are_checked_one_by_one() -> None:
    text = pod("    - name: web\n      image: nginx\n", init=INIT_PORTS)
    # Two init containers on one hostPort run one after the other: accepted.
    assert found(text, "SCL020") == []
    inside = text.replace(
        "          hostPort: 9090\n    - name: second",
        "          hostPort: 9090\n        - containerPort: 81\n          hostPort: 9090\n"
        "    - name: second",
    )
    assert found(inside, "SCL020") == [("SCL020", "error", 13, 21)]
    f = one(inside, "SCL020")
    assert "unique across init container 'first'" in f.message
    assert [(r.line, m) for r, m in f.related] == [(11, "'first' declares TCP//9090 first, here")]


def test_sidecar_and_app_on_one_host_port_is_a_runtime_clash() -> None:
    sidecar = (
        "    - name: proxy\n"
        "      image: envoyproxy/envoy:v1.31.0\n"
        "      restartPolicy: Always\n"
        "      ports:\n"
        "        - containerPort: 15000\n"
        "          hostPort: 8080\n"  # 12
    )
    app = (
        "    - name: web\n"
        "      image: nginx\n"
        "      ports:\n"
        "        - containerPort: 80\n"
        "          hostPort: 8080\n"  # 18
    )
    text = pod(app, init=sidecar)
    assert found(text, "SCL020") == []
    assert found(text, "SCL501") == [("SCL501", "warning", 18, 21)]
    f = one(text, "SCL501")
    assert "'web' and 'proxy' both declare hostPort 8080/TCP" in f.message
    other_ip = text.replace(
        "hostPort: 8080\n  containers:", "hostPort: 8080\n          hostIP: 10.1.1.1\n  containers:"
    )
    assert found(other_ip, "SCL501") == []


def test_two_app_containers_on_one_container_port() -> None:
    text = TWO_APPS.replace("hostPort: 8080", "name: http").replace(
        "containerPort: 81", "containerPort: 80"
    )
    assert found(text, "SCL501") == [("SCL501", "warning", 15, 26)]
    assert "'b' and 'a' both declare containerPort 80/TCP" in one(text, "SCL501").message
    udp = text.replace(
        "containerPort: 80\n          name: http\n    - name: b",
        "containerPort: 80\n          protocol: UDP\n          name: http\n    - name: b",
    )
    assert found(udp, "SCL501") == []


def test_regular_init_container_has_finished_before_apps_start() -> None:
    init = "    - name: setup\n      image: busybox\n      ports:\n        - containerPort: 80\n"
    app = "    - name: web\n      image: nginx\n      ports:\n        - containerPort: 80\n"
    assert found(pod(app, init=init), "SCL501") == []
    sidecar = init.replace("image: busybox\n", "image: busybox\n      restartPolicy: Always\n")
    later_init = (
        "    - name: later\n      image: busybox\n      ports:\n        - containerPort: 80\n"
    )
    assert found(
        pod("    - name: web\n      image: nginx\n", init=sidecar + later_init), "SCL501"
    ) == [("SCL501", "warning", 15, 26)]


# --- SCL021 lifecycle-handler-invalid ------------------------------------------------------


def hooked(handler: str, *, sidecar: bool = False, key: str = "preStop") -> str:
    body = f"      lifecycle:\n        {key}:\n" + handler
    if sidecar:
        return pod(
            "    - name: web\n      image: nginx\n",
            init="    - name: side\n      image: busybox\n      restartPolicy: Always\n" + body,
        )
    return pod("    - name: web\n      image: nginx\n" + body)


def test_hook_without_action() -> None:
    text = hooked("          exec: null\n")
    assert found(text, "SCL021") == [("SCL021", "error", 10, 9)]
    assert one(text, "SCL021").message == (
        "Required value: must specify a handler type — the preStop of 'web' has no action"
    )


def test_hook_with_three_actions_reports_each_extra_in_api_order() -> None:
    text = hooked(
        "          tcpSocket: {port: 80}\n"  # 11
        "          httpGet: {port: 80}\n"  # 12
        "          exec: {command: [x]}\n"  # 13
    )
    assert found(text, "SCL021") == [("SCL021", "error", 11, 11), ("SCL021", "error", 12, 11)]
    messages = [f.message for f in lint(text, select=["SCL021"])]
    assert all(m.endswith("already has exec") for m in messages)
    assert "may not specify more than 1 handler type" in messages[0]


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        ("          exec: {}\n", (11, 11)),
        ("          exec: {command: []}\n", (11, 18)),
        ("          exec: {command: [sh]}\n", None),
    ],
)
def test_exec_needs_a_command(handler: str, expected: tuple[int, int] | None) -> None:
    got = found(hooked(handler), "SCL021")
    assert got == ([] if expected is None else [("SCL021", "error", *expected)])


SLEEP_ONLY = "          sleep: {seconds: 5}\n"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"kubernetes_version": "1.28"}, []),  # unknown field: SCL004
        ({"kubernetes_version": "1.29"}, [("SCL021", "error", 10, 9)]),
        (
            {"kubernetes_version": "1.29", "feature_gates": "PodLifecycleSleepAction=true"},
            [],
        ),
        ({"kubernetes_version": "1.30"}, []),
    ],
)
def test_sleep_only_hook_per_version(config: dict[str, str], expected: list[object]) -> None:
    assert found(hooked(SLEEP_ONLY), "SCL021", **config) == expected


def test_dropped_sleep_message_and_a_remaining_action() -> None:
    f = one(hooked(SLEEP_ONLY), "SCL021", kubernetes_version="1.29")
    assert "Kubernetes 1.29 drops the sleep action of the preStop of 'web'" in f.message
    both = hooked("          exec: {command: [x]}\n" + SLEEP_ONLY)
    assert found(both, "SCL021", kubernetes_version="1.29") == []
    assert found(both, "SCL021", kubernetes_version="1.30") == [("SCL021", "error", 12, 11)]


@pytest.mark.parametrize(
    ("config", "checked"),
    [
        ({"kubernetes_version": "1.28"}, False),
        ({"kubernetes_version": "1.28", "feature_gates": "SidecarContainers=true"}, True),
        ({"kubernetes_version": "1.29"}, True),
    ],
)
def test_sidecar_hooks_only_where_sidecars_are_native(
    config: dict[str, str], checked: bool
) -> None:
    text = hooked("          exec: {}\n", sidecar=True, key="postStart")
    assert bool(found(text, "SCL021", **config)) is checked


# --- SCL018 probe-constraints --------------------------------------------------------------


def test_probe_actions_in_api_order_and_exec_command() -> None:
    text = pod(
        "    - name: web\n"
        "      image: nginx\n"
        "      readinessProbe:\n"  # 9
        "        grpc: {port: 9000}\n"  # 10
        "        exec: {command: [x]}\n"
        "      livenessProbe:\n"  # 12
        "        exec: {}\n"  # 13
        "      startupProbe:\n"  # 14
        "        periodSeconds: 5\n"
    )
    assert found(text, "SCL018") == [
        ("SCL018", "error", 10, 9),
        ("SCL018", "error", 13, 9),
        ("SCL018", "error", 14, 7),
    ]
    messages = [f.message for f in lint(text, select=["SCL018"])]
    assert messages[0].endswith("the readinessProbe of 'web' already has exec")
    assert messages[1] == "Required value — exec.command of the livenessProbe of 'web' is empty"
    assert messages[2].startswith("Required value: must specify a handler type")


# --- SCL019 resize-policy ------------------------------------------------------------------

RESIZE_INIT = pod(
    "    - name: web\n      image: nginx\n",
    init=(
        "    - name: setup\n"  # 7
        "      image: busybox\n"
        "      resizePolicy:\n"  # 9
        "        - resourceName: memory\n"
        "          restartPolicy: RestartContainer\n"  # 11
    ),
)
GATE = {"feature_gates": "InPlacePodVerticalScaling=true"}


@pytest.mark.parametrize(
    ("version", "config", "expected"),
    [
        ("1.32", {}, [("SCL019", "warning", 9, 7)]),
        ("1.31", GATE, [("SCL019", "error", 9, 7)]),
        ("1.32", GATE, []),
        ("1.33", {}, []),
        ("1.35", {}, []),
        ("1.36", {}, [("SCL019", "error", 11, 26)]),
        ("1.37", {}, [("SCL019", "error", 11, 26)]),
    ],
)
def test_resize_policy_on_a_regular_init_container(
    version: str, config: dict[str, str], expected: list[object]
) -> None:
    assert found(RESIZE_INIT, "SCL019", kubernetes_version=version, **config) == expected


def test_resize_policy_messages() -> None:
    dropped = one(RESIZE_INIT, "SCL019", kubernetes_version="1.32")
    assert "silently dropped on Kubernetes 1.32 (InPlacePodVerticalScaling is off)" in (
        dropped.message
    )
    banned = one(RESIZE_INIT, "SCL019", kubernetes_version="1.31", **GATE)
    assert banned.message.startswith("Invalid value: must not be set for init containers")
    regular = one(RESIZE_INIT, "SCL019", kubernetes_version="1.36")
    assert "must not be set to 'RestartContainer' for non-sidecar initContainers" in (
        regular.message
    )
    sidecar = RESIZE_INIT.replace(
        "image: busybox\n", "image: busybox\n      restartPolicy: Always\n"
    )
    assert found(sidecar, "SCL019", kubernetes_version="1.36") == []


NEVER = pod(
    "    - name: web\n"
    "      image: nginx\n"
    "      resizePolicy:\n"
    "        - resourceName: cpu\n"
    "          restartPolicy: RestartContainer\n",  # 12
    spec="  restartPolicy: Never\n",
)


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.28", []),
        ("1.29", [("SCL019", "error", 12, 26)]),
        ("1.33", [("SCL019", "error", 12, 26)]),
    ],
)
def test_resize_never_check_from_129(version: str, expected: list[object]) -> None:
    assert found(NEVER, "SCL019", kubernetes_version=version, **GATE) == expected


def test_resize_never_message_and_other_pod_policies() -> None:
    f = one(NEVER, "SCL019", kubernetes_version="1.33")
    assert f.message == (
        "Invalid value: \"RestartContainer\": must be 'NotRequired' when `restartPolicy` is "
        "'Never' ('web')"
    )
    assert found(NEVER.replace("Never", "OnFailure"), "SCL019", kubernetes_version="1.33") == []
    ok = NEVER.replace("RestartContainer", "NotRequired")
    assert found(ok, "SCL019", kubernetes_version="1.33") == []


def test_resize_values_and_duplicates() -> None:
    text = pod(
        "    - name: web\n"
        "      image: nginx\n"
        "      resizePolicy:\n"
        "        - resourceName: cpu\n"  # 10
        "          restartPolicy: Sometimes\n"  # 11
        "        - resourceName: cpu\n"  # 12
        "          restartPolicy: NotRequired\n"
        "        - resourceName: gpu\n"  # 14
        "        - junk\n"
    )
    got = [(f.span.line, f.span.column, f.message) for f in lint(text, select=["SCL019"])]
    assert got == [
        (
            11,
            26,
            'Unsupported value: "Sometimes": supported values: "NotRequired", "RestartContainer"',
        ),
        (12, 25, "Duplicate value: \"cpu\" — 'web' has two resize policies for it"),
        (14, 25, 'Unsupported value: "gpu": supported values: "cpu", "memory"'),
    ]


def test_resize_values_of_the_wrong_type_are_left_to_the_schema() -> None:
    text = pod(
        "    - name: web\n"
        "      image: nginx\n"
        "      resizePolicy:\n"
        "        - resourceName: [cpu]\n"  # 10
        "          restartPolicy: {a: 1}\n"
        "        - resourceName: [cpu]\n"  # 12
        "        - resourceName: cpu\n"  # 13
        "          restartPolicy: RestartContainer\n"
        "        - resourceName: cpu\n"  # 15
    )
    # Neither compared nor printed: only the second string 'cpu' is a duplicate.
    assert found(text, "SCL019") == [("SCL019", "error", 15, 25)]
    assert '"cpu"' in one(text, "SCL019").message


# --- SCL403 prestop-sleep-exceeds-grace ----------------------------------------------------


def sleeping(seconds: int, grace: int | None = 20, key: str = "preStop") -> str:
    spec = f"  terminationGracePeriodSeconds: {grace}\n" if grace is not None else ""
    return pod(
        "    - name: web\n"
        "      image: nginx\n"
        "      lifecycle:\n"
        f"        {key}:\n"
        "          sleep:\n"
        f"            seconds: {seconds}\n",
        spec=spec,
    )


@pytest.mark.parametrize(
    ("seconds", "version", "severity"),
    [
        (19, "1.30", None),
        (20, "1.30", "warning"),
        (21, "1.30", "error"),
        (21, "1.29", "warning"),  # the handler is dropped
        (21, "1.28", None),  # an unknown field: SCL004
        (0, "1.30", "error"),
        (0, "1.32", "error"),
        (0, "1.33", None),
        (-1, "1.33", "error"),
        (1, "1.30", None),
    ],
)
def test_sleep_against_the_grace_period(seconds: int, version: str, severity: str | None) -> None:
    got = found(sleeping(seconds), "SCL403", kubernetes_version=version)
    assert got == ([] if severity is None else [("SCL403", severity, 13, 22)])


def test_sleep_messages_per_version() -> None:
    assert one(sleeping(21), "SCL403", kubernetes_version="1.31").message == (
        "Invalid value: 21: must be greater than 0 and less than terminationGracePeriodSeconds "
        "(20) — Kubernetes 1.31 rejects the preStop sleep of 'web'"
    )
    assert one(sleeping(0), "SCL403", kubernetes_version="1.32").message.startswith(
        "Invalid value: 0: must be greater than 0 and less than terminationGracePeriodSeconds "
        "(20). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep. — "
    )
    assert one(sleeping(21), "SCL403", kubernetes_version="1.33").message.startswith(
        "Invalid value: 21: must be non-negative and less than terminationGracePeriodSeconds (20)"
    )
    zero_on = {"feature_gates": "PodLifecycleSleepActionAllowZero=true"}
    assert found(sleeping(0), "SCL403", kubernetes_version="1.32", **zero_on) == []
    equal = one(sleeping(20), "SCL403", kubernetes_version="1.30")
    assert "lasts the whole grace period (20s): the API accepts it" in equal.message
    dropped = one(sleeping(25), "SCL403", kubernetes_version="1.29")
    assert "Kubernetes 1.29 drops the sleep handler" in dropped.message


def test_sleep_default_grace_and_post_start() -> None:
    assert found(sleeping(30, grace=None), "SCL403", kubernetes_version="1.30") == [
        ("SCL403", "warning", 12, 22)
    ]
    assert found(sleeping(29, grace=None), "SCL403", kubernetes_version="1.30") == []
    assert found(sleeping(31, grace=None), "SCL403", kubernetes_version="1.30") == [
        ("SCL403", "error", 12, 22)
    ]
    assert found(sleeping(20, key="postStart"), "SCL403", kubernetes_version="1.30") == []
    post = one(sleeping(21, key="postStart"), "SCL403", kubernetes_version="1.30")
    assert "rejects the postStart sleep of 'web'" in post.message


def test_exec_sleep_against_the_grace_period() -> None:
    text = pod(
        "    - name: web\n"
        "      image: nginx\n"
        "      lifecycle:\n"
        "        preStop:\n"
        "          exec:\n"  # 12
        '            command: ["sleep", "20"]\n',
        spec="  terminationGracePeriodSeconds: 20\n",
    )
    assert found(text, "SCL403") == [("SCL403", "warning", 12, 11)]
    assert "sleeps 20s, not less than the grace period (20s)" in one(text, "SCL403").message
    assert found(text.replace('"20"]', '"19"]'), "SCL403") == []


# --- SCL016 restart-rules-invalid ----------------------------------------------------------


def rules(values: int = 1, count: int = 1, policy: str = "Never", operator: str = "In") -> str:
    entry = (
        "        - action: Restart\n"
        f"          exitCodes: {{operator: {operator}, values: {list(range(values))}}}\n"
    )
    return pod(
        "    - name: work\n"
        "      image: busybox\n"
        + (f"      restartPolicy: {policy}\n" if policy else "")
        + "      restartPolicyRules:\n"
        + entry * count,
        spec="  restartPolicy: Never\n",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (rules(values=255), []),
        (rules(values=256), [(13, 37, "Too long: may have at most 255 items (256 exit codes)")]),
        (rules(count=20), []),
        (rules(count=21), [(11, 7, "Too long: may have at most 20 items (21 rules on 'work')")]),
        (
            rules(operator="Is"),
            [(13, 33, 'Unsupported value: "Is": supported values: "In", "NotIn"')],
        ),
        (
            rules(policy=""),
            [
                (
                    10,
                    7,
                    "restartPolicy: Required value: must specify restartPolicy when restart "
                    "rules are used ('work')",
                )
            ],
        ),
    ],
)
def test_restart_rules_limits(text: str, expected: list[tuple[int, int, str]]) -> None:
    got = [
        (f.span.line, f.span.column, f.message)
        for f in lint(text, select=["SCL016"], kubernetes_version="1.35")
    ]
    assert got == expected


def test_restart_rule_action_and_exit_codes() -> None:
    text = (
        rules()
        .replace("action: Restart", "action: Retry")
        .replace("          exitCodes: {operator: In, values: [0]}\n", "")
    )
    got = [(f.span.line, f.span.column, f.message) for f in lint(text, select=["SCL016"])]
    assert got == [
        (12, 11, "exitCodes: Required value: must be specified"),
        (12, 19, 'Unsupported value: "Retry": supported values: "Restart"'),
    ]
    all_restart = {"feature_gates": "RestartAllContainersOnContainerExits=true"}
    again = rules().replace("action: Restart", "action: RestartAllContainers")
    assert found(again, "SCL016", kubernetes_version="1.35") == [("SCL016", "error", 12, 19)]
    assert found(again, "SCL016", kubernetes_version="1.35", **all_restart) == []


def test_init_container_rules_without_policy_on_134() -> None:
    text = pod(
        "    - name: web\n      image: nginx\n",
        init=(
            "    - name: setup\n"
            "      image: busybox\n"
            "      restartPolicyRules:\n"  # 9
            "        - action: Restart\n"
            "          exitCodes: {operator: In, values: [1]}\n"
        ),
    )
    gate = {"feature_gates": "ContainerRestartRules=true"}
    assert found(text, "SCL016", kubernetes_version="1.34", **gate) == []
    assert found(text, "SCL016", kubernetes_version="1.35") == [("SCL016", "error", 9, 7)]
    assert found(text, "SCL016", kubernetes_version="1.34") == [("SCL016", "warning", 9, 7)]


# --- SCL406 onfailure-backoff-sidecar ------------------------------------------------------

BACKOFF_JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: j
spec:
  backoffLimit: LIMIT
  template:
    spec:
      restartPolicy: OnFailure
      initContainers:
        - name: proxy
          image: envoyproxy/envoy:v1.31.0
          restartPolicy: Always
      containers:
        - name: work
          image: busybox
"""


@pytest.mark.parametrize(
    ("limit", "expected"),
    [("2", [("SCL406", "warning", 6, 17)]), ("3", []), ("0", [("SCL406", "warning", 6, 17)])],
)
def test_backoff_limit_threshold(limit: str, expected: list[object]) -> None:
    assert found(BACKOFF_JOB.replace("LIMIT", limit), "SCL406") == expected


def test_backoff_limit_message_and_scope() -> None:
    f = one(BACKOFF_JOB.replace("LIMIT", "1"), "SCL406")
    assert f.message.startswith("backoffLimit 1 with restartPolicy OnFailure: restarts of ")
    assert "sidecar(s) 'proxy' count towards it" in f.message
    never = BACKOFF_JOB.replace("LIMIT", "1").replace("OnFailure", "Never")
    assert found(never, "SCL406") == []
    default = BACKOFF_JOB.replace("  backoffLimit: LIMIT\n", "")
    assert found(default, "SCL406") == []
    assert found(BACKOFF_JOB.replace("LIMIT", "1"), "SCL406", kubernetes_version="1.28") == []


# --- SCL303 startup-probe-needs-app --------------------------------------------------------


@pytest.mark.parametrize(
    "handler",
    ["httpGet: {path: /ready, port: 8080}", "tcpSocket: {port: 8080}", "tcpSocket: {port: http}"],
)
def test_post_start_hook_waiting_for_the_app(handler: str) -> None:
    text = pod(
        "    - name: web\n"
        "      image: nginx\n"
        "      ports:\n"
        "        - {name: http, containerPort: 8080}\n",
        init=(
            "    - name: side\n"  # 7
            "      image: busybox\n"
            "      restartPolicy: Always\n"
            "      ports:\n"
            "        - {name: http, containerPort: 8080}\n"
            if handler.endswith("http}")
            else "    - name: side\n      image: busybox\n      restartPolicy: Always\n"
        )
        + "      lifecycle:\n        postStart:\n          "
        + handler
        + "\n",
    )
    got = found(text, "SCL303")
    if handler.endswith("http}"):
        assert got == []  # the sidecar serves the named port itself
    else:
        assert got == [("SCL303", "error", 11, 9)]
        f = one(text, "SCL303")
        assert "the postStart hook of sidecar 'side' targets port 8080" in f.message
        assert "which only app container 'web' serves" in f.message


# --- SCL301 init-before-sidecar ------------------------------------------------------------


def test_init_container_reading_a_file_only_a_later_sidecar_writes() -> None:
    text = pod(
        "    - name: web\n      image: nginx\n",
        init=(
            "    - name: use-token\n"  # 7
            "      image: busybox\n"
            '      command: ["sh", "-c", "cat /vault/token > /app/token"]\n'
            "    - name: vault-agent\n"
            "      image: hashicorp/vault:1.17\n"
            "      restartPolicy: Always\n"
            '      command: ["sh", "-c", "vault agent -config=/c.hcl > /vault/token"]\n'
        ),
    )
    assert found(text, "SCL301") == [("SCL301", "error", 7, 13)]
    assert one(text, "SCL301").message == (
        "init container 'use-token' reads /vault/token (its command), which only sidecar "
        "'vault-agent' writes (its command), but 'vault-agent' is declared after it and has "
        "not started. Move 'vault-agent' before 'use-token'"
    )
    # Another container writes it too: the reader may not need the sidecar.
    shared = text.replace(
        "    - name: web\n      image: nginx\n",
        "    - name: web\n      image: nginx\n"
        '      command: ["sh", "-c", "echo x > /vault/token"]\n',
    )
    assert found(shared, "SCL301") == []


@pytest.mark.parametrize(
    ("probe", "threshold", "expected"),
    [
        ("livenessProbe", 2, [(11, 27, "Invalid value: 2: must be 1 (livenessProbe of 'web')")]),
        ("startupProbe", 3, [(11, 27, "Invalid value: 3: must be 1 (startupProbe of 'web')")]),
        ("readinessProbe", 3, []),
        ("livenessProbe", 1, []),
    ],
)
def test_success_threshold(probe: str, threshold: int, expected: list[object]) -> None:
    text = pod(
        "    - name: web\n"
        "      image: nginx\n"
        f"      {probe}:\n"
        "        exec: {command: [x]}\n"
        f"        successThreshold: {threshold}\n"
    )
    got = [(f.span.line, f.span.column, f.message) for f in lint(text, select=["SCL018"])]
    assert got == expected
    assert all(f.container == "web" for f in lint(text, select=["SCL018"]))


@pytest.mark.parametrize(
    ("probe", "grace", "expected"),
    [
        (
            "readinessProbe",
            5,
            [(11, 9, "Invalid value: 5: must not be set for readinessProbes ('web')")],
        ),
        ("livenessProbe", 5, []),
        (
            "livenessProbe",
            0,
            [(11, 40, "Invalid value: 0: must be greater than 0 (livenessProbe of 'web')")],
        ),
        (
            "startupProbe",
            -1,
            [(11, 40, "Invalid value: -1: must be greater than 0 (startupProbe of 'web')")],
        ),
    ],
)
def test_probe_termination_grace(probe: str, grace: int, expected: list[object]) -> None:
    text = pod(
        "    - name: web\n"
        "      image: nginx\n"
        f"      {probe}:\n"
        "        exec: {command: [x]}\n"
        f"        terminationGracePeriodSeconds: {grace}\n"
    )
    got = [(f.span.line, f.span.column, f.message) for f in lint(text, select=["SCL018"])]
    assert got == expected


def test_probe_grace_of_one_is_fine() -> None:
    text = pod(
        "    - name: web\n"
        "      image: nginx\n"
        "      livenessProbe:\n"
        "        exec: {command: [x]}\n"
        "        terminationGracePeriodSeconds: 1\n"
    )
    assert found(text, "SCL018") == []


# --- SCL201 file-not-on-shared-volume ------------------------------------------------------


def shared(
    reader_cmd: str, reader_mount: str, writer_mount: str = "{name: data, mountPath: /shared}"
) -> str:
    return pod(
        "    - name: app\n"  # 7
        "      image: busybox\n"
        '      command: ["sh", "-c", "echo hi > /shared/out/app.log; sleep 1"]\n'
        f"      volumeMounts: [{writer_mount}]\n"
        "    - name: reader\n"  # 11
        "      image: busybox\n"
        f'      command: ["sh", "-c", "{reader_cmd}"]\n'  # 13
        f"      volumeMounts: [{reader_mount}]\n",
        spec="  volumes:\n    - {name: data, emptyDir: {}}\n    - {name: other, emptyDir: {}}\n",
    )


@pytest.mark.parametrize(
    ("cmd", "mount", "why"),
    [
        ("tail -F /shared/out/app.log", "{name: data, mountPath: /shared}", None),
        ("tail -F /shared/out/app.log", "{name: data, mountPath: /shared/}", None),
        (
            "tail -F /shared/out/app.log",
            "{name: other, mountPath: /shared}",
            "'reader' mounts volume 'other' there instead",
        ),
        (
            "tail -F /shared/out/app.log",
            "{name: data, mountPath: /shared, subPath: x}",
            "'reader' mounts subPath 'x' of it, the writer the whole volume",
        ),
        (
            "tail -F /shared/out/app.log",
            "{name: data, mountPath: /shared/out}",
            "'reader' mounts it at /shared/out",
        ),
        (
            "tail -F /shared/out/*.log",
            "{name: other, mountPath: /shared}",
            "'reader' mounts volume 'other' there instead",
        ),
        (
            "tail -F /shared/out/ap?.log",
            "{name: other, mountPath: /shared}",
            "'reader' mounts volume 'other' there instead",
        ),
        (
            "tail -F /shared/out/[a]pp.log",
            "{name: other, mountPath: /shared}",
            "'reader' mounts volume 'other' there instead",
        ),
        ("tail -F /shared/out/app.log", "{name: data, mountPath: /elsewhere}", None),
        ("tail -F /shared/out/*.txt", "{name: other, mountPath: /shared}", None),
        ("tail -F /shared/out/other.log", "{name: other, mountPath: /shared}", None),
    ],
)
def test_reader_sees_the_written_file(cmd: str, mount: str, why: str | None) -> None:
    text = shared(cmd, mount)
    if "/elsewhere" in mount:
        # No volume where the file is: the reader reads its own filesystem.
        f = one(text, "SCL201")
        assert f.message.endswith(
            "'reader' does not see it there: 'reader' has no volume there. Mount volume "
            "'data' at /shared in 'reader'"
        )
        return
    if why is None:
        assert found(text, "SCL201") == []
        return
    assert found(text, "SCL201") == [("SCL201", "error", 16, 29)]
    f = one(text, "SCL201")
    # A glob is reported with the file it matches.
    assert f.message == (
        "'reader' reads /shared/out/app.log (its command), which 'app' writes (its command) "
        f"on volume 'data' mounted at /shared; 'reader' does not see it there: {why}. Mount "
        "volume 'data' at /shared in 'reader'"
    )
    assert [(r.line, r.column, note) for r, note in f.related] == [
        (12, 29, "'app' writes /shared/out/app.log here (its command)")
    ]


def test_writer_without_a_volume() -> None:
    text = shared("tail -F /shared/out/app.log", "{name: data, mountPath: /shared}", "")
    f = one(text, "SCL201")
    assert (f.span.line, f.span.column) == (16, 29)
    assert f.message == (
        "'reader' reads /shared/out/app.log (its command), which 'app' writes to its own "
        "filesystem (its command): containers share only volumes. Mount a shared volume (e.g. "
        "an emptyDir) at the directory of /shared/out/app.log in both"
    )


def test_writer_mounting_the_shared_volume_read_only() -> None:
    text = shared(
        "tail -F /shared/out/app.log",
        "{name: data, mountPath: /shared}",
        "{name: data, mountPath: /shared, readOnly: true}",
    )
    assert found(text, "SCL201") == [("SCL201", "error", 13, 55)]
    f = one(text, "SCL201")
    assert f.container == "app"
    assert f.message == (
        "'app' writes /shared/out/app.log (its command), which 'reader' reads, on volume "
        "'data', but mounts that volume read-only: the write fails. Remove readOnly from this "
        "mount of 'app'"
    )
    assert [(r.line, r.column) for r, _ in f.related] == [(16, 29)]
    writable = shared(
        "tail -F /shared/out/app.log",
        "{name: data, mountPath: /shared}",
        "{name: data, mountPath: /shared, readOnly: false}",
    )
    assert found(writable, "SCL201") == []


# --- SCL404 sidecar-prestop-exits ----------------------------------------------------------


@pytest.mark.parametrize(
    ("handler", "how"),
    [
        ("httpGet: {path: /quitquitquit, port: 15000}", "httpGet /quitquitquit"),
        ("exec: {command: [sh, -c, 'kill -TERM 1']}", "kill -TERM 1"),
        ("exec: {command: [wget, -qO-, 'http://localhost:8080/shutdown']}", "wget -qO- "),
        ("httpGet: {path: /healthz, port: 15000}", None),
        ("exec: {command: [wget, -qO-, 'http://localhost:8080/drain']}", None),
    ],
)
def test_sidecar_prestop_that_stops_itself(handler: str, how: str | None) -> None:
    text = pod(
        "    - name: web\n      image: nginx\n",
        init=(
            "    - name: quiet\n"
            "      image: busybox\n"
            "      restartPolicy: Always\n"
            "    - name: proxy\n"  # 10
            "      image: envoyproxy/envoy:v1.31.0\n"
            "      restartPolicy: Always\n"
            "      lifecycle:\n"
            "        preStop:\n"  # 14
            f"          {handler}\n"
        ),
    )
    got = lint(text, select=["SCL404"])
    if how is None:
        assert got == []
        return
    (f,) = got
    assert (f.severity.value, f.span.line, f.span.column) == ("warning", 14, 9)
    assert f"stops its own process ({how}" in f.message
    assert f.container == "proxy"


# --- loops go on after a container without the field ---------------------------------------


def test_rules_look_at_every_container() -> None:
    text = pod(
        "    - name: first\n"
        "      image: busybox\n"
        "      resizePolicy: [junk, {resourceName: gpu}]\n"  # 9
        "    - name: second\n"
        "      image: busybox\n"
        "      restartPolicy: Never\n"
        "      restartPolicyRules:\n"  # 13
        "        - action: Restart\n"
        "          exitCodes: {operator: In, values: [1]}\n"
        "        - junk\n"
        "        - action: Nope\n"  # 17
        "          exitCodes: {operator: In, values: [1]}\n",
        init="    - name: zero\n      image: busybox\n",
    )
    assert found(text, "SCL019", kubernetes_version="1.33") == [("SCL019", "error", 12, 43)]
    assert found(text, "SCL016", kubernetes_version="1.35") == [("SCL016", "error", 20, 19)]
    dropped = found(text, "SCL016", kubernetes_version="1.34")
    assert dropped == [("SCL016", "warning", 16, 7)]
    message = one(text, "SCL016", kubernetes_version="1.34").message
    assert message == (
        "restartPolicyRules on 'second' are silently dropped on Kubernetes 1.34 "
        "(ContainerRestartRules is off)"
    )


def test_restart_rules_on_a_sidecar_messages() -> None:
    text = pod(
        "    - name: web\n      image: nginx\n",
        init=(
            "    - name: side\n"
            "      image: busybox\n"
            "      restartPolicy: Always\n"
            "      restartPolicyRules:\n"  # 10
            "        - action: Restart\n"
            "          exitCodes: {operator: In, values: [1]}\n"
        ),
    )
    gate = {"feature_gates": "ContainerRestartRules=true"}
    on_134 = one(text, "SCL016", kubernetes_version="1.34", **gate)
    assert (on_134.span.line, on_134.span.column) == (10, 7)
    assert on_134.message == (
        "Forbidden: restartPolicyRules are not allowed for init containers with restart policy "
        "Always — Kubernetes 1.34 rejects them on sidecar 'side'"
    )
    on_135 = one(text, "SCL016", kubernetes_version="1.35")
    assert on_135.message.endswith(" (RestartAllContainersOnContainerExits is off)")


# --- shared readers of commands and mounts (checks/_pod.py) --------------------------------


def _container(spec: dict[str, Any]) -> Any:
    from tests.conftest import pod_of

    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "busybox", **spec}]},
    }
    return pod_of(body).containers[0]


def _activity(spec: dict[str, Any]) -> Any:
    """The file-and-port model of a one-container Pod."""
    from sidecarlint.activity import activity
    from tests.conftest import pod_of

    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "busybox", **spec}]},
    }
    pod = pod_of(body)
    return activity(pod, pod.containers[0])


@pytest.mark.parametrize(
    ("command", "ports"),
    [
        ("curl -fsS http://localhost:8080/ready", {8080}),
        ("curl http://127.0.0.1:9/ http://[::1]:10/ http://0.0.0.0:11/", {9, 10, 11}),
        ("curl http://db.example:8080/", set()),
        ("psql -h localhost -p 5432 -c 'select 1'", {5432}),
        ("psql --host=127.0.0.1 --port=6432", {6432}),
        ("psql -h db.example -p 5432", set()),
        ("psql -p 5432", set()),
        ("psql -p 5432 -h localhost", {5432}),
        ("psql -h localhost -p nope", set()),
        ("psql -h", set()),
        ("nc localhost 9000", {9000}),
        ("nc -z 127.0.0.1 9001", {9001}),
        ("telnet localhost 23", {23}),
        ("nc db.example 9000", set()),
        ("nc localhost http", set()),
        ("echo localhost 9000", set()),
        ("nc 9000", set()),
    ],
)
def test_local_connections(command: str, ports: set[int]) -> None:
    assert _activity({"command": ["sh", "-c", command]}).connect_ports == ports


@pytest.mark.parametrize(
    ("spec", "ports"),
    [
        ({"ports": [{"containerPort": 80}, {"containerPort": "x"}, "junk"]}, {80}),
        (
            {
                "args": [
                    "--port=9090",
                    "--listen-address=0.0.0.0:9091",
                    "--web.listen-address=:9092",
                ]
            },
            {9090, 9091, 9092},
        ),
        # A listen flag takes its value from the next word too.
        ({"args": ["--port", "9090", "--portx=1"]}, {9090}),
        ({"args": ["--portx=1", "--port", "x"]}, set()),
    ],
)
def test_own_ports(spec: dict[str, Any], ports: set[int]) -> None:
    assert _activity(spec).listen_ports == ports


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/var/log/app/x.log", 1),
        ("/var/log/app", 1),
        ("/var/log/other.log", 0),
        ("/var/logs/x", None),
        ("/data/x", 2),
        ("/etc/x", None),
    ],
)
def test_covering_mount(path: str, expected: int | None) -> None:
    from sidecarlint.activity import covering_mount

    c = _container(
        {
            "volumeMounts": [
                {"name": "logs", "mountPath": "/var/log/"},
                {"name": "app", "mountPath": "/var/log/app"},
                {"name": "data", "mountPath": "/data"},
                {"name": "empty", "mountPath": ""},
                "junk",
            ]
        }
    )
    found = covering_mount(c, path)
    assert (found.index if found else None) == expected


# --- SCL105 sidecar-command-exits ----------------------------------------------------------


def exits(argv: str, extra: str = "") -> str:
    return pod(
        "    - name: web\n      image: nginx\n",
        init=(
            "    - name: quiet\n"
            "      image: busybox\n"
            "      restartPolicy: Always\n"
            "    - name: side\n"  # 10
            "      image: busybox\n"
            "      restartPolicy: Always\n"
            f"      {argv}\n" + extra  # 13
        ),
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ('command: ["sh", "-c", "cp /a /b"]', (13, 7, "cp /a /b")),
        ('args: ["sh", "-c", "echo hi"]', (13, 7, "echo hi")),
        ('command: ["sleep", "30"]', (13, 7, "sleep 30")),
        ('command: ["cat", "/etc/hosts"]', (13, 7, "cat /etc/hosts")),
        ('command: ["sleep", "infinity"]', None),
        ('command: ["sleep", "inf"]', None),
        ('command: ["sleep"]', None),
        ('command: ["cat"]', None),
        ('command: ["envoy", "-c", "/e.yaml"]', None),
        ('command: ["sh", "-c", "while true; do date; done"]', None),
        ('command: ["sh", "-c", "tail -F /x"]', None),
        ("command: []", None),
    ],
)
def test_sidecar_command_exits(argv: str, expected: tuple[int, int, str] | None) -> None:
    got = lint(exits(argv), select=["SCL105"])
    if expected is None:
        assert got == []
        return
    (f,) = got
    assert (f.severity.value, f.span.line, f.span.column) == ("warning", *expected[:2])
    assert f.message.startswith(f"sidecar 'side' runs '{expected[2]}' last, which exits:")


def test_sidecar_command_exits_skips_restart_rules() -> None:
    rules = (
        "      restartPolicyRules: [{action: Restart, exitCodes: {operator: In, values: [0]}}]\n"
    )
    assert found(exits('command: ["sh", "-c", "cp /a /b"]', rules), "SCL105") == []


# --- SCL303 startup probes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("probe", "hit"),
    [
        ("httpGet: {path: /, port: 8080}", True),
        ("httpGet: {path: /, port: 8080, host: ''}", True),
        ("httpGet: {path: /, port: 8080, host: localhost}", True),
        ("httpGet: {path: /, port: 8080, host: 127.0.0.1}", True),
        ("httpGet: {path: /, port: 8080, host: app.example}", False),
        ("grpc: {port: 8080}", True),
        ("tcpSocket: {port: 8080}", True),
        ("tcpSocket: {port: own}", False),
        ("tcpSocket: {port: missing}", False),
        ("tcpSocket: {port: 9999}", False),
        ("exec: {command: [x]}", False),
    ],
)
def test_startup_probe_on_an_app_port(probe: str, hit: bool) -> None:
    text = pod(
        "    - name: app\n"
        "      image: nginx\n"
        "      ports:\n"
        "        - {containerPort: 8080}\n"
        "        - {containerPort: 7070}\n",
        init=(
            "    - name: side\n"
            "      image: busybox\n"
            "      restartPolicy: Always\n"
            "      ports:\n"
            "        - {name: own, containerPort: 7070}\n"
            "      startupProbe:\n"  # 12
            f"        {probe}\n"
        ),
    )
    got = lint(text, select=["SCL303"])
    if not hit:
        assert got == []
        return
    (f,) = got
    assert (f.severity.value, f.span.line, f.span.column) == ("error", 12, 7)
    kind = probe.split(":")[0]
    assert f"the startupProbe {kind} of sidecar 'side' targets port 8080" in f.message
    assert "which only app container 'app' serves" in f.message


# --- SCL101 native-sidecar-unsupported messages --------------------------------------------


NATIVE = pod(
    "    - name: web\n      image: nginx\n",
    init=(
        "    - name: proxy\n"
        "      image: envoyproxy/envoy:v1.31.0\n"
        "      restartPolicy: Always\n"  # 9
    ),
)


def test_native_sidecar_messages_per_version() -> None:
    old = one(NATIVE, "SCL101", kubernetes_version="1.27")
    assert (old.severity.value, old.span.line, old.span.column) == ("error", 9, 7)
    assert old.message == (
        "native sidecars need Kubernetes 1.29 (1.28 with SidecarContainers=true); 1.27 rejects "
        "restartPolicy (strict decoding: unknown field) or silently drops it, making 'proxy' a "
        "regular init container: 'proxy' then never exits and the Pod stays in Init forever"
    )
    dropped = one(NATIVE, "SCL101", kubernetes_version="1.28")
    assert dropped.message == (
        "Kubernetes 1.28 silently drops restartPolicy: Always on init containers while "
        "SidecarContainers is off (the default): 'proxy' then never exits and the Pod stays in "
        "Init forever"
    )
    alpha = one(NATIVE, "SCL101", kubernetes_version="1.28", feature_gates="SidecarContainers=true")
    assert alpha.severity.value == "info"
    assert alpha.message == (
        "native sidecars are alpha on 1.28: 'proxy' starts in order but is terminated like a "
        "regular container (no ordered shutdown after the app)"
    )


@pytest.mark.parametrize(
    "fields",
    [
        ["lifecycle"],
        ["livenessProbe"],
        ["readinessProbe"],
        ["startupProbe"],
        ["livenessProbe", "startupProbe"],
    ],
)
def test_dropped_sidecar_with_probes_is_rejected(fields: list[str]) -> None:
    extra = "".join(f"      {f}: {{exec: {{command: [x]}}}}\n" for f in fields)
    text = NATIVE + ""
    text = text.replace("      restartPolicy: Always\n", "      restartPolicy: Always\n" + extra)
    f = one(text, "SCL101", kubernetes_version="1.28")
    assert f.message.endswith(f"; with {', '.join(fields)} set the Pod is rejected instead")


# --- SCL203 reader-mount-writable -----------------------------------------------------------


@pytest.mark.parametrize(
    ("mount_path", "hit"),
    [("/var/log", True), ("/var/log/", True), ("/var/log/app.log", True), ("/var/lo", False)],
)
def test_reader_mount_paths(mount_path: str, hit: bool) -> None:
    text = pod(
        "    - name: app\n"
        "      image: busybox\n"
        "      volumeMounts: [{name: logs, mountPath: /var/log}]\n",
        init=(
            "    - name: shipper\n"
            "      image: busybox\n"
            "      restartPolicy: Always\n"
            '      command: ["sh", "-c", "tail -F /var/log/app.log"]\n'
            "      volumeMounts:\n"
            f"        - {{name: logs, mountPath: {mount_path}}}\n"  # 12
        ),
        spec="  volumes: [{name: logs, emptyDir: {}}]\n",
    )
    got = found(text, "SCL203")
    assert got == ([("SCL203", "info", 13, 11)] if hit else [])


# --- SCL405 termination-budget -------------------------------------------------------------


def budget(app: int | None, sidecars: list[int], grace: int | None = 30) -> str:
    def sleeper(n: int) -> str:
        return f"      lifecycle: {{preStop: {{sleep: {{seconds: {n}}}}}}}\n"

    init = "".join(
        f"    - name: s{i}\n      image: busybox\n      restartPolicy: Always\n" + sleeper(n)
        for i, n in enumerate(sidecars)
    )
    app_spec = "    - name: web\n      image: nginx\n" + (sleeper(app) if app is not None else "")
    spec = f"  terminationGracePeriodSeconds: {grace}\n" if grace is not None else ""
    return pod(app_spec, init=init, spec=spec)


@pytest.mark.parametrize(
    ("app", "sidecars", "grace", "expected"),
    [
        (10, [20], 30, None),
        (10, [21], 30, "31s (app 10s; sidecars 's0' 21s)"),
        (None, [30], 30, None),
        (None, [31], None, "31s (app 0s; sidecars 's0' 31s)"),
        (5, [10, 10], 20, "25s (app 5s; sidecars 's0' 10s, 's1' 10s)"),
        (5, [], 1, None),
    ],
)
def test_termination_budget(
    app: int | None, sidecars: list[int], grace: int | None, expected: str | None
) -> None:
    got = lint(budget(app, sidecars, grace), select=["SCL405"])
    if expected is None:
        assert got == []
        return
    (f,) = got
    assert f.message.startswith(f"preStop sleeps add up to {expected} but the Pod has")
    assert (f.span.line, f.span.column) == ((6, 3) if grace is not None else (5, 1))


# --- SCL302 proxy-sidecar-not-first ---------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "program"),
    [
        ("python manage.py migrate", "a migration"),
        ("python3 -m app migrate", "a migration"),
        ("python manage.py collectstatic", None),
        ("ruby migrate", None),
        ("curl -fsS https://example.com", "curl"),
    ],
)
def test_network_calls_before_the_proxy(command: str, program: str | None) -> None:
    text = pod(
        "    - name: web\n      image: nginx\n",
        init=(
            "    - name: setup\n"  # 7
            "      image: python:3.12\n"
            f'      command: ["sh", "-c", "{command}"]\n'
            "    - name: istio-proxy\n"
            "      image: docker.io/istio/proxyv2:1.24.0\n"
            "      restartPolicy: Always\n"
        ),
    )
    got = lint(text, select=["SCL302"])
    if program is None:
        assert got == []
        return
    (f,) = got
    assert (f.span.line, f.span.column) == (7, 13)
    assert f"makes network calls ({program}) before the Istio proxy sidecar" in f.message


# --- the rest: loops over several containers, equal lengths, odd values ---------------------


def test_post_start_exec_waiting_for_the_app() -> None:
    text = pod(
        "    - name: app\n      image: nginx\n      ports: [{containerPort: 8080}]\n",
        init=(
            "    - name: side\n"
            "      image: busybox\n"
            "      restartPolicy: Always\n"
            "      lifecycle:\n"
            "        postStart:\n"  # 11
            '          exec: {command: ["sh", "-c", "curl -f http://localhost:8080/ready"]}\n'
            "    - name: other\n"
            "      image: busybox\n"
            "      restartPolicy: Always\n"
            "      lifecycle: 7\n"
        ),
    )
    (f,) = lint(text, select=["SCL303"])
    assert (f.span.line, f.span.column) == (11, 9)
    assert "the postStart hook of sidecar 'side' targets port 8080" in f.message
    no_list = text.replace(
        '{command: ["sh", "-c", "curl -f http://localhost:8080/ready"]}', "{command: x}"
    )
    assert found(no_list, "SCL303") == []


def test_sidecar_command_exits_checks_every_sidecar() -> None:
    init = "".join(
        f"    - name: s{i}\n      image: busybox\n      restartPolicy: Always\n      {argv}\n"
        for i, argv in enumerate(
            [
                'command: ["sh", "-c", "while read l; do echo $l; done < /in; echo end"]',
                'command: ["sh", "-c", ""]',
                'command: ["envoy"]',
                'command: ["cat"]',
                'command: ["cp", "/a", "/b"]',
            ]
        )
    )
    text = pod("    - name: web\n      image: nginx\n", init=init)
    assert found(text, "SCL105") == [("SCL105", "warning", 26, 7)]


def test_restart_rules_on_two_containers_and_two_rules() -> None:
    text = pod(
        "    - name: a\n"
        "      image: busybox\n"
        "      restartPolicy: Never\n"
        "      restartPolicyRules:\n"  # 10
        "        - {exitCodes: {values: [1]}}\n"  # 11
        "        - action: Restart\n"
        "        - action: Restart\n"  # 13
        "          exitCodes: {operator: NotIn, values: [0]}\n"
        "    - name: b\n"
        "      image: busybox\n"
        "      restartPolicy: Never\n"
        "      restartPolicyRules: [{action: Restart, exitCodes: {operator: Is}}]\n"  # 18
    )
    got = [
        (f.span.line, f.span.column, f.message.split(":")[0])
        for f in lint(text, select=["SCL016"], kubernetes_version="1.35")
    ]
    assert got == [
        (11, 11, "Unsupported value"),
        (11, 12, "Unsupported value"),
        (12, 11, "exitCodes"),
        (18, 68, "Unsupported value"),
    ]
    dropped = found(text, "SCL016", kubernetes_version="1.34")
    assert dropped == [("SCL016", "warning", 10, 7), ("SCL016", "warning", 18, 7)]


def test_startup_probe_advice_on_every_sidecar() -> None:
    def side(name: str, port: int, probe: bool) -> str:
        return (
            f"    - name: {name}\n      image: busybox\n      restartPolicy: Always\n"
            f"      ports: [{{containerPort: {port}}}]\n"
            + ("      startupProbe: {tcpSocket: {port: 1}}\n" if probe else "")
        )

    init = (
        "    - name: plain\n      image: busybox\n"
        + side("probed", 7000, True)
        + "    - name: portless\n      image: busybox\n      restartPolicy: Always\n"
        + side("unused", 7001, False)
        + side("db", 5432, False)
        + side("cache", 6379, False)
    )
    app = (
        "    - name: web\n      image: busybox\n"
        '      command: ["sh", "-c", "psql -h localhost -p 5432; redis-cli -h localhost -p 6379;'
        ' curl localhost:7000; run"]\n'
        "    - name: web2\n      image: busybox\n"
        '      command: ["sh", "-c", "psql -h localhost -p 5432"]\n'
    )
    got = [
        (f.span.line, f.message.split(" ")[0]) for f in lint(pod(app, init=init), select=["SCL304"])
    ]
    assert got == [(21, "'web'"), (25, "'web'")]


def test_proxy_first_checks_every_init_container() -> None:
    init = (
        "    - name: istio-init\n      image: docker.io/istio/proxyv2:1.24.0\n"
        '      command: ["istio-iptables", "-p", "15001"]\n'
        "    - name: quiet\n      image: busybox\n"
        '      command: ["true"]\n'
        "    - name: uses-proxy-port\n      image: curl\n"
        '      command: ["curl", "http://localhost:15000/ready"]\n'
        "    - name: fetch\n      image: curl\n"  # 16
        '      command: ["curl", "https://example.com"]\n'
        "    - name: helper\n      image: busybox\n      restartPolicy: Always\n"
        "    - name: plain-envoy\n      image: envoyproxy/envoy:v1.31.0\n"
        "    - name: istio-proxy\n      image: docker.io/istio/proxyv2:1.24.0\n"
        "      restartPolicy: Always\n      ports: [{containerPort: 15000}]\n"
        "    - name: envoy\n      image: envoyproxy/envoy:v1.31.0\n      restartPolicy: Always\n"
    )
    got = lint(pod("    - name: web\n      image: nginx\n", init=init), select=["SCL302"])
    assert [(f.span.line, f.container) for f in got] == [(13, "uses-proxy-port"), (16, "fetch")]
    # The proxy whose port it uses is init-before-sidecar's finding; the next proxy is this one's.
    assert "before the Envoy sidecar 'envoy'" in got[0].message
    assert "before the Istio proxy sidecar 'istio-proxy'" in got[1].message


def test_configured_sidecar_images_are_helpers() -> None:
    text = pod(
        "    - name: web\n      image: nginx\n"
        "    - name: mine\n      image: registry.example/team/shipper:1\n"
    )
    assert found(text, "SCL103") == []
    assert found(text, "SCL103", sidecar_images=["*/shipper"]) == [("SCL103", "warning", 9, 13)]


def test_covering_mount_edges() -> None:
    from sidecarlint.activity import covering_mount
    from sidecarlint.locate import Mount

    c = _container(
        {
            "volumeMounts": [
                {"name": "root", "mountPath": "/"},
                {"name": "logs", "mountPath": "/var/log/"},
                {"name": "a", "mountPath": "/data"},
                {"name": "b", "mountPath": "/data"},
            ]
        }
    )
    assert covering_mount(c, "/etc/x") == Mount(0, "root", "/")
    assert covering_mount(c, "/var/log") == Mount(1, "logs", "/var/log/")
    assert covering_mount(c, "/data/x") == Mount(2, "a", "/data")


@pytest.mark.parametrize("program", ["ncat", "netcat"])
def test_netcat_spellings(program: str) -> None:
    assert _activity({"command": [program, "localhost", "9"]}).connect_ports == {9}


def test_odd_values_are_not_ports_or_limits() -> None:
    zero = TWO_APPS.replace("hostPort: 8080", "hostPort: 0")
    assert found(zero, "SCL020") == []
    boolean = TWO_APPS.replace("hostPort: 8080", "hostPort: true")
    assert found(boolean, "SCL020") == []
    assert found(BACKOFF_JOB.replace("LIMIT", "true"), "SCL406") == []
    two = BACKOFF_JOB.replace("LIMIT", "1").replace(
        "      containers:",
        "        - name: shipper\n          image: fluent/fluent-bit:3.1\n"
        "          restartPolicy: Always\n      containers:",
    )
    assert "sidecar(s) 'proxy', 'shipper' count towards it" in one(two, "SCL406").message


def test_reader_mount_equal_to_the_read_path() -> None:
    text = pod(
        "    - name: app\n      image: busybox\n"
        "      volumeMounts: [{name: logs, mountPath: /var/log}]\n",
        init=(
            "    - name: shipper\n      image: busybox\n      restartPolicy: Always\n"
            '      command: ["sh", "-c", "tail -F /var/log"]\n'
            "      volumeMounts: [{name: logs, mountPath: /var/log/}]\n"
        ),
        spec="  volumes: [{name: logs, emptyDir: {}}]\n",
    )
    assert [code for code, *_ in found(text, "SCL203")] == ["SCL203"]


def test_dropped_sleep_warning_message() -> None:
    assert one(sleeping(21), "SCL403", kubernetes_version="1.29").message == (
        "the preStop sleep of 'web' (21s) does not fit the grace period (20s), but Kubernetes "
        "1.29 drops the sleep handler (PodLifecycleSleepAction is off)"
    )


# --- SCL017 workload-restart-policy --------------------------------------------------------


def workload(kind: str, api: str, policy: str | None, extra: str = "") -> str:
    line = f"      restartPolicy: {policy}\n" if policy is not None else ""
    return (
        f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: w\nspec:\n{extra}"
        "  selector: {matchLabels: {a: b}}\n"
        "  template:\n    metadata: {labels: {a: b}}\n    spec:\n"
        + line
        + "      containers:\n        - {name: a, image: x}\n"
    )


@pytest.mark.parametrize(
    ("kind", "api", "policy", "expected"),
    [
        (
            "Job",
            "batch/v1",
            None,
            (
                9,
                5,
                'Required value: valid values: "OnFailure", "Never" — '
                "a Job pod template must set restartPolicy",
            ),
        ),
        (
            "Job",
            "batch/v1",
            "Always",
            (
                10,
                22,
                'Required value: valid values: "OnFailure", "Never" '
                '— a Job pod template cannot use "Always"',
            ),
        ),
        ("Job", "batch/v1", "Never", None),
        ("Job", "batch/v1", "OnFailure", None),
        (
            "Deployment",
            "apps/v1",
            "Never",
            (
                10,
                22,
                'Unsupported value: "Never": supported values: '
                '"Always" — a Deployment restarts its pods forever',
            ),
        ),
        (
            "StatefulSet",
            "apps/v1",
            "OnFailure",
            (
                10,
                22,
                'Unsupported value: "OnFailure": supported '
                'values: "Always" — a StatefulSet restarts its pods forever',
            ),
        ),
        ("Deployment", "apps/v1", "Always", None),
        ("Deployment", "apps/v1", None, None),
        ("PodTemplate", "v1", "Never", None),
    ],
)
def test_workload_restart_policy(
    kind: str, api: str, policy: str | None, expected: tuple[int, int, str] | None
) -> None:
    text = workload(kind, api, policy)
    if kind == "PodTemplate":
        text = text.replace("spec:\n  template:", "template:\n  template:")
    got = [(f.span.line, f.span.column, f.message) for f in lint(text, select=["SCL017"])]
    assert got == ([] if expected is None else [expected])


def test_pod_failure_policy_needs_never() -> None:
    policy = "  podFailurePolicy: {rules: []}\n"
    assert found(workload("Job", "batch/v1", "OnFailure", policy), "SCL017") == [
        ("SCL017", "error", 11, 22)
    ]
    assert found(workload("Job", "batch/v1", "Never", policy), "SCL017") == []


# --- SCL014 undefined-volume and SCL202 unused-volume --------------------------------------


def test_claim_templates_are_volumes_of_a_statefulset() -> None:
    text = (
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n"
        "  selector: {matchLabels: {a: b}}\n"
        "  volumeClaimTemplates: [{metadata: {name: data}}, {metadata: {}}]\n"
        "  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers:\n"
        "        - name: a\n          image: x\n"
        "          volumeMounts: [{name: data, mountPath: /d}, {name: logs, mountPath: /l}]\n"
    )
    (f,) = lint(text, select=["SCL014"])
    assert (f.span.line, f.span.column) == (13, 62)
    assert f.message == (
        "Not found: \"logs\" — 'a' mounts a volume that is not in volumes or volumeClaimTemplates"
    )
    deployment = text.replace("StatefulSet", "Deployment")
    got = [(f.span.line, f.span.column, f.message) for f in lint(deployment, select=["SCL014"])]
    assert [g[:2] for g in got] == [(13, 33), (13, 62)]
    assert got[0][2].endswith("mounts a volume that is not in volumes")


def test_volume_devices_use_a_volume() -> None:
    text = pod(
        "    - name: a\n      image: x\n"
        "      volumeDevices: [{name: raw, devicePath: /dev/xvda}]\n",
        spec=(
            "  volumes:\n    - {name: raw, persistentVolumeClaim: {claimName: c}}\n"
            "    - {name: idle, emptyDir: {}}\n"
        ),
    )
    got = [(f.span.line, f.span.column, f.message) for f in lint(text, select=["SCL202"])]
    assert got == [(8, 14, "volume 'idle' is not mounted by any container")]


# --- SCL015 duplicate-mount-path ------------------------------------------------------------


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        ("/data", ("error", 'Invalid value: "/data": must be unique')),
        ("/data/", ("warning", "\"/data/\" is the directory of volumeMounts[0] of 'a'")),
        ("/other", None),
    ],
)
def test_mount_paths(second: str, expected: tuple[str, str] | None) -> None:
    text = pod(
        "    - name: z\n      image: x\n"
        "      volumeMounts: [junk, {name: v, mountPath: /data}, {name: w, mountPath: /data}]\n"
        "    - name: a\n      image: x\n"
        "      volumeMounts: [{name: v, mountPath: /data}, {mountPath: 7},"
        f" {{name: w, mountPath: {second}}}]\n"
    )
    got = [(f.severity.value, f.message, f.container) for f in lint(text, select=["SCL015"])]
    assert got[0][0] == "error" and got[0][2] == "z"  # the loop goes on to the next container
    rest = got[1:]
    if expected is None:
        assert rest == []
    else:
        ((severity, message, container),) = rest
        assert severity == expected[0] and message.startswith(expected[1]) and container == "a"


def test_mount_path_written_differently_exactly() -> None:
    text = pod(
        "    - name: a\n      image: x\n"
        "      volumeMounts:\n"
        "        - {name: v, mountPath: /data}\n"  # 10
        "        - {name: w, mountPath: /data/}\n"  # 11
    )
    got = [
        (f.span.line, f.span.column, f.severity.value, f.message)
        for f in lint(text, select=["SCL015"])
    ]
    assert got == [
        (
            11,
            32,
            "warning",
            "\"/data/\" is the directory of volumeMounts[0] of 'a' written differently: the API "
            "accepts it, but both volumes mount on one directory and one hides the other",
        )
    ]
    same = text.replace("/data/}", "/data}")
    assert [(f.span.line, f.span.column) for f in lint(same, select=["SCL015"])] == [(11, 32)]


def test_root_mount_paths() -> None:
    text = pod(
        "    - name: a\n      image: x\n"
        "      volumeMounts: [{name: v, mountPath: /}, {name: w, mountPath: //}]\n"
    )
    ((severity, message),) = [(f.severity.value, f.message) for f in lint(text, select=["SCL015"])]
    assert severity == "warning" and message.startswith('"//" is the directory of volumeMounts[0]')


# --- SCL011 and SCL010: values, and every container ------------------------------------------


def test_app_container_restart_policy_values() -> None:
    text = pod(
        "    - name: a\n      image: x\n"
        "    - name: b\n      image: x\n      restartPolicy: Sometimes\n"  # 11
        "    - name: c\n      image: x\n      restartPolicy: 1\n"  # 14
        "    - name: d\n      image: x\n      restartPolicy: OnFailure\n"
        "    - name: e\n      image: x\n      restartPolicy: Always\n"  # 20
    )
    got = [
        (f.span.line, f.severity.value, f.message)
        for f in lint(text, select=["SCL011"], kubernetes_version="1.35")
    ]
    assert got == [
        (
            11,
            "error",
            'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        ),
        (14, "error", 'Unsupported value: 1: supported values: "Always", "OnFailure", "Never"'),
        (
            20,
            "warning",
            "restartPolicy: Always does not make app container 'e' a sidecar: it gets no "
            "start or stop ordering; move it to initContainers",
        ),
    ]
    dropped = lint(text, select=["SCL011"], kubernetes_version="1.34")
    assert [f.span.line for f in dropped] == [11, 14, 17, 20]
    assert dropped[0].message == (
        "restartPolicy on app container 'b' is silently dropped on Kubernetes 1.34 "
        "(ContainerRestartRules is off)"
    )


def test_init_restart_policy_messages() -> None:
    text = pod(
        "    - name: web\n      image: x\n",
        init=(
            "    - name: a\n      image: x\n"
            "    - name: b\n      image: x\n      restartPolicy: 7\n"  # 11
            "    - name: c\n      image: x\n      restartPolicy: Never\n"  # 14
        ),
    )
    old = lint(text, select=["SCL010"], kubernetes_version="1.28")
    assert [(f.span.line, f.severity.value) for f in old] == [(11, "warning"), (14, "warning")]
    assert old[0].message == (
        "restartPolicy 7 on init container 'b' is silently dropped on Kubernetes 1.28 "
        "(SidecarContainers is off by default); only 'Always' (a native sidecar, with the gate "
        "on) is ever kept"
    )
    new = lint(text, select=["SCL010"], kubernetes_version="1.35")
    assert [(f.span.line, f.message) for f in new] == [
        (
            11,
            'Unsupported value: 7: supported values: "Always", "OnFailure", "Never" — '
            "Kubernetes 1.35 rejects init container 'b'",
        )
    ]


# --- SCL501 ports: protocols and every container --------------------------------------------


def test_port_protocols_and_later_containers() -> None:
    text = pod(
        "    - name: a\n      image: x\n"
        "      ports: [{containerPort: 53, protocol: UDP}, {containerPort: true}]\n"
        "    - name: b\n      image: x\n      ports: [{containerPort: 53, protocol: UDP}]\n"  # 12
        "    - name: c\n      image: x\n"
        "      ports: [{containerPort: 53}, {containerPort: 80, hostPort: 80}]\n"
        "    - name: d\n      image: x\n      ports: [{containerPort: 80, hostPort: 80}]\n",
    )
    got = [(f.span.line, f.container) for f in lint(text, select=["SCL501"])]
    assert got == [(12, "b"), (18, "d")]
    assert "declare containerPort 53/UDP" in lint(text, select=["SCL501"])[0].message


# --- SCL402 pod-failure-policy-sidecar ------------------------------------------------------


def test_pod_failure_policy_rules() -> None:
    text = (
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n"
        "  podFailurePolicy:\n    rules:\n"
        "      - {action: Ignore, onPodConditions: [{type: DisruptionTarget}]}\n"
        "      - action: FailJob\n"
        "        onExitCodes: {containerName: nope, operator: In, values: [1]}\n"
        "      - action: FailJob\n        onExitCodes: {operator: NotIn, values: [0]}\n"  # 12
        "  template:\n    spec:\n      restartPolicy: Never\n"
        "      initContainers:\n"
        "        - {name: proxy, image: 'envoyproxy/envoy:v1.31.0', restartPolicy: Always}\n"
        "        - {name: logs, image: 'fluent/fluent-bit:3.1', restartPolicy: Always}\n"
        "      containers:\n        - {name: work, image: busybox}\n"
    )
    got = [
        (f.span.line, f.span.column, f.severity.value, f.message)
        for f in lint(text, select=["SCL402"])
    ]
    assert got == [
        (
            9,
            38,
            "error",
            'Invalid value: "nope": must be one of the container or initContainer '
            "names in the pod template",
        ),
        (
            11,
            9,
            "warning",
            "this onExitCodes rule (NotIn) has no containerName, so it also matches "
            "the exit codes of sidecar(s) 'proxy', 'logs' — which exit with 137 or 143 when "
            "stopped at the end of the Job; set containerName to the work container",
        ),
    ]


# --- SCL401 injectors ------------------------------------------------------------------------


def injected(annotations: str) -> str:
    return (
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n"
        f"    metadata:\n      annotations: {{{annotations}}}\n"
        "      labels: {sidecar.istio.io/inject: 'true'}\n"
        "    spec:\n      restartPolicy: Never\n      containers: [{name: w, image: x}]\n"
    )


def test_injector_native_mode_explicitly_off() -> None:
    text = injected(
        'linkerd.io/inject: enabled, config.alpha.linkerd.io/proxy-enable-native-sidecar: "false"'
    )
    got = lint(text, select=["SCL401"])
    assert (got[0].span.line, got[0].severity.value) == (7, "error")
    assert (
        "(linkerd.io/inject: enabled), so they never complete — native mode is explicitly off"
        in got[0].message
    )
    assert not got[0].fixable
    label = lint(injected(""), select=["SCL401"])
    assert [(f.span.line, f.span.column) for f in label] == [(8, 16)]
