"""SCL019 resize-policy: ``resizePolicy`` that the target drops or rejects.

Kubernetes ``pkg/apis/core/validation/validation.go``: ``validateResizePolicy`` (every
container), ``validateInitContainers`` (init containers); ``pkg/api/pod/util.go``:
``dropDisabledFields`` drops the field while ``InPlacePodVerticalScaling`` is off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Container, Pod, Role, text_at
from sidecarlint.registry import Hit, Rule, RuleContext

RESOURCES = ("cpu", "memory")
POLICIES = ("NotRequired", "RestartContainer")
#: Up to 1.31 ``validateInitContainers`` rejects ``resizePolicy`` on every init container;
#: from 1.32 only while ``AllowSidecarResizePolicy`` (= the gate) is off, which drops it anyway.
LAST_INIT_BAN = 31
#: The pod ``restartPolicy: Never`` check of ``validateResizePolicy`` (v1.29.0 on).
FIRST_NEVER_CHECK = 29
#: First release that rejects ``RestartContainer`` on a regular init container.
FIRST_REGULAR_INIT_BAN = 36


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    gate = ctx.gate("InPlacePodVerticalScaling")
    for c in [*pod.init_containers, *pod.containers]:
        policies = c.data.get("resizePolicy")
        if policies is None:
            continue
        path = (*c.path, "resizePolicy")
        if not gate:
            yield Hit(
                path,
                f"resizePolicy on {c.label} is silently dropped on Kubernetes "
                f"{ctx.version} (InPlacePodVerticalScaling is off)",
                key=True,
                severity=Severity.WARNING,
                container=c,
            )
            continue
        if c.role is not Role.APP and ctx.minor <= LAST_INIT_BAN:
            yield Hit(
                path,
                f"Invalid value: must not be set for init containers — Kubernetes "
                f"{ctx.version} rejects resizePolicy on {c.label} (sidecars may set it from "
                "1.32 with InPlacePodVerticalScaling on)",
                key=True,
                container=c,
            )
            continue
        if isinstance(policies, list):
            yield from _entries(pod, c, policies, path, ctx)


def _entries(
    pod: Pod, c: Container, policies: list[Any], path: tuple[str | int, ...], ctx: RuleContext
) -> Iterator[Hit]:
    seen: set[str] = set()
    for i, policy in enumerate(policies):
        if not isinstance(policy, dict):
            continue
        # A value of the wrong type is the schema's finding: read as absent here.
        name = text_at(policy, "resourceName")
        if name is not None and name in seen:
            yield Hit(
                (*path, i, "resourceName"),
                f'Duplicate value: "{excerpt(name)}" — {c.label} has two resize policies for it',
                container=c,
            )
        if name is not None:
            seen.add(name)
        if name is not None and name not in RESOURCES:
            yield Hit(
                (*path, i, "resourceName"),
                f'Unsupported value: "{excerpt(name)}": supported values: {_quoted(RESOURCES)}',
                container=c,
            )
        value = text_at(policy, "restartPolicy")
        where = (*path, i, "restartPolicy")
        if value is not None and value not in POLICIES:
            yield Hit(
                where,
                f'Unsupported value: "{excerpt(value)}": supported values: {_quoted(POLICIES)}',
                container=c,
            )
        elif (
            c.role is Role.INIT
            and value == "RestartContainer"
            and ctx.minor >= FIRST_REGULAR_INIT_BAN
        ):
            yield Hit(
                where,
                "Invalid value: \"RestartContainer\": must not be set to 'RestartContainer' "
                f"for non-sidecar initContainers ({c.label})",
                container=c,
            )
        elif (
            ctx.minor >= FIRST_NEVER_CHECK
            and pod.restart_policy == "Never"
            and value not in (None, "NotRequired")
        ):
            yield Hit(
                where,
                f"Invalid value: \"{value}\": must be 'NotRequired' when `restartPolicy` is "
                f"'Never' ({c.label})",
                container=c,
            )


RULE = Rule(
    code="SCL019",
    name="resize-policy",
    severity=Severity.ERROR,
    summary="resizePolicy that the target version silently drops or rejects",
    check=check,
)
