"""Every exit code 2 is explained on stderr, whatever the options hide from the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sidecarlint import commands

POD = (
    "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n"
    "  containers: [{name: a, image: b}]\n  volumes: [{name: spare, emptyDir: {}}]\n"
)


def run(
    tmp_path: Path, *, fix: bool = False, show_diff: bool = False, **values: Any
) -> tuple[int, str, str]:
    (tmp_path / "p.yaml").write_text(POD)
    out: list[str] = []
    err: list[str] = []

    def echo(text: str, to_err: bool) -> None:
        (err if to_err else out).append(text)

    code = commands.check(
        [str(tmp_path / "p.yaml")], fix=fix, show_diff=show_diff, echo=echo, jobs="1", **values
    )
    return code, "".join(out), "".join(err)


EXPLANATION = (
    "sidecarlint: exit code 2: 1 internal error; what they stopped is not checked:\n"
    "  {file}:2:1: rule SCL202 (unused-volume) crashed on Pod/ok: RuntimeError: boom\n"
    "  (run with --debug for tracebacks; this is a bug in sidecarlint)\n"
)


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"select": "SCL202"},  # the SCL999 finding is not selected
        {"ignore": "SCL999"},
        {"format_": "json"},
        {"fail_on": "never"},
    ],
    ids=["default", "select", "ignore", "json", "fail-on-never"],
)
def test_internal_error_is_explained(
    tmp_path: Path, crashing_rule: None, values: dict[str, Any]
) -> None:
    code, out, err = run(tmp_path, **values)
    assert code == 2
    assert err == EXPLANATION.format(file=tmp_path / "p.yaml")
    if "select" in values or "ignore" in values:
        assert "SCL999" not in out


def test_report_in_a_file_and_diff(tmp_path: Path, crashing_rule: None) -> None:
    code, out, err = run(tmp_path, output=str(tmp_path / "report.txt"))
    assert (code, out) == (2, "") and err.startswith("sidecarlint: exit code 2: ")
    code, out, err = run(tmp_path, show_diff=True)
    assert code == 2 and "sidecarlint: exit code 2: 1 internal error" in err


def test_no_explanation_without_an_error(tmp_path: Path) -> None:
    assert run(tmp_path)[0] == 0
    assert run(tmp_path)[2] == ""
