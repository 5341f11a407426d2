"""Helper detection: is this app or regular init container really a long-running helper?

Signals, strongest first: a known sidecar image, a known helper name, a command that never
terminates on its own. Every finding that relies on this says which signal matched. The
injectors' one-shot set-up containers reuse proxy images but exit (semantics notes §9), so
they are recognised first and never count as helpers.
"""

from __future__ import annotations

import fnmatch
import re

from sidecarlint.finding import excerpt
from sidecarlint.locate import Container, Pod
from sidecarlint.records import FrozenRecord
from sidecarlint.registry import Options
from sidecarlint.shell import commands, runs_forever, script_of

#: Long-running helper images (matched against the image without registry host and tag).
KNOWN_IMAGES: dict[str, str] = {
    "Istio proxy": r"(^|/)istio/proxyv2$|(^|/)proxyv2$|(^|/)istio/proxy_debug$",
    "Envoy": r"(^|/)envoyproxy/envoy[^/]*$|(^|/)envoy$",
    "Linkerd proxy": r"(^|/)linkerd/proxy$",
    "Vault agent": r"(^|/)hashicorp/vault(-enterprise)?$|(^|/)vault$",
    "Cloud SQL Auth Proxy": r"cloud-sql-proxy$|cloudsql-docker/gce-proxy$|(^|/)gce-proxy$",
    "Fluent Bit": r"fluent-bit$",
    "Fluentd": r"fluentd[^/]*$",
    "Filebeat": r"(^|/)filebeat(-oss)?$",
    "Promtail": r"(^|/)promtail$",
    "Vector": r"(^|/)vector$",
    "OpenTelemetry Collector": r"opentelemetry-collector[^/]*$|(^|/)otelcol[^/]*$",
    "Datadog agent": r"(^|/)datadog/agent$|datadoghq/agent$",
    "Dapr sidecar": r"(^|/)daprd$",
    "OAuth2 Proxy": r"oauth2-proxy$",
}
_IMAGE_RES = {label: re.compile(pattern) for label, pattern in KNOWN_IMAGES.items()}
#: Network proxies: the sidecars other containers' traffic goes through.
PROXIES = frozenset(["Istio proxy", "Envoy", "Linkerd proxy", "Cloud SQL Auth Proxy"])

_DEFAULT = Options()

KNOWN_NAMES = (
    "istio-proxy",
    "linkerd-proxy",
    "vault-agent",
    "cloud-sql-proxy",
    "cloudsql-proxy",
    "daprd",
    "otc-container",
    "envoy",
    "*-sidecar",
    "sidecar",
)
#: Injector set-up containers: same images as the proxies, but they exit (notes §9).
ONE_SHOT_NAMES = frozenset(
    [
        "istio-init",
        "istio-validation",
        "linkerd-init",
        "linkerd-network-validator",
        "vault-agent-init",
    ]
)
_ONE_SHOT_ARGS = re.compile(
    r"istio-iptables|--run-validation|proxy-init|--incoming-proxy-port|--connect-addr|"
    r"exit_after_auth|-exit-after-auth|--version\b|\bversion\b|--help\b"
)


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


def known_image(image: str, options: Options = _DEFAULT) -> str | None:
    """The label of a known helper image (or a configured pattern), else None."""
    name = image_name(image)
    for label, regex in _IMAGE_RES.items():
        if regex.search(name):
            return label
    for pattern in options.sidecar_images:
        if fnmatch.fnmatch(image, pattern) or fnmatch.fnmatch(name, pattern):
            return f"image pattern '{pattern}'"
    return None


def is_one_shot(container: Container) -> bool:
    """An injector's set-up container, or a command that is plainly a one-shot."""
    if (container.name or "") in ONE_SHOT_NAMES:
        return True
    return bool(_ONE_SHOT_ARGS.search(" ".join(container.argv)))


class HelperMatch(FrozenRecord):
    """Why a container is taken for a long-running helper."""

    signal: str  # "image", "name" or "command"
    detail: str

    def __init__(self, signal: str, detail: str) -> None:
        self.signal = signal
        self.detail = detail

    def describe(self) -> str:
        if self.signal == "image":
            return f"its image is a known sidecar ({excerpt(self.detail)})"
        if self.signal == "name":
            return f"its name matches the helper pattern '{excerpt(self.detail)}'"
        return f"its command never exits ({self.detail})"


def _name_match(name: str, options: Options) -> str | None:
    for pattern in (*KNOWN_NAMES, *options.sidecar_names):
        if fnmatch.fnmatchcase(name, pattern):
            return pattern
    return None


def helper_match(container: Container, pod: Pod, options: Options = _DEFAULT) -> HelperMatch | None:
    """Whether an app or regular init container is really a long-running helper."""
    if container.role.value == "app" and len(pod.containers) < 2:
        return None  # a single app container is the main work
    if is_one_shot(container) or _is_the_workload(container, pod):
        return None
    label = known_image(container.image, options)
    if label == "Vault agent" and container.role.value == "init":
        return None  # the documented pre-populate step (exit_after_auth): it exits
    if label == "Vault agent" and not _vault_agent(container):
        label = None  # the same image runs the Vault server
    if label is not None:
        return HelperMatch("image", label)
    pattern = _name_match(container.name or "", options)
    if pattern is not None:
        return HelperMatch("name", pattern)
    forever = runs_forever(container.argv)
    if forever is not None and _others_do_work(container, pod, options):
        return HelperMatch("command", forever)
    return None


def _is_the_workload(container: Container, pod: Pod) -> bool:
    """The container the workload is named after (an Envoy DaemonSet called 'envoy')."""
    name = container.name
    if not name:
        return False
    owner = pod.obj.ref.name or ""
    app = pod.template_metadata.get("labels", {})
    app_name = (
        app.get("app") or app.get("app.kubernetes.io/name") if isinstance(app, dict) else None
    )
    return name in (owner, app_name) or owner.endswith(f"-{name}") or owner.startswith(f"{name}-")


def _vault_agent(container: Container) -> bool:
    # The Vault image also runs the server: only 'vault agent' is a helper.
    return "agent" in container.argv or (container.name or "").startswith("vault-agent")


def _others_do_work(container: Container, pod: Pod, options: Options) -> bool:
    """Another app container does the main work (it is not itself a forever-loop helper)."""
    for other in pod.containers:
        if other is container:
            continue
        if known_image(other.image, options) or _name_match(other.name or "", options):
            continue
        if runs_forever(other.argv) is None or not other.argv:
            return True
    return False


def proxy_label(container: Container, options: Options = _DEFAULT) -> str | None:
    """The proxy kind of a network-proxy container, else None."""
    label = known_image(container.image, options)
    if label in PROXIES:
        return label
    name = container.name or ""
    for proxy_name, proxy in (
        ("istio-proxy", "Istio proxy"),
        ("linkerd-proxy", "Linkerd proxy"),
        ("cloud-sql-proxy", "Cloud SQL Auth Proxy"),
        ("envoy", "Envoy"),
    ):
        if name == proxy_name:
            return proxy
    return None


__all__ = [
    "HelperMatch",
    "commands",
    "helper_match",
    "image_name",
    "known_image",
    "proxy_label",
    "script_of",
]
