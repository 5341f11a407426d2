"""JUnit XML and GitLab Code Quality output, validated against their published schemas."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from sidecarlint.finding import Finding, Severity, Span
from sidecarlint.pipeline import Report
from sidecarlint.report import renderer
from tests.conftest import REPO
from tests.test_cli import BAD, GOOD

SCHEMAS = REPO / "tests" / "schemas"


def check(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    import os

    full = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "CI_PROJECT_DIR")}
    full.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "sidecarlint", "check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "job.yaml").write_text(BAD)
    # The same object twice: identical findings on different lines.
    (tmp_path / "k8s" / "twice.yaml").write_text(BAD + "---\n" + BAD)
    (tmp_path / "k8s" / "good.yaml").write_text(GOOD)
    (tmp_path / "k8s" / "broken.yaml").write_text("a: [1,\n")
    return tmp_path


# --- GitLab Code Quality --------------------------------------------------------------


def _gitlab(project: Path, *args: str, **kw: Any) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(
        check("--format", "gitlab", *args, "k8s", cwd=project, **kw)
    )
    return data


def test_gitlab_report_validates_against_gitlabs_schema(project: Path) -> None:
    import jsonschema

    schema = json.loads((SCHEMAS / "gitlab-codeclimate.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    issues = _gitlab(project)
    assert isinstance(issues, list) and len(issues) == 4
    for issue in issues:
        assert list(validator.iter_errors(issue)) == []
        # What GitLab's documentation adds to the schema.
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["check_name"] and issue["description"]
        path = issue["location"]["path"]
        assert not path.startswith(("/", "./")) and ".." not in path.split("/")
        begin = issue["location"]["positions"]["begin"]
        assert begin["line"] >= 1 and begin["column"] >= 1
    # GitLab keeps one issue per fingerprint: they must all differ.
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert sorted(
        (i["location"]["path"], i["location"]["positions"]["begin"]["line"], i["check_name"])
        for i in issues
    ) == [
        ("k8s/broken.yaml", 1, "SCL001"),
        ("k8s/job.yaml", 19, "SCL102"),
        ("k8s/twice.yaml", 19, "SCL102"),
        ("k8s/twice.yaml", 47, "SCL102"),
    ]
    (job,) = [i for i in issues if i["location"]["path"] == "k8s/job.yaml"]
    assert job["severity"] == "critical"
    assert job["description"].startswith("'log-shipper' looks like a long-running helper")
    assert job["description"].endswith(
        "Fix: Move 'log-shipper' to initContainers with restartPolicy: Always"
    )


def test_gitlab_fingerprints_are_stable_and_paths_follow_ci_project_dir(project: Path) -> None:
    first = {i["fingerprint"] for i in _gitlab(project)}
    text = (project / "k8s" / "job.yaml").read_text()
    (project / "k8s" / "job.yaml").write_text("# moved down\n" + text)
    assert {i["fingerprint"] for i in _gitlab(project)} == first
    issues = _gitlab(project, env={"CI_PROJECT_DIR": str(project / "k8s")})
    assert {i["location"]["path"] for i in issues} == {"job.yaml", "twice.yaml", "broken.yaml"}


def test_gitlab_severities_and_nothing_found(project: Path) -> None:
    (project / "k8s" / "info.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
        "  containers: [{name: a, image: nginx}]\n  volumes: [{name: spare, emptyDir: {}}]\n"
    )
    severities = {i["check_name"]: i["severity"] for i in _gitlab(project, "--select", "SCL202")}
    assert severities["SCL202"] == "info"
    assert json.loads(check("--format", "gitlab", "k8s/good.yaml", cwd=project)) == []


# --- JUnit XML ------------------------------------------------------------------------


def _junit_schema() -> Any:
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))


def test_junit_validates_against_the_junit_schema(project: Path) -> None:
    schema = _junit_schema()
    out = check("--format", "junit", "k8s", cwd=project)
    schema.validate(out)
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "4", "0")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"k8s/broken.yaml", "k8s/job.yaml", "k8s/twice.yaml"}
    (case,) = suites["k8s/job.yaml"].findall("testcase")
    assert case.attrib == {
        "name": "SCL102 sidecar-blocks-job-completion at 19:17",
        "classname": "k8s/job.yaml",
        "file": "k8s/job.yaml",
        "line": "19",
    }
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert failure.get("message", "").startswith("'log-shipper' looks like a long-running helper")
    assert (failure.text or "").startswith("k8s/job.yaml:19:17: ERROR SCL102 ")
    assert "fix: Move 'log-shipper' to initContainers" in (failure.text or "")


def test_junit_with_nothing_found_is_one_passing_test(project: Path) -> None:
    out = check("--format", "junit", "k8s/good.yaml", cwd=project)
    _junit_schema().validate(out)
    root = ET.fromstring(out)
    assert (root.get("tests"), root.get("failures")) == ("1", "0")
    (case,) = root.iter("testcase")
    assert case.get("name") == "1 file checked, no findings" and list(case) == []


def test_junit_suppressed_findings_are_skipped_tests(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "job.yaml").write_text(
        BAD.replace(
            "        - name: log-shipper",
            "        - name: log-shipper  # sidecarlint: disable=SCL102",
        )
    )
    out = check("--format", "junit", "--show-suppressed", ".", cwd=tmp_path)
    _junit_schema().validate(out)
    (case,) = ET.fromstring(out).iter("testcase")
    skipped = case.find("skipped")
    assert skipped is not None and skipped.get("message") == "suppressed"
    assert ET.fromstring(check("--format", "junit", ".", cwd=tmp_path)).get("tests") == "1"


def test_junit_and_gitlab_survive_characters_xml_cannot_hold() -> None:
    finding = Finding(
        "SCL001",
        "yaml-syntax-error",
        Severity.ERROR,
        "bad \x1b[31m byte \x00 and \ud800",
        "odd\x07name.yaml",
        Span(1, 1, 1, 2),
    )
    report = Report("1.37", [finding], files=1, documents=1)
    out = renderer("junit")(report, sarif_root=".")
    _junit_schema().validate(out)
    failure = ET.fromstring(out).find(".//failure")
    assert failure is not None
    assert failure.get("message") == "bad \\x1b[31m byte \\x00 and \\ud800"
    assert json.loads(renderer("gitlab")(report, sarif_root="."))[0]["description"] == (
        "bad \x1b[31m byte \x00 and \ud800"
    )
