"""Checking files in worker processes, in order, so that a worker that dies costs only the
file it was checking.

A process pool from the standard library breaks as a whole when one of its processes dies
(a segfault in a C extension, the kernel's out-of-memory killer): every file still pending
fails with it. Here each worker has its own pipe and is handed a batch of files at a time;
when it dies, the files of its batch are handed out again one per batch, so that a file
that kills a worker again is known: it gets an internal-error finding (``SCL999``), a new
worker takes the dead one's place, and every other file is checked.
"""

from __future__ import annotations

import signal
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from sidecarlint.pipeline import FileResult, Settings
    from sidecarlint.sources import Source

#: Batches per worker: small enough to keep every worker busy to the end.
BATCHES_PER_JOB = 8


def _serve(conn: Connection, settings: Settings) -> None:
    """A worker: check each batch of (index, source) it is sent, send back the results."""
    from sidecarlint.pipeline import _Engine

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the run
    try:
        engine = _Engine(settings)
    except Exception as exc:  # the same would fail in the parent: say it there
        conn.send(f"{type(exc).__name__}: {exc}")
        return
    while True:
        batch = conn.recv()
        if batch is None:
            return
        conn.send([(index, engine.lint_source(source)) for index, source in batch])


class _Worker:
    def __init__(self, context: Any, settings: Settings) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, settings), daemon=True)
        self.process.start()
        child.close()
        self.batch: list[int] = []

    def send(self, batch: list[int], sources: Sequence[Source]) -> None:
        self.conn.send([(i, sources[i]) for i in batch])

    def stop(self) -> None:
        """End the worker: when idle, by asking; when busy (the run was stopped), at once."""
        if not self.batch:
            with suppress(OSError):
                self.conn.send(None)
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"was killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"was killed by signal {-exitcode}"
    return f"exited with code {exitcode}"


def lint_in_workers(sources: Sequence[Source], settings: Settings) -> Iterator[FileResult]:
    """The results of checking ``sources`` in ``settings.jobs`` processes, in order."""
    import multiprocessing
    from multiprocessing.connection import wait

    from sidecarlint.pipeline import _Engine

    context = multiprocessing.get_context()
    size = max(1, len(sources) // (settings.jobs * BATCHES_PER_JOB))
    todo = deque(list(range(i, min(i + size, len(sources)))) for i in range(0, len(sources), size))
    done: dict[int, FileResult] = {}
    workers: list[_Worker] = []
    engine: _Engine | None = None  # to report a death, made on the first one
    next_index = 0
    try:
        while next_index < len(sources):
            while todo and len(workers) < settings.jobs:
                workers.append(_Worker(context, settings))
            for worker in list(workers):
                if todo and not worker.batch:
                    try:
                        worker.send(todo[0], sources)
                    except OSError:  # it died while idle: another one takes the batch
                        worker.stop()
                        workers.remove(worker)
                        continue
                    worker.batch = todo.popleft()
            busy = [w for w in workers if w.batch]
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
            for worker in busy:
                if worker.conn in ready:
                    try:
                        results = worker.conn.recv()
                    except (EOFError, OSError):
                        pass
                    else:
                        if isinstance(results, str):
                            raise RuntimeError(f"a worker process could not start: {results}")
                        done.update(results)
                        worker.batch = []
                        continue
                elif worker.process.sentinel not in ready:
                    continue
                # It died. Alone in its batch, a file is known to kill; else each file of the
                # batch is tried alone.
                worker.process.join()
                if len(worker.batch) == 1:
                    index = worker.batch[0]
                    engine = engine or _Engine(settings)
                    done[index] = engine.file_failed(
                        sources[index].display,
                        f"the process checking this file {_death(worker.process.exitcode)}; "
                        "the file is not checked",
                    )
                else:
                    todo.extendleft([i] for i in reversed(worker.batch))
                worker.conn.close()
                workers.remove(worker)
            while next_index in done:
                yield done.pop(next_index)
                next_index += 1
    finally:
        for worker in workers:
            worker.stop()
