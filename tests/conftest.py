from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from sidecarlint.config import LoadedConfig, resolve
from sidecarlint.finding import Finding
from sidecarlint.pipeline import Settings, lint_text

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "real"


def settings(**values: Any) -> Settings:
    """Settings as the CLI would build them from config-file style keys."""
    cfg = {k.replace("_", "-"): v for k, v in values.items()}
    cfg.setdefault("jobs", 1)
    result, _ = resolve({}, LoadedConfig(cfg, "test"))
    return result


def lint(text: str, **values: Any) -> list[Finding]:
    return lint_text(text, "t.yaml", settings(**values))


def positions(findings: Iterable[Finding]) -> list[tuple[str, int, int]]:
    return [(f.code, f.span.line, f.span.column) for f in findings]


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterable[Path]:
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)
