"""Command-line interface (click). Parses options and hands them to the pipeline; no logic."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from sidecarlint import __version__
from sidecarlint.commands import EXIT_ERROR, guarded


class _Group(click.Group):
    pass


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="sidecarlint")
def cli() -> None:
    """Lint Kubernetes manifests that use sidecar containers.

    \b
    Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage, config,
    I/O or internal error.
    """


@cli.command()
@click.argument("paths", nargs=-1, metavar="[PATH...|-]")
@click.option(
    "--kubernetes-version",
    "-k",
    metavar="X.Y",
    help="Target Kubernetes version (1.27-1.37; default: the newest bundled).",
)
@click.option(
    "--feature-gates",
    metavar="K=V,...",
    help="Feature gates of the target cluster, e.g. SidecarContainers=true.",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["auto", "text", "json", "sarif", "github", "gitlab", "junit"]),
    help="Output format (default: auto = github on stdout inside GitHub Actions, else text). "
    "gitlab is a GitLab Code Quality report, junit JUnit XML.",
)
@click.option(
    "--root",
    "--sarif-root",
    "sarif_root",
    metavar="DIR",
    help="Make paths in sarif, github, gitlab and junit output relative to DIR (default: "
    "GITHUB_WORKSPACE for github, CI_PROJECT_DIR for gitlab, else the git top-level, else "
    "the cwd).",
)
@click.option(
    "--sarif-output",
    metavar="FILE",
    help="Also write a SARIF report to FILE, whatever --format is (e.g. annotations in a CI "
    "log and SARIF for code scanning from one run).",
)
@click.option(
    "--stdin-filename",
    metavar="PATH",
    help="The path stdin stands for: findings, outputs and config matching use it "
    "(reads stdin when no path is given).",
)
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    help="Lowest severity that makes the exit code 1 (default: error).",
)
@click.option("--select", metavar="CODES", help="Only these rules (codes, names or prefixes).")
@click.option("--ignore", metavar="CODES", help="Disable these rules.")
@click.option("--extend-select", metavar="CODES", help="Enable these rules on top of the defaults.")
@click.option(
    "--per-file-ignores",
    metavar="GLOB:CODES",
    multiple=True,
    help="Disable rules for the files GLOB matches, e.g. 'legacy/*:SCL103,SCL202' "
    "(repeatable; merged over the config file's per-file-ignores).",
)
@click.option(
    "--severity",
    metavar="CODE=LEVEL",
    multiple=True,
    help="Set a rule's severity: error, warning, info or off (repeatable; merged over "
    "the config file's severity).",
)
@click.option(
    "--include",
    metavar="GLOB",
    multiple=True,
    help="In directories, check files matching GLOB (default *.yaml, *.yml, *.json).",
)
@click.option("--exclude", metavar="GLOB", multiple=True, help="Skip paths matching GLOB.")
@click.option(
    "--follow-symlinks",
    is_flag=True,
    default=None,
    help="Follow symlinks inside directories (never outside the root).",
)
@click.option(
    "--chart-templates",
    type=click.Choice(["skip", "check"]),
    help="Helm chart templates (files under a templates/ directory beside a Chart.yaml): "
    "skip them as files (default: the chart is rendered instead, see --helm), or check them "
    "as they are.",
)
@click.option(
    "--kustomize",
    type=click.Choice(["auto", "never", "always"]),
    help="Render kustomizations (directories with a kustomization.yaml) and check what they "
    "render instead of their files, with findings at the base or patch line that caused "
    "them: auto (default) when kustomize or kubectl is found, never, or always (no "
    "renderer is an error). Remote bases are never fetched.",
)
@click.option(
    "--helm",
    type=click.Choice(["auto", "never", "always"]),
    help="Render Helm charts with 'helm template' and check what they render, with findings "
    "at the template lines: auto (default) when helm is found, never, or always.",
)
@click.option(
    "--helm-values",
    metavar="FILE",
    multiple=True,
    help="A values file for every chart rendered (repeatable).",
)
@click.option("--jobs", "-j", metavar="N|auto", help="Worker processes (default: auto).")
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    metavar="BYTES",
    help="Skip (and report) files larger than this (default: 256 MiB; files are read piece "
    "by piece, so this is no memory limit).",
)
@click.option(
    "--max-depth",
    type=click.IntRange(min=1, max=1000),
    metavar="N",
    help="Deepest YAML nesting accepted, at most 1000 (default: 100).",
)
@click.option(
    "--max-findings",
    type=click.IntRange(min=1),
    metavar="N",
    help="Findings listed per rule and file (default: 1,000); the rest are counted in one "
    "finding at the first of them.",
)
@click.option(
    "--config",
    "config_path",
    metavar="FILE",
    help="Config file (default: nearest .sidecarlint.yaml or pyproject.toml).",
)
@click.option("--show-suppressed", is_flag=True, help="List suppressed findings too.")
@click.option(
    "--show-source",
    is_flag=True,
    default=None,
    help="Show each finding's source line with a caret under the key or value (text format).",
)
@click.option(
    "--statistics",
    is_flag=True,
    help="Count findings per rule instead of listing them (text and json formats).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print findings only: no notes, no summary.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    help="Colour text output (default: auto = on a terminal, unless NO_COLOR is set and not "
    "empty; a non-empty FORCE_COLOR forces it).",
)
@click.option(
    "--fix",
    is_flag=True,
    help="Rewrite files to fix fixable findings; a file a fix cannot safely change is left "
    "as it is, with a note (stdin: written to stdout, fixed where it can be).",
)
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print a unified diff of the fixes instead of writing them (exit 1 if any).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
def check(
    paths: tuple[str, ...],
    config_path: str | None,
    format_: str | None,
    sarif_root: str | None,
    sarif_output: str | None,
    stdin_filename: str | None,
    fix: bool,
    show_diff: bool,
    color: str | None,
    quiet: bool,
    statistics: bool,
    **cli_values: Any,
) -> None:
    """Check manifests in files and directories (- reads stdin)."""
    from sidecarlint import commands

    try:
        code = commands.check(
            paths,
            config_path=config_path,
            format_=format_,
            sarif_root=sarif_root,
            sarif_output=sarif_output,
            stdin_filename=stdin_filename,
            fix=fix,
            show_diff=show_diff,
            color=color,
            quiet=quiet,
            statistics=statistics,
            echo=_echo,
            **cli_values,
        )
    except commands.UsageError as exc:
        raise click.UsageError(str(exc)) from None
    sys.exit(code)


def _echo(text: str, err: bool) -> None:
    # The reporters decide about colour themselves; click must not strip it.
    click.echo(text, nl=False, err=err, color=True)


@cli.command()
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text")
def rules(format_: str) -> None:
    """List every rule: code, name, severity, versions, fixable, summary."""
    import json

    from sidecarlint.docs import help_uri
    from sidecarlint.registry import registry

    reg = registry()
    if format_ == "json":
        data = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "versions": r.versions,
                "fixable": r.fixable,
                "enabled": r.default_enabled,
                "precision": r.precision,
                "summary": r.summary,
                "helpUri": help_uri(r.code, r.name),
            }
            for r in reg.rules
        ]
        click.echo(json.dumps(data, indent=2))
        return
    width = max(len(r.name) for r in reg.rules)
    for r in reg.rules:
        flags = ("fix" if r.fixable else "   ") + ("" if r.default_enabled else " off")
        click.echo(
            f"{r.code}  {r.name:<{width}}  {r.severity.value:<7}  {r.versions:<9}  "
            f"{flags:<7}  {r.summary}"
        )


@cli.command("config-schema")
def config_schema() -> None:
    """Print the JSON Schema of .sidecarlint.yaml (for editors that validate YAML)."""
    from pathlib import Path

    click.echo(Path(__file__).with_name("config.schema.json").read_text(encoding="utf-8"), nl=False)


@cli.command()
def versions() -> None:
    """List the supported Kubernetes versions."""
    from sidecarlint.versions import DEFAULT, SUPPORTED

    for v in SUPPORTED:
        click.echo(f"{v}{'  (default)' if v == DEFAULT else ''}")


@cli.command()
@click.argument("rule")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    help="Colour the page (default: auto, as for check).",
)
def explain(rule: str, color: str | None) -> None:
    """Show a rule's documentation page (by code or name)."""
    from sidecarlint.docs import render_terminal, rule_page
    from sidecarlint.registry import registry
    from sidecarlint.report import use_colour

    found = registry().lookup(rule)
    if found is None:
        raise click.UsageError(f"unknown rule {rule!r} (see 'sidecarlint rules')")
    page = rule_page(found.code)
    if page is None:
        raise click.ClickException(f"no documentation page for {found.code}")
    click.echo(render_terminal(page, use_colour(color, sys.stdout)), nl=False, color=True)


