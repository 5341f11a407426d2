"""The JSON Schema of the configuration file agrees with the code and the README."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from sidecarlint.config import KEYS, ConfigError, load_config, resolve
from sidecarlint.parse import parse_text
from sidecarlint.registry import registry
from tests.conftest import REPO

SCHEMA_FILE = REPO / "sidecarlint" / "config.schema.json"


@pytest.fixture(scope="module")
def validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def _readme_configs() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(# \.sidecarlint\.yaml\n.*?)```", readme, re.S)
    assert blocks, "the README shows no .sidecarlint.yaml example"
    return blocks


def _yaml(text: str) -> Any:
    (doc,) = parse_text(text, "cfg").documents
    return doc.data


def test_schema_lists_every_key_and_rule() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert set(schema["properties"]) == set(KEYS)
    assert schema["additionalProperties"] is False
    reg = registry()
    (names,) = [a["enum"] for a in schema["definitions"]["rule"]["anyOf"] if "enum" in a]
    assert set(names) == {"ALL", *reg.by_code, *reg.by_name}


@pytest.mark.parametrize("text", _readme_configs())
def test_every_readme_config_example_is_valid(text: str, validator: Any, tmp_path: Path) -> None:
    assert [e.message for e in validator.iter_errors(_yaml(text))] == []
    # ... and sidecarlint accepts it too.
    path = tmp_path / ".sidecarlint.yaml"
    path.write_text(text, encoding="utf-8")
    resolve({}, load_config(str(path)))


@pytest.mark.parametrize(
    "text",
    [
        "kubernetes-version: 1.30\n",  # a number
        "fail_on: error\n",  # unknown key
        "severity: {SCL503: loud}\n",
        "severity: {SCL5O3: info}\n",
        "select: [SCL1O2]\n",
        "jobs: 0\n",
        "pod-spec-paths: [{kind: X}]\n",
        "chart-templates: render\n",
        "feature-gates: {NoSuchGate: true}\n",
        "per-file-ignores: {'legacy/*': [NOPE]}\n",
    ],
)
def test_schema_and_sidecarlint_both_reject(text: str, validator: Any, tmp_path: Path) -> None:
    assert list(validator.iter_errors(_yaml(text)))
    path = tmp_path / ".sidecarlint.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError):
        resolve({}, load_config(str(path)))


@pytest.mark.parametrize(
    "text",
    [
        "severity: {SCL503: off}\n",  # YAML 1.1 false: accepted as off
        "select: SCL1,SCL2\n",
        "feature-gates: SidecarContainers=true\n",
        "feature-gates: {SidecarContainers: 'True'}\n",
        "jobs: auto\n",
        "per-file-ignores: {'*.job.yaml': sidecar-blocks-job-completion}\n",
    ],
)
def test_schema_and_sidecarlint_both_accept(text: str, validator: Any, tmp_path: Path) -> None:
    assert [e.message for e in validator.iter_errors(_yaml(text))] == []
    path = tmp_path / ".sidecarlint.yaml"
    path.write_text(text, encoding="utf-8")
    resolve({}, load_config(str(path)))


def test_config_schema_command_prints_the_shipped_schema() -> None:
    from tests.test_cli import run_cli

    proc = run_cli("config-schema")
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
