"""Configuration: ``.sidecarlint.yaml`` or ``[tool.sidecarlint]`` in ``pyproject.toml``.

The nearest file upward from the working directory wins (the search stops at the git root);
keys mirror the command-line options, and the command line wins over the file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from sidecarlint.records import FrozenRecord, replace

CONFIG_FILES = (".sidecarlint.yaml", ".sidecarlint.yml")

#: Every key a config file may hold, with the type it must have.
KEYS: dict[str, str] = {
    "kubernetes-version": "string",
    "feature-gates": "string or mapping",
    "format": "string",
    "output": "string",
    "fail-on": "string",
    "select": "list",
    "ignore": "list",
    "extend-select": "list",
    "severity": "mapping",
    "per-file-ignores": "mapping",
    "include": "list",
    "exclude": "list",
    "sidecar-images": "list",
    "sidecar-names": "list",
    "pod-spec-paths": "list",
    "follow-symlinks": "bool",
    "max-file-size": "int",
    "max-depth": "int",
    "max-findings": "int",
    "jobs": "int or 'auto'",
    "show-source": "bool",
    "chart-templates": "string",
    "kustomize": "string",
    "helm": "string",
    "helm-values": "list",
}


class ConfigError(Exception):
    """An invalid configuration file or value (exit 2)."""


class LoadedConfig(FrozenRecord):
    """Raw, validated configuration values and where they came from."""

    values: Mapping[str, Any]
    source: str | None
    #: ``:line:col`` of a value (or its key) in the file, when the format has positions.
    position: Callable[[tuple[str | int, ...], bool], str] | None

    def __init__(
        self,
        values: Mapping[str, Any],
        source: str | None,
        position: Callable[[tuple[str | int, ...], bool], str] | None = None,
    ) -> None:
        self.values = values
        self.source = source
        self.position = position

    def where(self, *path: str | int, key: bool = False) -> str:
        """``file:line:col`` of the value at ``path`` (just ``file`` without positions)."""
        base = self.source or "configuration"
        if self.position is None or not path:
            return base
        return base + self.position(path, key)


def find_config(start: str) -> str | None:
    """The nearest config file from ``start`` upward, stopping at the git root."""
    directory = os.path.abspath(start)
    while True:
        for name in CONFIG_FILES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return candidate
        pyproject = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(pyproject) and _pyproject_has_table(pyproject):
            return pyproject
        parent = os.path.dirname(directory)
        if os.path.exists(os.path.join(directory, ".git")) or parent == directory:
            return None
        directory = parent


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None


def _load_toml(path: str, data: bytes | None = None) -> dict[str, Any]:
    if data is None:
        data = _read_bytes(path)
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        table: dict[str, Any] = tomllib.loads(data.decode("utf-8"))
    except ValueError as exc:  # TOMLDecodeError and UnicodeDecodeError
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    return table


def _pyproject_has_table(path: str) -> bool:
    """Whether ``path`` has a ``[tool.sidecarlint]`` table.

    A file whose bytes never spell ``sidecarlint`` (and hold no ``\\u`` escape that could
    spell it in a quoted key) cannot have one, so it is not parsed: most repositories'
    ``pyproject.toml`` is not ours, and the TOML parser costs a pre-commit run more to
    import than the check itself. A file that may hold the table but is not valid TOML is
    a config error, not silently passed over.
    """
    try:
        data = _read_bytes(path)
    except ConfigError:
        return False
    if b"sidecarlint" not in data and b"\\u" not in data and b"\\U" not in data:
        return False
    table = _load_toml(path, data)
    return isinstance(table.get("tool"), dict) and "sidecarlint" in table["tool"]


def load_config(path: str | None, cwd: str | None = None) -> LoadedConfig:
    """Load ``path`` (or discover one from ``cwd``) and check its keys."""
    if path is None:
        path = find_config(cwd or os.getcwd())
        if path is None:
            return LoadedConfig({}, None)
    if not os.path.isfile(path):
        raise ConfigError(f"{path}: config file not found")
    if path.endswith(".toml"):
        data = _load_toml(path)
        table = data.get("tool", {}).get("sidecarlint", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.sidecarlint] must be a table")
        loaded = LoadedConfig(table, path)
        _check_keys(loaded, None)
        return loaded
    from sidecarlint.parse import parse_text

    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    parsed = parse_text(text, path)
    if parsed.problems:
        problem = parsed.problems[0]
        raise ConfigError(f"{path}:{problem.span.line}:{problem.span.column}: {problem.message}")
    if not parsed.documents:
        return LoadedConfig({}, path)
    doc = parsed.documents[0]
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping")

    def position(ypath: tuple[str | int, ...], key: bool) -> str:
        span = doc.span(ypath, key=key)
        return f":{span.line}:{span.column}"

    lines = text.splitlines()

    def written(ypath: tuple[str | int, ...]) -> str:
        """How a (one-line) value is written in the file."""
        span = doc.span(ypath)
        if span.line != span.end_line or span.line > len(lines):
            return ""
        return lines[span.line - 1][span.column - 1 : span.end_column - 1]

    loaded = LoadedConfig(doc.data, path, position)
    _check_keys(loaded, written)
    return loaded


def _check_keys(loaded: LoadedConfig, written: Callable[[tuple[str, ...]], str] | None) -> None:
    """Every key known and of its type; ``written`` gives a YAML value's source text."""
    import difflib

    for key, value in loaded.values.items():
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), list(KEYS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(
                f"{loaded.where(key, key=True)}: unknown config key '{key}'{hint}; "
                f"known keys: {', '.join(KEYS)}"
            )
        expected = KEYS[key]
        ok = {
            "string": isinstance(value, str),
            "list": isinstance(value, (list, str)),
            "mapping": isinstance(value, dict),
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "string or mapping": isinstance(value, (str, dict)),
            "int or 'auto'": (isinstance(value, int) and not isinstance(value, bool))
            or value == "auto",
        }[expected]
        if ok:
            continue
        if expected == "string" and isinstance(value, (int, float, bool)):
            # An unquoted 1.30 is the number 1.3 (a version quite unlike 1.30).
            what = "boolean" if isinstance(value, bool) else "number"
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            if written is None:
                raise ConfigError(
                    f"{loaded.where(key)}: {key} must be a string, but TOML reads it as the "
                    f'{what} {shown}; quote it: {key} = "{shown}"'
                )
            raw = written((key,)) or shown
            raise ConfigError(
                f"{loaded.where(key)}: {key} must be a string, but YAML reads {raw} as the "
                f'{what} {shown}; quote it: {key}: "{raw}"'
            )
        raise ConfigError(
            f"{loaded.where(key)}: '{key}' must be a {expected}, got {type(value).__name__}"
        )


def as_list(value: Any) -> list[str]:
    """A config list (or a comma-separated string) as a list of strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


class OutputOptions(FrozenRecord):
    """How a run is reported (not what it checks)."""

    format: str
    output: str | None
    fail_on: str
    show_suppressed: bool
    show_source: bool

    def __init__(
        self,
        format: str = "auto",
        output: str | None = None,
        fail_on: str = "error",
        show_suppressed: bool = False,
        show_source: bool = False,
    ) -> None:
        self.format = format
        self.output = output
        self.fail_on = fail_on
        self.show_suppressed = show_suppressed
        self.show_source = show_source


FAIL_ON = ("error", "warning", "info", "never")
#: When to render kustomizations and Helm charts.
RENDER_MODES = ("auto", "never", "always")
_ALWAYS = (
    "it is always reported, so that a file that cannot be read or parsed is never passed "
    "over; to skip files, exclude them (exclude: [GLOB])"
)
#: A severity that turns a rule off (YAML 1.1 reads an unquoted ``off`` or ``no`` as false).
OFF = "off"


def _rules(
    cli: Mapping[str, Any], loaded: LoadedConfig
) -> tuple[set[str] | None, dict[str, Any], tuple[tuple[str, frozenset[str]], ...]]:
    """Enabled rules, severity overrides and per-path ignores, from both sources.

    A mistake is reported where it was made: ``--select: ...`` for the command line,
    ``file:line:col: ...`` at the offending item of a YAML config file.
    """
    from sidecarlint.registry import ALWAYS_REPORTED, UnknownRule, registry

    reg = registry()
    cfg = loaded.values

    def given(key: str) -> bool:
        return cli.get(key.replace("-", "_")) not in (None, ())

    def codes(key: str, value: Any, where: tuple[str, ...], refuse_always: bool) -> set[str]:
        """The codes ``value`` (a list or a comma-separated string) names."""
        found: set[str] = set()
        for index, item in enumerate(as_list(value)):
            at: tuple[str | int, ...] = (*where, index) if isinstance(value, list) else where
            origin = f"--{key}" if given(key) else loaded.where(*at)
            try:
                found |= reg.resolve([item], key)
            except UnknownRule as exc:
                if given(key):
                    raise ConfigError(f"--{key}: unknown rule {item!r}{exc.hint}") from None
                raise ConfigError(f"{origin}: {exc}") from None
            rule = reg.lookup(item)
            if refuse_always and rule is not None and rule.code in ALWAYS_REPORTED:
                raise ConfigError(f"{origin}: {rule.code} ({rule.name}) in {key}: {_ALWAYS}")
        return found

    def pick(key: str) -> Any:
        return cli.get(key.replace("-", "_")) if given(key) else cfg.get(key)

    enabled: set[str] | None = None
    if pick("select"):
        enabled = codes("select", pick("select"), ("select",), False)
    extend = codes("extend-select", pick("extend-select"), ("extend-select",), False)
    ignore = codes("ignore", pick("ignore"), ("ignore",), True)
    if extend or ignore:
        if enabled is None:
            enabled = {r.code for r in reg.rules if r.default_enabled}
        enabled = (enabled | extend) - ignore

    # severity: the config's mapping, then --severity CODE=LEVEL entries over it.
    entries: list[tuple[Any, Any, str, str]] = []  # (rule, level, where rule, where level)
    for key, value in (cfg.get("severity") or {}).items():
        entries.append(
            (key, value, loaded.where("severity", key, key=True), loaded.where("severity", key))
        )
    for item in cli.get("severity") or ():
        rule_text, sep, level = str(item).partition("=")
        if not sep or not rule_text.strip():
            raise ConfigError(f"--severity: expected CODE=LEVEL (e.g. SCL103=error), got {item!r}")
        entries.append((rule_text.strip(), level.strip(), "--severity", "--severity"))
    severities: dict[str, Any] = {}
    off: set[str] = set()
    for rule_text, value, at_rule, at_level in entries:
        rule = reg.lookup(str(rule_text))
        if rule is None:
            hint = UnknownRule(str(rule_text), "severity", reg.suggest(str(rule_text))).hint
            raise ConfigError(f"{at_rule}: unknown rule {str(rule_text)!r} in severity{hint}")
        level = _severity(value, rule.code, at_level)
        if level == OFF:
            if rule.code in ALWAYS_REPORTED:
                raise ConfigError(f"{at_level}: {rule.code} ({rule.name}) in severity: {_ALWAYS}")
            off.add(rule.code)
            severities.pop(rule.code, None)
        else:
            off.discard(rule.code)
            severities[rule.code] = level
    if off:
        if enabled is None:
            enabled = {r.code for r in reg.rules if r.default_enabled}
        enabled -= off

    # per-file-ignores: the config's mapping, then --per-file-ignores GLOB:CODES over it.
    ignores: dict[str, frozenset[str]] = {}
    for glob, value in (cfg.get("per-file-ignores") or {}).items():
        if not isinstance(value, (list, str)):
            raise ConfigError(
                f"{loaded.where('per-file-ignores', glob)}: per-file-ignores maps a glob to a "
                f"list of rules, got {type(value).__name__}"
            )
        ignores[str(glob)] = frozenset(
            codes("per-file-ignores", value, ("per-file-ignores", glob), True)
        )
    for item in cli.get("per_file_ignores") or ():
        glob, sep, value = str(item).rpartition(":")
        if not sep or not glob.strip() or not value.strip():
            raise ConfigError(
                f"--per-file-ignores: expected GLOB:CODES (e.g. 'legacy/*:SCL103,SCL202'), "
                f"got {item!r}"
            )
        ignores[glob.strip()] = frozenset(
            codes("per-file-ignores", value, ("per-file-ignores",), True)
        )
    return enabled, severities, tuple(sorted(ignores.items()))


def _severity(value: Any, code: str, where: str) -> Any:
    """A severity level, or OFF; booleans are what YAML 1.1 makes of on/off/yes/no."""
    from sidecarlint.finding import Severity

    if value is False or (isinstance(value, str) and value.strip().lower() == OFF):
        return OFF
    expected = "expected error, warning, info or off"
    if value is True:
        raise ConfigError(
            f"{where}: invalid severity true for {code} (YAML 1.1 reads on, yes, y and true as "
            f"true): {expected}"
        )
    try:
        return Severity.parse(str(value))
    except ValueError:
        raise ConfigError(f"{where}: invalid severity {value!r} for {code}: {expected}") from None


def resolve(cli: Mapping[str, Any], loaded: LoadedConfig) -> tuple[Any, OutputOptions]:
    """Merge command-line values (None = not given) over the config file into settings."""
    from sidecarlint.features import GateError, parse_gates
    from sidecarlint.locate import CustomPodPath, parse_dotted_path
    from sidecarlint.pipeline import Settings
    from sidecarlint.registry import Options
    from sidecarlint.versions import DEFAULT, VersionError, parse_version

    cfg = loaded.values
    origin = loaded.source or "configuration"

    def pick(key: str) -> Any:
        value = cli.get(key.replace("-", "_"))
        if value is None or value == ():
            return cfg.get(key)
        return value

    try:
        version = parse_version(str(pick("kubernetes-version") or DEFAULT))
        gates_value = pick("feature-gates")
        gates = parse_gates(gates_value) if gates_value else {}
    except (VersionError, GateError) as exc:
        raise ConfigError(str(exc)) from None

    enabled, severities, per_file_ignores = _rules(cli, loaded)
    # Globs are relative to the configuration file's directory (else the working directory).
    root = os.path.dirname(os.path.abspath(loaded.source)) if loaded.source else os.getcwd()

    pod_paths: list[CustomPodPath] = []
    for i, entry in enumerate(cfg.get("pod-spec-paths") or []):
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("kind"), str)
            or not isinstance(entry.get("path"), str)
        ):
            raise ConfigError(
                f"{origin}: pod-spec-paths[{i}] must be a mapping with 'kind' and 'path' "
                "(and optional 'api-version', 'batch')"
            )
        unknown = set(entry) - {"kind", "path", "api-version", "batch"}
        if unknown:
            raise ConfigError(f"{origin}: pod-spec-paths[{i}]: unknown key {sorted(unknown)[0]!r}")
        try:
            path = parse_dotted_path(entry["path"])
        except ValueError as exc:
            raise ConfigError(f"{origin}: pod-spec-paths[{i}]: {exc}") from None
        pod_paths.append(
            CustomPodPath(entry["kind"], path, entry.get("api-version"), bool(entry.get("batch")))
        )

    fmt = str(pick("format") or "auto")
    from sidecarlint.report import FORMATS

    if fmt != "auto" and fmt not in FORMATS:
        raise ConfigError(f"invalid format {fmt!r}: expected one of auto, {', '.join(FORMATS)}")
    chart_templates = str(pick("chart-templates") or "skip")
    if chart_templates not in ("skip", "check"):
        raise ConfigError(f"invalid chart-templates {chart_templates!r}: expected skip or check")
    renders: dict[str, str] = {}
    for key in ("kustomize", "helm"):
        renders[key] = str(pick(key) or "auto")
        if renders[key] not in RENDER_MODES:
            raise ConfigError(
                f"invalid {key} {renders[key]!r}: expected one of {', '.join(RENDER_MODES)}"
            )
    helm_values = tuple(as_list(pick("helm-values")))
    for file in helm_values:
        if not os.path.isfile(file):
            raise ConfigError(f"helm-values: {file}: no such file")
    fail_on = str(pick("fail-on") or "error")
    if fail_on not in FAIL_ON:
        raise ConfigError(f"invalid fail-on {fail_on!r}: expected one of {', '.join(FAIL_ON)}")
    jobs_value = pick("jobs")
    if jobs_value is None:
        jobs_value = "auto"
    if jobs_value == "auto":
        jobs = min(os.cpu_count() or 1, 8)
    else:
        try:
            jobs = int(jobs_value)
        except ValueError:
            raise ConfigError(f"invalid jobs {jobs_value!r}: a number or 'auto'") from None
        if jobs < 1:
            raise ConfigError("jobs must be at least 1")
    limits: dict[str, int] = {}
    for key in ("max-file-size", "max-depth", "max-findings"):
        value = pick(key)
        if value is not None:
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{key} must be a positive integer")
            from sidecarlint.parse import MAX_DEPTH_LIMIT

            if key == "max-depth" and value > MAX_DEPTH_LIMIT:
                raise ConfigError(
                    f"max-depth must be at most {MAX_DEPTH_LIMIT} (the YAML parser refuses "
                    "deeper nesting itself)"
                )
            limits[key.replace("-", "_")] = value

    settings = Settings(
        version=version,
        gates=tuple(sorted(gates.items())),
        enabled=frozenset(enabled) if enabled is not None else None,
        severities=tuple(sorted(severities.items())),
        options=Options(
            tuple(as_list(pick("sidecar-images"))), tuple(as_list(pick("sidecar-names")))
        ),
        pod_paths=tuple(pod_paths),
        include=tuple(as_list(pick("include"))),
        exclude=tuple(as_list(pick("exclude"))),
        per_file_ignores=per_file_ignores,
        root=root,
        follow_symlinks=bool(pick("follow-symlinks")),
        jobs=jobs,
        debug=bool(cli.get("debug")),
        chart_templates=chart_templates,
        kustomize=renders["kustomize"],
        helm=renders["helm"],
        helm_values=helm_values,
    )
    if limits:
        settings = replace(settings, **limits)
    output = OutputOptions(
        format=str(pick("format") or "auto"),
        output=pick("output"),
        fail_on=fail_on,
        show_suppressed=bool(cli.get("show_suppressed")),
        show_source=bool(pick("show-source")),
    )
    if output.show_source:
        settings = replace(settings, source_lines=True)
    return settings, output
