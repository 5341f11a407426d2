from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from sidecarlint.config import LoadedConfig, resolve
from sidecarlint.finding import Finding
from sidecarlint.pipeline import Settings, lint_text

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "real"

# CI runs the bounded profile; 'HYPOTHESIS_PROFILE=long python -m pytest tests'
# runs the long one on demand. Under CI (CI set) the examples are the same on every run, so
# that a result can be reproduced; a local run draws new ones each time and keeps what
# fails in .hypothesis/ to try first next time.
hypothesis_settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
)
hypothesis_settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def settings(**values: Any) -> Settings:
    """Settings as the CLI would build them from config-file style keys."""
    cfg = {k.replace("_", "-"): v for k, v in values.items()}
    cfg.setdefault("jobs", 1)
    result, _ = resolve({}, LoadedConfig(cfg, "test"))
    return result


_LISTS = ("containers", "initContainers", "ephemeralContainers")


def lint(text: str, **values: Any) -> list[Finding]:
    findings = lint_text(text, "t.yaml", settings(**values))
    for f in findings:
        expected = _container_at(text, f)
        assert expected is None or f.container == expected, (
            f"{f.code} names the wrong container: {f}"
        )
    return findings


def _container_at(text: str, f: Finding) -> str | None:
    """The name of the container a rule's finding lies in (each rule names it), else None."""
    from sidecarlint.parse import parse_text

    path = f.ypath or ()
    if f.code < "SCL010" or f.document is None:
        return None
    for i in range(len(path) - 1):
        if path[i] in _LISTS and isinstance(path[i + 1], int):
            docs = [d for d in parse_text(text, "t.yaml").documents if d.index == f.document]
            item: Any = docs[0].data
            for part in path[: i + 2]:
                item = item[part]
            name = item.get("name") if isinstance(item, dict) else None
            return name if isinstance(name, str) else None
    return None


def positions(findings: Iterable[Finding]) -> list[tuple[str, int, int]]:
    return [(f.code, f.span.line, f.span.column) for f in findings]


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The wheel and the sdist, built once per test run."""
    import subprocess
    import sys

    pytest.importorskip("build")
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 and "hatchling" in proc.stderr:
        pytest.skip("hatchling is not installed in this environment")
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return wheel, sdist


@pytest.fixture(autouse=True)
def _fresh_shell_caches() -> Iterable[None]:
    """Each test reads commands afresh: the reader's caches would otherwise keep results
    from earlier tests (and, under mutation testing, from before a mutant was switched on)."""
    from sidecarlint import activity, images, shell

    shell._commands.cache_clear()
    shell._file_access.cache_clear()
    shell._runs_forever.cache_clear()
    activity._argv_facts.cache_clear()
    images.lookup.cache_clear()
    images._lookup_name.cache_clear()
    yield


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterable[Path]:
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


def pod_of(body: dict[str, Any]) -> Any:
    """The located pod of one object given as a dict (serialised as JSON, then parsed)."""
    import json

    from sidecarlint.locate import KubeObject, locate, workload_for
    from sidecarlint.parse import parse_text

    doc = parse_text(json.dumps(body), "t.json").documents[0]
    obj = KubeObject(doc, (), doc.data)
    workload = workload_for(obj)
    assert workload is not None
    pod = locate(obj, workload)
    assert pod is not None
    return pod
