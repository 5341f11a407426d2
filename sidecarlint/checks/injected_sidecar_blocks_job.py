"""SCL401 injected-sidecar-blocks-job: a Job asks an injector for a classic sidecar."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Pod
from sidecarlint.records import FrozenRecord
from sidecarlint.registry import Hit, Rule, RuleContext


class Injector(FrozenRecord):
    name: str
    #: (key, values that request injection); labels and annotations are both read.
    trigger: tuple[str, tuple[str, ...]]
    #: Annotations that turn native mode on (any of them, value "true").
    native: tuple[str, ...]
    #: The annotation to add, and the versions that honour it.
    fix: str | None
    versions: str

    def __init__(
        self,
        name: str,
        trigger: tuple[str, tuple[str, ...]],
        native: tuple[str, ...],
        fix: str | None,
        versions: str,
    ) -> None:
        self.name = name
        self.trigger = trigger
        self.native = native
        self.fix = fix
        self.versions = versions


INJECTORS = (
    Injector(
        "Istio",
        ("sidecar.istio.io/inject", ("true", "enabled")),
        ("sidecar.istio.io/nativeSidecar",),
        'sidecar.istio.io/nativeSidecar: "true"',
        "Istio 1.24+ (automatic from 1.27 when every kubelet is 1.33+) and Kubernetes 1.29+",
    ),
    Injector(
        "Linkerd",
        ("linkerd.io/inject", ("enabled", "ingress")),
        (
            "config.linkerd.io/proxy-enable-native-sidecar",
            "config.beta.linkerd.io/proxy-enable-native-sidecar",
            "config.alpha.linkerd.io/proxy-enable-native-sidecar",
        ),
        'config.alpha.linkerd.io/proxy-enable-native-sidecar: "true"',
        "Linkerd 2.15+ (config.linkerd.io/... from 2.20, where it is the default) and "
        "Kubernetes 1.29+",
    ),
    Injector(
        "Vault agent injector",
        ("vault.hashicorp.com/agent-inject", ("true",)),
        ("vault.hashicorp.com/agent-pre-populate-only",),
        'vault.hashicorp.com/agent-pre-populate-only: "true"',
        "any vault-k8s version (the injector has no native-sidecar mode; pre-populate-only "
        "renders secrets once, in an init container)",
    ),
    Injector(
        "Dapr",
        ("dapr.io/enabled", ("true",)),
        ("dapr.io/enable-native-sidecar",),
        'dapr.io/enable-native-sidecar: "true"',
        "Dapr 1.18+ and Kubernetes 1.29+",
    ),
    Injector(
        "OpenTelemetry operator",
        ("sidecar.opentelemetry.io/inject", ()),
        (),
        None,
        "operator 0.132.0+ injects a native sidecar by itself on API servers 1.29+",
    ),
)


#: Injectors that also inject every Pod of a namespace labelled for it (the Pod's own
#: annotations are then not needed).
NAMESPACE_INJECTORS = ("Istio", "Linkerd")


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    if not pod.workload.batch:
        return
    yield from _requested(pod)
    yield from _opted_out(pod)


def _opted_out(pod: Pod) -> Iterator[Hit]:
    """A Job that turns the injector's native mode off without asking for injection
    itself: in a namespace injected as a whole, it gets the classic sidecar."""
    meta = pod.template_metadata
    annotations = meta.get("annotations")
    labels = meta.get("labels")
    if not isinstance(annotations, dict) or not any(
        isinstance(key, str) and "native" in key for key in annotations
    ):
        return
    for injector in INJECTORS:
        key = injector.trigger[0]
        if injector.name not in NAMESPACE_INJECTORS or key in annotations:
            continue
        if isinstance(labels, dict) and key in labels:
            continue
        for name in injector.native:
            if str(annotations.get(name, "")).lower() != "false":
                continue
            yield Hit(
                (*pod.template_path, "metadata", "annotations", name),
                f"{pod.workload.kind} pods turn off {injector.name}'s native sidecar "
                f'({name}: "false"): in a namespace where {injector.name} injects every Pod, '
                "the proxy is added to containers and they never complete; remove the "
                f'annotation or set it to "true" ({injector.versions})',
                key=True,
            )
            break


def _requested(pod: Pod) -> Iterator[Hit]:
    meta = pod.template_metadata
    meta_path = (*pod.template_path, "metadata")
    for section in ("annotations", "labels"):
        values = meta.get(section)
        if not isinstance(values, dict):
            continue
        for injector in INJECTORS:
            key, on = injector.trigger
            value = values.get(key)
            if value is None:
                continue
            text = str(value).lower()
            if (on and text not in on) or (not on and text == "false"):
                continue
            raw = meta.get("annotations")
            annotations: dict[str, object] = raw if isinstance(raw, dict) else {}
            native = [
                str(annotations.get(n, "")).lower() for n in injector.native if n in annotations
            ]
            if "true" in native:
                continue
            explicit_off = "false" in native
            where = (*meta_path, section, key)
            message = (
                f"{pod.workload.kind} pods get the {injector.name} sidecar in containers "
                f"({excerpt(key)}: {excerpt(str(value))}), so they never complete"
            )
            if explicit_off:
                message += " — native mode is explicitly off"
            if injector.fix:
                message += f"; add the annotation {injector.fix} ({injector.versions})"
            else:
                message += f"; {injector.versions}"
            yield Hit(
                where,
                message,
                key=True,
                severity=Severity.ERROR if explicit_off else None,
                fix=f"Add annotation {injector.fix}" if injector.fix else None,
                fixable=injector.fix is not None and not explicit_off,
            )


RULE = Rule(
    code="SCL401",
    name="injected-sidecar-blocks-job",
    severity=Severity.WARNING,
    summary="A Job asks an injector for a sidecar without its native-sidecar mode",
    check=check,
    fixable=True,
    precision="medium",
)
