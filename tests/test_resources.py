"""Quantities and effective pod requests with sidecars, against hand-worked examples."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sidecarlint.locate import Pod
from sidecarlint.resources import effective_requests, format_quantity, parse_quantity
from tests.conftest import pod_of


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100m", Decimal("0.1")),
        ("1", Decimal(1)),
        ("1.5", Decimal("1.5")),
        ("1Gi", Decimal(2**30)),
        ("500M", Decimal(500_000_000)),
        ("1e3", Decimal(1000)),
        ("64Mi", Decimal(64 * 2**20)),
        ("2k", Decimal(2000)),
        (2, Decimal(2)),
        ("x", None),
        ("1Qi", None),
        (True, None),
    ],
)
def test_parse_quantity(text: object, value: Decimal | None) -> None:
    assert parse_quantity(text) == value


def test_format_quantity() -> None:
    assert format_quantity("cpu", Decimal("0.35")) == "350m"
    assert format_quantity("cpu", Decimal("2")) == "2"
    assert format_quantity("memory", Decimal(320 * 2**20)) == "320Mi"
    assert format_quantity("memory", Decimal(0)) == "0"


def c(name: str, cpu: str, memory: str, sidecar: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name,
        "image": "x",
        "resources": {"requests": {"cpu": cpu, "memory": memory}},
    }
    if sidecar:
        out["restartPolicy"] = "Always"
    return out


def pod(init: list[dict[str, Any]], apps: list[dict[str, Any]], **spec: Any) -> Pod:
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"initContainers": init, "containers": apps, **spec},
    }
    return pod_of(body)  # type: ignore[no-any-return]


def test_app_plus_sidecars_wins() -> None:
    # Sidecar 50m/64Mi + app 250m/256Mi = 300m/320Mi; the init phase peaks at 50m/64Mi.
    p = pod([c("proxy", "50m", "64Mi", sidecar=True)], [c("web", "250m", "256Mi")])
    e = effective_requests(p)
    assert e.total == {"cpu": Decimal("0.3"), "memory": Decimal(320 * 2**20)}
    assert e.peak_at == {"cpu": None, "memory": None}


def test_regular_init_after_large_sidecar_raises_the_peak() -> None:
    # InitUse(migrate) = sidecar 1 cpu + migrate 2 cpu = 3 cpu > app 500m + sidecar 1 = 1.5 cpu.
    p = pod(
        [c("proxy", "1", "128Mi", sidecar=True), c("migrate", "2", "64Mi")],
        [c("web", "500m", "256Mi")],
    )
    e = effective_requests(p)
    assert e.init_peak["cpu"] == Decimal(3)
    assert e.steady["cpu"] == Decimal("1.5")
    assert e.total["cpu"] == Decimal(3)
    assert e.peak_at["cpu"] == "'migrate'"
    # memory: init 128Mi + 64Mi = 192Mi < steady 256Mi + 128Mi = 384Mi.
    assert e.total["memory"] == Decimal(384 * 2**20)


def test_init_before_sidecar_does_not_add_it() -> None:
    # migrate runs before the sidecar starts: InitUse = 2 cpu alone.
    p = pod(
        [c("migrate", "2", "64Mi"), c("proxy", "1", "128Mi", sidecar=True)],
        [c("web", "500m", "256Mi")],
    )
    assert effective_requests(p).total["cpu"] == Decimal(2)


def test_overhead_and_pod_level_resources() -> None:
    p = pod([], [c("web", "500m", "256Mi")], overhead={"cpu": "100m"})
    assert effective_requests(p).total["cpu"] == Decimal("0.6")
    p = pod([], [c("web", "500m", "256Mi")], resources={"requests": {"cpu": "4"}})
    assert effective_requests(p).total["cpu"] == Decimal(4)


def test_limits_imply_requests() -> None:
    app = {"name": "web", "image": "x", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}
    assert effective_requests(pod([], [app])).total == {"cpu": Decimal(1), "memory": Decimal(2**30)}
