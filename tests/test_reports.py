"""Output formats: golden files, the SARIF schema, GitHub's rules, and agreement between
formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sidecarlint.pipeline import Report, collect, run
from sidecarlint.report import choose, renderer
from sidecarlint.report.github import escape_data, escape_property
from sidecarlint.report.sarif import artifact_location, root_uri
from tests.conftest import REPO, SHARED
from tests.conftest import settings as make_settings

FIXTURE = REPO / "tests" / "fixtures" / "multi"
GOLDEN = REPO / "tests" / "golden"
SARIF_SCHEMA = SHARED / "schemas-ext" / "sarif-schema-2.1.0.json"


def cli(
    *args: str, cwd: Path = FIXTURE, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("GITHUB_ACTIONS", None) if env is None else None
    return subprocess.run(
        [sys.executable, "-m", "sidecarlint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full_env,
    )


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit", "gitlab"])
def test_golden(fmt: str) -> None:
    proc = cli("check", "--format", fmt, "--sarif-root", ".", "--show-suppressed", ".")
    assert proc.returncode == 1, proc.stderr
    # The one machine-dependent value: the file URI of the root directory.
    out = proc.stdout.replace(root_uri(str(FIXTURE)), "file:///ROOT/")
    assert out == (GOLDEN / f"multi.{fmt}").read_text(encoding="utf-8")


def _sarif() -> dict[str, Any]:
    proc = cli("check", "--format", "sarif", "--sarif-root", ".", ".")
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


@pytest.mark.skipif(not SARIF_SCHEMA.is_file(), reason="the official SARIF schema is not available")
def test_sarif_validates_with_format_checking() -> None:
    import jsonschema

    pytest.importorskip("rfc3986_validator", reason="URI format checks need rfc3986-validator")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    log = _sarif()
    assert [e.message for e in validator.iter_errors(log)] == []
    # The trap the format checker exists for: a space in a file name must be encoded.
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert uris == {"job.yaml", "web%20app.yaml"}
    bad = json.loads(json.dumps(log))
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = (
        "web app.yaml"
    )
    assert any("uri-reference" in e.message for e in validator.iter_errors(bad))


def test_sarif_meets_github_rules() -> None:
    log = _sarif()
    assert len(log["runs"]) == 1
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert run_["columnKind"] == "unicodeCodePoints"
    for rule in rules:
        assert rule["shortDescription"]["text"] and len(rule["shortDescription"]["text"]) <= 1024
        assert rule["fullDescription"]["text"] and len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["helpUri"].endswith(f"/rules/{rule['id']}-{rule['name']}.md")
        assert "# expect:" not in rule["help"]["text"]
    assert "SCL900" not in {r["id"] for r in rules}  # off by default, so not listed
    for result in run_["results"]:
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
    got = sorted(
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in run_["results"]
    )
    assert got == [("SCL001", 28), ("SCL102", 18), ("SCL103", 20)]


def test_fingerprints_survive_unrelated_line_moves(tmp_path: Path) -> None:
    text = (FIXTURE / "job.yaml").read_text(encoding="utf-8")
    (tmp_path / "job.yaml").write_text(text, encoding="utf-8")
    first = cli("check", "--format", "sarif", "--sarif-root", ".", ".", cwd=tmp_path)
    (tmp_path / "job.yaml").write_text("# a new comment\n# another\n" + text, encoding="utf-8")
    second = cli("check", "--format", "sarif", "--sarif-root", ".", ".", cwd=tmp_path)

    def prints(out: str) -> list[tuple[int, str]]:
        results = json.loads(out)["runs"][0]["results"]
        return [
            (
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                r["partialFingerprints"]["sidecarlint/v1"],
            )
            for r in results
        ]

    ((line1, fp1),) = prints(first.stdout)
    ((line2, fp2),) = prints(second.stdout)
    assert (line2 - line1, fp1) == (2, fp2)


def test_artifact_locations(tmp_path: Path) -> None:
    root = str(tmp_path)
    assert artifact_location(str(tmp_path / "a b" / "c[1].yaml"), root) == {
        "uri": "a%20b/c%5B1%5D.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert artifact_location("-", root) == {"uri": "stdin"}
    outside = artifact_location("/elsewhere/x.yaml", root)
    assert outside == {"uri": "file:///elsewhere/x.yaml"}


def test_github_escaping() -> None:
    # control characters are shown as escapes, so no line break reaches the log
    assert escape_data("50%\r\nnext\x1b[31m") == "50%25\\r\\nnext\\x1b[31m"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_auto_format() -> None:
    assert choose("auto", {"GITHUB_ACTIONS": "true"}) == "github"
    assert choose("auto", {}) == "text"
    assert choose("json", {"GITHUB_ACTIONS": "true"}) == "json"
    proc = cli("check", ".", env={"GITHUB_ACTIONS": "true"})
    # Paths relative to the repository (the git top-level), which GitHub resolves them
    # against, wherever the run starts.
    assert proc.stdout.startswith(
        "::group::tests/fixtures/multi/job.yaml\n"
        "::error file=tests/fixtures/multi/job.yaml,line=18,"
    )


_KEYS = st.sampled_from(["name", "image", "restartPolicy", "command", "volumeMounts"])


@st.composite
def pods(draw: st.DrawFn) -> str:
    lines = [
        "apiVersion: batch/v1",
        "kind: Job",
        "metadata:",
        "  name: j",
        "spec:",
        "  template:",
        "    spec:",
        "      restartPolicy: Never",
    ]
    for section in ("initContainers", "containers"):
        lines.append(f"      {section}:")
        for i in range(draw(st.integers(min_value=1, max_value=3))):
            name = draw(st.sampled_from(["a", "b", "istio-proxy", "x-sidecar"]))
            lines.append(f"        - name: {name}{i}")
            lines.append(
                f"          image: {draw(st.sampled_from(['busybox', 'envoyproxy/envoy:v1']))}"
            )
            if draw(st.booleans()):
                lines.append(
                    f"          restartPolicy: {draw(st.sampled_from(['Always', 'Never']))}"
                )
            if draw(st.booleans()):
                lines.append('          command: ["sh", "-c", "tail -F /var/log/x.log"]')
            if draw(st.booleans()):
                lines.append("          volumeMounts: [{name: v, mountPath: /var/log}]")
    if draw(st.booleans()):
        lines += ["      volumes:", "        - {name: v, emptyDir: {}}"]
    return "\n".join(lines) + "\n"


def _positions(fmt: str, report: Report) -> set[tuple[str, int, int, str]]:
    out = renderer(fmt)(report, sarif_root=".")
    if fmt == "json":
        return {(f["file"], f["line"], f["column"], f["code"]) for f in json.loads(out)["findings"]}
    if fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        return {
            (
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                r["locations"][0]["physicalLocation"]["region"]["startColumn"],
                r["ruleId"],
            )
            for r in results
        }
    if fmt == "github":
        import re

        return {
            (m[0], int(m[1]), int(m[2]), m[3])
            for m in re.findall(
                r"^::\w+ file=([^,]+),line=(\d+),endLine=\d+,col=(\d+),endColumn=\d+,title=(\w+) ",
                out,
                re.M,
            )
        }
    import re

    return {
        (m[0], int(m[1]), int(m[2]), m[3])
        for m in re.findall(r"^(.+?):(\d+):(\d+): \w+ (SCL\d+) ", out, re.M)
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pods())
def test_formats_agree(text: str) -> None:
    from sidecarlint.pipeline import _Engine

    result = _Engine(make_settings()).lint_text(text, "pod.yaml")
    report = collect([result], "1.37")
    sets = {fmt: _positions(fmt, report) for fmt in ("text", "json", "sarif", "github")}
    assert sets["text"] == sets["json"] == sets["sarif"] == sets["github"]
    assert len(sets["json"]) == len(report.findings)


def test_run_lists_enabled_rules() -> None:
    report = run([str(FIXTURE)], make_settings(select=["SCL102", "SCL103"]))
    # SCL001, SCL006 and SCL007 are always reported, whatever is selected.
    assert [r.code for r in report.rules] == ["SCL001", "SCL006", "SCL007", "SCL102", "SCL103"]
