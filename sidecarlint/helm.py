"""Helm charts: which ones a run renders, the command that renders one, and where a
rendering error points.

A chart is a directory with a ``Chart.yaml``; its ``templates/`` are Go templates, never
manifests. A chart inside another chart's ``charts/`` directory is a dependency, rendered
with its parent. Rendering uses the chart's default values plus the ``--helm-values``
files, under helm's own placeholder release name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from sidecarlint.finding import Span
from sidecarlint.renderers import Renderer

#: The release name ``helm template`` uses when it is given none.
RELEASE = "release-name"
CHART_FILE = "Chart.yaml"


def chart_root(chart: str) -> str:
    """The chart that renders ``chart``: its outermost parent when it is a dependency
    (``PARENT/charts/NAME``), else itself. Paths are kept as they are spelt."""
    current = chart
    while True:
        absolute = os.path.abspath(current)
        holder = os.path.dirname(absolute)
        parent = os.path.dirname(holder)
        if os.path.basename(holder) != "charts" or not os.path.isfile(
            os.path.join(parent, CHART_FILE)
        ):
            return current
        current = os.path.normpath(os.path.join(current, os.pardir, os.pardir))


def command(renderer: Renderer, chart: str, values: tuple[str, ...]) -> list[str]:
    """``helm template release-name CHART --values FILE ...``."""
    argv = [renderer.path, "template", RELEASE, chart]
    for file in values:
        argv += ["--values", file]
    return argv


#: ``CHART/templates/x.yaml:12`` or ``...:12:5`` in helm's messages (parse errors, failed
#: template executions).
_TEMPLATE_AT = re.compile(r"([\w.-]+(?:/[\w.-]+)+):(\d+)(?::(\d+))?")


def error_position(
    chart: str, message: str, text_of: Callable[[str], str | None]
) -> tuple[str, Span] | None:
    """The template line a helm error names, if it names one of ``chart``'s files."""
    for match in _TEMPLATE_AT.finditer(message):
        _, _, inside = match.group(1).partition("/")
        path = os.path.join(chart, *inside.split("/"))
        if not inside or not os.path.isfile(path):
            continue
        line = int(match.group(2))
        text = text_of(path)
        lines = text.splitlines() if text is not None else []
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        column = int(match.group(3)) if match.group(3) else len(source) - len(source.lstrip()) + 1
        end = len(source) + 1 if len(source) >= column else column + 1
        return path, Span(line, column, line, end)
    return None


def clean_message(message: str) -> str:
    text = " ".join(line.strip() for line in message.splitlines() if line.strip()) or message
    return text.removeprefix("Error: ")
