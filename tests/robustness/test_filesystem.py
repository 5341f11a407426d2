"""Directory walks: symlinks, loops, special files, unreadable and vanishing paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sidecarlint.pipeline import Settings, collect, lint_sources, run
from sidecarlint.sources import discover
from tests.robustness.limits import check, codes

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: b}]\n"


def tree(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "pod.yaml").write_text(POD)
    (tmp_path / "outside.yaml").write_text(POD)
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "escape.yaml").symlink_to(tmp_path / "outside.yaml")
    (root / "again.yaml").symlink_to(root / "sub" / "pod.yaml")
    (root / "devnull.yaml").symlink_to("/dev/null")
    os.mkfifo(root / "fifo.yaml")
    return root


def test_symlinks_are_not_followed_by_default(tmp_path: Path) -> None:
    root = tree(tmp_path)
    assert [s.display for s in discover([str(root)])] == [str(root / "sub" / "pod.yaml")]


def test_follow_symlinks_stays_inside_and_counts_once(tmp_path: Path) -> None:
    root = tree(tmp_path)
    shown = [s.display for s in discover([str(root)], follow_symlinks=True)]
    # the loop and the link out of the root are skipped; the in-root link is the same file
    # as sub/pod.yaml, which comes first in sorted order... or the link does: one of them.
    assert len([p for p in shown if p.endswith(("again.yaml", "pod.yaml"))]) == 1
    assert not any(p.endswith(("escape.yaml", "devnull.yaml")) for p in shown)
    assert all("loop" not in p for p in shown)


def test_fifo_named_explicitly_is_reported_not_opened(tmp_path: Path) -> None:
    root = tree(tmp_path)
    code, report, _ = check(root / "fifo.yaml", root / "sub" / "pod.yaml", timeout=20)
    assert codes(report) == [("SCL006", 1, 1)]
    assert "not a regular file" in report["findings"][0]["message"]
    assert report["summary"]["objects"] == 1 and code == 1


def test_device_named_explicitly(tmp_path: Path) -> None:
    code, report, _ = check("/dev/zero", timeout=20)
    assert codes(report) == [("SCL006", 1, 1)] and code == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without read permission")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(POD)
    path.chmod(0)
    _, report, _ = check(tmp_path)
    assert (
        codes(report) == [("SCL006", 1, 1)]
        and "Permission denied" in report["findings"][0]["message"]
    )


@pytest.fixture
def locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path/locked``, a directory that cannot be listed (as for a non-root user)."""
    (tmp_path / "a.yaml").write_text(POD)
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "b.yaml").write_text(POD)
    real = os.scandir

    def scandir(path: str) -> object:
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return tmp_path / "locked"


def test_unreadable_directory_is_a_finding(locked: Path) -> None:
    report = run([str(locked.parent)], Settings())
    assert [(f.file, f.code, f.span.line, f.span.column, f.message) for f in report.findings] == [
        (str(locked), "SCL006", 1, 1, "cannot read directory: Permission denied")
    ]
    assert report.files == 2 and report.objects == 1
    assert report.exit_code("error") == 1


def test_unreadable_directory_named_on_the_command_line(locked: Path) -> None:
    report = run([str(locked)], Settings())
    assert [(f.file, f.code) for f in report.findings] == [(str(locked), "SCL006")]
    assert report.exit_code("error") == 1


def test_entry_that_cannot_be_examined(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")  # ELOOP when followed
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")  # not where a manifest would be
    shown = [(s.display, s.problem) for s in discover([str(tmp_path)], follow_symlinks=True)]
    assert shown == [
        (str(tmp_path / "loop.yaml"), "cannot read: Too many levels of symbolic links")
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can list directories without permission")
def test_unreadable_directory_for_real(tmp_path: Path) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "b.yaml").write_text(POD)
    (tmp_path / "locked").chmod(0)
    try:
        code, report, _ = check(tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert codes(report) == [("SCL006", 1, 1)] and code == 1


def test_path_vanishing_mid_run(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(POD)
    (tmp_path / "b.yaml").write_text(POD)
    sources = discover([str(tmp_path)])
    (tmp_path / "a.yaml").unlink()
    report = collect(lint_sources(sources, Settings()), "1.37")
    assert [(f.file.rsplit("/", 1)[-1], f.code) for f in report.findings] == [("a.yaml", "SCL006")]
    assert "No such file or directory" in report.findings[0].message
    assert report.objects == 1


def test_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(POD)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    run([str(tmp_path)], Settings())
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before
