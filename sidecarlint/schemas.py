"""The bundled Kubernetes schemas (``schemas/``): loaded lazily, compiled once per process.

See ``scripts/generate_schemas.py`` for the layout. Only the version and kinds a run needs
are read and compiled.
"""

from __future__ import annotations

import json
import os
from functools import cache, lru_cache
from typing import Any


@cache
def data_dir() -> str:
    """Where the schemas are: in the wheel (package data) or in a source checkout.

    Plain ``os.path``: importing pathlib costs more than a check of one small file.
    """
    here = os.path.dirname(os.path.realpath(__file__))
    packaged = os.path.join(here, "_data", "schemas")
    if os.path.isfile(os.path.join(packaged, "manifest.json")):
        return packaged
    return os.path.join(os.path.dirname(here), "schemas")


def _load(name: str) -> Any:
    with open(os.path.join(data_dir(), name), encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def _definitions() -> dict[str, Any]:
    data: dict[str, Any] = _load("definitions.json")
    return data


@cache
def _version(version: str) -> dict[str, Any]:
    if not os.path.isfile(os.path.join(data_dir(), f"v{version}.json")):
        return {"kinds": {}, "defs": {}}
    data: dict[str, Any] = _load(f"v{version}.json")
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
    data: dict[str, dict[str, str]] = _load("field-history.json")
    return data


def field_added_in(definition: str, field: str) -> str | None:
    """The first bundled version whose ``definition`` (short name) has ``field``."""
    return _history().get(definition, {}).get(field)


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = _load("manifest.json")
    return data
