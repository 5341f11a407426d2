"""Feature gates that change sidecar behaviour, with their upstream defaults per version.

Source: Kubernetes ``pkg/features/kube_features.go`` (``defaultVersionedKubernetesFeatureGates``)
read at v1.27.4, v1.28.0, v1.29.0, v1.30.0, v1.31.2, v1.33.3, v1.34.1 and v1.35.4; the 1.36
defaults of ``RestartAllContainersOnContainerExits`` follow KEP-5532. A gate absent from a
version's table did not exist yet (treated as off).
"""

from __future__ import annotations

from collections.abc import Mapping

from sidecarlint.versions import minor

#: gate -> (first minor with the gate, first minor where it defaults to on or None).
GATES: dict[str, tuple[int, int | None]] = {
    "SidecarContainers": (28, 29),
    "ContainerRestartRules": (34, 35),
    "RestartAllContainersOnContainerExits": (35, 36),
    "InPlacePodVerticalScaling": (27, 33),
    "PodLifecycleSleepAction": (29, 30),
    "PodLifecycleSleepActionAllowZero": (32, 33),
    "SidecarsRestartableDuringPodTermination": (37, None),
}
#: Gates locked to on (cannot be disabled) from a minor on.
LOCKED_ON: dict[str, int] = {
    "SidecarContainers": 33,
    "InPlacePodVerticalScaling": 35,
    "PodLifecycleSleepAction": 34,
    "PodLifecycleSleepActionAllowZero": 34,
}


class GateError(ValueError):
    """A malformed or unknown ``--feature-gates`` entry."""


def default_gates(version: str) -> dict[str, bool]:
    """Every known gate's upstream default at ``version``."""
    m = minor(version)
    return {name: on is not None and m >= on for name, (_, on) in GATES.items()}


def parse_gates(text: str | Mapping[str, object]) -> dict[str, bool]:
    """Parse ``K=V,K=V`` (or a mapping from a config file) into gate settings."""
    items: list[tuple[str, object]] = []
    if isinstance(text, Mapping):
        items = [(str(k), v) for k, v in text.items()]
    else:
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, sep, text_value = part.partition("=")
            if not sep:
                raise GateError(f"invalid feature gate {part!r}: expected Name=true|false")
            items.append((key.strip(), text_value.strip()))
    gates: dict[str, bool] = {}
    for name, value in items:
        if name not in GATES:
            raise GateError(
                f"unknown feature gate {name!r}: known gates: {', '.join(sorted(GATES))}"
            )
        if isinstance(value, bool):
            gates[name] = value
        elif str(value).lower() in ("true", "false"):
            gates[name] = str(value).lower() == "true"
        else:
            raise GateError(f"invalid value for feature gate {name}: {value!r} (true or false)")
    return gates


def effective_gates(version: str, overrides: Mapping[str, bool]) -> dict[str, bool]:
    """Defaults for ``version`` with ``overrides`` applied (locked gates stay on)."""
    gates = default_gates(version)
    m = minor(version)
    for name, value in overrides.items():
        first, _ = GATES[name]
        if m < first:
            continue  # the gate does not exist yet on this version
        if name in LOCKED_ON and m >= LOCKED_ON[name]:
            continue
        gates[name] = value
    return gates
