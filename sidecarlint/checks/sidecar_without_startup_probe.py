"""SCL304 sidecar-without-startup-probe: later containers use a sidecar that has no
startupProbe."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.activity import activity
from sidecarlint.checks._pod import name_path
from sidecarlint.finding import Severity
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    order = [*pod.init_containers, *pod.containers]
    for i, sidecar in enumerate(order):
        if not sidecar.is_sidecar or "startupProbe" in sidecar.data:
            continue
        serves = activity(pod, sidecar)
        if not serves.listens:
            continue
        for user in order[i + 1 :]:
            used = sorted(
                (use for use in activity(pod, user).connects if serves.listening(use.port)),
                key=lambda use: use.port,
            )
            if not used:
                continue
            use = used[0]
            listen = serves.listening(use.port)
            assert listen is not None
            yield Hit(
                name_path(sidecar),
                f"{user.label} connects to localhost:{use.port} ({use.evidence}) served by "
                f"sidecar {sidecar.label} ({listen.evidence}), which has no startupProbe: the "
                "next container starts as soon as the sidecar's process runs, possibly before "
                "it listens. Add a startupProbe on that port",
                container=sidecar,
                related=((use.where, f"{user.label} connects to localhost:{use.port} here"),),
            )
            break


RULE = Rule(
    code="SCL304",
    name="sidecar-without-startup-probe",
    severity=Severity.WARNING,
    summary="Later containers reach a sidecar over localhost but it has no startupProbe",
    check=check,
    min_version="1.28",
    precision="medium",
)
