"""``python -m sidecarlint`` and the ``sidecarlint`` command."""

from __future__ import annotations

import gc
import sys


def run() -> None:
    """Start the command line with a garbage-collector policy fit for a short-lived linter.

    Start-up creates many long-lived objects (modules, rule tables, schemas) and a run then
    builds one document's values at a time, which reference counting frees (they hold no
    cycles). With the default thresholds the young generations are rescanned every few
    hundred allocations for nothing, so collect far less often, and move what start-up
    built out of the collector's sight.
    """
    gc.set_threshold(50_000, 20, 100)
    from sidecarlint.cli import main

    gc.freeze()
    sys.exit(main())


if __name__ == "__main__":
    run()
