"""Nesting is bounded where the parser nests, not by guessing from the text: shapes that
hide their depth from a text scan still get an SCL001 at the level past the limit, never a
crashed process, and the other files are still checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.robustness.limits import check
from tests.robustness.test_hostile import run_with_control

DEEP = 30_000


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        # A ']' in a comment or a string would balance a bracket count.
        ("comment.yaml", b"# ]" + b"]" * DEEP + b"\n" + b"[" * DEEP, [("SCL001", 2, 101)]),
        ("string.yaml", b'a: "' + b"]" * DEEP + b'"\nb: ' + b"[" * DEEP, [("SCL001", 2, 103)]),
        # Block nesting with lines that end in CR only, or in NEL: one line to a '\n' scan.
        ("cr.yaml", b"".join(b" " * i + b"- a:\r" for i in range(0, 600, 2)), None),
        ("chain-cr.yaml", b"# c\r" + b"- " * DEEP + b"x\r", [("SCL001", 2, 201)]),
        ("nel.yaml", "".join(" " * i + "- a:\x85" for i in range(0, 600, 2)).encode(), None),
        ("dashes.yaml", b"-   " * DEEP + b"x\n", [("SCL001", 1, 401)]),
    ],
)
def test_hidden_depth(
    tmp_path: Path, name: str, data: bytes, expected: list[tuple[str, int, int]] | None
) -> None:
    code, found = run_with_control(tmp_path, name, data)
    assert code == 1
    assert [c for c, _, _ in found] == ["SCL001"]
    if expected is not None:
        assert found == expected
    else:
        assert found[0][1] > 1  # at the nesting, not at the top of the file


def test_max_depth_is_capped_where_the_parser_stops(tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    code, report, stderr = check("--max-depth", "1000", tmp_path)
    assert code == 1 and [f["code"] for f in report["findings"]] == ["SCL001"]
    assert report["findings"][0]["column"] == 1001
    code, _, stderr = check("--max-depth", "200000", tmp_path)
    assert code == 2 and "1<=x<=1000" in stderr
