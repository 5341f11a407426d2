"""Helpers shared by rules: where to point, and what the target can fix."""

from __future__ import annotations

from sidecarlint.locate import Container
from sidecarlint.registry import RuleContext


def name_path(container: Container) -> tuple[str | int, ...]:
    """Path to point at a container: its ``name`` value (or the item itself)."""
    return (*container.path, "name")  # the container itself when it has no name


def native_fix_possible(ctx: RuleContext) -> bool:
    """A helper can be made a native sidecar on the target (1.29+, or 1.28 with the gate)."""
    return ctx.native_sidecars