@cli.command("explain-pod")
@click.argument("paths", nargs=-1, metavar="[PATH...|-]")
@click.option("--kubernetes-version", "-k", metavar="X.Y", help="Target Kubernetes version.")
@click.option("--feature-gates", metavar="K=V,...", help="Feature gates of the target cluster.")
@click.option("--config", "config_path", metavar="FILE", help="Config file.")
def explain_pod(paths: tuple[str, ...], config_path: str | None, **cli_values: Any) -> None:
    """Show each pod's timeline: start order, what blocks, stop order, effective requests."""
    from sidecarlint.config import load_config, resolve
    from sidecarlint.pipeline import pods
    from sidecarlint.report._escape import printable
    from sidecarlint.sources import PathError
    from sidecarlint.timeline import explain

    if not paths:
        raise click.UsageError("no paths given (use '-' for stdin)")
    settings, _ = resolve(cli_values, load_config(config_path))
    try:
        found = 0
        for pod in pods(paths, settings):
            if found:
                click.echo("")
            found += 1
            for line in explain(pod, settings.context()):
                click.echo(printable(line))
    except PathError as exc:
        raise click.UsageError(printable(str(exc))) from None
    if not found:
        click.echo("no pod specs found")


@cli.command()
@click.option(
    "--stdio",
    is_flag=True,
    help="Talk over stdin/stdout (the only transport; accepted because clients pass it).",
)
def server(stdio: bool) -> None:
    """Run the language server for editors (needs: pip install 'sidecarlint[server]').

    Diagnostics, quick fixes and hovers for the YAML and JSON files open in the editor,
    with each workspace folder's configuration, as 'check' would report them.
    """
    from sidecarlint.server import main as serve

    sys.exit(serve())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the CLI and map every failure to exit code 2 without a traceback."""
    args = list(sys.argv[1:] if argv is None else argv)

    def invoke() -> int:
        try:
            cli.main(args=args, prog_name="sidecarlint", standalone_mode=False)
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except click.exceptions.Abort:
            click.echo("Aborted.", err=True)
            return EXIT_ERROR
        except click.ClickException as exc:
            exc.show()
            return EXIT_ERROR
        return 0

    return guarded(invoke, debug="--debug" in args)


if __name__ == "__main__":
    sys.exit(main())
