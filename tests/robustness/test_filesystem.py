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
