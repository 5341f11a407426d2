"""SARIF details that GitHub code scanning reads: base URIs, line hashes, rule texts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from sidecarlint.linehash import line_hashes
from sidecarlint.registry import registry
from sidecarlint.report.sarif import first_sentences
from tests.conftest import REPO

FIXTURE = REPO / "tests" / "fixtures" / "multi"
JOB = (FIXTURE / "job.yaml").read_text(encoding="utf-8")


def sarif(*args: str, cwd: Path = FIXTURE) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "sidecarlint", "check", "--format", "sarif", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert proc.returncode in (0, 1), proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


# --- 1: uriBaseId is defined ----------------------------------------------------------


def test_srcroot_is_defined_as_the_root_directory(tmp_path: Path) -> None:
    root = tmp_path / "a dir"
    root.mkdir()
    (root / "job.yaml").write_text(JOB)
    run = sarif("--sarif-root", str(root), str(root))["runs"][0]
    assert run["originalUriBaseIds"] == {
        "%SRCROOT%": {"uri": "file://" + quote(str(root), safe="/") + "/"}
    }
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location["uriBaseId"] in run["originalUriBaseIds"]


# --- 2: primaryLocationLineHash -------------------------------------------------------

# github/codeql-action src/fingerprints.test.ts ("hash"): input -> hash of each line.
CODEQL_CASES = [
    ("", ["c129715d7a2bc9a3:1"]),
    (
        " a\nb\n  \t\tc\n d",
        ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"],
    ),
    (
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
        [
            "8b7cf3e952e7aeb2:1",
            "b1ae1287ec4718d9:1",
            "bff680108adb0fcc:1",
            "c6805c5e1288b612:1",
            "b86d3392aea1be30:1",
            "e6ceba753e1a442:1",
        ],
    ),
    *[
        (
            text,
            [
                "e9496ae3ebfced30:1",
                "fb7c023a8b9ccb3f:1",
                "ce8ba1a563dcdaca:1",
                "e20e36e16fcb0cc8:1",
                "b3edc88f2938467e:1",
                "c8e28b0b4002a3a0:1",
                "c129715d7a2bc9a3:1",
            ],
        )
        for text in (
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        )
    ],
    (
        "Lorem ipsum dolor sit amet.\n" * 10,
        [
            *[f"a7f2ff13bc495cf2:{n}" for n in range(1, 7)],
            "a7f2ff1481e87703:1",
            "a9cf91f7bbf1862b:1",
            "55ec222b86bcae53:1",
            "cc97dc7b1d7d8f7b:1",
            "c129715d7a2bc9a3:1",
        ],
    ),
    (
        "x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n",
        [
            "e54938cc54b302f1:1",
            "bb609acbe9138d60:1",
            "1131fd5871777f34:1",
            "5c482a0f8b35ea28:1",
            "54517377da7028d2:1",
            "2c644846cb18d53e:1",
            "f1b89f20de0d133:1",
            "c129715d7a2bc9a3:1",
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CODEQL_CASES)
def test_line_hashes_match_codeql_action(text: str, expected: list[str]) -> None:
    assert line_hashes(text) == dict(enumerate(expected, 1))
    # Asking for some lines gives the same values for those lines.
    wanted = {1, len(expected)}
    assert line_hashes(text, wanted) == {n: expected[n - 1] for n in wanted}


def _hashes(run: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [
        (
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["partialFingerprints"]["primaryLocationLineHash"],
            r["partialFingerprints"]["sidecarlint/v1"],
        )
        for r in run["results"]
    ]


def test_sarif_results_carry_github_line_hashes(tmp_path: Path) -> None:
    (tmp_path / "job.yaml").write_text(JOB)
    ((line, line_hash, ours),) = _hashes(sarif("--sarif-root", ".", ".", cwd=tmp_path)["runs"][0])
    assert line_hash == line_hashes(JOB)[line]
    # Unrelated lines above move the finding; both fingerprints stay.
    (tmp_path / "job.yaml").write_text("# one\n# two\n" + JOB)
    moved = _hashes(sarif("--sarif-root", ".", ".", cwd=tmp_path)["runs"][0])
    assert moved == [(line + 2, line_hash, ours)]
    # A change of the line itself changes GitHub's hash, not ours.
    (tmp_path / "job.yaml").write_text(JOB.replace("- name: log-shipper", "- name:  log-shipper"))
    ((_, changed, same),) = _hashes(sarif("--sarif-root", ".", ".", cwd=tmp_path)["runs"][0])
    assert (changed, same) == (line_hash, ours)  # spaces are skipped by GitHub's hash
    (tmp_path / "job.yaml").write_text(JOB.replace("log-shipper", "log-shippers"))
    ((_, changed, _),) = _hashes(sarif("--sarif-root", ".", ".", cwd=tmp_path)["runs"][0])
    assert changed != line_hash


def test_line_hash_of_a_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    """GitHub reads the file's bytes as UTF-8, so the BOM is part of line 1."""
    bad = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
        "  containers: [{name: a, image: x}]\n  volumes: [{name: v, emptyDir: {}}]\n"
    )
    (tmp_path / "p.yaml").write_bytes(b"\xef\xbb\xbf" + bad.encode())
    results = sarif("--sarif-root", ".", ".", cwd=tmp_path)["runs"][0]["results"]
    expected = line_hashes("\ufeff" + bad)
    assert results and all(
        r["partialFingerprints"]["primaryLocationLineHash"]
        == expected[r["locations"][0]["physicalLocation"]["region"]["startLine"]]
        for r in results
    )
    assert line_hashes(bad)[1] != expected[1]


