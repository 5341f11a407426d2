"""Helper detection: is this app or regular init container really a long-running helper?

Signals, strongest first: a known sidecar image (:mod:`sidecarlint.images`), a known helper
name, a command that never terminates on its own while another container does the work,
and what the container does (:mod:`sidecarlint.activity`): it only follows a file another
container writes, or only forwards a port another container connects to. Every finding
that relies on this says which signal matched.

Three kinds of container are never helpers: the injectors' one-shot set-up containers
(they reuse proxy images but exit), an injector's override stub (``istio-proxy`` with
``image: auto`` or no image: the injector decides where the proxy goes), and, in a
long-running workload, the proxy that *is* the workload (an Istio gateway's
``proxy router``, an Envoy that serves the Pod's own traffic rather than another
container's).
"""

from __future__ import annotations

import fnmatch
import re

from sidecarlint import images
from sidecarlint.activity import activity, flows
from sidecarlint.finding import excerpt
from sidecarlint.images import image_name
from sidecarlint.locate import Container, Pod, Role
from sidecarlint.records import FrozenRecord
from sidecarlint.registry import Options
from sidecarlint.shell import commands, runs_forever, script_of

#: Long-running helper images: the catalog entries marked ``helper``.
KNOWN_IMAGES: dict[str, str] = {e.label: e.pattern for e in images.CATALOG if e.helper}
#: Network proxies: the sidecars other containers' traffic goes through.
PROXIES = frozenset(
    [images.ISTIO, images.ENVOY, images.LINKERD, images.CLOUD_SQL, images.GCE_PROXY]
)

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
#: The containers injectors add, by name: a container of that name written in the
#: manifest without an image (or with ``image: auto``) only overrides fields of the one the
#: injector adds.
INJECTED_NAMES = frozenset(["istio-proxy", "linkerd-proxy", "vault-agent", "daprd"])
#: Injector set-up containers: same images as the proxies, but they run once and exit.
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


def known_image(image: str, options: Options = _DEFAULT) -> str | None:
    """The label of a known helper image (or a configured pattern), else None."""
    entry = images.lookup(image) if image else None
    if entry is not None and entry.helper:
        return "Cloud SQL Auth Proxy" if entry.label == images.GCE_PROXY else entry.label
    if options.sidecar_images:
        name = image_name(image)
        for pattern in options.sidecar_images:
            if fnmatch.fnmatch(image, pattern) or fnmatch.fnmatch(name, pattern):
                return f"image pattern '{excerpt(pattern)}'"
    return None


def is_one_shot(container: Container, pod: Pod) -> bool:
    """An injector's set-up container, a command that is plainly a one-shot, or a
    well-known image run in its one-shot mode (``cloud-sql-proxy wait``, ``git-sync
    --one-time``: see the image readers of :mod:`sidecarlint.activity`)."""
    if (container.name or "") in ONE_SHOT_NAMES:
        return True
    if _ONE_SHOT_ARGS.search(" ".join(container.argv)):
        return True
    return activity(pod, container).one_shot


#: The container each injector adds, and the annotation it marks the Pod with when it has.
INJECTED_BY: dict[str, tuple[str, str, str | None]] = {  # pragma: no mutate
    "istio-proxy": ("Istio", "sidecar.istio.io/status", None),
    "linkerd-proxy": ("Linkerd", "linkerd.io/proxy-version", None),
    "vault-agent": ("Vault agent injector", "vault.hashicorp.com/agent-inject-status", "injected"),
}


def injected_by(container: Container, pod: Pod) -> str | None:
    """The injector that added ``container`` to the Pod (its name is the injector's and
    the pod template carries the annotation the injector sets), else None."""
    found = INJECTED_BY.get(container.name or "")
    if found is None:
        return None
    injector, key, value = found
    annotations = pod.template_metadata.get("annotations")
    if not isinstance(annotations, dict) or key not in annotations:
        return None
    return injector if value is None or annotations[key] == value else None


def is_stub(container: Container) -> bool:
    """An injector's override stub: a container named like the one the injector adds, with
    no image of its own (or ``image: auto``, Istio's placeholder)."""
    return (container.name or "") in INJECTED_NAMES and container.image in ("", "auto")


