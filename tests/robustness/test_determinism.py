"""Same input, same output bytes: whatever --jobs, file order, locale or hash seed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, REPO


def run(args: list[str], env: dict[str, str] | None = None) -> bytes:
    full = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    full.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "sidecarlint", "check", *args],
        capture_output=True,
        env=full,
        cwd=REPO,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few hundred real files (or the examples when the corpus is absent)."""
    root = tmp_path_factory.mktemp("sample")
    source = CORPUS if CORPUS.is_dir() else REPO / "examples"
    files = sorted(p for p in source.rglob("*.y*ml"))[::12][:400]
    for i, path in enumerate(files):
        shutil.copy(path, root / f"{i:04d}-{path.name}")
    return root


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_jobs_1_and_2_are_byte_identical(sample: Path, fmt: str) -> None:
    one = run(["--jobs", "1", "--format", fmt, "--sarif-root", str(sample), str(sample)])
    two = run(["--jobs", "2", "--format", fmt, "--sarif-root", str(sample), str(sample)])
    assert one == two and len(one) > 1000


def test_hash_seed_and_locale(sample: Path) -> None:
    base = run(["--format", "json", str(sample)], {"PYTHONHASHSEED": "1", "LC_ALL": "C"})
    other = run(["--format", "json", str(sample)], {"PYTHONHASHSEED": "4242", "LC_ALL": "C.UTF-8"})
    assert base == other


def test_argument_order(sample: Path) -> None:
    files = sorted(str(p) for p in sample.iterdir())[:40]
    forward = run(["--format", "json", *files])
    backward = run(["--format", "json", *reversed(files)])
    assert forward == backward
