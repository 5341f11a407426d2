"""Locating pod specs in every supported kind, and the container model."""

from __future__ import annotations

import re

import pytest

from sidecarlint.locate import (
    PATCH_DIRECTIVES,
    CustomPodPath,
    Pod,
    Role,
    is_kubernetes,
    is_partial,
    is_patch_key,
    iter_objects,
    locate,
    parse_dotted_path,
    workload_for,
)
from sidecarlint.parse import parse_text

CONTAINERS = (
    "initContainers: [{name: i, image: x}, {name: s, image: x, restartPolicy: Always}]\n"
    "{indent}containers: [{{name: a, image: x}}]"
)


def located(
    text: str, custom: tuple[CustomPodPath, ...] = ()
) -> list[tuple[str, tuple[object, ...]]]:
    out = []
    for doc in parse_text(text, "f").documents:
        for obj in iter_objects(doc):
            workload = workload_for(obj, custom)
            pod = locate(obj, workload) if workload else None
            if pod is not None:
                out.append((workload.kind, pod.path))  # type: ignore[union-attr]
    return out


SPEC = "{containers: [{name: a, image: x}]}"


@pytest.mark.parametrize(
    ("api_version", "kind", "body", "path"),
    [
        ("v1", "Pod", f"spec: {SPEC}", ("spec",)),
        ("v1", "PodTemplate", f"template: {{spec: {SPEC}}}", ("template", "spec")),
        (
            "v1",
            "ReplicationController",
            f"spec: {{template: {{spec: {SPEC}}}}}",
            ("spec", "template", "spec"),
        ),
        (
            "apps/v1",
            "Deployment",
            f"spec: {{template: {{spec: {SPEC}}}}}",
            ("spec", "template", "spec"),
        ),
        (
            "apps/v1",
            "ReplicaSet",
            f"spec: {{template: {{spec: {SPEC}}}}}",
            ("spec", "template", "spec"),
        ),
        (
            "apps/v1",
            "StatefulSet",
            f"spec: {{template: {{spec: {SPEC}}}}}",
            ("spec", "template", "spec"),
        ),
        (
            "apps/v1",
            "DaemonSet",
            f"spec: {{template: {{spec: {SPEC}}}}}",
            ("spec", "template", "spec"),
        ),
        ("batch/v1", "Job", f"spec: {{template: {{spec: {SPEC}}}}}", ("spec", "template", "spec")),
        (
            "batch/v1",
            "CronJob",
            f"spec: {{jobTemplate: {{spec: {{template: {{spec: {SPEC}}}}}}}}}",
            ("spec", "jobTemplate", "spec", "template", "spec"),
        ),
        (
            "argoproj.io/v1alpha1",
            "Rollout",
            f"spec: {{template: {{spec: {SPEC}}}}}",
            ("spec", "template", "spec"),
        ),
        (
            "apps.kruise.io/v1alpha1",
            "CloneSet",
            f"spec: {{template: {{spec: {SPEC}}}}}",
            ("spec", "template", "spec"),
        ),
        (
            "keda.sh/v1alpha1",
            "ScaledJob",
            f"spec: {{jobTargetRef: {{template: {{spec: {SPEC}}}}}}}",
            ("spec", "jobTargetRef", "template", "spec"),
        ),
        (
            "serving.knative.dev/v1",
            "Service",
            f"spec: {{template: {{spec: {SPEC}}}}}",
            ("spec", "template", "spec"),
        ),
        (
            "serving.knative.dev/v1",
            "Configuration",
            f"spec: {{template: {{spec: {SPEC}}}}}",
            ("spec", "template", "spec"),
        ),
    ],
)
def test_every_kind(api_version: str, kind: str, body: str, path: tuple[object, ...]) -> None:
    assert located(f"apiVersion: {api_version}\nkind: {kind}\n{body}\n") == [(kind, path)]


def test_core_service_is_not_a_workload() -> None:
    assert located(f"apiVersion: v1\nkind: Service\nspec: {{template: {{spec: {SPEC}}}}}\n") == []


def test_configured_kind_and_list_unrolling() -> None:
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        f"  - {{apiVersion: example.com/v1, kind: Widget, spec: {{pod: {{spec: {SPEC}}}}}}}\n"
        f"  - {{apiVersion: v1, kind: Pod, spec: {SPEC}}}\n"
        "  - 42\n"
    )
    custom = (CustomPodPath("Widget", ("spec", "pod", "spec"), "example.com/v1"),)
    assert located(text, custom) == [
        ("Widget", ("items", 0, "spec", "pod", "spec")),
        ("Pod", ("items", 1, "spec")),
    ]
    assert located(text) == [("Pod", ("items", 1, "spec"))]


