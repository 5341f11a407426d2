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
    "sarif": "sidecarlint.report.sarif",
    "github": "sidecarlint.report.github",
}


def choose(name: str, environ: dict[str, str] | None = None) -> str:
    """Resolve ``auto``: GitHub annotations inside GitHub Actions, else text."""
    import os

    if name != "auto":
        return name
    env = os.environ if environ is None else environ
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "text"


def renderer(name: str) -> Callable[..., str]:
    """The ``render`` function of a format (imported only when used)."""
    module = import_module(FORMATS[name])
    render: Callable[..., str] = module.render
    return render


__all__ = ["FORMATS", "Report", "renderer"]
