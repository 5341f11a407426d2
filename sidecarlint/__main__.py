"""``python -m sidecarlint`` and the ``sidecarlint`` command."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from typing import Any


def only_paths(args: Sequence[str]) -> bool:
    """Whether ``args`` are ``check`` and one or more paths, with nothing for click to parse.

    Not on Windows, where click expands wildcards in arguments, and only when both output
    streams are UTF-8, which click would not re-encode.
    """
    return (
        len(args) > 1
        and args[0] == "check"
        and not any(arg.startswith("-") for arg in args[1:])
        and os.name == "posix"
        and _utf8(sys.stdout)
        and _utf8(sys.stderr)
    )


def _utf8(stream: Any) -> bool:
    encoding = getattr(stream, "encoding", None) or ""
    return encoding.lower().replace("-", "").replace("_", "") == "utf8"


def run() -> None:
    """Start the command line with a garbage-collector policy fit for a short-lived linter.

    Start-up creates many long-lived objects (modules, rule tables, schemas) and a run then
    builds one document's values at a time, which reference counting frees (they hold no
    cycles). With the default thresholds the young generations are rescanned every few
    hundred allocations for nothing, so collect far less often, and move what start-up
    built out of the collector's sight.

    ``sidecarlint check PATH...`` (a pre-commit hook's call) skips click: see
    :mod:`sidecarlint.commands`.
    """
    gc.set_threshold(50_000, 20, 100)
    if only_paths(sys.argv[1:]):
        from sidecarlint.commands import check_paths

        gc.freeze()
        code = check_paths(sys.argv[2:])
        if code is not None:
            sys.exit(code)
    from sidecarlint.cli import main

    gc.freeze()
    sys.exit(main())


if __name__ == "__main__":
    run()
