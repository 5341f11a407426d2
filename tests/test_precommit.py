"""The pre-commit hook and the README's snippets."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sidecarlint.parse import parse_text
from tests.conftest import REPO

GOOD = REPO / "examples" / "job" / "job.yaml"
BAD = REPO / "examples" / "broken" / "job-helper-in-containers.yaml"


def _pre_commit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_hook_manifest_is_valid() -> None:
    pytest.importorskip("pre_commit")
    proc = _pre_commit("validate-manifest", ".pre-commit-hooks.yaml", cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (hook,) = parse_text((REPO / ".pre-commit-hooks.yaml").read_text(), "h").documents[0].data
    assert (hook["id"], hook["entry"], hook["language"], hook["types_or"]) == (
        "sidecarlint",
        "sidecarlint check",
        "python",
        ["yaml", "json"],
    )


def _snippets() -> dict[str, str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    out = {}
    for block in re.findall(r"```yaml\n(.*?)```", readme, re.S):
        first = block.splitlines()[0]
        if first.startswith("# ") and "/" not in first[2:].split()[0][:1]:
            out[first[2:].strip()] = block
    return out


def test_readme_pre_commit_snippet_validates(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    snippet = _snippets()[".pre-commit-config.yaml"]
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(snippet, encoding="utf-8")
    proc = _pre_commit("validate-config", str(config), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "id: sidecarlint" in snippet


def test_readme_workflow_snippet_is_a_workflow() -> None:
    snippet = _snippets()[".github/workflows/sidecarlint.yaml"]
    (doc,) = parse_text(snippet, "wf").documents
    workflow = doc.data
    # 'on' is a YAML 1.1 boolean to Kubernetes' resolver, and to GitHub's it is a key.
    assert set(workflow) >= {"name", "jobs", "permissions"}
    steps = workflow["jobs"]["lint"]["steps"]
    assert any("--sarif-output sidecarlint.sarif" in str(s.get("run", "")) for s in steps)
    upload = [
        s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")
    ]
    assert upload and upload[0]["with"]["sarif_file"] == "sidecarlint.sarif"
    assert workflow["permissions"]["security-events"] == "write"


@pytest.mark.network
def test_try_repo(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(GOOD, work / "good.yaml")
    shutil.copy(BAD, work / "bad.yaml")
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=work, check=True)
    subprocess.run([*git, "add", "."], cwd=work, check=True)
    good = _pre_commit("try-repo", str(REPO), "sidecarlint", "--files", "good.yaml", cwd=work)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = _pre_commit("try-repo", str(REPO), "sidecarlint", "--files", "bad.yaml", cwd=work)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "bad.yaml:19:17: ERROR SCL102 'log-shipper' looks like" in bad.stdout


# --- Helm charts and release tags -----------------------------------------------------

TEMPLATE = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
    "spec:\n  template:\n    spec:\n      containers:\n"
    "        - name: web\n          image: {{ .Values.image }}\n"
)


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    web = tmp_path / "charts" / "web"
    (web / "templates" / "sub").mkdir(parents=True)
    (web / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    (web / "values.yaml").write_text("image: nginx\n")
    (web / "templates" / "deployment.yaml").write_text(TEMPLATE)
    (web / "templates" / "sub" / "job.yaml").write_text(BAD.read_text())  # plain YAML
    (web / "templates" / "_helpers.tpl").write_text('{{- define "x" -}}{{- end -}}\n')
    return tmp_path


def test_chart_templates_are_skipped_with_a_note(chart: Path) -> None:
    from tests.test_cli import run_cli

    note = (
        "note: charts/web: 2 Helm chart templates skipped; helm was not found: install it "
        "to check the rendered chart, or lint it: "
        "'helm template RELEASE charts/web | sidecarlint check -'"
    )
    no_helm = {"PATH": os.path.dirname(sys.executable)}  # no helm there
    # How the hook calls it: the staged files, named one by one.
    proc = run_cli(
        "check",
        "charts/web/templates/deployment.yaml",
        "charts/web/templates/sub/job.yaml",
        cwd=chart,
        env=no_helm,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert note in proc.stdout.splitlines()
    # A directory walk skips them too, and checks the rest of the chart.
    proc = run_cli("check", ".", cwd=chart, env=no_helm)
    assert proc.returncode == 0 and note in proc.stdout.splitlines()
    assert "in 2 files" in proc.stdout  # Chart.yaml and values.yaml
    # Run from inside the chart.
    proc = run_cli("check", "templates", cwd=chart / "charts" / "web", env=no_helm)
    assert proc.returncode == 0
    assert "note: .: 2 Helm chart templates skipped; helm was not found" in proc.stdout
    # --helm never: the same note without the hint.
    proc = run_cli("check", "--helm", "never", ".", cwd=chart, env=no_helm)
    assert (
        "note: charts/web: 2 Helm chart templates skipped; lint the rendered chart: "
        "'helm template RELEASE charts/web | sidecarlint check -'"
    ) in proc.stdout.splitlines()


def test_chart_templates_can_be_checked_and_need_a_chart(chart: Path) -> None:
    from tests.test_cli import run_cli

    proc = run_cli("check", "--chart-templates", "check", "--format", "json", ".", cwd=chart)
    codes = sorted((f["file"], f["code"]) for f in json.loads(proc.stdout)["findings"])
    assert codes == [
        ("charts/web/templates/deployment.yaml", "SCL001"),
        ("charts/web/templates/sub/job.yaml", "SCL102"),
    ]
    (chart / ".sidecarlint.yaml").write_text("chart-templates: check\n")
    assert run_cli("check", ".", cwd=chart).returncode == 1
    (chart / ".sidecarlint.yaml").unlink()
    # Without a Chart.yaml, templates/ is an ordinary directory.
    (chart / "charts" / "web" / "Chart.yaml").unlink()
    proc = run_cli("check", "--format", "json", ".", cwd=chart)
    assert len(json.loads(proc.stdout)["findings"]) == 2 and proc.returncode == 1


def test_chart_detection() -> None:
    from sidecarlint.sources import chart_of

    assert chart_of(str(REPO / "examples" / "job" / "job.yaml")) is None


def test_readme_rev_is_the_release_tag_of_this_version() -> None:
    from sidecarlint import __version__

    snippet = _snippets()[".pre-commit-config.yaml"]
    (rev,) = re.findall(r"^\s+rev: (\S+)", snippet, re.M)
    assert rev == f"v{__version__}"
    contributing = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "## Cutting a release" in contributing
    assert 'git tag -a "v$VERSION"' in contributing


# --- a repository with a Helm chart and a kustomization ---------------------------------

OVERLAY_PATCH = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: myjob
spec:
  template:
    spec:
      containers:
        - name: log-shipper
          image: alpine:3.20
          command: ["sh", "-c", "tail -F /var/log/app.log"]
"""


