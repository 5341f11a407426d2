"""Kubernetes quantities and the effective resource requests of a pod with sidecars.

Effective requests (KEP-753; component-helpers ``resource/helpers.go``)::

    InitUse(i) = sum(sidecars declared before i) + request(i)   # for a sidecar at i: incl. itself
    Pod        = max(max_i InitUse(i), sum(app) + sum(sidecars)) + overhead

Pod-level ``spec.resources`` (1.32+) replaces the computed value for the resources it sets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from sidecarlint.locate import Container, Pod
from sidecarlint.records import FrozenRecord

_SUFFIXES = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}
_QUANTITY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|([a-zA-Z]*))$")
RESOURCES = ("cpu", "memory")


def parse_quantity(value: Any) -> Decimal | None:
    """``100m`` → 0.1, ``1Gi`` → 1073741824, ``1e3`` → 1000; None if not a quantity."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if not isinstance(value, str):
        return None
    return _parse_text(value)


@lru_cache(maxsize=1024)
def _parse_text(value: str) -> Decimal | None:
    match = _QUANTITY.match(value.strip())
    if match is None:
        return None
    number, exponent, suffix = match.groups()
    try:
        base = Decimal(number)
        if exponent:
            return base * (Decimal(10) ** int(exponent[1:]))
    except (InvalidOperation, ValueError):
        return None
    factor = _SUFFIXES.get(suffix or "")
    return None if factor is None else base * factor


def format_quantity(resource: str, value: Decimal) -> str:
    """``Decimal("0.35")`` cpu → ``350m``; ``335544320`` memory → ``320Mi``."""
    if value == 0:
        return "0"
    if resource == "cpu":
        milli = value * 1000
        return (
            f"{milli.normalize():f}m"
            if milli != milli.to_integral() or value < 1
            else (f"{value.normalize():f}")
        )
    for suffix in ("Gi", "Mi", "Ki"):
        factor = _SUFFIXES[suffix]
        if value >= factor and value % factor == 0:
            return f"{(value / factor).normalize():f}{suffix}"
    return f"{value.normalize():f}"


def _section(container: Container, key: str) -> dict[str, Any]:
    resources = container.data.get("resources")
    value = resources.get(key) if isinstance(resources, dict) else None
    return value if isinstance(value, dict) else {}


def requests(container: Container) -> Mapping[str, Decimal]:
    """A container's requests; a limit without a request implies an equal request."""
    return container.derived(_requests)


def limits(container: Container) -> Mapping[str, Decimal]:
    """A container's limits."""
    return container.derived(_limits)


def _requests(container: Container) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    req, lim = _section(container, "requests"), _section(container, "limits")
    for resource in RESOURCES:
        value = parse_quantity(req.get(resource, lim.get(resource)))
        if value is not None:
            out[resource] = value
    return out


def _limits(container: Container) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    lim = _section(container, "limits")
    for resource in RESOURCES:
        value = parse_quantity(lim.get(resource))
        if value is not None:
            out[resource] = value
    return out


class Effective(FrozenRecord):
    """The pod's effective requests and where the peak comes from, per resource."""

    total: dict[str, Decimal]
    init_peak: dict[str, Decimal]
    steady: dict[str, Decimal]
    #: The init container whose start sets the init-phase peak (None: steady state wins).
    peak_at: dict[str, str | None]

    def __init__(
        self,
        total: dict[str, Decimal],
        init_peak: dict[str, Decimal],
        steady: dict[str, Decimal],
        peak_at: dict[str, str | None],
    ) -> None:
        self.total = total
        self.init_peak = init_peak
        self.steady = steady
        self.peak_at = peak_at


def effective_requests(pod: Pod) -> Effective:
    total: dict[str, Decimal] = {}
    init_peak: dict[str, Decimal] = {}
    steady: dict[str, Decimal] = {}
    peak_at: dict[str, str | None] = {}
    raw_overhead = pod.spec.get("overhead")
    overhead: dict[str, Any] = raw_overhead if isinstance(raw_overhead, dict) else {}
    pod_level = pod.spec.get("resources")
    pod_requests = pod_level.get("requests") if isinstance(pod_level, dict) else None
    for resource in RESOURCES:
        sidecars = Decimal(0)
        peak = Decimal(0)
        where: str | None = None
        for c in pod.init_containers:
            value = requests(c).get(resource, Decimal(0))
            if c.is_sidecar:
                sidecars += value
                use = sidecars
            else:
                use = sidecars + value
            if use > peak:
                peak, where = use, c.label
        apps = sum((requests(c).get(resource, Decimal(0)) for c in pod.containers), Decimal(0))
        run = apps + sidecars
        value = max(peak, run) + (parse_quantity(overhead.get(resource)) or Decimal(0))
        if isinstance(pod_requests, dict) and parse_quantity(pod_requests.get(resource)):
            value = parse_quantity(pod_requests.get(resource)) or value
        total[resource], init_peak[resource], steady[resource] = value, peak, run
        peak_at[resource] = where if peak > run else None
    return Effective(total, init_peak, steady, peak_at)


def describe(effective: Effective) -> str:
    """``cpu 350m, memory 320Mi`` (with where the peak comes from when it is init-time)."""
    parts = []
    for resource in RESOURCES:
        text = f"{resource} {format_quantity(resource, effective.total[resource])}"
        at = effective.peak_at[resource]
        if at is not None:
            text += f" (peak while init container {at} runs)"
        parts.append(text)
    return ", ".join(parts)
