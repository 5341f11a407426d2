from __future__ import annotations

import os

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
