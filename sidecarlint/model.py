"""How the target Kubernetes runs a located Pod: the one model behind ``check`` and
``explain-pod``.

Which declared sidecars really are sidecars on the target (1.29+, or 1.28 with
``SidecarContainers``; elsewhere the API server drops ``restartPolicy: Always`` or does not
know it, and the container runs as a regular init container), what keeps the Pod in ``Init``
(an init container that never exits, one that needs a sidecar declared after it), and what
keeps a run-to-completion Pod from completing (a helper among the app containers, an app
container the kubelet restarts forever). The rules report these situations
(``native-sidecar-unsupported``, ``blocking-init-container``, ``init-before-sidecar``,
``sidecar-blocks-job-completion``, ``app-container-restart-policy``) and ``explain-pod``
shows them, from the same :class:`Blocker` records.
"""

from __future__ import annotations

import weakref

from sidecarlint.finding import excerpt
from sidecarlint.helpers import HelperMatch, helper_match
from sidecarlint.locate import Container, Pod
from sidecarlint.records import FrozenRecord
from sidecarlint.registry import RuleContext
from sidecarlint.shell import file_access

#: The app tells the helper to exit (the pre-native workaround, e.g. Istio's /quitquitquit).
SHUTDOWN_SIGNALS = ("quitquitquit", "/shutdown", "/v1.0/shutdown")

NEVER_EXITS = "never-exits"
NEEDS_LATER_SIDECAR = "needs-later-sidecar"
NEVER_COMPLETES = "never-completes"


class Blocker(FrozenRecord):
    """A container that keeps the Pod from starting its work, or from completing."""

    container: Container
    #: :data:`NEVER_EXITS`, :data:`NEEDS_LATER_SIDECAR` or :data:`NEVER_COMPLETES`.
    kind: str
    #: Why, in words (``its command never exits (tail -F)``).
    reason: str
    #: The rule that reports it.
    code: str
    #: The helper signal behind a ``never-exits``/``never-completes`` verdict, if any.
    match: HelperMatch | None
    #: The later sidecar a ``needs-later-sidecar`` container needs, and what for
    #: (``connects to localhost:8200``, ``reads /shared/token``).
    needs: Container | None
    detail: str | None

    def __init__(
        self,
        container: Container,
        kind: str,
        reason: str,
        code: str,
        match: HelperMatch | None = None,
        needs: Container | None = None,
        detail: str | None = None,
    ) -> None:
        self.container = container
        self.kind = kind
        self.reason = reason
        self.code = code
        self.match = match
        self.needs = needs
        self.detail = detail


