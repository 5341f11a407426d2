"""Fault injection for tests, in a child process only: a test puts this directory on
PYTHONPATH and names the fault in SIDECARLINT_TEST_FAULT.

- ``kill-before-rename``: the process kills itself (SIGKILL) just before ``--fix`` renames
  a temporary file over the file it fixes.
- ``die-on:WORD``: a worker process dies (SIGSEGV) when it starts on a file whose name
  contains WORD; ``exit-on:WORD`` makes it exit (``os._exit(3)``) instead.
"""

from __future__ import annotations

import os
import signal

FAULT = os.environ.get("SIDECARLINT_TEST_FAULT", "")

if FAULT == "kill-before-rename":
    _replace = os.replace

    def _killing_replace(src: str, dst: str) -> None:
        if ".sidecarlint-" in os.path.basename(src):
            os.kill(os.getpid(), signal.SIGKILL)
        _replace(src, dst)

    os.replace = _killing_replace  # type: ignore[assignment]

elif FAULT.startswith(("die-on:", "exit-on:")):
    import multiprocessing

    from sidecarlint import pipeline

    how, _, word = FAULT.partition(":")
    _lint_source = pipeline._Engine.lint_source

    def _dying_lint_source(self: pipeline._Engine, source: pipeline.Source) -> object:
        if word in source.display and multiprocessing.parent_process() is not None:
            if how == "die-on":
                os.kill(os.getpid(), signal.SIGSEGV)
            os._exit(3)
        return _lint_source(self, source)

    pipeline._Engine.lint_source = _dying_lint_source  # type: ignore[assignment]
