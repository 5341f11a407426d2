"""SCL016 restart-rules-invalid: ``restartPolicyRules`` misuse for the target version.

Kubernetes ``pkg/apis/core/validation/validation.go``: ``validateContainerRestartPolicy``
(app containers, and init containers with another policy) and
``validateInitContainerRestartPolicy`` (sidecars); ``pkg/api/pod/util.go``:
``dropContainerRestartRules`` while ``ContainerRestartRules`` is off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sidecarlint.finding import Severity, excerpt
from sidecarlint.locate import Container, Pod, Role
from sidecarlint.registry import Hit, Rule, RuleContext

MAX_RULES = 20
MAX_VALUES = 255


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    for c in [*pod.init_containers, *pod.containers]:
        rules = c.data.get("restartPolicyRules")
        if rules is None:
            continue
        path = (*c.path, "restartPolicyRules")
        if not ctx.gate("ContainerRestartRules"):
            yield Hit(
                path,
                f"restartPolicyRules on {c.label} are silently dropped on Kubernetes "
                f"{ctx.version} (ContainerRestartRules is off)",
                key=True,
                severity=Severity.WARNING,
                container=c,
            )
            continue
        yield from _validate(c, rules, path, ctx)


def _validate(
    c: Container, rules: Any, path: tuple[str | int, ...], ctx: RuleContext
) -> Iterator[Hit]:
    all_restart = ctx.gate("RestartAllContainersOnContainerExits")
    if c.role is Role.SIDECAR and not all_restart:
        yield Hit(
            path,
            "Forbidden: restartPolicyRules are not allowed for init containers with restart "
            f"policy Always — Kubernetes {ctx.version} rejects them on sidecar {c.label}"
            + (" (RestartAllContainersOnContainerExits is off)" if ctx.minor >= 35 else ""),
            key=True,
            container=c,
        )
        return
    if "restartPolicy" not in c.data and not (c.role is Role.INIT and ctx.minor == 34):
        # 1.34's validateInitContainerRestartPolicy returns early without a restartPolicy.
        yield Hit(
            path,
            f"restartPolicy: Required value: must specify restartPolicy when restart rules are "
            f"used ({c.label})",
            key=True,
            container=c,
        )
    if not isinstance(rules, list):
        return
    if len(rules) > MAX_RULES:
        yield Hit(
            path,
            f"Too long: may have at most {MAX_RULES} items ({len(rules)} rules on {c.label})",
            key=True,
            container=c,
        )
    actions = ["Restart", *(["RestartAllContainers"] if all_restart else [])]
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        action = rule.get("action")
        if action not in actions:
            # The message lists "Restart" only, even where RestartAllContainers is allowed.
            yield Hit(
                (*path, i, "action"),  # the rule's entry when it has no action
                f'Unsupported value: "{excerpt(str(action))}": supported values: "Restart"',
                container=c,
            )
        codes = rule.get("exitCodes")
        if not isinstance(codes, dict):
            yield Hit((*path, i), "exitCodes: Required value: must be specified", container=c)
            continue
        if codes.get("operator") not in ("In", "NotIn"):
            yield Hit(
                (*path, i, "exitCodes", "operator"),  # exitCodes when it has no operator
                f'Unsupported value: "{excerpt(str(codes.get("operator")))}": supported values: '
                '"In", "NotIn"',
                container=c,
            )
        values = codes.get("values")
        if isinstance(values, list) and len(values) > MAX_VALUES:
            yield Hit(
                (*path, i, "exitCodes", "values"),
                f"Too long: may have at most {MAX_VALUES} items ({len(values)} exit codes)",
                key=True,
                container=c,
            )


RULE = Rule(
    code="SCL016",
    name="restart-rules-invalid",
    severity=Severity.ERROR,
    summary="restartPolicyRules that the target version drops or rejects",
    check=check,
    min_version="1.34",
)
