"""Which settings check a file open in the editor: per workspace folder, as ``check`` would.

A file's folder is the innermost workspace folder holding it (a file outside every folder
is its own directory's). Its configuration is what ``sidecarlint check`` finds when run in
that folder: the nearest ``.sidecarlint.yaml``/``.yml`` or ``pyproject.toml`` with a
``[tool.sidecarlint]`` table, upward to the git root. The editor's own settings (section
``sidecarlint``) play the part of the command line: they win over the file.

The settings of a folder are built once and kept while neither the config file (its path,
size and modification time) nor the editor settings change, so edits to the config file
take effect on the next check without a restart.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from sidecarlint.config import ConfigError, LoadedConfig, find_config, load_config, resolve
from sidecarlint.pipeline import Linter, Settings
from sidecarlint.records import Record
from sidecarlint.sources import _excluded, _included, chart_of

#: Editor settings and the type each must have: the options of ``check`` that decide what
#: is reported, and ``config`` (like ``--config``, relative to the workspace folder).
EDITOR_KEYS: dict[str, str] = {
    "config": "string",
    "kubernetes-version": "string",
    "feature-gates": "string or mapping",
    "select": "list",
    "ignore": "list",
    "extend-select": "list",
}


class FolderConfig(Record):
    """The settings that check one folder's files, or why there are none."""

    root: str
    linter: Linter | None
    #: The config file used, if any.
    source: str | None
    #: Why the folder cannot be checked (an invalid config file or editor setting).
    error: str | None

    def __init__(
        self,
        root: str,
        linter: Linter | None = None,
        source: str | None = None,
        error: str | None = None,
    ) -> None:
        self.root = root
        self.linter = linter
        self.source = source
        self.error = error

    @property
    def settings(self) -> Settings | None:
        return self.linter.settings if self.linter is not None else None

    def describe(self) -> str:
        """One line for the server log: the target version and where it comes from."""
        if self.error is not None or self.settings is None:
            return f"{self.root}: not checked: {self.error}"
        settings = self.settings
        gates = ", ".join(f"{k}={str(v).lower()}" for k, v in settings.gates)
        origin = f"config {self.source}" if self.source else "no config file"
        return (
            f"{self.root}: Kubernetes {settings.version}"
            + (f", feature gates {gates}" if gates else "")
            + f" ({origin})"
        )

    def checks(self, path: str | None) -> bool:
        """Whether ``check`` run in this folder would check ``path``: not excluded (nor
        left out by ``include`` when the configuration sets it), and not a Helm chart
        template unless the configuration says to check those."""
        settings = self.settings
        if settings is None:
            return False
        if path is None:
            return True
        rel = os.path.relpath(path, self.root) if _inside(path, self.root) else path
        if _excluded(rel, settings.exclude):
            return False
        if settings.chart_templates == "skip" and chart_of(path) is not None:
            return False
        return not settings.include or _included(rel, settings.include)


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([os.path.abspath(path), os.path.abspath(root)]) == (
            os.path.abspath(root)
        )
    except ValueError:  # different drives
        return False


def editor_values(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Editor settings as command-line values; ConfigError for unknown keys or bad types."""
    import difflib

    values: dict[str, Any] = {}
    for key, value in settings.items():
        expected = EDITOR_KEYS.get(key)
        if expected is None:
            close = difflib.get_close_matches(str(key), list(EDITOR_KEYS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(
                f"editor settings: unknown key 'sidecarlint.{key}'{hint}; "
                f"known keys: {', '.join(EDITOR_KEYS)}"
            )
        if value is None:
            continue
        ok = {
            "string": isinstance(value, str),
            "list": isinstance(value, str)
            or (isinstance(value, list) and all(isinstance(v, str) for v in value)),
            "string or mapping": isinstance(value, (str, dict)),
        }[expected]
        if not ok:
            raise ConfigError(
                f"editor settings: 'sidecarlint.{key}' must be a {expected}, "
                f"got {type(value).__name__}"
            )
        values[key.replace("-", "_")] = value
    return values


class Folders:
    """Workspace folders, the editor's settings, and each folder's built configuration."""

    def __init__(self, fallback: str | None = None) -> None:
        self.roots: list[str] = []
        #: Editor settings by folder root ("" for settings that apply everywhere).
        self.editor: dict[str, Mapping[str, Any]] = {}
        self.fallback = fallback or os.getcwd()
        self._built: dict[str, tuple[object, FolderConfig]] = {}

    def set_roots(self, roots: list[str]) -> None:
        self.roots = sorted({os.path.abspath(r) for r in roots}, key=len, reverse=True)

    def root_of(self, path: str | None) -> str:
        """The innermost workspace folder holding ``path``, else its directory (untitled
        documents: the outermost folder, else the server's working directory)."""
        if path is None:
            return self.roots[-1] if self.roots else self.fallback
        for root in self.roots:
            if _inside(path, root):
                return root
        return os.path.dirname(os.path.abspath(path))

    def forget(self) -> None:
        """Build every folder's configuration again on next use (the engine caches what
        it learns about directories, such as which hold a kustomization file)."""
        self._built.clear()

    def config_for(self, path: str | None) -> FolderConfig:
        """The configuration that checks ``path`` (None: an untitled document)."""
        return self.config_in(self.root_of(path))

    def config_in(self, root: str) -> FolderConfig:
        """The configuration of the folder ``root``."""
        editor = dict(self.editor.get(root) or self.editor.get("") or {})
        try:
            values = editor_values(editor)
            explicit = values.pop("config", None)
            found = os.path.join(root, explicit) if explicit is not None else find_config(root)
        except ConfigError as exc:
            message = str(exc)
            return self._keep(root, message, lambda: FolderConfig(root, error=message))
        key = (_stamp(found), json.dumps(editor, sort_keys=True, default=str))
        return self._keep(root, key, lambda: _build(root, found, values))

    def _keep(self, root: str, key: object, build: Any) -> FolderConfig:
        known = self._built.get(root)
        if known is not None and known[0] == key:
            return known[1]
        config: FolderConfig = build()
        self._built[root] = (key, config)
        return config


def _stamp(path: str | None) -> tuple[str, int, int] | None:
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return (path, -1, -1)
    return (path, st.st_mtime_ns, st.st_size)


def _build(root: str, found: str | None, values: dict[str, Any]) -> FolderConfig:
    try:
        loaded = load_config(found) if found is not None else LoadedConfig({}, None)
        settings, _ = resolve(values, loaded)
    except ConfigError as exc:
        return FolderConfig(root, source=found, error=str(exc))
    return FolderConfig(root, Linter(settings), found)
