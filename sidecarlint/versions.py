"""Kubernetes minor versions sidecarlint knows, and parsing of ``--kubernetes-version``."""

from __future__ import annotations

import re

#: Every Kubernetes minor version with bundled schemas and encoded semantics, oldest first.
SUPPORTED: tuple[str, ...] = tuple(f"1.{minor}" for minor in range(27, 38))
#: The default target: the newest bundled version.
DEFAULT = SUPPORTED[-1]

_VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$")


class VersionError(ValueError):
    """An unsupported or malformed Kubernetes version."""


def parse_version(text: str) -> str:
    """Normalise ``1.29``, ``v1.29`` or ``1.29.3`` to ``"1.29"``; raise :class:`VersionError`."""
    match = _VERSION_RE.match(text.strip())
    if match is None:
        raise VersionError(
            f"invalid Kubernetes version {text!r}: expected X.Y (e.g. 1.33); "
            f"supported: {', '.join(SUPPORTED)}"
        )
    version = f"{int(match.group(1))}.{int(match.group(2))}"
    if version not in SUPPORTED:
        raise VersionError(
            f"unsupported Kubernetes version {text!r}: supported: {', '.join(SUPPORTED)}"
        )
    return version


def minor(version: str) -> int:
    """The minor number of a normalised ``1.Y`` version."""
    return int(version.split(".")[1])
