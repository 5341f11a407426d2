"""Memory follows the document, not the file: a 50 MB stream through stdin is checked in a
few tens of MB, because it is read piece by piece and checked one document at a time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

DOCUMENT = (REPO / "examples" / "deployment" / "deployment.yaml").read_text(encoding="utf-8")


def _stream(path: Path, size: int) -> int:
    """Write ``size`` bytes of numbered copies of the example Deployment; how many."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        written = 0
        while written < size:
            doc = "---\n" + DOCUMENT.replace("name: myapp", f"name: myapp-{count}", 1)
            written += out.write(doc)
            count += 1
    return count


def _peak_mb(stdin: Path, *args: str) -> tuple[float, dict[str, object]]:
    """Peak RSS of one ``sidecarlint check -`` (a fresh parent, so it is the only child)."""
    code = (
        "import json, resource, subprocess, sys\n"
        f"with open({str(stdin)!r}, 'rb') as handle:\n"
        f"    done = subprocess.run({[sys.executable, '-m', 'sidecarlint', *args]!r}, "
        "stdin=handle, capture_output=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps([peak, done.returncode, done.stdout.decode(), done.stderr.decode()]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    peak, returncode, stdout, stderr = json.loads(out.stdout)
    assert returncode == 0, stderr
    return peak, json.loads(stdout)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="resource is POSIX-only")
def test_fifty_megabytes_through_stdin_in_flat_memory(tmp_path: Path) -> None:
    stream = tmp_path / "big.yaml"
    count = _stream(stream, 50_000_000)
    peak, report = _peak_mb(stream, "check", "-", "--format", "json")
    print(f"peak RSS checking 50 MB ({count:,} Deployments) through stdin: {peak:.0f} MB")
    assert report["summary"]["objects"] == count  # type: ignore[index]
    assert report["findings"] == []
    # The stream alone is 50 MB (over 100 MB as a Python string); holding it would show.
    assert peak < 100
