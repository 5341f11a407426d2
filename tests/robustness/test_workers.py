"""A worker process that dies costs only the file it was checking: that file gets an
SCL999 finding, every other file is checked, and the exit code 2 is explained."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.robustness.test_hostile import POD

HOOKS = Path(__file__).resolve().parent / "hooks"


def check_with_fault(fault: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env["PYTHONPATH"] = os.pathsep.join([str(HOOKS), str(REPO)])
    env["SIDECARLINT_TEST_FAULT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "sidecarlint", "check", "--format", "json", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("fault", "how"),
    [("die-on:bad", "was killed by signal SIGSEGV"), ("exit-on:bad", "exited with code 3")],
)
def test_a_dying_worker_costs_only_its_file(tmp_path: Path, fault: str, how: str) -> None:
    for i in range(40):
        (tmp_path / f"f{i:02d}.yaml").write_bytes(POD)
    (tmp_path / "f07-bad.yaml").write_bytes(POD)
    (tmp_path / "f31-bad.yaml").write_bytes(POD)
    proc = check_with_fault(fault, "--jobs", "2", tmp_path)
    assert proc.returncode == 2, proc.stderr
    report = json.loads(proc.stdout)
    found = [(Path(f["file"]).name, f["code"], f["line"], f["column"]) for f in report["findings"]]
    bad = {"f07-bad.yaml", "f31-bad.yaml"}
    assert [f for f in found if f[0] in bad] == [
        ("f07-bad.yaml", "SCL999", 1, 1),
        ("f31-bad.yaml", "SCL999", 1, 1),
    ]
    assert [f for f in found if f[0] not in bad] == [
        (f"f{i:02d}.yaml", "SCL202", 6, 20) for i in range(40)
    ]
    message = next(f["message"] for f in report["findings"] if f["code"] == "SCL999")
    assert message == f"the process checking this file {how}; the file is not checked"
    assert report["summary"]["files"] == 42 and report["summary"]["objects"] == 40
    assert proc.stderr.startswith("sidecarlint: exit code 2: 2 internal errors;")
    assert f"{tmp_path / 'f07-bad.yaml'}:1:1: the process checking this file {how}" in proc.stderr


def test_jobs_1_is_unaffected_by_the_hook(tmp_path: Path) -> None:
    for i in range(20):
        (tmp_path / f"f{i:02d}.yaml").write_bytes(POD)
    proc = check_with_fault("die-on:bad", "--jobs", "2", tmp_path)
    assert proc.returncode == 0 and proc.stderr == ""
    assert len(json.loads(proc.stdout)["findings"]) == 20


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_exception_costs_only_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    import multiprocessing

    from sidecarlint.pipeline import Settings, _Engine, run

    if jobs > 1 and multiprocessing.get_start_method() != "fork":
        pytest.skip("the patch reaches worker processes only when they are forked")

    for i in range(20):
        (tmp_path / f"f{i:02d}.yaml").write_bytes(POD)
    lint_stream = _Engine.lint_stream

    def failing(self: _Engine, pieces: object, file: str, **options: object) -> object:
        if file.endswith("f03.yaml"):
            raise ValueError("unexpected")
        return lint_stream(self, pieces, file, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(_Engine, "lint_stream", failing)
    report = run([str(tmp_path)], Settings(jobs=jobs))
    assert [(Path(f.file).name, f.code) for f in report.findings if f.code != "SCL202"] == [
        ("f03.yaml", "SCL999")
    ]
    assert report.findings[3].message == "checking this file failed: ValueError: unexpected"
    assert report.objects == 19 and report.internal_errors == 1
