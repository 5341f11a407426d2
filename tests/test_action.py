"""The GitHub Action (action.yml): valid against GitHub's published schema for action
metadata (as check-jsonschema ships it), and its shell steps run as a runner runs them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sidecarlint.parse import parse_text
from tests.conftest import REPO

ACTION = REPO / "action.yml"
#: How GitHub runs a step with ``shell: bash``.
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]


def _action() -> dict[str, Any]:
    (doc,) = parse_text(ACTION.read_text(encoding="utf-8"), "action.yml").documents
    data: dict[str, Any] = doc.data
    return data


def _check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("check_jsonschema")
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-actions",
         str(path)],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip


def test_action_matches_the_published_schema(tmp_path: Path) -> None:
    proc = _check_jsonschema(ACTION)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # The check can fail: a run step without a shell is not a valid composite step.
    broken = tmp_path / "action.yml"
    broken.write_text(ACTION.read_text().replace("      shell: bash\n", "", 1))
    assert _check_jsonschema(broken).returncode == 1


def test_inputs_reach_the_steps_through_the_environment_only() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    declared = set(action["inputs"])
    assert declared == {
        "paths", "kubernetes-version", "fail-on", "config", "upload-sarif", "sarif-file",
        "category", "version", "args",
    }  # fmt: skip
    text = ACTION.read_text()
    assert set(re.findall(r"inputs\.([\w-]+)", text)) == declared
    for step in action["runs"]["steps"]:
        # An expression inside a script would be pasted into it unquoted (injection).
        assert "${{" not in step.get("run", ""), step["name"]
    upload = next(s for s in action["runs"]["steps"] if "uses" in s)
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload["if"] == "inputs.upload-sarif == 'true'"
    assert upload["with"] == {
        "sarif_file": "${{ inputs.sarif-file }}",
        "category": "${{ inputs.category }}",
    }


def _expand(value: str, context: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        return context[match.group(1)]

    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", one, value)


def _run_step(
    name: str, inputs: dict[str, str], context: dict[str, str], cwd: Path, tmp: Path
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run one bash step of the action as a runner would; its result and its outputs."""
    action = _action()
    step = next(s for s in action["runs"]["steps"] if s["name"] == name)
    values = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    values.update(inputs)
    full = {f"inputs.{k}": v for k, v in values.items()}
    full.update(context)
    output = tmp / f"output-{step.get('id', 'x')}"
    output.write_text("")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(cwd),
    }
    env.update({k: _expand(str(v), full) for k, v in step.get("env", {}).items()})
    script = tmp / "step.sh"
    script.write_text(step["run"])
    proc = subprocess.run(
        [*BASH, str(script)], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return proc, outputs


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    shutil.copytree(REPO / "examples" / "broken", work / "k8s" / "broken")
    shutil.copytree(REPO / "examples" / "job", work / "k8s" / "job")
    return work


@pytest.fixture
def installed(tmp_path: Path) -> dict[str, str]:
    """What the install step leaves: the sidecarlint command (this checkout's, here)."""
    command = tmp_path / "sidecarlint"
    command.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m sidecarlint "$@"\n')
    command.chmod(0o755)
    return {"steps.install.outputs.sidecarlint": str(command)}


def test_check_step_annotates_writes_sarif_and_reports_the_exit_code(
    workspace: Path, installed: dict[str, str], tmp_path: Path
) -> None:
    proc, outputs = _run_step(
        "Check", {"paths": "k8s/broken\nk8s/job"}, installed, workspace, tmp_path
    )
    assert proc.returncode == 0, proc.stderr  # findings fail the last step, not this one
    assert outputs == {"exit-code": "1", "sarif-file": "sidecarlint.sarif"}
    assert (
        "::error file=k8s/broken/job-helper-in-containers.yaml,line=19,endLine=19,col=17,"
        in proc.stdout
    )
    sarif = json.loads((workspace / "sidecarlint.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"SCL102", "SCL201", "SCL301"}
    assert all("primaryLocationLineHash" in r["partialFingerprints"] for r in results)
    # The last step fails the job on findings.
    final, _ = _run_step("Fail on findings", {}, {}, workspace, tmp_path)
    assert final.returncode == 1
    assert "sidecarlint: findings at or above fail-on" in final.stderr


def test_check_step_passes_the_inputs_on(
    workspace: Path, installed: dict[str, str], tmp_path: Path
) -> None:
    (workspace / "ci.yaml").write_text('fail-on: never\nkubernetes-version: "1.30"\n')
    inputs = {"paths": "k8s", "config": "ci.yaml", "sarif-file": "out/report.sarif", "args": "-q"}
    proc, outputs = _run_step("Check", inputs, installed, workspace, tmp_path)
    # out/ does not exist: the report cannot be written, which is an error (exit 2).
    assert proc.returncode == 2 and outputs["exit-code"] == "2"
    assert "cannot write the report to out/report.sarif" in proc.stderr
    (workspace / "out").mkdir()
    proc, outputs = _run_step("Check", inputs, installed, workspace, tmp_path)
    assert proc.returncode == 0 and outputs["exit-code"] == "0"  # fail-on: never
    sarif = json.loads((workspace / "out" / "report.sarif").read_text())
    assert sarif["runs"][0]["properties"]["kubernetesVersion"] == "1.30"
    assert "sidecarlint: " not in proc.stdout  # -q: no summary line
    proc, outputs = _run_step(
        "Check",
        {"paths": "k8s", "kubernetes-version": "1.29", "fail-on": "info"},
        installed,
        workspace,
        tmp_path,
    )
    assert outputs["exit-code"] == "1"
    sarif = json.loads((workspace / "sidecarlint.sarif").read_text())
    assert sarif["runs"][0]["properties"]["kubernetesVersion"] == "1.29"


@pytest.mark.network
def test_install_step_installs_the_actions_own_checkout(tmp_path: Path, workspace: Path) -> None:
    context = {"github.action_path": str(REPO), "runner.temp": str(tmp_path)}
    proc, outputs = _run_step("Install sidecarlint", {}, context, workspace, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    command = outputs["sidecarlint"]
    assert command == str(tmp_path / "sidecarlint-venv" / "bin" / "sidecarlint")
    version = subprocess.run([command, "--version"], capture_output=True, text=True, check=False)
    from sidecarlint import __version__

    assert version.stdout.strip() == f"sidecarlint, version {__version__}"


def test_readme_shows_the_action_at_this_versions_tag() -> None:
    from sidecarlint import __version__
    from tests.test_precommit import _snippets

    snippet = _snippets()[".github/workflows/sidecarlint.yaml (the action)"]
    (doc,) = parse_text(snippet, "wf").documents
    steps = doc.data["jobs"]["lint"]["steps"]
    (step,) = [s for s in steps if str(s.get("uses", "")).startswith("sidecarlint/")]
    assert step["uses"] == f"sidecarlint/sidecarlint@v{__version__}"
    assert set(step["with"]) <= set(_action()["inputs"])
    assert doc.data["permissions"]["security-events"] == "write"
