"""``sidecarlint check PATH...`` without click behaves exactly like the click command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sidecarlint import cli, commands
from sidecarlint.__main__ import only_paths
from sidecarlint.config import KEYS, LoadedConfig, resolve
from tests.conftest import REPO
from tests.test_cli import run_cli

EXAMPLES = REPO / "examples"


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # no config from above
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    (tmp_path / "examples" / "broken" / "not-yaml.yaml").write_text("a: [1,\n")
    return tmp_path


CASES = [
    (["examples/job/job.yaml"], {}),
    (["examples/broken", "examples/deployment"], {}),
    (["examples/broken/not-yaml.yaml", "examples/job"], {}),
    (["examples/broken"], {"GITHUB_ACTIONS": "true"}),
    (["examples"], {"NO_COLOR": "1"}),
    (["no-such-file.yaml"], {}),
]


@pytest.mark.parametrize(("paths", "env"), CASES)
def test_plain_paths_give_the_same_output_as_the_click_command(
    work: Path, paths: list[str], env: dict[str, str]
) -> None:
    # "--" makes the arguments go through click; without it they skip click.
    assert only_paths(["check", *paths]) and not only_paths(["check", "--", *paths])
    direct = run_cli("check", *paths, cwd=work, env=env)
    through_click = run_cli("check", "--", *paths, cwd=work, env=env)
    assert (direct.returncode, direct.stdout, direct.stderr) == (
        through_click.returncode,
        through_click.stdout,
        through_click.stderr,
    )
    assert direct.stdout or direct.stderr


def test_expected_exit_codes_and_messages(work: Path) -> None:
    assert run_cli("check", "examples/job/job.yaml", cwd=work).returncode == 0
    broken = run_cli("check", "examples/broken", cwd=work)
    assert broken.returncode == 1
    assert "examples/broken/not-yaml.yaml:1:6: ERROR SCL001 YAML syntax error" in broken.stdout
    missing = run_cli("check", "no-such-file.yaml", cwd=work)
    assert missing.returncode == 2
    assert "Error: no-such-file.yaml: no such file or directory" in missing.stderr
    assert "Usage: sidecarlint check" in missing.stderr


def test_config_errors_are_the_same_both_ways(work: Path) -> None:
    (work / ".sidecarlint.yaml").write_text("kubernetes-version: '1.2'\n")
    direct = run_cli("check", "examples/job", cwd=work)
    through_click = run_cli("check", "--", "examples/job", cwd=work)
    assert direct.returncode == through_click.returncode == 2
    assert direct.stderr == through_click.stderr
    assert direct.stderr.startswith("sidecarlint: error: ")


def test_plain_paths_do_not_import_click(work: Path) -> None:
    # Nor what only a second report or source lines need (a temporary file).
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(any(m in sys.modules for m in "
        "('click', 'tempfile', 'pickle')), file=sys.stderr))\n"
        "sys.argv = ['sidecarlint', 'check', 'examples/job/job.yaml']\n"
        "from sidecarlint.__main__ import run\n"
        "run()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=work, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0
    assert out.stderr.strip() == "False"


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "-"],
        ["check", "a.yaml", "--format", "json"],
        ["check", "-k", "1.30", "a.yaml"],
        ["rules"],
        ["explain", "SCL001"],
        [],
    ],
)
def test_anything_but_plain_paths_goes_through_click(args: list[str]) -> None:
    assert not only_paths(args)


def test_click_defaults_mean_not_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """The direct call passes no values; click's defaults must resolve the same way."""
    seen: dict[str, Any] = {}

    def capture(paths: tuple[str, ...], **values: Any) -> int:
        seen.update(values)
        return 0

    monkeypatch.setattr(commands, "check", capture)
    assert cli.main(["check", "a.yaml"]) == 0
    values = {k: v for k, v in seen.items() if k != "echo"}
    assert {k for k, v in values.items() if v not in (None, False, ())} == set()
    for key in KEYS:  # no click default may override a config-file value
        assert values.get(key.replace("-", "_")) in (None, ()), key
    config = LoadedConfig(
        {"kubernetes-version": "1.30", "format": "json", "follow-symlinks": True, "jobs": 2},
        "test",
    )
    assert resolve(values, config) == resolve({}, config)


# --- What a run must never hide -------------------------------------------------------


@pytest.mark.parametrize("selection", [["--select", "SCL102"], ["--ignore", "SCL0"]])
def test_unparseable_and_unreadable_files_are_reported_whatever_is_selected(
    work: Path, selection: list[str]
) -> None:
    (work / "latin1.yaml").write_bytes(b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: caf\xe9\n")
    proc = run_cli(
        "check",
        *selection,
        "--format",
        "json",
        "examples/broken/not-yaml.yaml",
        "latin1.yaml",
        cwd=work,
    )
    found = [(f["code"], f["file"], f["line"]) for f in json.loads(proc.stdout)["findings"]]
    assert found == [
        ("SCL001", "examples/broken/not-yaml.yaml", 1),
        ("SCL006", "latin1.yaml", 4),
    ]
    assert proc.returncode == 1
    sarif = run_cli("check", *selection, "--format", "sarif", "latin1.yaml", cwd=work)
    rules = [r["id"] for r in json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]["rules"]]
    assert {"SCL001", "SCL006"} <= set(rules)


@pytest.mark.parametrize("code", ["SCL001", "yaml-syntax-error", "SCL006"])
def test_ignoring_an_always_reported_rule_by_name_is_a_config_error(work: Path, code: str) -> None:
    proc = run_cli("check", "--ignore", code, "examples/job", cwd=work)
    assert proc.returncode == 2
    assert "is always reported" in proc.stderr and "exclude" in proc.stderr


def test_an_unwritable_output_is_refused_before_the_run(work: Path) -> None:
    proc = run_cli(
        "check", "-o", "/nonexistent/dir/x.json", "--format", "json", "examples", cwd=work
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == (
        "sidecarlint: error: cannot write the report to /nonexistent/dir/x.json: "
        "the directory /nonexistent/dir does not exist\n"
    )
    (work / "adir").mkdir()
    proc = run_cli("check", "-o", "adir", "examples", cwd=work)
    assert proc.returncode == 2
    assert proc.stderr == "sidecarlint: error: cannot write the report to adir: it is a directory\n"


def test_nothing_to_check_in_the_directories_given_is_exit_2(work: Path) -> None:
    proc = run_cli("check", "--exclude", "*", "examples", cwd=work)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == (
        "sidecarlint: error: nothing to check: no file under examples matches "
        "*.yaml, *.yml, *.json, or every one is excluded (exclude: *)\n"
    )
    (work / "empty").mkdir()
    proc = run_cli("check", "empty", cwd=work)
    assert proc.returncode == 2
    assert "nothing to check: no file under empty matches *.yaml, *.yml, *.json" in proc.stderr


def test_explicit_files_that_are_all_excluded_pass_with_a_note(work: Path) -> None:
    # How a pre-commit hook calls it: the files are named, and the config excludes them.
    (work / ".sidecarlint.yaml").write_text("exclude: ['*/broken/*']\n")
    proc = run_cli("check", "examples/broken/not-yaml.yaml", cwd=work)
    assert proc.returncode == 0
    assert proc.stderr == "sidecarlint: nothing checked: every file given is excluded\n"
