"""Schema validation findings: exact codes, positions and messages."""

from __future__ import annotations

import pytest

from tests.conftest import lint

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
    - name: proxy
      image: envoyproxy/envoy:v1.31.0
      restartPolicy: Always
  containers:
    - name: app
      image: busybox
"""


def schema_findings(text: str, **config: object) -> list[tuple[str, int, int, str]]:
    return [
        (f.code, f.span.line, f.span.column, f.message)
        for f in lint(text, select=["SCL003", "SCL004", "SCL005"], **config)
    ]


def test_restart_policy_unknown_on_127_with_added_in() -> None:
    assert schema_findings(POD, kubernetes_version="1.27") == [
        (
            "SCL004",
            9,
            7,
            "`restartPolicy` is not a field of Container in Kubernetes 1.27 (added in 1.28)",
        )
    ]


@pytest.mark.parametrize("version", ["1.28", "1.29", "1.33", "1.37"])
def test_restart_policy_known_from_128(version: str) -> None:
    assert schema_findings(POD, kubernetes_version=version) == []


def test_restart_policy_rules_unknown_before_134() -> None:
    text = POD.replace(
        "      restartPolicy: Always\n",
        "      restartPolicy: Never\n"
        "      restartPolicyRules:\n"
        "        - action: Restart\n"
        "          exitCodes: {operator: In, values: [42]}\n",
    )
    assert schema_findings(text, kubernetes_version="1.33") == [
        (
            "SCL004",
            10,
            7,
            "`restartPolicyRules` is not a field of Container in Kubernetes 1.33 (added in 1.34)",
        )
    ]
    assert schema_findings(text, kubernetes_version="1.34") == []


def test_yaml11_boolean_says_quote_it() -> None:
    text = POD + "      env:\n        - name: DEBUG\n          value: yes\n"
    assert schema_findings(text) == [
        (
            "SCL003",
            15,
            18,
            "`value` must be a string, got boolean true: Kubernetes reads the unquoted `yes` "
            'as YAML 1.1 boolean; quote it ("yes")',
        )
    ]


def test_quoted_string_where_integer_required() -> None:
    text = POD + '      ports:\n        - containerPort: "8080"\n'
    assert schema_findings(text) == [
        ("SCL003", 14, 26, '`containerPort` must be an integer, got string "8080"')
    ]


def test_typo_suggests_closest_field() -> None:
    text = POD + "      volumeMount: []\n"
    assert schema_findings(text) == [
        (
            "SCL004",
            13,
            7,
            "`volumeMount` is not a field of Container (did you mean `volumeMounts`?)",
        )
    ]


def test_missing_required_points_at_parent_key() -> None:
    text = POD.replace("    - name: app\n      image: busybox\n", "    - image: busybox\n")
    assert schema_findings(text) == [
        ("SCL003", 11, 7, "missing required field `name` in containers (Container)")
    ]


def test_enum_violation() -> None:
    text = (
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n"
        "  selector: {matchLabels: {app: db}}\n  serviceName: db\n"
        "  template:\n    metadata: {labels: {app: db}}\n"
        "    spec:\n      containers: [{name: db, image: postgres}]\n"
        "  volumeClaimTemplates:\n    - apiVersion: v2\n      kind: PersistentVolumeClaim\n"
        "      metadata: {name: data}\n"
    )
    assert schema_findings(text) == [
        ("SCL003", 13, 19, '`apiVersion` must be one of "v1", got string "v2"')
    ]


def test_int_or_string_reports_best_match_not_a_tree() -> None:
    text = POD + "      livenessProbe:\n        httpGet: {port: 1.5}\n"
    assert schema_findings(text) == [
        ("SCL003", 14, 25, "`port` must be a string or an integer, got number 1.5")
    ]


@pytest.mark.parametrize(
    ("api_version", "kind", "message"),
    [
        (
            "batch/v1beta1",
            "CronJob",
            "batch/v1beta1 CronJob is not served by Kubernetes 1.37 (removed in 1.25); "
            "use batch/v1",
        ),
        (
            "extensions/v1beta1",
            "Deployment",
            "extensions/v1beta1 Deployment is not served by Kubernetes 1.37 (removed in 1.16); "
            "use apps/v1",
        ),
        ("apps/v1", "Pod", "apps/v1 Pod is not served by Kubernetes 1.37; use v1"),
    ],
)
def test_removed_api_versions(api_version: str, kind: str, message: str) -> None:
    text = f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\nspec: {{}}\n"
    assert schema_findings(text) == [("SCL005", 1, 13, message)]


def test_other_kinds_are_not_validated() -> None:
    text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  bogus: 1\n"
    text += "---\napiVersion: example.com/v1\nkind: Widget\nspec: {x: y}\n"
    assert schema_findings(text) == []


def test_kustomize_patch_checks_types_only() -> None:
    patch = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
        "  template:\n    spec:\n      containers:\n        - name: web\n"
        "          env:\n            - $patch: replace\n            - name: A\n"
        "              value: 1\n"
    )
    assert schema_findings(patch) == [
        (
            "SCL003",
            13,
            22,
            "`value` must be a string, got integer 1: Kubernetes reads the "
            'unquoted `1` as YAML 1.1 integer; quote it ("1")',
        )
    ]


def test_unrendered_variable_hint() -> None:
    text = POD + "      ports:\n        - containerPort: ${PORT:-8080}\n"
    ((code, line, column, message),) = schema_findings(text)
    assert (code, line, column) == ("SCL003", 14, 26)
    assert message.endswith(
        "an unrendered variable; substitute variables before checking (e.g. envsubst)"
    )