class PodModel:
    """What the target does with one Pod (built once per pod and target: :func:`model`)."""

    def __init__(self, pod: Pod, ctx: RuleContext) -> None:
        # The pod keeps its model (:func:`model`): a weak reference back keeps the two out of
        # a reference cycle, so a checked pod is freed at once, not by the garbage collector.
        self._pod = weakref.ref(pod)
        self.ctx = ctx
        #: Declared sidecars run as sidecars on the target.
        self.native = ctx.native_sidecars
        self.blockers: list[Blocker] = [
            *self._start_blockers(),
            *self._completion_blockers(),
        ]

    @property
    def pod(self) -> Pod:
        pod = self._pod()
        assert pod is not None  # pragma: no mutate (the pod holds its model)
        return pod

    def runs_as_sidecar(self, container: Container) -> bool:
        return container.is_sidecar and self.native

    def blocker(self, container: Container, *kinds: str) -> Blocker | None:
        """The first blocker of ``container`` (of one of ``kinds``, when given)."""
        for b in self.blockers:
            if b.container is container and (not kinds or b.kind in kinds):
                return b
        return None

    def of_rule(self, code: str) -> list[Blocker]:
        return [b for b in self.blockers if b.code == code]

    @property
    def stuck_in_init(self) -> bool:
        return any(b.kind != NEVER_COMPLETES for b in self.blockers)

    def _start_blockers(self) -> list[Blocker]:
        pod, ctx = self.pod, self.ctx
        out: list[Blocker] = []
        for i, c in enumerate(pod.init_containers):
            if c.is_sidecar and not self.native:
                why = (
                    f"Kubernetes {ctx.version} does not know restartPolicy on init containers"
                    if ctx.minor < 28
                    else f"Kubernetes {ctx.version} drops restartPolicy: Always "
                    "(SidecarContainers is off)"
                )
                out.append(
                    Blocker(
                        c,
                        NEVER_EXITS,
                        f"declared as a sidecar, but {why}: it runs as a regular init "
                        "container and never exits",
                        "SCL101",
                    )
                )
                continue
            if c.is_sidecar:
                continue
            match = helper_match(c, pod, ctx.options)
            if match is not None:
                out.append(Blocker(c, NEVER_EXITS, match.describe(), "SCL104", match=match))
            for sidecar, what in self._later_sidecars(i, c):
                out.append(
                    Blocker(
                        c,
                        NEEDS_LATER_SIDECAR,
                        f"it {what}, which sidecar {sidecar.label} provides, but "
                        f"{sidecar.label} is declared after it and has not started",
                        "SCL301",
                        needs=sidecar,
                        detail=what,
                    )
                )
        return out

    def _later_sidecars(self, i: int, init: Container) -> list[tuple[Container, str]]:
        """Sidecars declared after ``init`` that ``init`` needs, and how it needs each."""
        # Imported here: the rules import this module while sidecarlint.checks loads.
        from sidecarlint.checks._pod import local_connections, own_ports

        order = self.pod.init_containers
        later = [c for c in order[i + 1 :] if c.is_sidecar]
        if not later:
            return []
        found: list[tuple[Container, str]] = []
        connects = local_connections(init)
        earlier_ports = {p for c in order[:i] if c.is_sidecar for p in own_ports(c)}
        reads = file_access(init.argv)[1]
        for sidecar in later:
            ports = sorted((connects & own_ports(sidecar)) - earlier_ports)
            if ports:
                found.append((sidecar, f"connects to localhost:{ports[0]}"))
                continue
            written = set(file_access(sidecar.argv)[0])
            others = {
                w
                for c in self.pod.all_containers
                if c is not sidecar
                for w in file_access(c.argv)[0]
            }
            needed = sorted(r for r in reads if r in written and r not in others)
            if needed:
                found.append((sidecar, f"reads {excerpt(needed[0])}"))
        return found

    def _completion_blockers(self) -> list[Blocker]:
        pod, ctx = self.pod, self.ctx
        if not pod.runs_to_completion:
            return []
        out: list[Blocker] = []
        handshake = _shutdown_handshake(pod)
        for c in pod.containers:
            match = None if handshake else helper_match(c, pod, ctx.options)
            if match is not None:
                out.append(
                    Blocker(
                        c,
                        NEVER_COMPLETES,
                        f"it looks like a long-running helper ({match.describe()}) and keeps "
                        "running after the work is done",
                        "SCL102",
                        match=match,
                    )
                )
            if c.data.get("restartPolicy") == "Always" and ctx.gate("ContainerRestartRules"):
                out.append(
                    Blocker(
                        c,
                        NEVER_COMPLETES,
                        "its restartPolicy is Always: the kubelet restarts it whenever it exits",
                        "SCL011",
                    )
                )
        return out


def _shutdown_handshake(pod: Pod) -> bool:
    return any(
        signal in word for c in pod.all_containers for word in c.argv for signal in SHUTDOWN_SIGNALS
    )


def model(pod: Pod, ctx: RuleContext) -> PodModel:
    """The model of ``pod`` on ``ctx``'s target, built once and shared by every rule."""
    found: PodModel | None = pod.__dict__.get("_model")
    if found is None or found.ctx is not ctx:
        found = pod.__dict__["_model"] = PodModel(pod, ctx)
    return found
