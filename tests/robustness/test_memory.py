"""Memory follows the document, not the file or its findings: a 50 MB stream through stdin
is checked in a few tens of MB, because it is read piece by piece and checked one document at
a time; tens of thousands of findings and values of megabytes cost no more, because a
finding quotes an excerpt, findings past max-findings are counted, not kept, and the report
is written as the files are checked. (The full-size cases are in benchmarks/memory.py.)"""

from __future__ import annotations

import json
import os
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


def _peak(args: list[str], stdin: Path | None = None) -> tuple[float, int, str, str]:
    """Peak RSS (MB), exit code, stdout and stderr of one ``sidecarlint`` run (a fresh
    parent, so it is the only child)."""
    code = (
        "import json, resource, subprocess, sys\n"
        f"with open({str(stdin or os.devnull)!r}, 'rb') as handle:\n"
        f"    done = subprocess.run({[sys.executable, '-m', 'sidecarlint', *args]!r}, "
        "stdin=handle, capture_output=True)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / 1e6\n"
        "print(json.dumps([peak, done.returncode, done.stdout.decode(), done.stderr.decode()]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    peak, returncode, stdout, stderr = json.loads(out.stdout)
    return peak, returncode, stdout, stderr


def _peak_mb(stdin: Path, *args: str) -> tuple[float, dict[str, object]]:
    """Peak RSS of one ``sidecarlint check -``."""
    peak, returncode, stdout, stderr = _peak(list(args), stdin)
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


def _peak_of(*args: str) -> tuple[float, str]:
    """Peak RSS (MB) and stdout of one ``sidecarlint check`` that finds something."""
    peak, returncode, stdout, stderr = _peak(["check", *args])
    assert returncode == 1, stderr
    return peak, stdout


@pytest.mark.skipif(sys.platform == "win32", reason="resource is POSIX-only")
def test_seventy_thousand_findings_in_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    body = "".join(f"k{n}: 0\nk{n}: 1\n" for n in range(1000))
    path.write_text("---\n".join([body] * 70))  # 1 MiB, 70,000 duplicate keys
    peak, out = _peak_of("--jobs", "1", "--format", "json", str(path))
    report = json.loads(out)
    print(f"peak RSS reporting 70,000 findings in JSON: {peak:.0f} MB")
    assert report["summary"]["errors"] == 70_000
    assert len(report["findings"]) == 1001
    # Every finding held and the report built whole took 300 MB.
    assert peak < 100


@pytest.mark.skipif(sys.platform == "win32", reason="resource is POSIX-only")
def test_values_of_megabytes_are_not_copied_into_findings(tmp_path: Path) -> None:
    value = json.dumps("x" * 4_000_000)
    for n in range(10):
        (tmp_path / f"pod-{n}.yaml").write_text(
            f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{n}}}\nspec:\n"
            f"  terminationGracePeriodSeconds: {value}\n"
            "  containers: [{name: a, image: b}]\n"
        )
    peak, out = _peak_of("--jobs", "1", "--format", "sarif", str(tmp_path))
    results = json.loads(out)["runs"][0]["results"]
    print(f"peak RSS reporting ten 4 MB values in SARIF: {peak:.0f} MB")
    assert len(results) == 10 and all(len(r["message"]["text"]) < 300 for r in results)
    # Each message quoted its whole value: over 200 MB.
    assert peak < 120