# --- 3: rule texts, precision, problem.severity ---------------------------------------


def test_rule_help_text_is_plain_and_markdown_is_the_page() -> None:
    rules = sarif("--sarif-root", ".", ".")["runs"][0]["tool"]["driver"]["rules"]
    for rule in rules:
        text, markdown = rule["help"]["text"], rule["help"]["markdown"]
        assert markdown.startswith("# `")
        assert "```" not in text and "`" not in text
        assert not any(line.startswith("#") for line in text.splitlines())
        assert text.startswith(f"{rule['name']} ({rule['id']})\n")


def test_full_description_is_cut_at_a_sentence() -> None:
    long = first_sentences("One two three. " * 100, 1024)
    assert len(long) <= 1024 and long.endswith("three.")
    assert first_sentences("A short one.", 1024) == "A short one."
    # No sentence end within the limit: cut at a word, with an ellipsis.
    assert first_sentences("word " * 300, 1024).endswith("word …")
    assert len(first_sentences("word " * 300, 1024)) <= 1024
    log = sarif("--select", "SCL401", "--sarif-root", ".", ".")
    (rule,) = [r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "SCL401"]
    full = rule["fullDescription"]["text"]
    assert len(full) <= 1024 and full.endswith(".")
    # Plain text: no Markdown table or code spans, and the sentence that led to the table
    # ends with a full stop instead of a dangling colon.
    assert "|" not in full and "`" not in full
    assert full.startswith(
        "Reports a Job or CronJob pod template that asks a sidecar injector for a sidecar "
        "without the injector's native-sidecar mode, at the label or annotation that requests "
        "injection. A warning by default;"
    )


HEURISTIC = {
    "SCL102",
    "SCL103",
    "SCL104",
    "SCL105",
    "SCL201",
    "SCL203",
    "SCL301",
    "SCL302",
    "SCL303",
    "SCL304",
    "SCL401",
    "SCL404",
}


def test_precision_and_problem_severity() -> None:
    rules = sarif("--select", "ALL", "--sarif-root", ".", ".")["runs"][0]["tool"]["driver"]
    by_id = {r["id"]: r for r in rules["rules"]}
    assert set(by_id) == {r.code for r in registry().rules}
    for code, rule in by_id.items():
        properties = rule["properties"]
        assert properties["precision"] == ("medium" if code in HEURISTIC else "very-high"), code
        level = rule["defaultConfiguration"]["level"]
        expected = {"error": "error", "warning": "warning", "note": "recommendation"}[level]
        assert properties["problem.severity"] == expected
