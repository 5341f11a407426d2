"""Locating pod specs in every supported kind, and the container model."""

from __future__ import annotations

import pytest

from sidecarlint.locate import CustomPodPath, Role, is_partial, iter_objects, locate, workload_for
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