def test_container_model() -> None:
    text = (
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n"
        "      restartPolicy: Never\n"
        "      initContainers: [{name: i, image: x}, {name: s, image: x, restartPolicy: Always},"
        " {name: nn, image: x, restartPolicy: Never}]\n"
        "      containers: [{name: a, image: x}]\n"
        "      ephemeralContainers: [{name: e, image: x}]\n"
    )
    doc = parse_text(text, "f").documents[0]
    (obj,) = iter_objects(doc)
    workload = workload_for(obj)
    assert workload is not None and workload.batch
    pod = locate(obj, workload)
    assert pod is not None
    assert [(c.name, c.role) for c in pod.all_containers] == [
        ("i", Role.INIT),
        ("s", Role.SIDECAR),
        ("nn", Role.INIT),
        ("a", Role.APP),
        ("e", Role.EPHEMERAL),
    ]
    assert [c.name for c in pod.sidecars] == ["s"]
    assert [c.name for c in pod.regular_init_containers] == ["i", "nn"]
    assert pod.sidecars[0].path == ("spec", "template", "spec", "initContainers", 1)
    assert pod.runs_to_completion and pod.restart_policy == "Never"
    assert doc.span((*pod.sidecars[0].path, "name")).line == 8
    assert pod.obj.ref.name == "j" and pod.obj.ref.namespace is None


def test_partial_objects() -> None:
    def partial(text: str) -> bool:
        doc = parse_text(text, "f").documents[0]
        (obj,) = iter_objects(doc)
        workload = workload_for(obj)
        return is_partial(obj, workload, locate(obj, workload) if workload else None)

    base = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
    assert partial(base + "spec: {replicas: 3}\n")  # no pod spec at all
    assert partial(base + "spec: {template: {spec: {containers: [{name: a, env: []}]}}}\n")
    assert partial(
        base + "spec: {selector: {}, template: {metadata: {labels: {a: b}}, spec: {"
        "containers: [{name: a, image: x, env: [{$patch: replace}]}]}}}\n"
    )
    assert not partial(
        base + "spec: {selector: {matchLabels: {a: b}}, template: {metadata: "
        "{labels: {a: b}}, spec: {containers: [{name: a, image: x}]}}}\n"
    )


# --- exact readings, one behaviour per case ---------------------------------------------


def _obj(text: str) -> object:
    doc = parse_text(text, "f").documents[0]
    (obj,) = iter_objects(doc)
    return obj


def _pod(text: str) -> Pod:
    obj = _obj(text)
    workload = workload_for(obj)  # type: ignore[arg-type]
    assert workload is not None
    pod = locate(obj, workload)  # type: ignore[arg-type]
    assert pod is not None
    return pod


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("spec.template.spec", ("spec", "template", "spec")),
        ("spec.jobs[0].template.spec", ("spec", "jobs", 0, "template", "spec")),
        ("a[1][2].b", ("a", 1, 2, "b")),
    ],
)
def test_parse_dotted_path(text: str, path: tuple[object, ...]) -> None:
    assert parse_dotted_path(text) == path


@pytest.mark.parametrize(
    ("text", "error"),
    [("spec..x", "empty segment"), ("spec.a[x]", "bad index [x]"), ("", "empty segment")],
)
def test_parse_dotted_path_errors(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=re.escape(error)):
        parse_dotted_path(text)


def test_container_fields() -> None:
    pod = _pod(
        "apiVersion: v1\nkind: Pod\nmetadata: {generateName: p-}\nspec:\n"
        "  initContainers: [{image: x, restartPolicy: Always}, junk, {name: 7, image: 8}]\n"
        "  containers: [{image: x, command: [a, 1, null], args: [b]}]\n"
        "  ephemeralContainers: [{image: x}]\n"
    )
    side, odd = pod.init_containers
    app = pod.containers[0]
    assert side.label == "initContainers[0]" and side.list_name == "initContainers"
    assert odd.label == "initContainers[2]" and odd.index == 2 and odd.name is None
    assert odd.image == "" and odd.role is Role.INIT
    assert app.label == "containers[0]" and app.list_name == "containers"
    assert app.command == ["a", "1"] and app.args == ["b"] and app.argv == ("a", "1", "b")
    assert pod.ephemeral_containers[0].label == "ephemeralContainers[0]"
    assert pod.obj.ref.name == "p-"
    assert app.items("ports") == [] and app.items("command") == []


