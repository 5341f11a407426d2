"""``sidecarlint server``: a language server over stdio (the ``server`` extra: pygls).

Nothing here is imported by the other commands; pygls is imported only when the server
starts, and a missing or too old pygls is a one-line message (exit 2), not a traceback.
"""

from __future__ import annotations

import sys

INSTALL = "pip install 'sidecarlint[server]'"
#: The pygls major version the server is written for.
PYGLS_MAJOR = 2


def main() -> int:
    """Serve the Language Server Protocol on stdin/stdout until the client says exit."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        import pygls  # noqa: F401
    except ImportError:
        return _missing("it is not installed")
    try:
        found = version("pygls")
    except PackageNotFoundError:  # imported from a source tree
        found = None
    if found is not None and not found.startswith(f"{PYGLS_MAJOR}."):
        return _missing(f"pygls {found} is installed; it needs pygls {PYGLS_MAJOR}.x")
    from sidecarlint.server.lsp import serve

    serve()
    return 0


def _missing(why: str) -> int:
    sys.stderr.write(
        "sidecarlint: error: 'sidecarlint server' needs the language-server extra "
        f"({why}); install it with: {INSTALL}\n"
    )
    return 2
