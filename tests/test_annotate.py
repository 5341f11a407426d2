"""Source lines and line hashes, from the text read again piece by piece: only the lines with
findings are kept, a long line only around each finding, and hashes are GitHub's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sidecarlint import linehash
from sidecarlint.annotate import LINE_LIMIT, Spool, annotate
from sidecarlint.finding import ELLIPSIS, EXCERPT
from sidecarlint.linehash import line_hashes, streamed_line_hashes
from sidecarlint.pipeline import Settings, lint_text
from sidecarlint.report.text import snippet
from tests.test_cli import run_cli

TWO = "x" * 5000
LONG = (
    "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
    f'spec: {{terminationGracePeriodSeconds: "{TWO}", containers: [{{name: a, image: b, '
    f'ports: [{{containerPort: "{TWO}"}}]}}]}}\n'
)


def _shown(text: str) -> list[tuple[int, int, str | None, int, list[str]]]:
    findings = lint_text(text, "t.yaml", Settings(source_lines=True))
    return [
        (f.span.line, f.span.column, f.source_line, f.source_start, snippet(f)) for f in findings
    ]


def test_a_long_line_is_shown_around_each_finding() -> None:
    (first, second) = _shown(LONG)
    line = LONG.splitlines()[3]
    # At column 39: the line's start up to EXCERPT characters past the span's first EXCERPT.
    assert first[:2] == (4, 39)
    assert first[2] == line[: 38 + 2 * EXCERPT] + ELLIPSIS and first[3] == 0
    assert first[4][1] == "   4 | " + first[2]
    # The span goes on past what is shown: the carets go on under the ellipsis.
    assert first[4][2] == "     | " + " " * 38 + "^" * (2 * EXCERPT + 1)
    # Far along the line: EXCERPT characters before it, after an ellipsis.
    column = line.index('containerPort: "') + len("containerPort: ") + 1
    assert second[:2] == (4, column)
    start = column - 1 - EXCERPT
    assert second[3] == start
    assert second[2] == line[start : column - 1 + 2 * EXCERPT] + ELLIPSIS
    assert second[4][1] == "   4 | " + ELLIPSIS + second[2]
    assert second[4][2] == "     | " + " " * (1 + EXCERPT) + "^" * (2 * EXCERPT + 1)


@pytest.mark.parametrize("extra", [0, 1])
def test_a_line_up_to_the_limit_is_shown_whole(extra: int) -> None:
    head = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {terminationGracePeriodSeconds: "
    value = '"' + "y" * 3 + '"'
    tail = ", containers: [{name: a, image: b}], x: "
    line = "spec: {terminationGracePeriodSeconds: " + value + tail
    pad = LINE_LIMIT + extra - len(line) - 1
    text = head + value + tail + "z" * pad + "}\n"
    ((_, column, shown, start, _),) = [s for s in _shown(text) if s[1] == 39]
    full = text.splitlines()[3]
    assert len(full) == LINE_LIMIT + extra
    if extra:
        assert (shown, start) == (full[: column - 1 + EXCERPT + 5] + ELLIPSIS, 0)
    else:
        assert (shown, start) == (full, 0)


def test_show_source_in_the_text_output(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text(LONG)
    proc = run_cli("check", "--show-source", str(path))
    lines = proc.stdout.splitlines()
    assert lines[2].startswith("   4 | spec: {")
    assert lines[6].startswith("   4 | " + ELLIPSIS) and len(lines[6]) == 7 + 1 + 3 * EXCERPT + 1


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="ab \t\r\n\u2028", max_size=300),
    st.lists(st.integers(0, 300), max_size=8),
    st.sets(st.integers(1, 40), min_size=1, max_size=5),
)
def test_streamed_line_hashes_equal_the_whole_texts(
    text: str, cuts: list[int], wanted: set[int]
) -> None:
    points = sorted({c for c in cuts if 0 < c < len(text)})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    expected = line_hashes(text, wanted)
    assert streamed_line_hashes(lambda: pieces, wanted) == expected


def test_line_hashes_past_the_counts_limit_are_counted_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "".join(f"line {n % 7}\n" for n in range(300)) + "".join(f"u{n}\n" for n in range(300))
    wanted = {1, 8, 295, 600}
    expected = line_hashes(text, wanted)
    assert expected[8].endswith(":2")  # line 8 repeats line 1's text and what follows
    monkeypatch.setattr(linehash, "COUNTS_LIMIT", 5)
    passes: list[int] = []

    def pieces() -> list[str]:
        passes.append(1)
        return [text]

    assert streamed_line_hashes(pieces, wanted) == expected
    assert len(passes) == 2


def test_stdin_is_kept_aside_to_be_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Spool, "MEMORY", 10)
    spool = Spool()
    text = "a: 1\r\nb: 2\n" * 5
    pieces = [text[:7], text[7:30], text[30:]]
    assert list(spool.tee(pieces)) == pieces
    assert "".join(spool.pieces()) == text  # from a temporary file, line breaks as they were
    assert "".join(spool.pieces()) == text  # as often as asked
    spool.close()


def test_stdin_and_the_file_get_the_same_annotations(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text(LONG)
    by_file = run_cli("check", "--format", "sarif", str(path)).stdout
    by_stdin = run_cli("check", "--format", "sarif", "-", stdin=LONG).stdout

    def hashes(out: str) -> list[str]:
        return [
            r["partialFingerprints"]["primaryLocationLineHash"]
            for r in json.loads(out)["runs"][0]["results"]
        ]

    assert hashes(by_file) == hashes(by_stdin) == [line_hashes(LONG)[4]] * 2
    text = run_cli("check", "--show-source", "-", stdin=LONG).stdout.splitlines()
    assert text[6].startswith("   4 | " + ELLIPSIS)


def test_annotate_gives_what_was_read_when_the_text_ends_early() -> None:
    from sidecarlint.sources import ReadError, StreamError

    findings = lint_text(LONG, "t.yaml")

    def broken() -> list[str]:
        def pieces():  # type: ignore[no-untyped-def]
            yield LONG[:20]
            raise StreamError(ReadError("gone"))

        return pieces()  # type: ignore[no-any-return]

    out = annotate(findings, broken, source_lines=True, line_hashes=True)
    assert [(f.source_line, f.line_hash) for f in out] == [(None, None)] * 2
