"""Stage 5: report. One module per output format; reporters only see the report's findings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from sidecarlint.pipeline import Report

#: Format name -> module implementing ``write(report, out, **kw)``.
FORMATS: dict[str, str] = {
    "text": "sidecarlint.report.text",
    "json": "sidecarlint.report.json",
    "sarif": "sidecarlint.report.sarif",
    "github": "sidecarlint.report.github",
    "gitlab": "sidecarlint.report.gitlab",
    "junit": "sidecarlint.report.junit",
}


def choose(name: str, environ: Mapping[str, str] | None = None, *, to_file: bool = False) -> str:
    """Resolve ``auto``: GitHub annotations on stdout inside GitHub Actions, else text (a
    report written to a file is text: workflow commands only work on a step's output)."""
    import os

    if name != "auto":
        return name
    env = os.environ if environ is None else environ
    return "github" if env.get("GITHUB_ACTIONS") == "true" and not to_file else "text"


def use_colour(
    mode: str | None, stream: TextIO | None, environ: Mapping[str, str] | None = None
) -> bool:
    """Whether to colour text written to ``stream`` (None: a file).

    ``--color always`` and ``never`` decide alone. ``auto`` follows the conventions: no
    colour when ``NO_COLOR`` is set and not empty (no-color.org), colour when
    ``FORCE_COLOR`` is set and not empty (force-color.org), else colour on a terminal
    unless ``TERM`` is ``dumb``. A file gets colour only with ``always``.
    """
    import os

    if mode in ("always", "never"):
        return mode == "always"
    if stream is None:
        return False
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and env.get("TERM") != "dumb"


def ci_root(override: str | None, variable: str | None = None) -> str:
    """What CI formats make paths relative to: ``--root``, else the CI system's checkout
    directory (``variable``, e.g. ``GITHUB_WORKSPACE``), else the git top-level of the
    working directory, else the working directory."""
    import os

    from sidecarlint.report.sarif import repository_root

    if not override and variable and os.environ.get(variable):
        return os.path.abspath(os.environ[variable])
    return repository_root(override)


def relative_path(file: str, root: str) -> str:
    """``file`` relative to ``root`` with forward slashes (``./`` and ``..`` resolved), or
    its absolute path when it is outside; stdin (``-``) stays ``-``."""
    import os

    if file == "-":
        return file
    path = os.path.abspath(file)
    rel = os.path.relpath(path, root)
    if rel == ".." or rel.startswith(".." + os.sep):
        return path.replace(os.sep, "/")
    return rel.replace(os.sep, "/")


def writer(name: str) -> Callable[..., None]:
    """The ``write(report, out, **kw)`` function of a format (imported only when used): it
    writes the report to ``out`` as its findings come."""
    module = import_module(FORMATS[name])
    write: Callable[..., None] = module.write
    return write


def renderer(name: str) -> Callable[..., str]:
    """A format as a function that returns the whole report as one string."""
    write = writer(name)

    def render(report: Report, **kw: Any) -> str:
        import io

        buffer = io.StringIO()
        write(report, buffer, **kw)
        return buffer.getvalue()

    return render


__all__ = ["FORMATS", "Report", "choose", "renderer", "use_colour", "writer"]