def test_container_items_skip_junk_and_are_built_once() -> None:
    pod = _pod(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
        "  containers:\n"
        "    - {name: a, image: x, ports: [junk, {containerPort: 1}, 2, {containerPort: 3}]}\n"
    )
    c = pod.containers[0]
    first = c.items("ports")
    assert first == [(1, {"containerPort": 1}), (3, {"containerPort": 3})]
    assert c.items("ports") is first
    calls: list[int] = []

    def compute(container: object) -> int:
        calls.append(1)
        return len(calls)

    assert c.derived(compute) == 1 and c.derived(compute) == 1 and calls == [1]


@pytest.mark.parametrize(
    ("head", "policy", "effective", "completes"),
    [
        ("apiVersion: v1\nkind: Pod\n", None, "Always", False),
        ("apiVersion: v1\nkind: Pod\n", "Never", "Never", True),
        ("apiVersion: v1\nkind: Pod\n", "OnFailure", "OnFailure", True),
        ("apiVersion: v1\nkind: Pod\n", "Always", "Always", False),
        ("apiVersion: v1\nkind: Pod\n", "7", "7", False),
    ],
)
def test_pod_restart_policy(head: str, policy: str | None, effective: str, completes: bool) -> None:
    line = f"  restartPolicy: {policy!s}\n" if policy is not None else ""
    pod = _pod(
        head + "metadata: {name: p}\nspec:\n" + line + "  containers: [{name: a, image: x}]\n"
    )
    assert pod.restart_policy == (None if policy in (None, "7") else policy)
    assert pod.effective_restart_policy == (effective if policy != "7" else "Always")
    assert pod.runs_to_completion is completes


def test_template_metadata_and_volumes() -> None:
    pod = _pod(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, labels: {x: y}}\n"
        "spec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n"
        "      containers: [{name: a, image: x}]\n"
        "      volumes:\n"
        "        [{name: v, emptyDir: {}}, junk, {name: 3}, {name: v, hostPath: {}}, {name: w}]\n"
    )
    assert pod.template_path == ("spec", "template")
    assert pod.template_metadata == {"labels": {"app": "web"}}
    assert pod.volumes == {"v": (0, {"name": "v", "emptyDir": {}}), "w": (4, {"name": "w"})}
    bare = _pod(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {a: b}}\nspec: {containers: []}\n"
    )
    assert bare.template_metadata == {"name": "p", "labels": {"a": "b"}}
    assert bare.volumes == {}
    odd = _pod(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
        "spec:\n  template:\n    metadata: 7\n    spec: {containers: []}\n"
    )
    assert odd.template_metadata == {}


def test_object_fields() -> None:
    obj = _obj("apiVersion: 7\nkind: 8\nmetadata: [x]\n")
    assert obj.api_version is None and obj.kind is None and obj.metadata == {}  # type: ignore[attr-defined]
    assert obj.group == ""  # type: ignore[attr-defined]
    grouped = _obj("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: 7, namespace: ns}\n")
    assert grouped.group == "apps"  # type: ignore[attr-defined]
    ref = grouped.ref  # type: ignore[attr-defined]
    assert (ref.api_version, ref.kind, ref.name, ref.namespace) == (
        "apps/v1",
        "Deployment",
        None,
        "ns",
    )
    assert is_kubernetes({"apiVersion": "v1", "kind": "Pod"})
    assert not is_kubernetes({"apiVersion": "v1"}) and not is_kubernetes({"kind": "Pod"})
    assert not is_kubernetes(["apiVersion", "kind"])


def test_nested_lists_keep_their_order() -> None:
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - apiVersion: v1\n    kind: PodList\n    items:\n"
        "      - {apiVersion: v1, kind: Pod, metadata: {name: a}}\n"
        "      - {apiVersion: v1, kind: Pod, metadata: {name: b}}\n"
        "  - {apiVersion: v1, kind: Pod, metadata: {name: c}}\n"
        "  - {apiVersion: v1, kind: Widget, items: [1]}\n"
        "  - {apiVersion: v1, kind: ConfigList, items: 7}\n"
        "  - {apiVersion: v1, kind: EmptyList, items: [1, 2]}\n"
    )
    doc = parse_text(text, "f").documents[0]
    assert [(o.path, o.kind) for o in iter_objects(doc)] == [
        (("items", 0, "items", 0), "Pod"),
        (("items", 0, "items", 1), "Pod"),
        (("items", 1), "Pod"),
        (("items", 2), "Widget"),
        (("items", 3), "ConfigList"),
    ]


