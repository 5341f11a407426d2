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

import re
import weakref

from sidecarlint.activity import FileUse, activity, local_urls, same_file
from sidecarlint.finding import excerpt
from sidecarlint.helpers import HelperMatch, helper_match
from sidecarlint.locate import Container, Pod
from sidecarlint.records import FrozenRecord
from sidecarlint.registry import RuleContext
from sidecarlint.shell import Command, commands

#: The app tells the helper to exit (the pre-native workaround, e.g. Istio's /quitquitquit).
SHUTDOWN_SIGNALS = ("quitquitquit", "/shutdown", "/v1.0/shutdown")
#: Programs that make the HTTP request a shutdown signal is sent with.
HTTP_CLIENTS = frozenset(["curl", "wget", "http"])
#: Interpreters whose inline code (``python -c``, ``node -e``) can send the request.
INTERPRETERS = re.compile(r"^(?:python[\d.]*|node|ruby|perl|php)$")

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
    #: The later sidecar a ``needs-later-sidecar`` container needs, and what for, with the
    #: evidence (``connects to localhost:8200 (env VAULT_ADDR)``, ``reads /shared/token
    #: (its command)``).
    needs: Container | None
    detail: str | None
    #: The evidence that the later sidecar provides it (``--port``, ``containerPort``).
    provides: str | None

    def __init__(
        self,
        container: Container,
        kind: str,
        reason: str,
        code: str,
        match: HelperMatch | None = None,
        needs: Container | None = None,
        detail: str | None = None,
        provides: str | None = None,
    ) -> None:
        self.container = container
        self.kind = kind
        self.reason = reason
        self.code = code
        self.match = match
        self.needs = needs
        self.detail = detail
        self.provides = provides


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
            for sidecar, what, provides in self._later_sidecars(i, c):
                stuck = ": it waits forever" if what.startswith("waits") else ""
                out.append(
                    Blocker(
                        c,
                        NEEDS_LATER_SIDECAR,
                        f"it {what}, which sidecar {sidecar.label} provides ({provides}), but "
                        f"{sidecar.label} is declared after it and has not started{stuck}",
                        "SCL301",
                        needs=sidecar,
                        detail=what,
                        provides=provides,
                    )
                )
        return out

    def _later_sidecars(self, i: int, init: Container) -> list[tuple[Container, str, str]]:
        """Sidecars declared after ``init`` that ``init`` needs: each with what ``init``
        does (``connects to localhost:5432 (its command)``) and the evidence that the
        sidecar provides it (``--port``)."""
        pod = self.pod
        order = pod.init_containers
        later = [c for c in order[i + 1 :] if c.is_sidecar]
        if not later:
            return []
        found: list[tuple[Container, str, str]] = []
        mine = activity(pod, init)
        earlier_ports = {
            p for c in order[:i] if c.is_sidecar for p in activity(pod, c).listen_ports
        }
        for sidecar in later:
            theirs = activity(pod, sidecar)
            uses = sorted(
                (use for use in mine.connects if use.port not in earlier_ports),
                key=lambda use: (not use.waits, use.port),
            )
            served = [(use, theirs.listening(use.port)) for use in uses]
            served = [(use, serves) for use, serves in served if serves is not None]
            if served:
                use, serves = served[0]
                assert serves is not None
                verb = "waits for" if use.waits else "connects to"
                found.append(
                    (
                        sidecar,
                        f"{verb} localhost:{use.port} ({use.evidence})",
                        serves.evidence,
                    )
                )
                continue
            needed = [
                (read, write)
                for read in mine.reads
                for write in theirs.writes
                if same_file(write, read) is not None and not self._written_by_others(read, sidecar)
            ]
            if needed:
                read, write = needed[0]
                found.append(
                    (sidecar, f"reads {excerpt(read.path)} ({read.evidence})", write.evidence)
                )
        return found

    def _written_by_others(self, read: FileUse, sidecar: Container) -> bool:
        pod = self.pod
        return any(
            same_file(write, read) is not None
            for c in pod.all_containers
            if c is not sidecar
            for write in activity(pod, c).writes
        )

    def _completion_blockers(self) -> list[Blocker]:
        pod, ctx = self.pod, self.ctx
        if not pod.runs_to_completion:
            return []
        out: list[Blocker] = []
        calls: list[tuple[Container, Command, int | None]] | None = None
        for c in pod.containers:
            match = helper_match(c, pod, ctx.options)
            if match is not None and calls is None:
                calls = shutdown_calls(pod)
            if match is not None and not any(_tells(pod, c, port) for _, _, port in calls or ()):
                reason = (
                    f"it looks like a long-running helper ({match.describe()}) and keeps "
                    "running after the work is done"
                )
                unsent = unsent_shutdown(pod)
                if unsent is not None:
                    reason += f"; {unsent}"
                out.append(
                    Blocker(c, NEVER_COMPLETES, reason, "SCL102", match=match, detail=unsent)
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


def _signal(word: str) -> bool:
    return any(signal in word for signal in SHUTDOWN_SIGNALS)


def shutdown_calls(pod: Pod) -> list[tuple[Container, Command, int | None]]:
    """The commands of app containers that tell a helper to exit, as the shell runs them,
    with the local port each one calls (None when it names none): an HTTP client on a
    shutdown endpoint (``curl -X POST localhost:15020/quitquitquit``), inline code that
    calls one, the Cloud SQL Auth Proxy's ``shutdown`` subcommand, ``linkerd-await
    --shutdown``."""
    out: list[tuple[Container, Command, int | None]] = []
    for c in pod.containers:
        for cmd in commands(c.argv):
            program, args = cmd.program, cmd.args
            port: int | None = None
            if program in HTTP_CLIENTS or INTERPRETERS.match(program):
                words = [w for w in args if _signal(w)]
                if not words:
                    continue
                ports = local_urls(" " + words[0])
                port = ports[0] if ports else None
            elif program == "cloud-sql-proxy" and args[:1] == ("shutdown",):
                value = _value(args, "--admin-port")
                port = int(value) if value and value.isdigit() else 9091
            elif program == "linkerd-await" and "--shutdown" in args:
                port = 4191
            else:
                continue
            out.append((c, cmd, port))
    return out


def _value(args: tuple[str, ...], flag: str) -> str | None:
    for i, word in enumerate(args):
        name, eq, value = word.partition("=")
        if name == flag:
            return value if eq else (args[i + 1] if i + 1 < len(args) else None)
    return None


def _tells(pod: Pod, helper: Container, port: int | None) -> bool:
    """A shutdown call on ``port`` reaches ``helper``: it names no port, ``helper`` listens
    there, or no container is known to (the call is given the benefit of the doubt)."""
    if port is None or port in activity(pod, helper).listen_ports:
        return True
    return not any(port in activity(pod, c).listen_ports for c in pod.all_containers)


def unsent_shutdown(pod: Pod) -> str | None:
    """A shutdown URL written in an app container's command that no command the shell runs
    requests (a folded block scalar made it an argument of the command before it)."""
    for c in pod.containers:
        for cmd in commands(c.argv):
            if cmd.program in HTTP_CLIENTS or INTERPRETERS.match(cmd.program):
                continue
            for word in cmd.args:
                if _signal(word):
                    return (
                        f"no command sends the shutdown request {excerpt(word)}: in the command "
                        f"of {c.label} it is an argument of '{excerpt(cmd.program)}', as the "
                        "shell reads the script — a folded block scalar joins lines into one "
                        "command"
                    )
    return None


def model(pod: Pod, ctx: RuleContext) -> PodModel:
    """The model of ``pod`` on ``ctx``'s target, built once and shared by every rule."""
    found: PodModel | None = pod.__dict__.get("_model")
    if found is None or found.ctx is not ctx:
        found = pod.__dict__["_model"] = PodModel(pod, ctx)
    return found
