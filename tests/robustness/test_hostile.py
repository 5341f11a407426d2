"""Hostile or broken input: a finding or a clear error per file, in bounded time and memory,
and the other files still checked."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tests.robustness.limits import check, codes

POD = (
    b"apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n"
    b"  containers: [{name: a, image: b}]\n  volumes: [{name: spare, emptyDir: {}}]\n"
)
OK_FINDING = ("SCL202", 6, 20)  # the control file's one finding


def run_with_control(
    tmp_path: Path, name: str, data: bytes, *extra: str
) -> tuple[int, list[tuple[str, int, int]]]:
    (tmp_path / name).write_bytes(data)
    (tmp_path / "zz-control.yaml").write_bytes(POD)
    code, report, _ = check(*extra, tmp_path)
    found = codes(report)
    control = [
        (c, line, col)
        for f, (c, line, col) in zip(report["findings"], found, strict=True)
        if f["file"].endswith("zz-control.yaml")
    ]
    assert control == [OK_FINDING]  # the other file is still checked
    return code, [
        (c, line, col)
        for f, (c, line, col) in zip(report["findings"], found, strict=True)
        if f["file"].endswith(name)
    ]


CASES: list[tuple[str, bytes, list[tuple[str, int, int]]]] = [
    ("truncated.yaml", POD[:75], [("SCL001", 5, 23)]),
    ("latin1.yaml", b"a: caf\xe9\n", [("SCL006", 1, 7)]),
    (
        "utf16.yaml",
        codecs.BOM_UTF16_LE
        + "apiVersion: v1\nkind: Pod\nspec: {containers: [{name: 1}]}\n".encode("utf-16-le"),
        [("SCL003", 3, 28)],
    ),
    ("nul.yaml", b"a: 1\nb: \x00\n", [("SCL006", 2, 4)]),
    ("tabs.yaml", b"a:\n\tb: 1\n", [("SCL001", 2, 1)]),
    ("deep-flow.yaml", b"[" * 100_000 + b"]" * 100_000, [("SCL001", 1, 101)]),
    ("deep-block.yaml", b"- " * 100_000 + b"x\n", [("SCL001", 1, 201)]),
    (
        "bomb.yaml",
        b"a: &a [x,x,x,x,x,x,x,x,x,x]\n"
        + b"".join(
            b"%s: &%s [%s]\n" % (bytes([c]), bytes([c]), b",".join([b"*" + bytes([c - 1])] * 10))
            for c in range(ord("b"), ord("i"))
        ),
        [("SCL001", 6, 4)],
    ),
    ("unsafe.yaml", b"!!python/object/apply:os.system ['touch pwned']\n", []),
    ("scalars.yaml", b'- 1\n---\n"text"\n---\n~\n', []),
    ("keys.yaml", b"{[a]: 1}\n", [("SCL001", 1, 2)]),
    ("junk-list.yaml", b"apiVersion: v1\nkind: List\nitems: [1, x, null, [2]]\n", []),
    ("random.yaml", bytes(range(256)) * 64, [("SCL006", 2, 118)]),
]


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hostile_file(tmp_path: Path, name: str, data: bytes, expected: list[object]) -> None:
    code, found = run_with_control(tmp_path, name, data)
    assert found == expected
    assert code == (1 if expected else 0)  # findings or clean, never 2
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_huge_scalar_is_capped(tmp_path: Path) -> None:
    data = b"a: " + b"x" * (20 * 1024 * 1024) + b"\n"
    code, found = run_with_control(tmp_path, "huge.yaml", data, "--max-file-size", str(16 << 20))
    assert found == [("SCL006", 1, 1)] and code == 1


def test_huge_document_under_a_raised_cap(tmp_path: Path) -> None:
    # Past the size one document may have, a document is reported, and the next is checked.
    data = b"a: " + b"x" * (20 * 1024 * 1024) + b"\n---\n" + POD
    code, found = run_with_control(tmp_path, "big.yaml", data, "--max-file-size", str(64 << 20))
    assert found == [("SCL001", 1, 1), ("SCL202", 8, 20)] and code == 1


def test_many_tiny_documents(tmp_path: Path) -> None:
    data = b"a: 1\n---\n" * 200_000
    code, found = run_with_control(tmp_path, "many.yaml", data)
    assert found == [] and code == 0


def test_configurable_depth(tmp_path: Path) -> None:
    data = b"a:\n" + b"".join(b"  " * i + b"k%d:\n" % i for i in range(1, 30)) + b"  " * 30 + b"v\n"
    code, found = run_with_control(tmp_path, "nested.yaml", data, "--max-depth", "10")
    assert found == [("SCL001", 11, 21)] and code == 1


def test_internal_error_is_contained(tmp_path: Path, crashing_rule: None) -> None:
    from sidecarlint.pipeline import Settings, lint_text, run

    text = POD.decode() + "---\n" + POD.decode().replace("name: ok", "name: two")
    findings = lint_text(text, "p.yaml", Settings())
    assert [(f.code, f.span.line, f.span.column) for f in findings] == [
        ("SCL999", 2, 1),
        ("SCL999", 9, 1),
    ]
    assert (
        "rule SCL202 (unused-volume) crashed on Pod/ok: RuntimeError: boom" in findings[0].message
    )
    (tmp_path / "p.yaml").write_text(text)
    report = run([str(tmp_path)], Settings())
    assert report.exit_code("error") == 2


def test_many_keys_written_twice(tmp_path: Path) -> None:
    # Each duplicate is reported at once (the first of its key is not searched for again).
    data = b"".join(b"k%d: 0\n" % n for n in range(60_000))
    data += b"".join(b"k%d: 1\n" % n for n in range(60_000))
    code, found = run_with_control(tmp_path, "twice.yaml", data)
    assert found[:2] == [("SCL002", 60_001, 1), ("SCL002", 60_002, 1)]
    assert len(found) == 1001 and found[-1] == ("SCL002", 61_001, 1)
    assert code == 1