@pytest.mark.parametrize(
    ("api_version", "kind", "workload"),
    [
        ("serving.knative.dev/v1", "Service", "Service"),
        ("v1", "Service", None),
        ("serving.knative.dev/v1", "Configuration", "Configuration"),
        ("other.dev/v1", "Configuration", None),
        ("extensions/v1beta1", "Deployment", "Deployment"),
        ("batch/v1", "Deployment", None),
        ("keda.sh/v1alpha1", "ScaledJob", "ScaledJob"),
        ("v1", "Unknown", None),
    ],
)
def test_workload_by_group(api_version: str, kind: str, workload: str | None) -> None:
    obj = _obj(f"apiVersion: {api_version}\nkind: {kind}\n")
    found = workload_for(obj)  # type: ignore[arg-type]
    assert (found.kind if found else None) == workload


def test_custom_pod_paths() -> None:
    obj = _obj("apiVersion: example.com/v1\nkind: Widget\n")
    any_version = CustomPodPath("Widget", ("spec",), batch=True)
    found = workload_for(obj, (any_version,))  # type: ignore[arg-type]
    assert found is not None and found.batch and not found.builtin
    assert found.restart_policies == ("OnFailure", "Never") and found.pod_path == ("spec",)
    assert (found.kind, found.groups, found.server_validated) == ("Widget", (), True)
    plain = workload_for(obj, (CustomPodPath("Widget", ("spec",)),))  # type: ignore[arg-type]
    assert plain is not None and plain.restart_policies is None and not plain.batch
    other = CustomPodPath("Widget", ("spec",), api_version="example.com/v2")
    assert workload_for(obj, (other,)) is None  # type: ignore[arg-type]
    assert workload_for(_obj("apiVersion: v1\nkind: 7\n"), (any_version,)) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "spec",
    [
        "spec: {jobs: [{template: {spec: {containers: []}}}]}",
        "spec: {jobs: []}",
        "spec: {jobs: {a: 1}}",
        "spec: {jobs: [{template: 7}]}",
        "spec: {jobs: [{template: {spec: [1]}}]}",
    ],
)
def test_locate_walks_indexes(spec: str) -> None:
    obj = _obj(f"apiVersion: example.com/v1\nkind: Multi\n{spec}\n")
    custom = (CustomPodPath("Multi", ("spec", "jobs", 0, "template", "spec")),)
    workload = workload_for(obj, custom)  # type: ignore[arg-type]
    assert workload is not None
    pod = locate(obj, workload)  # type: ignore[arg-type]
    if spec.startswith("spec: {jobs: [{template: {spec: {"):
        assert pod is not None and pod.path == ("spec", "jobs", 0, "template", "spec")
    else:
        assert pod is None


def test_patch_keys() -> None:
    assert all(is_patch_key(k) for k in PATCH_DIRECTIVES)
    assert is_patch_key("$setElementOrder/containers")
    assert not is_patch_key("patch") and not is_patch_key("x$patch")


def _partial(text: str) -> bool:
    doc = parse_text(text, "f").documents[0]
    (obj,) = iter_objects(doc)
    workload = workload_for(obj)
    return is_partial(obj, workload, locate(obj, workload) if workload else None)


@pytest.mark.parametrize(
    ("text", "partial"),
    [
        # kustomize inputs: an apps workload without selector and template labels
        (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
            "spec: {template: {spec: {containers: [{name: a, image: x}]}}}\n",
            True,
        ),
        (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
            "spec: {selector: {}, template: {spec: {containers: [{name: a, image: x}]}}}\n",
            False,
        ),
        (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
            "spec: {template: {metadata: {labels: {a: b}},"
            " spec: {containers: [{name: a, image: x}]}}}\n",
            False,
        ),
        (
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n"
            "spec: {template: {spec: {containers: [{name: a, image: x}]}}}\n",
            False,
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
            "spec: {containers: [{name: a, image: x}]}\n",
            False,
        ),
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a}]}\n", True),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
            "spec: {initContainers: [{name: i, image: x}], containers: [{name: a}]}\n",
            False,
        ),
        # a patch directive anywhere
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
            "spec: {containers: [{name: a, image: x, $patch: delete}]}\n",
            True,
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
            "spec: {containers: [{name: a, image: x, env: [[{$patch: replace}]]}]}\n",
            True,
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {x$patch: 1, 3: 4}}\n"
            "spec: {containers: [{name: a, image: x}]}\n",
            False,
        ),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", False),
    ],
)
def test_partial_objects_exactly(text: str, partial: bool) -> None:
    assert _partial(text) is partial
