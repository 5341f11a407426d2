"""The command line: exit codes, output shape, stdin, discovery, config and help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sidecarlint.cli import main
from tests.conftest import REPO

GOOD = (REPO / "examples" / "job" / "job.yaml").read_text(encoding="utf-8")
BAD = (REPO / "examples" / "broken" / "job-helper-in-containers.yaml").read_text(encoding="utf-8")


def run_cli(
    *args: str, cwd: Path | None = None, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "sidecarlint", *args],
        cwd=cwd or REPO,
        input=stdin,
        capture_output=True,
        text=True,
        env=full,
    )


def test_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text(BAD)
    assert run_cli("check", str(tmp_path / "good.yaml")).returncode == 0
    assert run_cli("check", str(tmp_path / "bad.yaml")).returncode == 1
    assert run_cli("check", "--fail-on", "never", str(tmp_path / "bad.yaml")).returncode == 0
    assert run_cli("check", "--fail-on", "info", str(tmp_path / "good.yaml")).returncode == 0
    (tmp_path / "info.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
        "  containers: [{name: a, image: nginx}]\n  volumes: [{name: spare, emptyDir: {}}]\n"
    )
    assert run_cli("check", str(tmp_path / "info.yaml")).returncode == 0
    assert run_cli("check", "--fail-on", "info", str(tmp_path / "info.yaml")).returncode == 1
    missing = run_cli("check", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "nope.yaml: no such file or directory" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad_version = run_cli("check", "-k", "1.20", str(tmp_path))
    assert bad_version.returncode == 2
    assert "supported: 1.27, 1.28" in bad_version.stderr
    assert run_cli("check", "--select", "SCL777", str(tmp_path)).returncode == 2
    assert run_cli("check").returncode == 2


def test_version_accepts_forms(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    for form in ("1.29", "v1.29", "1.29.3"):
        proc = run_cli("check", "-k", form, "--format", "json", str(tmp_path))
        assert json.loads(proc.stdout)["kubernetesVersion"] == "1.29"


def test_unreadable_file_among_many_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "latin1.yaml").write_bytes(
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: caf\xe9\n"
    )
    proc = run_cli("check", "--format", "json", str(tmp_path))
    data = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert [(f["code"], f["line"], f["column"]) for f in data["findings"]] == [("SCL006", 4, 12)]
    assert data["summary"]["files"] == 2 and data["summary"]["objects"] == 1


def test_json_shape_golden() -> None:
    proc = run_cli("check", "--format", "json", "examples/broken/job-helper-in-containers.yaml")
    assert proc.stdout == (REPO / "tests" / "golden" / "job-helper.json").read_text(
        encoding="utf-8"
    )
    data = json.loads(proc.stdout)
    assert list(data) == ["schemaVersion", "tool", "kubernetesVersion", "findings", "summary"]
    assert list(data["findings"][0]) == [
        "code",
        "name",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "endLine",
        "endColumn",
        "document",
        "object",
        "path",
        "container",
        "fix",
        "fixable",
    ]
    assert list(data["summary"]) == [
        "files",
        "documents",
        "objects",
        "errors",
        "warnings",
        "infos",
        "suppressed",
        "nonKubernetesFiles",
    ]


def test_text_format_and_summary(tmp_path: Path) -> None:
    proc = run_cli("check", "--format", "text", "-", stdin=BAD + "---\nfoo: bar\n")
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("-:19:17: ERROR SCL102 'log-shipper' looks like ")
    assert lines[-1] == (
        "1 error, 0 warnings, 0 infos in 1 file (2 documents, 1 object; Kubernetes 1.37); "
        "1 non-Kubernetes document skipped"
    )
    assert "\x1b[" not in proc.stdout


def test_no_colour_when_not_a_tty_or_no_color() -> None:
    proc = run_cli("check", "-", stdin=BAD, env={"NO_COLOR": "1"})
    assert "\x1b[" not in proc.stdout


def test_directory_walk_globs_and_hidden(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "a" / "one.yml").write_text(BAD)
    (tmp_path / "a" / "two.json").write_text('{"apiVersion": "v1", "kind": "Pod", "spec": {}}')
    (tmp_path / "a" / "skip.txt").write_text(BAD)
    (tmp_path / ".hidden" / "x.yaml").write_text(BAD)
    proc = run_cli("check", "--format", "json", str(tmp_path))
    files = {f["file"] for f in json.loads(proc.stdout)["findings"]}
    assert files == {str(tmp_path / "a" / "one.yml")}
    assert json.loads(proc.stdout)["summary"]["files"] == 2
    proc = run_cli("check", "--format", "json", "--exclude", "one.yml", str(tmp_path))
    assert json.loads(proc.stdout)["summary"]["files"] == 1
    proc = run_cli("check", "--format", "json", "--include", "*.txt", str(tmp_path))
    assert json.loads(proc.stdout)["summary"]["files"] == 1


def test_kustomization_is_skipped_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: [job.yaml]\n")
    (tmp_path / "job.yaml").write_text(BAD)
    proc = run_cli("check", "--format", "text", "--kustomize", "never", str(tmp_path))
    assert "kustomization file skipped" in proc.stdout
    assert "job.yaml: Job/report is in a kustomize directory" in proc.stdout
    # Rendered (the default when a renderer is found), it is checked in full.
    proc = run_cli("check", "--format", "text", str(tmp_path))
    assert f"{tmp_path / 'job.yaml'}:19:17: ERROR SCL102" in proc.stdout
    assert "kustomization file skipped" not in proc.stdout


TEMPLATES = REPO.parent / "shared" / "corpus" / "templates"


@pytest.mark.skipif(not TEMPLATES.is_dir(), reason="the shared template corpus is not available")
@pytest.mark.parametrize("name", sorted(TEMPLATES.glob("*")) if TEMPLATES.is_dir() else [])
def test_templates_are_handled_gracefully(name: Path) -> None:
    proc = run_cli("check", "--format", "json", str(name))
    assert proc.returncode in (0, 1), proc.stderr
    codes = [f["code"] for f in json.loads(proc.stdout)["findings"]]
    assert codes.count("SCL001") <= 1


def test_helm_template_message() -> None:
    text = (
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Values.name }}\n"
        '  labels:\n    {{- include "x" . | nindent 4 }}\n'
    )
    proc = run_cli("check", "--format", "json", "-", stdin=text)
    (finding,) = json.loads(proc.stdout)["findings"]
    assert (finding["code"], finding["line"]) == ("SCL001", 4)
    assert "helm template RELEASE CHART | sidecarlint check -" in finding["message"]


def test_in_process_main_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert "sidecarlint, version" in capsys.readouterr().out
    assert main(["check", "--help"]) == 0
    text = capsys.readouterr().out
    for option in (
        "--kubernetes-version",
        "--feature-gates",
        "--format",
        "--fail-on",
        "--select",
        "--ignore",
        "--config",
        "--jobs",
        "--color",
        "--show-source",
        "--statistics",
        "--quiet",
        "--per-file-ignores",
        "--severity",
        "--stdin-filename",
        "--root",
        "--chart-templates",
        "gitlab",
        "junit",
    ):
        assert option in text
    assert main(["rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert {r["code"] for r in rules} >= {"SCL001", "SCL102", "SCL503"}
    assert main(["explain", "sidecar-blocks-job-completion"]) == 0
    assert capsys.readouterr().out.startswith("sidecar-blocks-job-completion (SCL102)")
    assert main(["explain", "SCL777"]) == 2
    assert main(["versions"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1.37  (default)"


def test_unknown_feature_gate() -> None:
    proc = run_cli("check", "--feature-gates", "Nope=true", "-", stdin=GOOD)
    assert proc.returncode == 2 and "unknown feature gate 'Nope'" in proc.stderr


def test_config_discovery_and_precedence(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "deep" / "er"
    sub.mkdir(parents=True)
    (tmp_path / "job.yaml").write_text(BAD)
    (tmp_path / ".sidecarlint.yaml").write_text('kubernetes-version: "1.28"\nfail-on: never\n')
    proc = run_cli("check", "--format", "json", str(tmp_path / "job.yaml"), cwd=sub)
    assert json.loads(proc.stdout)["kubernetesVersion"] == "1.28"
    assert proc.returncode == 0
    proc = run_cli(
        "check",
        "--format",
        "json",
        "-k",
        "1.33",
        "--fail-on",
        "error",
        str(tmp_path / "job.yaml"),
        cwd=sub,
    )
    assert json.loads(proc.stdout)["kubernetesVersion"] == "1.33" and proc.returncode == 1


def test_config_stops_at_git_root(tmp_path: Path) -> None:
    (tmp_path / ".sidecarlint.yaml").write_text('kubernetes-version: "1.28"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    proc = run_cli("check", "--format", "json", "-", cwd=repo, stdin=GOOD)
    assert json.loads(proc.stdout)["kubernetesVersion"] == "1.37"


def test_pyproject_config(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.sidecarlint]\nkubernetes-version = "1.30"\n')
    proc = run_cli("check", "--format", "json", "-", cwd=tmp_path, stdin=GOOD)
    assert json.loads(proc.stdout)["kubernetesVersion"] == "1.30"


def test_pyproject_table_behind_a_unicode_escape(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool."sidecar\\u006cint"]\nkubernetes-version = "1.29"\n'
    )
    proc = run_cli("check", "--format", "json", "-", cwd=tmp_path, stdin=GOOD)
    assert json.loads(proc.stdout)["kubernetesVersion"] == "1.29"


def test_pyproject_of_another_tool_is_not_parsed(tmp_path: Path) -> None:
    # Not valid TOML, but it cannot name our table: no config, no error.
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.other\nkey = \n")
    proc = run_cli("check", "--format", "json", "-", cwd=tmp_path, stdin=GOOD)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["kubernetesVersion"] == "1.37"


def test_broken_pyproject_that_may_hold_our_table_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.sidecarlint]\nkubernetes-version = "1.30\n')
    proc = run_cli("check", "-", cwd=tmp_path, stdin=GOOD)
    assert proc.returncode == 2
    assert "pyproject.toml: cannot read config: " in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_config_key_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".sidecarlint.yaml").write_text("kubernetes-version: '1.30'\nfail_on: error\n")
    proc = run_cli("check", "-", cwd=tmp_path, stdin=GOOD)
    assert proc.returncode == 2
    assert (
        ".sidecarlint.yaml:2:1: unknown config key 'fail_on' (did you mean 'fail-on'?)"
        in proc.stderr
    )


def test_severity_override_and_select_by_name(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".sidecarlint.yaml").write_text(
        "severity:\n  sidecar-blocks-job-completion: warning\n"
    )
    proc = run_cli("check", "--format", "json", "-", cwd=tmp_path, stdin=BAD)
    (finding,) = [f for f in json.loads(proc.stdout)["findings"] if f["code"] == "SCL102"]
    assert finding["severity"] == "warning" and proc.returncode == 0
    proc = run_cli(
        "check",
        "--format",
        "json",
        "--ignore",
        "sidecar-blocks-job-completion",
        "-",
        cwd=tmp_path,
        stdin=BAD,
    )
    assert [f for f in json.loads(proc.stdout)["findings"] if f["code"] == "SCL102"] == []


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = run_cli("check", "--format", "json", "--output", str(out), "-", stdin=BAD)
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text())["summary"]["errors"] == 1
