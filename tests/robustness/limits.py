"""Run the CLI in a subprocess under memory and time limits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

MEMORY_LIMIT = 1 << 30  # 1 GiB of address space
TIME_LIMIT = 60  # seconds


def _limit() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def check(
    *args: str | Path,
    stdin: bytes | None = None,
    cwd: Path | None = None,
    timeout: float = TIME_LIMIT,
) -> tuple[int, dict[str, Any], str]:
    """Exit code, parsed JSON report and stderr of a bounded ``sidecarlint check``."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sidecarlint",
            "check",
            "--format",
            "json",
            "--jobs",
            "1",
            *map(str, args),
        ],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        preexec_fn=_limit,
        cwd=cwd,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    report = json.loads(proc.stdout) if proc.stdout.strip() else {}
    return proc.returncode, report, stderr


def codes(report: dict[str, Any]) -> list[tuple[str, int, int]]:
    return [(f["code"], f["line"], f["column"]) for f in report.get("findings", [])]
