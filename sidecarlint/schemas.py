"""The bundled Kubernetes schemas (``schemas/``): loaded lazily, compiled once per process.

See ``scripts/generate_schemas.py`` for the layout. Only the version and kinds a run needs
are read and compiled.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any


def data_dir() -> Path:
    """Where the schemas are: in the wheel (package data) or in a source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "_data" / "schemas"
    return packaged if (packaged / "manifest.json").is_file() else here.parent / "schemas"


@lru_cache(maxsize=1)
def _definitions() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((data_dir() / "definitions.json").read_text("utf-8"))
    return data


@cache
def _version(version: str) -> dict[str, Any]:
    path = data_dir() / f"v{version}.json"
    if not path.is_file():
        return {"kinds": {}, "defs": {}}
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


@cache
def schema_for(version: str, api_version: str, kind: str) -> dict[str, Any] | None:
    """The self-contained schema of ``api_version``/``kind`` at ``version`` (None if unserved)."""
    table = _version(version)
    entry = table["kinds"].get(f"{api_version}/{kind}")
    if entry is None:
        return None
    store = _definitions()
    schema = dict(entry["schema"])
    schema["$defs"] = {name: store[table["defs"][name]] for name in entry["defs"]}
    return schema


@cache
def validator_for(version: str, api_version: str, kind: str) -> Any:
    """A compiled jsonschema-rs validator, or None when the pair has no schema."""
    schema = schema_for(version, api_version, kind)
    if schema is None:
        return None
    import jsonschema_rs

    return jsonschema_rs.validator_for(schema)


def kinds_served(version: str) -> dict[str, list[str]]:
    """Kind -> apiVersions with a bundled schema at ``version``."""
    served: dict[str, list[str]] = {}
    for key in _version(version)["kinds"]:
        api_version, _, kind = key.rpartition("/")
        served.setdefault(kind, []).append(api_version)
    return served


@lru_cache(maxsize=1)
def _history() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(
        (data_dir() / "field-history.json").read_text("utf-8")
    )
    return data


def field_added_in(definition: str, field: str) -> str | None:
    """The first bundled version whose ``definition`` (short name) has ``field``."""
    return _history().get(definition, {}).get(field)


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((data_dir() / "manifest.json").read_text("utf-8"))
    return data
