"""Terminal output: colour conventions, the finding layout, statistics, quiet, summaries."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from sidecarlint.finding import Finding, Severity, Span
from sidecarlint.report.text import split_message
from tests.conftest import REPO
from tests.test_cli import BAD, run_cli

BROKEN = REPO / "examples" / "broken"
ESC = "\x1b["


def on_a_terminal(*args: str, env: dict[str, str] | None = None, cwd: Path = REPO) -> str:
    """Run sidecarlint with stdout on a pseudo-terminal; what it printed there."""
    full = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "TERM")
    }
    full.update({"TERM": "xterm-256color", **(env or {})})
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sidecarlint", *args],
        cwd=cwd,
        stdout=follower,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=full,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8")


# --- colour ---------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["check", "examples/broken"], ["check", "--", "examples/broken"]])
def test_colour_on_a_terminal_by_default_both_ways(args: list[str]) -> None:
    out = on_a_terminal(*args)
    assert f"{ESC}31mERROR{ESC}0m" in out


@pytest.mark.parametrize(
    ("env", "flag", "coloured"),
    [
        ({"NO_COLOR": "1"}, [], False),
        ({"NO_COLOR": ""}, [], True),  # only a non-empty NO_COLOR counts
        ({"TERM": "dumb"}, [], False),
        ({}, ["--color", "never"], False),
        ({"NO_COLOR": "1"}, ["--color", "always"], True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, [], False),  # NO_COLOR wins
    ],
)
def test_colour_conventions_on_a_terminal(
    env: dict[str, str], flag: list[str], coloured: bool
) -> None:
    out = on_a_terminal("check", *flag, "examples/broken", env=env)
    assert (ESC in out) is coloured
    assert "ERROR" in out


def test_force_color_and_always_colour_a_pipe_but_not_a_file(tmp_path: Path) -> None:
    assert ESC in run_cli("check", "-", stdin=BAD, env={"FORCE_COLOR": "1"}).stdout
    assert ESC in run_cli("check", "--color", "always", "-", stdin=BAD).stdout
    assert ESC not in run_cli("check", "-", stdin=BAD, env={"FORCE_COLOR": ""}).stdout
    out = tmp_path / "report.txt"
    run_cli("check", "-o", str(out), "-", stdin=BAD, env={"FORCE_COLOR": "1"})
    assert ESC not in out.read_text() and "ERROR SCL102" in out.read_text()
    run_cli("check", "--color", "always", "-o", str(out), "-", stdin=BAD)
    assert ESC in out.read_text()
    for fmt in ("json", "github"):
        proc = run_cli("check", "--format", fmt, "--color", "always", "-", stdin=BAD)
        assert ESC not in proc.stdout


def test_explain_follows_the_same_conventions() -> None:
    assert ESC in on_a_terminal("explain", "SCL102")
    assert ESC not in on_a_terminal("explain", "SCL102", env={"NO_COLOR": "1"})
    assert ESC in run_cli("explain", "--color", "always", "SCL102").stdout


# --- auto format and files ------------------------------------------------------------


def test_auto_format_writes_text_to_a_file_inside_github_actions(tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    for args in (["-o", str(out)], ["--format", "auto", "-o", str(out)]):
        proc = run_cli("check", *args, "-", stdin=BAD, env={"GITHUB_ACTIONS": "true"})
        assert proc.stdout == "" and proc.returncode == 1
        text = out.read_text()
        assert "::" not in text and text.startswith("-:19:17: ERROR SCL102 ")
    proc = run_cli("check", "-", stdin=BAD, env={"GITHUB_ACTIONS": "true"})
    assert proc.stdout.startswith("::group::")
    proc = run_cli(
        "check",
        "--format",
        "github",
        "-o",
        str(out),
        "-",
        stdin=BAD,
        env={"GITHUB_ACTIONS": "true"},
    )
    assert out.read_text().startswith("::group::")


# --- layout ---------------------------------------------------------------------------


def test_split_message() -> None:
    assert split_message(
        "'log-shipper' looks like a long-running helper (its command never exits ('tail -F "
        "/var/log/app.log' follows a file forever)): as an app container it keeps running after "
        "the work is done, so the Job never completes; make it a native sidecar"
    ) == (
        "'log-shipper' looks like a long-running helper (its command never exits ('tail -F "
        "/var/log/app.log' follows a file forever))",
        [
            "as an app container it keeps running after the work is done, so the Job never "
            "completes; make it a native sidecar"
        ],
    )
    # An em dash comes first; a Kubernetes error type ("Required value:") is not a headline.
    assert split_message(
        'Required value: valid values: "OnFailure", "Never" — a Job pod template must set '
        "restartPolicy"
    ) == (
        'Required value: valid values: "OnFailure", "Never"',
        ["a Job pod template must set restartPolicy"],
    )
    assert split_message("YAML syntax error: found unexpected ':' (while scanning)") == (
        "YAML syntax error: found unexpected ':' (while scanning)",
        [],
    )
    # Quoted text and parentheses hold their colons; sentences go on lines of their own.
    assert split_message(
        "init container 'm' connects to localhost:5432, which 'p: q' serves: it is not "
        "running yet. Move 'p' before 'm'"
    ) == (
        "init container 'm' connects to localhost:5432, which 'p: q' serves",
        ["it is not running yet.", "Move 'p' before 'm'"],
    )
    assert split_message("it runs for the Pod's whole life; no more") == (
        "it runs for the Pod's whole life",
        ["no more"],
    )
    assert split_message("volume 'x' is not mounted by any container") == (
        "volume 'x' is not mounted by any container",
        [],
    )


#: How the finding of examples/broken/job-helper-in-containers.yaml prints.
HELPER_FINDING = [
    "examples/broken/job-helper-in-containers.yaml:19:17: ERROR SCL102 'log-shipper' looks "
    "like a long-running helper (its command never exits ('tail -F /var/log/app.log' follows "
    "a file forever))",
    "    as an app container it keeps running after the work is done, so the Job never "
    "completes; make it a native sidecar",
    "    fix: Move 'log-shipper' to initContainers with restartPolicy: Always",
]


def test_text_layout_short_first_line_then_why_and_fix() -> None:
    proc = run_cli("check", "--format", "text", "examples/broken/job-helper-in-containers.yaml")
    assert proc.stdout.splitlines()[:3] == HELPER_FINDING
    # The machine-readable formats keep the whole message.
    proc = run_cli("check", "--format", "json", "examples/broken/job-helper-in-containers.yaml")
    (finding,) = json.loads(proc.stdout)["findings"]
    assert finding["message"].endswith(
        "follows a file forever)): as an app container it keeps running after the work is done, "
        "so the Job never completes; make it a native sidecar"
    )


def test_show_source_points_a_caret_at_the_span(tmp_path: Path) -> None:
    proc = run_cli("check", "--show-source", "examples/broken/job-helper-in-containers.yaml")
    lines = proc.stdout.splitlines()
    assert lines[3:6] == [
        "     |",
        "  19 |         - name: log-shipper",
        "     |                 ^^^^^^^^^^^",
    ]
    (tmp_path / ".git").mkdir()
    (tmp_path / ".sidecarlint.yaml").write_text("show-source: true\n")
    (tmp_path / "j.yaml").write_text(BAD)
    proc = run_cli("check", "j.yaml", cwd=tmp_path)
    assert "  19 |         - name: log-shipper" in proc.stdout


def test_show_source_keeps_tabs_aligned_and_marks_multiline_spans() -> None:
    from sidecarlint.report.text import snippet

    f = Finding("SCL001", "x", Severity.ERROR, "m", "f", Span(7, 3, 7, 6), source_line="\tab cde")
    assert snippet(f) == ["     |", "   7 | \tab cde", "     | \t ^^^"]
    f = Finding("SCL001", "x", Severity.ERROR, "m", "f", Span(7, 4, 9, 2), source_line="  key: v")
    assert snippet(f) == ["     |", "   7 |   key: v", "     |    ^^^^^"]


# --- statistics, quiet, summary -------------------------------------------------------


def test_statistics() -> None:
    proc = run_cli("check", "--statistics", "examples/broken")
    assert proc.stdout == (
        "    2  SCL503  info   sidecar-resources\n"
        "    1  SCL002  error  duplicate-key\n"
        "    1  SCL102  error  sidecar-blocks-job-completion  [fixable]\n"
        "    1  SCL201  error  file-not-on-shared-volume\n"
        "    1  SCL301  error  init-before-sidecar\n"
        "\n"
        "4 errors, 0 warnings, 2 infos in 3 files (3 documents, 3 objects; Kubernetes 1.37)\n"
    )
    assert proc.returncode == 1
    proc = run_cli("check", "--statistics", "--format", "json", "examples/broken")
    data = json.loads(proc.stdout)
    assert data[0] == {
        "code": "SCL503",
        "name": "sidecar-resources",
        "severity": "info",
        "count": 2,
        "fixable": False,
    }
    assert [d["count"] for d in data] == [2, 1, 1, 1, 1]
    proc = run_cli("check", "--statistics", "--format", "sarif", "examples/broken")
    assert proc.returncode == 2 and "--statistics works with the text and json" in proc.stderr


def test_quiet_prints_findings_only() -> None:
    proc = run_cli("check", "-q", "examples/broken/job-helper-in-containers.yaml")
    assert proc.stdout.splitlines() == HELPER_FINDING
    assert run_cli("check", "--quiet", "examples/job").stdout == ""
    proc = run_cli("check", "-q", "--format", "github", "examples/job")
    assert proc.stdout == ""


def test_summary_counts_files_that_are_not_kubernetes_manifests(tmp_path: Path) -> None:
    (tmp_path / "values.yaml").write_text("replicaCount: 2\nimage: nginx\n")
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "job.yaml").write_text(BAD + "---\nfoo: bar\n")
    proc = run_cli("check", str(tmp_path))
    assert proc.stdout.splitlines()[-1] == (
        "1 error, 0 warnings, 0 infos in 3 files (3 documents, 1 object; Kubernetes 1.37); "
        "2 files are not Kubernetes manifests, 1 other non-Kubernetes document skipped"
    )
    data = json.loads(run_cli("check", "--format", "json", str(tmp_path)).stdout)
    assert data["summary"]["nonKubernetesFiles"] == 2
    (tmp_path / "job.yaml").unlink()
    proc = run_cli("check", str(tmp_path))
    assert proc.stdout.splitlines()[-1] == (
        "0 errors, 0 warnings, 0 infos in 2 files (1 document, 0 objects; Kubernetes 1.37); "
        "2 files are not Kubernetes manifests"
    )


# --- paths in CI formats, stdin's name --------------------------------------------------


def _annotated_files(out: str) -> list[str]:
    import re

    return re.findall(r"^::\w+ file=([^,]+),", out, re.M)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "deploy" / "broken").mkdir(parents=True)
    (tmp_path / "deploy" / "broken" / "job.yaml").write_text(BAD)
    return tmp_path


def test_annotations_are_relative_to_the_workspace(repo: Path) -> None:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(repo)}
    # A step with `working-directory: deploy` names the file from there.
    for arg in ("broken/job.yaml", "./broken/job.yaml", "broken", "."):
        proc = run_cli("check", arg, cwd=repo / "deploy", env=env)
        assert _annotated_files(proc.stdout) == ["deploy/broken/job.yaml"], arg
        assert proc.stdout.startswith("::group::deploy/broken/job.yaml\n")
    # Without GITHUB_WORKSPACE: relative to the git top-level.
    proc = run_cli("check", "--format", "github", "broken", cwd=repo / "deploy")
    assert _annotated_files(proc.stdout) == ["deploy/broken/job.yaml"]
    # --root (also spelt --sarif-root) decides.
    proc = run_cli(
        "check", "--format", "github", "--root", str(repo / "deploy"), "broken", cwd=repo / "deploy"
    )
    assert _annotated_files(proc.stdout) == ["broken/job.yaml"]


def test_annotations_outside_the_workspace_keep_an_absolute_path(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "job.yaml").write_text(BAD)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(repo)}
    proc = run_cli("check", str(elsewhere / "job.yaml"), cwd=repo, env=env)
    assert _annotated_files(proc.stdout) == [str(elsewhere / "job.yaml")]


def test_stdin_filename_names_stdin_everywhere(repo: Path) -> None:
    args = ("check", "--stdin-filename", "deploy/apps/job.yaml")
    data = json.loads(run_cli(*args, "--format", "json", "-", cwd=repo, stdin=BAD).stdout)
    assert [(f["file"], f["line"]) for f in data["findings"]] == [("deploy/apps/job.yaml", 19)]
    # No path at all reads stdin too.
    proc = run_cli(*args, "--format", "sarif", cwd=repo, stdin=BAD)
    location = json.loads(proc.stdout)["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"] == {
        "uri": "deploy/apps/job.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    proc = run_cli(*args, "--format", "github", "-", cwd=repo, stdin=BAD)
    assert _annotated_files(proc.stdout) == ["deploy/apps/job.yaml"]
    # Config matching uses the name.
    (repo / ".sidecarlint.yaml").write_text("per-file-ignores: {'deploy/apps/*': [SCL102]}\n")
    proc = run_cli(*args, "--format", "json", "-", cwd=repo, stdin=BAD)
    assert json.loads(proc.stdout)["findings"] == [] and proc.returncode == 0
    # Without a name, stdin is "-", and annotations name no file.
    proc = run_cli("check", "--format", "github", "-", cwd=repo, stdin=BAD)
    assert "::error title=SCL102 sidecar-blocks-job-completion::" in proc.stdout
    assert "file=" not in proc.stdout


def test_stdin_filename_needs_stdin(repo: Path) -> None:
    proc = run_cli("check", "--stdin-filename", "x.yaml", "deploy", cwd=repo)
    assert proc.returncode == 2 and "--stdin-filename names stdin: add '-'" in proc.stderr


def test_fix_with_stdin_filename_never_touches_that_file(repo: Path) -> None:
    target = repo / "deploy" / "broken" / "job.yaml"
    before = target.read_text()
    proc = run_cli(
        "check", "--fix", "--stdin-filename", "deploy/broken/job.yaml", "-", cwd=repo, stdin=BAD
    )
    assert target.read_text() == before
    assert "restartPolicy: Always" in proc.stdout and "log-shipper" in proc.stdout
    assert proc.stdout != BAD
