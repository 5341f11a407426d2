"""Configuration: ``.sidecarlint.yaml`` or ``[tool.sidecarlint]`` in ``pyproject.toml``.

The nearest file upward from the working directory wins (the search stops at the git root);
keys mirror the command-line options, and the command line wins over the file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
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
    "include": "list",
    "exclude": "list",
    "sidecar-images": "list",
    "sidecar-names": "list",
    "pod-spec-paths": "list",
    "follow-symlinks": "bool",
    "max-file-size": "int",
    "max-depth": "int",
    "jobs": "int or 'auto'",
}


class ConfigError(Exception):
    """An invalid configuration file or value (exit 2)."""


class LoadedConfig(FrozenRecord):
    """Raw, validated configuration values and where they came from."""

    values: Mapping[str, Any]
    source: str | None

    def __init__(self, values: Mapping[str, Any], source: str | None) -> None:
        self.values = values
        self.source = source


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
        _check_keys(table, path, lambda key: "")
        return LoadedConfig(table, path)
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

    def where(key: str) -> str:
        span = doc.span((key,), key=True)
        return f":{span.line}:{span.column}"

    _check_keys(doc.data, path, where)
    return LoadedConfig(doc.data, path)


def _check_keys(values: Mapping[str, Any], path: str, where: Any) -> None:
    import difflib

    for key, value in values.items():
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), list(KEYS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(
                f"{path}{where(key)}: unknown config key '{key}'{hint}; "
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
        if not ok:
            raise ConfigError(
                f"{path}{where(key)}: '{key}' must be a {expected}, got {type(value).__name__}"
            )


def _refuse_always_reported(reg: Any, items: list[str], what: str) -> None:
    """Naming SCL001 or SCL006 (by code or name) where rules are turned off is a mistake."""
    from sidecarlint.registry import ALWAYS_REPORTED

    for item in items:
        rule = reg.lookup(item)
        if rule is not None and rule.code in ALWAYS_REPORTED:
            raise ValueError(
                f"{rule.code} ({rule.name}) in {what}: {rule.code} is always reported, so that "
                "a file that cannot be read or parsed is never passed over; to skip files, "
                "exclude them (exclude: [GLOB])"
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

    def __init__(
        self,
        format: str = "auto",
        output: str | None = None,
        fail_on: str = "error",
        show_suppressed: bool = False,
    ) -> None:
        self.format = format
        self.output = output
        self.fail_on = fail_on
        self.show_suppressed = show_suppressed


FAIL_ON = ("error", "warning", "info", "never")


def resolve(cli: Mapping[str, Any], loaded: LoadedConfig) -> tuple[Any, OutputOptions]:
    """Merge command-line values (None = not given) over the config file into settings."""
    from sidecarlint.features import GateError, parse_gates
    from sidecarlint.finding import Severity
    from sidecarlint.locate import CustomPodPath, parse_dotted_path
    from sidecarlint.pipeline import Settings
    from sidecarlint.registry import Options, registry
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

    reg = registry()
    try:
        enabled: set[str] | None = None
        select = as_list(pick("select"))
        if select:
            enabled = reg.resolve(select, "select")
        extend = as_list(pick("extend-select"))
        ignore = as_list(pick("ignore"))
        _refuse_always_reported(reg, ignore, "ignore")
        if extend or ignore:
            if enabled is None:
                enabled = {r.code for r in reg.rules if r.default_enabled}
            enabled |= reg.resolve(extend, "extend-select")
            enabled -= reg.resolve(ignore, "ignore")
        severities: dict[str, Severity] = {}
        for key, value in (cfg.get("severity") or {}).items():
            rule = reg.lookup(str(key))
            if rule is None:
                raise ValueError(f"unknown rule {key!r} in severity")
            severities[rule.code] = Severity.parse(str(value))
    except ValueError as exc:
        raise ConfigError(f"{origin}: {exc}" if "severity" in str(exc) else str(exc)) from None

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
    if fmt not in ("auto", "text", "json", "sarif", "github"):
        raise ConfigError(
            f"invalid format {fmt!r}: expected one of auto, text, json, sarif, github"
        )
    fail_on = str(pick("fail-on") or "error")
    if fail_on not in FAIL_ON:
        raise ConfigError(f"invalid fail-on {fail_on!r}: expected one of {', '.join(FAIL_ON)}")
    jobs_value = pick("jobs") or "auto"
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
    for key in ("max-file-size", "max-depth"):
        value = pick(key)
        if value is not None:
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"{key} must be a positive integer")
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
        follow_symlinks=bool(pick("follow-symlinks")),
        jobs=jobs,
        debug=bool(cli.get("debug")),
    )
    if limits:
        settings = replace(settings, **limits)
    output = OutputOptions(
        format=str(pick("format") or "auto"),
        output=pick("output"),
        fail_on=fail_on,
        show_suppressed=bool(cli.get("show_suppressed")),
    )
    return settings, output
