"""SCL302 proxy-sidecar-not-first: a network proxy sidecar after an init container that
makes network calls."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sidecarlint.activity import activity
from sidecarlint.checks._pod import name_path
from sidecarlint.finding import Severity, excerpt
from sidecarlint.helpers import is_one_shot, proxy_label
from sidecarlint.locate import Pod
from sidecarlint.registry import Hit, Rule, RuleContext
from sidecarlint.shell import commands

NETWORK_PROGRAMS = frozenset(
    [
        "curl",
        "wget",
        "nc",
        "ncat",
        "psql",
        "mysql",
        "mysqladmin",
        "pg_isready",
        "git",
        "pip",
        "pip3",
        "npm",
        "apt-get",
        "apk",
        "migrate",
        "flyway",
        "liquibase",
        "alembic",
        "redis-cli",
        "mongosh",
        "mongo",
        "gsutil",
        "aws",
        "gcloud",
        "kubectl",
        "helm",
        "nslookup",
    ]
)


def network_call(argv: Sequence[str]) -> str | None:
    for cmd in commands(argv):
        if cmd.program in NETWORK_PROGRAMS:
            return cmd.program
        if cmd.program.startswith("python") and "migrate" in cmd.args:
            return "a migration"
    return None


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    order = pod.init_containers
    for i, init in enumerate(order):
        if init.is_sidecar or is_one_shot(init, pod):
            continue
        program = network_call(init.argv)
        if program is None:
            continue
        for proxy in order[i + 1 :]:
            label = proxy_label(proxy, ctx.options) if proxy.is_sidecar else None
            if label is None:
                continue
            if activity(pod, init).connect_ports & activity(pod, proxy).listen_ports:
                continue  # SCL301 reports the hard dependency
            yield Hit(
                name_path(init),
                f"init container {init.label} makes network calls ({excerpt(program)}) before the "
                f"{label} sidecar {proxy.label} has started: with traffic redirected through "
                f"the proxy they fail or bypass it. Declare {proxy.label} first",
                container=init,
                related=((name_path(proxy), f"{label} sidecar {proxy.label} is declared here"),),
            )
            break


RULE = Rule(
    code="SCL302",
    name="proxy-sidecar-not-first",
    severity=Severity.WARNING,
    summary="A network proxy sidecar declared after an init container that uses the network",
    check=check,
    min_version="1.28",
    precision="medium",
)
