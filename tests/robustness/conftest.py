from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# CI runs the bounded profile; 'HYPOTHESIS_PROFILE=long python -m pytest tests/robustness'
# runs the long one on demand.
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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