class HelperMatch(FrozenRecord):
    """Why a container is taken for a long-running helper."""

    signal: str  # "image", "name", "command" or "role"
    detail: str

    def __init__(self, signal: str, detail: str) -> None:
        self.signal = signal
        self.detail = detail

    def describe(self) -> str:
        if self.signal == "image":
            return f"its image is a known sidecar ({excerpt(self.detail)})"
        if self.signal == "name":
            return f"its name matches the helper pattern '{excerpt(self.detail)}'"
        if self.signal == "role":
            return self.detail
        return f"its command never exits ({self.detail})"


def _name_match(name: str, options: Options) -> str | None:
    for pattern in (*KNOWN_NAMES, *options.sidecar_names):
        if fnmatch.fnmatchcase(name, pattern):
            return pattern
    return None


def helper_match(container: Container, pod: Pod, options: Options = _DEFAULT) -> HelperMatch | None:
    """Whether an app or regular init container is really a long-running helper."""
    if container.role is Role.APP and len(pod.containers) < 2:
        return None  # a single app container is the main work
    if is_one_shot(container, pod) or is_stub(container) or _is_the_workload(container, pod):
        return None
    if container.role is Role.APP and not pod.runs_to_completion and workload_proxy(container, pod):
        return None
    label = known_image(container.image, options)
    if label == images.VAULT and container.role is Role.INIT:
        return None  # the documented pre-populate step (exit_after_auth): it exits
    if label == images.VAULT and not _vault_agent(container):
        label = None  # the same image runs the Vault server
    if label is not None:
        return HelperMatch("image", label)
    pattern = _name_match(container.name or "", options)
    if pattern is not None:
        return HelperMatch("name", pattern)
    forever = runs_forever(container.argv)
    if forever is not None and _others_do_work(container, pod, options):
        return HelperMatch("command", forever)
    role = helper_role(container, pod)
    if role is not None:
        return HelperMatch("role", role)
    return None


def helper_role(container: Container, pod: Pod) -> str | None:
    """What makes ``container`` a helper of another container by what it does, if it only
    follows a file another container writes, or only forwards a port another container
    connects to."""
    mine = activity(pod, container)
    if mine.writes or not (mine.reads or mine.listens):
        return None
    followed = [
        flow
        for flow in flows(pod)
        if flow.reader is container and flow.read.follows and flow.writer is not container
    ]
    if followed and all(use.follows for use in mine.reads) and not mine.listens:
        flow = followed[0]
        return f"it only follows {excerpt(flow.path)}, which {flow.writer.label} writes"
    for use in mine.listens:
        if use.evidence != "socat TCP-LISTEN":
            continue
        for other in (*pod.init_containers, *pod.containers):
            if other is not container and use.port in activity(pod, other).connect_ports:
                return f"it only forwards port {use.port} (socat), which {other.label} connects to"
    return None


def workload_proxy(container: Container, pod: Pod) -> str | None:
    """Why a proxy among the app containers is the workload itself, not a helper: an Istio
    gateway (``proxy router``), or an Envoy that no other container of the Pod goes
    through (nothing connects to its ports, its configuration forwards to none of theirs)."""
    entry = images.lookup(container.image) if container.image else None
    label = entry.label if entry else None
    if label == images.ISTIO:
        words = [w for w in container.args if not w.startswith("-")]
        return "an Istio gateway (proxy router)" if words[:2] == ["proxy", "router"] else None
    if label != images.ENVOY and not (label is None and container.name == "envoy"):
        return None
    mine = activity(pod, container)
    others = [c for c in (*pod.init_containers, *pod.containers) if c is not container]
    own = mine.listen_ports
    for other in others:
        theirs = activity(pod, other)
        if theirs.connect_ports & own:
            return None
        if {use.port for use in mine.forwards} & (theirs.listen_ports - own):
            return None
    return "an Envoy that no other container of the Pod goes through"


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
    """Another app container does the main work (it is not itself a forever-loop helper, nor
    a helper by what it does)."""
    for other in pod.containers:
        if other is container:
            continue
        if known_image(other.image, options) or _name_match(other.name or "", options):
            continue
        if helper_role(other, pod) is not None:
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
        ("istio-proxy", images.ISTIO),
        ("linkerd-proxy", images.LINKERD),
        ("cloud-sql-proxy", images.CLOUD_SQL),
        ("envoy", images.ENVOY),
    ):
        if name == proxy_name:
            return proxy
    return None


__all__ = [
    "HelperMatch",
    "commands",
    "helper_match",
    "helper_role",
    "image_name",
    "injected_by",
    "is_stub",
    "known_image",
    "proxy_label",
    "script_of",
    "workload_proxy",
]
