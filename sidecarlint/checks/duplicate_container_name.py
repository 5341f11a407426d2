"""SCL013 duplicate-container-name: two containers of a pod share a name."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Container, Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    seen: dict[str, Container] = {}
    # Validation order: app containers, then init containers, then ephemeral ones.
    for c in [*pod.containers, *pod.init_containers, *pod.ephemeral_containers]:
        name = c.name
        if name is None:
            continue
        first = seen.get(name)
        if first is None:
            seen[name] = c
            continue
        yield Hit(
            (*c.path, "name"),
            f'Duplicate value: "{excerpt(name)}" — {c.list_name}[{c.index}] has the same name as '
            f"{first.list_name}[{first.index}]; names must be unique across containers, "
            "initContainers and ephemeralContainers",
            container=c,
            related=(((*first.path, "name"), f"{first.list_name}[{first.index}] is named first"),),
        )


RULE = Rule(
    code="SCL013",
    name="duplicate-container-name",
    severity=Severity.ERROR,
    summary="Two containers of a pod (app, init or ephemeral) share a name",
    check=check,
)
