from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def crashing_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """SCL202 (unused-volume) raises ``RuntimeError: boom`` on every pod."""
    from sidecarlint import registry as registry_module
    from sidecarlint.records import replace

    def boom(pod: object, ctx: object) -> Any:
        raise RuntimeError("boom")

    reg = registry_module.registry()
    broken = replace(reg.by_code["SCL202"], check=boom)
    patched = registry_module.Registry([broken if r.code == "SCL202" else r for r in reg.rules])
    monkeypatch.setattr(registry_module, "_REGISTRY", patched)
