"""Configuration errors point at the offending value; per-path ignores and severities."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sidecarlint.config import ConfigError, LoadedConfig, load_config, resolve
from sidecarlint.finding import Severity
from tests.conftest import REPO
from tests.test_cli import BAD, run_cli

HELPER_APP = (REPO / "examples" / "broken" / "job-helper-in-containers.yaml").read_text()


def _error(tmp_path: Path, text: str, **cli: Any) -> str:
    path = tmp_path / ".sidecarlint.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        resolve(cli, load_config(str(path)))
    return str(info.value).replace(str(path), "CFG")


# --- rule codes -----------------------------------------------------------------------


def test_unknown_rule_in_a_list_points_at_the_item_with_a_suggestion(tmp_path: Path) -> None:
    text = "ignore:\n  - SCL202\n  - sidecar-in-container\n"
    assert _error(tmp_path, text) == (
        "CFG:3:5: unknown rule 'sidecar-in-container' in ignore "
        "(did you mean 'sidecar-in-containers'?)"
    )
    text = "select: [SCL102, SCL1O3]\n"
    assert _error(tmp_path, text) == (
        "CFG:1:18: unknown rule 'SCL1O3' in select (did you mean 'SCL103'?)"
    )


def test_unknown_rule_in_a_comma_separated_string_points_at_the_string(tmp_path: Path) -> None:
    text = "kubernetes-version: '1.30'\nextend-select: 'SCL900, SCL9O1'\n"
    assert _error(tmp_path, text) == (
        "CFG:2:16: unknown rule 'SCL9O1' in extend-select (did you mean 'SCL901'?)"
    )


def test_unknown_rule_on_the_command_line_names_the_option() -> None:
    with pytest.raises(ConfigError) as info:
        resolve({"ignore": "SCL202,unused-volumes"}, LoadedConfig({}, None))
    assert str(info.value) == (
        "--ignore: unknown rule 'unused-volumes' (did you mean 'unused-volume'?)"
    )
    proc = run_cli("check", "--select", "SCL1022", "-", stdin=BAD)
    assert proc.returncode == 2
    assert "--select: unknown rule 'SCL1022' (did you mean 'SCL102'?)" in proc.stderr


def test_unknown_rule_in_pyproject_names_the_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.sidecarlint]\nignore = ["SCL2O2"]\n')
    with pytest.raises(ConfigError) as info:
        resolve({}, load_config(str(path)))
    assert str(info.value) == (f"{path}: unknown rule 'SCL2O2' in ignore (did you mean 'SCL202'?)")


# --- kubernetes-version ---------------------------------------------------------------


def test_unquoted_version_says_to_quote_it(tmp_path: Path) -> None:
    assert _error(tmp_path, "kubernetes-version: 1.30\n") == (
        "CFG:1:21: kubernetes-version must be a string, but YAML reads 1.30 as the number "
        '1.3; quote it: kubernetes-version: "1.30"'
    )
    assert _error(tmp_path, "fail-on: warning\nkubernetes-version: 1.33\n") == (
        "CFG:2:21: kubernetes-version must be a string, but YAML reads 1.33 as the number "
        '1.33; quote it: kubernetes-version: "1.33"'
    )


def test_unquoted_version_in_pyproject(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.sidecarlint]\nkubernetes-version = 1.33\n")
    with pytest.raises(ConfigError) as info:
        load_config(str(path))
    assert str(info.value) == (
        f"{path}: kubernetes-version must be a string, but TOML reads it as the number 1.33; "
        'quote it: kubernetes-version = "1.33"'
    )


# --- severity -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["off", "'off'", "false", "no"])
def test_severity_off_turns_a_rule_off(tmp_path: Path, value: str) -> None:
    path = tmp_path / ".sidecarlint.yaml"
    path.write_text(f"severity:\n  SCL503: {value}\n  SCL103: error\n")
    settings, _ = resolve({}, load_config(str(path)))
    assert settings.enabled is not None and "SCL503" not in settings.enabled
    assert "SCL202" in settings.enabled and "SCL900" not in settings.enabled
    assert dict(settings.severities) == {"SCL103": Severity.ERROR}


def test_severity_on_is_explained(tmp_path: Path) -> None:
    assert _error(tmp_path, "severity:\n  SCL503: on\n") == (
        "CFG:2:11: invalid severity true for SCL503 (YAML 1.1 reads on, yes, y and true as "
        "true): expected error, warning, info or off"
    )
    assert _error(tmp_path, "severity:\n  SCL503: loud\n") == (
        "CFG:2:11: invalid severity 'loud' for SCL503: expected error, warning, info or off"
    )


def test_severity_of_an_unknown_rule_points_at_the_key(tmp_path: Path) -> None:
    assert _error(tmp_path, "severity:\n  SCL5O3: info\n") == (
        "CFG:2:3: unknown rule 'SCL5O3' in severity (did you mean 'SCL503'?)"
    )


def test_always_reported_rules_cannot_be_turned_off(tmp_path: Path) -> None:
    message = _error(tmp_path, "severity:\n  SCL006: off\n")
    assert message.startswith("CFG:2:11: SCL006 (unreadable-file) in severity: ")
    assert "always reported" in message
    message = _error(tmp_path, "per-file-ignores:\n  'charts/*': [SCL001]\n")
    assert message.startswith("CFG:2:16: SCL001 (yaml-syntax-error) in per-file-ignores: ")


def test_severity_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".sidecarlint.yaml").write_text("severity: {SCL102: info, SCL202: warning}\n")
    (tmp_path / "job.yaml").write_text(BAD)
    proc = run_cli(
        "check", "--format", "json", "--severity", "SCL102=warning", "job.yaml", cwd=tmp_path
    )
    (finding,) = json.loads(proc.stdout)["findings"]
    assert (finding["code"], finding["severity"], proc.returncode) == ("SCL102", "warning", 0)
    proc = run_cli(
        "check", "--format", "json", "--severity", "SCL102=off", "job.yaml", cwd=tmp_path
    )
    assert json.loads(proc.stdout)["findings"] == [] and proc.returncode == 0
    proc = run_cli("check", "--severity", "SCL102", "job.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--severity: expected CODE=LEVEL (e.g. SCL103=error), got 'SCL102'" in proc.stderr


# --- per-file-ignores -----------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    for rel in ("legacy/job.yaml", "apps/job.yaml", "apps/batch.job.yaml"):
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_text(HELPER_APP)
    return tmp_path


def _codes_by_file(proc: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in json.loads(proc.stdout)["findings"]:
        out.setdefault(f["file"], []).append(f["code"])
    return out


def test_per_file_ignores_in_config(tree: Path) -> None:
    (tree / ".sidecarlint.yaml").write_text(
        "per-file-ignores:\n  'legacy/*': [SCL102]\n  '*.job.yaml': sidecar-blocks-job-completion\n"
    )
    proc = run_cli("check", "--format", "json", ".", cwd=tree)
    assert _codes_by_file(proc) == {"apps/job.yaml": ["SCL102"]}
    # Globs are relative to the configuration file's directory, wherever the run starts.
    proc = run_cli("check", "--format", "json", ".", cwd=tree / "legacy")
    assert _codes_by_file(proc) == {}


def test_per_file_ignores_on_the_command_line_merge_over_the_config(tree: Path) -> None:
    (tree / ".sidecarlint.yaml").write_text("per-file-ignores:\n  'legacy/*': [SCL102]\n")
    proc = run_cli(
        "check",
        "--format",
        "json",
        "--per-file-ignores",
        "apps/job.yaml:SCL102,SCL202",
        ".",
        cwd=tree,
    )
    assert _codes_by_file(proc) == {"apps/batch.job.yaml": ["SCL102"]}
    proc = run_cli("check", "--per-file-ignores", "apps/job.yaml", ".", cwd=tree)
    assert proc.returncode == 2
    assert "--per-file-ignores: expected GLOB:CODES" in proc.stderr


def test_per_file_ignores_errors_point_at_the_glob(tree: Path) -> None:
    (tree / ".sidecarlint.yaml").write_text("per-file-ignores:\n  'legacy/*': [SCL10]\n")
    proc = run_cli("check", ".", cwd=tree)
    # A prefix is fine (SCL10 = SCL101..SCL105); an unknown code is not.
    assert proc.returncode == 1
    (tree / ".sidecarlint.yaml").write_text("per-file-ignores:\n  'legacy/*': [SCL10X]\n")
    proc = run_cli("check", ".", cwd=tree)
    assert proc.returncode == 2
    assert ".sidecarlint.yaml:2:16: unknown rule 'SCL10X' in per-file-ignores" in proc.stderr
    (tree / ".sidecarlint.yaml").write_text("per-file-ignores: [SCL102]\n")
    proc = run_cli("check", ".", cwd=tree)
    assert proc.returncode == 2
    assert "'per-file-ignores' must be a mapping, got list" in proc.stderr
