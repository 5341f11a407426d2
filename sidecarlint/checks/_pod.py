"""Helpers shared by rules: where to point, and what the target can fix."""

from __future__ import annotations

from sidecarlint.locate import Container
from sidecarlint.registry import RuleContext


def argv_path(container: Container, needle: str) -> tuple[str | int, ...]:
    """Path of the ``command``/``args`` item mentioning ``needle`` (else the container)."""
    for key in ("command", "args"):
        value = container.data.get(key)
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str) and needle in item:
                    return (*container.path, key, i)
    return (*container.path, "name")


def name_path(container: Container) -> tuple[str | int, ...]:
    """Path to point at a container: its ``name`` value (or the item itself)."""
    return (*container.path, "name")  # the container itself when it has no name


def native_fix_possible(ctx: RuleContext) -> bool:
    """A helper can be made a native sidecar on the target (1.29+, or 1.28 with the gate)."""
    return ctx.native_sidecars
