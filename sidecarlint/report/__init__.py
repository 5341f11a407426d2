"""Stage 5: report. One module per output format; reporters only see the report's findings."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sidecarlint.pipeline import Report

#: Format name -> module implementing ``render(report, **kw) -> str``.
FORMATS: dict[str, str] = {
    "text": "sidecarlint.report.text",
    "json": "sidecarlint.report.json",
}


def renderer(name: str) -> Callable[..., str]:
    """The ``render`` function of a format (imported only when used)."""
    module = import_module(FORMATS[name])
    render: Callable[..., str] = module.render
    return render


__all__ = ["FORMATS", "Report", "renderer"]