@pytest.fixture
def mixed_repo(chart: Path) -> Path:
    """The chart fixture plus a kustomization: a base Job and an overlay that patches it."""
    from sidecarlint.renderers import _beside_python

    base = chart / "deploy" / "base"
    overlay = chart / "deploy" / "overlays" / "prod"
    base.mkdir(parents=True)
    overlay.mkdir(parents=True)
    (base / "kustomization.yaml").write_text("resources:\n  - job.yaml\n")
    (base / "job.yaml").write_text(GOOD.read_text())
    (overlay / "kustomization.yaml").write_text("resources:\n  - ../../base\nnamePrefix: prod-\n")
    assert _beside_python("kubectl") is not None, "the test extra's kubectl is missing"
    return chart


def _hook_files(root: Path) -> list[str]:
    """The files pre-commit hands the hook: every file whose type is yaml or json."""
    from identify.identify import tags_from_path

    files = [p.relative_to(root).as_posix() for p in sorted(root.rglob("*")) if p.is_file()]
    return [
        f for f in files if ".git/" not in f and tags_from_path(str(root / f)) & {"yaml", "json"}
    ]


def test_hook_passes_on_a_repository_with_a_chart_and_a_kustomization(mixed_repo: Path) -> None:
    from tests.test_cli import run_cli

    env = {"PATH": os.path.dirname(sys.executable)}  # the test extra's kubectl; no helm
    files = _hook_files(mixed_repo)
    assert "charts/web/templates/deployment.yaml" in files
    assert "deploy/overlays/prod/kustomization.yaml" in files
    proc = run_cli("check", *files, cwd=mixed_repo, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "note: 1 kustomization rendered with kubectl kustomize" in proc.stdout
    assert "charts/web: 2 Helm chart templates skipped" in proc.stdout
    # It checks what the kustomization renders: a patch that breaks the Job fails the hook
    # at the patch's line, though the base alone is fine.
    patch = mixed_repo / "deploy" / "overlays" / "prod" / "log-shipper.yaml"
    patch.write_text(OVERLAY_PATCH)
    (mixed_repo / "deploy" / "overlays" / "prod" / "kustomization.yaml").write_text(
        "resources:\n  - ../../base\nnamePrefix: prod-\npatches:\n  - path: log-shipper.yaml\n"
    )
    proc = run_cli("check", "deploy/overlays/prod/log-shipper.yaml", cwd=mixed_repo, env=env)
    assert proc.returncode == 1
    assert "deploy/overlays/prod/log-shipper.yaml:9:17: ERROR SCL102" in proc.stdout


@pytest.mark.network
def test_try_repo_with_a_chart_and_a_kustomization(mixed_repo: Path) -> None:
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    shutil.rmtree(mixed_repo / ".git")
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=mixed_repo, check=True)
    subprocess.run([*git, "add", "."], cwd=mixed_repo, check=True)
    proc = _pre_commit(
        "try-repo", str(REPO), "sidecarlint", "--all-files", "--verbose", cwd=mixed_repo
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # The hook's environment has no kubectl of its own: the kustomization gets the note
    # (or, where kubectl is on PATH, its rendered output is checked).
    assert "Helm chart templates skipped" in proc.stdout
