"""``--fix`` never changes what it did not mean to change: files named twice, concurrent
runs, content a fix does not expect, symlinks and hard links, encodings, read-only files,
size limits, stdin as a filter, and runs killed while writing."""

from __future__ import annotations

import codecs
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sidecarlint import fix
from sidecarlint.fix import fix_report
from sidecarlint.pipeline import run
from tests.conftest import REPO
from tests.conftest import settings as make_settings

FIXTURES = REPO / "tests" / "fixtures" / "fix"
INPUT = (FIXTURES / "input.yaml").read_bytes()
EXPECTED = (FIXTURES / "expected.yaml").read_bytes()
HOOKS = Path(__file__).resolve().parent / "hooks"
#: A Job whose second app container is a helper (SCL102, fixable).
JOB = (FIXTURES / "crlf.yaml").read_bytes().replace(b"\r\n", b"\n")
JOB_FIXED = (
    b"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n"
    b"    spec:\n      restartPolicy: Never\n      initContainers:\n"
    b"      - name: istio-proxy\n        image: istio/proxyv2:1.24.0\n"
    b"        restartPolicy: Always\n      containers:\n      - name: work\n"
    b'        image: busybox\n        command: ["sh", "-c", "echo"]\n'
)


def cli(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None, fault: str = ""
) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    if fault:
        env["PYTHONPATH"] = os.pathsep.join([str(HOOKS), str(REPO)])
        env["SIDECARLINT_TEST_FAULT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "sidecarlint", "check", "--jobs", "1", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd or REPO,
        env=env,
        timeout=120,
    )


def notes(proc: subprocess.CompletedProcess[bytes]) -> list[str]:
    out = (proc.stdout + proc.stderr).decode()
    return [line[6:] for line in out.splitlines() if line.startswith("note: ")]


# -- the same file twice, and two runs at once ------------------------------------------


@pytest.mark.parametrize(
    "names", [["d/f.yaml", "./d/f.yaml"], ["d", "./d"], ["d", "d/f.yaml"], ["./d/", "d"]]
)
def test_a_file_named_twice_is_fixed_once(tmp_path: Path, names: list[str]) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f.yaml").write_bytes(INPUT)
    proc = cli("--fix", "--format", "text", *names, cwd=tmp_path)
    assert (tmp_path / "d" / "f.yaml").read_bytes() == EXPECTED
    assert "fixed 5 findings; 3 remain" in notes(proc)
    assert proc.returncode == 0


def test_two_runs_at_once(tmp_path: Path) -> None:
    for i in range(30):
        (tmp_path / f"f{i:02d}.yaml").write_bytes(INPUT)
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    command = [sys.executable, "-m", "sidecarlint", "check", "--fix", "--jobs", "1", "."]
    runs = [
        subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL)
        for _ in range(2)
    ]
    assert [r.wait(timeout=120) for r in runs] == [0, 0]
    assert [p.name for p in sorted(tmp_path.iterdir()) if p.read_bytes() != EXPECTED] == []


def _fix_in_process(target: Path) -> fix.FixOutcome:
    cfg = make_settings()
    return fix_report(run([str(target)], cfg), cfg, write=True)


def test_a_file_changed_while_being_fixed_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f.yaml"
    target.write_bytes(INPUT)
    fix_bytes = fix._Fixer.fix_bytes

    def meanwhile(self: fix._Fixer, data: bytes, file: str) -> object:
        result = fix_bytes(self, data, file)
        with open(target, "r+b") as handle:  # another program edits it in place
            handle.write(b"X")
        return result

    monkeypatch.setattr(fix._Fixer, "fix_bytes", meanwhile)
    outcome = _fix_in_process(target)
    assert outcome.fixed == 0
    assert target.read_bytes() == b"X" + INPUT[1:]
    assert f"{target}: not fixed: it changed while it was being fixed; run again" in (
        outcome.report.notes
    )


@pytest.mark.skipif(os.name != "posix", reason="advisory locks are POSIX")
def test_a_locked_file_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fcntl

    target = tmp_path / "f.yaml"
    target.write_bytes(INPUT)
    monkeypatch.setattr(fix, "LOCK_TIMEOUT", 0.2)
    with open(target, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        outcome = _fix_in_process(target)
    assert outcome.fixed == 0 and target.read_bytes() == INPUT
    assert f"{target}: not fixed: another process has held its lock for 0.2 s" in (
        outcome.report.notes
    )


# -- content the fix does not expect ----------------------------------------------------


def test_init_containers_written_as_a_mapping(tmp_path: Path) -> None:
    target = tmp_path / "j.yaml"
    data = JOB.replace(
        b"      containers:\n",
        b"      initContainers:\n        name: migrate\n        image: migrate:1\n"
        b"      containers:\n",
    )
    target.write_bytes(data)
    proc = cli("--fix", "--format", "text", str(target))
    assert target.read_bytes() == data
    out = proc.stdout.decode()
    assert f"{target}:10:9: ERROR SCL003 `initContainers` must be" in out
    assert (
        f"{target}:16:15: SCL102 not fixed: the fix does not apply here: initContainers is "
        "not a list" in notes(proc)
    )
    assert proc.returncode == 1


def test_a_fix_that_would_change_more_than_intended(tmp_path: Path) -> None:
    # The sidecar's mount is an anchor the app container reuses: readOnly on it would make
    # the app's mount read-only too.
    data = (
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n"
        b"  - name: tailer\n    image: busybox\n    restartPolicy: Always\n"
        b'    command: [sh, -c, "tail -F /logs/app.log"]\n'
        b"    volumeMounts:\n    - &logs {name: logs, mountPath: /logs}\n"
        b"  containers:\n  - name: app\n    image: busybox\n"
        b'    command: [sh, -c, "while true; do date >> /logs/app.log; sleep 1; done"]\n'
        b"    volumeMounts:\n    - *logs\n  volumes: [{name: logs, emptyDir: {}}]\n"
    )
    target = tmp_path / "p.yaml"
    target.write_bytes(data)
    proc = cli("--fix", "--format", "text", str(target))
    assert target.read_bytes() == data
    assert (
        f"{target}:11:7: SCL203 not fixed: the rewritten file would not be the original plus "
        "exactly this fix; left unchanged" in notes(proc)
    )


# -- links ------------------------------------------------------------------------------


def test_symlink_is_written_through(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "f.yaml").write_bytes(INPUT)
    (tmp_path / "tree").mkdir()
    link = tmp_path / "tree" / "link.yaml"
    link.symlink_to(tmp_path / "real" / "f.yaml")
    proc = cli("--fix", str(link))
    assert proc.returncode == 0
    assert link.is_symlink() and os.readlink(link) == str(tmp_path / "real" / "f.yaml")
    assert (tmp_path / "real" / "f.yaml").read_bytes() == EXPECTED
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["f.yaml", "link.yaml", "real", "tree"]


def test_symlink_inside_a_directory_and_its_target(tmp_path: Path) -> None:
    (tmp_path / "f.yaml").write_bytes(INPUT)
    (tmp_path / "again.yaml").symlink_to(tmp_path / "f.yaml")
    proc = cli("--fix", "--follow-symlinks", str(tmp_path))
    assert proc.returncode == 0
    assert (tmp_path / "again.yaml").is_symlink()
    assert (tmp_path / "f.yaml").read_bytes() == EXPECTED


def test_hard_links_are_not_split(tmp_path: Path) -> None:
    (tmp_path / "f.yaml").write_bytes(INPUT)
    os.link(tmp_path / "f.yaml", tmp_path / "g.yml.orig")
    proc = cli("--fix", str(tmp_path / "f.yaml"))
    assert (tmp_path / "f.yaml").read_bytes() == INPUT
    assert (tmp_path / "f.yaml").stat().st_nlink == 2
    assert any(
        "not fixed: it has 2 hard links, which replacing it would split" in n for n in notes(proc)
    )


# -- encodings and line endings ---------------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_encoding_and_byte_order_mark_are_kept(tmp_path: Path, bom: bytes, codec: str) -> None:
    target = tmp_path / "f.yaml"
    target.write_bytes(bom + INPUT.decode().encode(codec))
    proc = cli("--fix", str(target))
    assert proc.returncode == 0, proc.stdout
    assert target.read_bytes() == bom + EXPECTED.decode().encode(codec)


def test_crlf_is_kept_and_mixed_endings_are_refused(tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.yaml"
    crlf.write_bytes(JOB.replace(b"\n", b"\r\n"))
    mixed = tmp_path / "mixed.yaml"
    mixed.write_bytes(JOB.replace(b"\n", b"\r\n", 3))
    proc = cli("--fix", str(crlf), str(mixed))
    assert crlf.read_bytes() == JOB_FIXED.replace(b"\n", b"\r\n")
    assert mixed.read_bytes() == JOB.replace(b"\n", b"\r\n", 3)
    assert (
        f"{mixed}:13:15: SCL102 not fixed: the file mixes CRLF and LF line endings; "
        "rewriting would change them" in notes(proc)
    )


# -- permissions and limits -------------------------------------------------------------


def test_read_only_file_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "f.yaml"
    target.write_bytes(INPUT)
    target.chmod(0o444)
    proc = cli("--fix", str(target))
    assert target.read_bytes() == INPUT and target.stat().st_mode & 0o777 == 0o444
    assert f"{target}: not fixed: it is read-only" in notes(proc)
    assert proc.returncode == 1  # the findings remain


def _big_job(size: int) -> bytes:
    blob = b"x" * size
    return (
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {blob: "
        + blob
        + (b"}\n---\n" + JOB)
    )


def test_fix_honours_a_raised_max_file_size(tmp_path: Path) -> None:
    target = tmp_path / "big.yaml"
    data = _big_job(6 << 20)
    target.write_bytes(data)
    diff = cli("--diff", "--max-file-size", str(8 << 20), str(target))
    assert diff.returncode == 1 and b"1 findings can be fixed" in diff.stderr
    proc = cli("--fix", "--max-file-size", str(8 << 20), str(target))
    assert proc.returncode == 0
    assert target.read_bytes() == data.replace(JOB, JOB_FIXED)


# -- stdin as a filter ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "limit"),
    [
        (_big_job(6 << 20), 5 << 20),  # over max-file-size: not checked
        # Windows-1252, and large: most of it is never read
        (b"metadata: {name: caf\xe9}\n" + b"#" * (8 << 20) + b"\n" + JOB, 16 << 20),
        (b"apiVersion: v1\nkind: ConfigMap\ndata: {a: \x00}\n", 16 << 20),
    ],
    ids=["6MB", "cp1252", "NUL"],
)
def test_filter_passes_what_it_cannot_check_through(data: bytes, limit: int) -> None:
    proc = cli("--fix", "--max-file-size", str(limit), "-", stdin=data)
    assert proc.stdout == data
    err = proc.stderr.decode()
    assert "ERROR SCL006 " in err
    assert "note: -: passed through unchanged: " in err
    assert proc.returncode == 1


def test_filter_keeps_the_encoding() -> None:
    data = codecs.BOM_UTF16_LE + JOB.decode().encode("utf-16-le")
    proc = cli("--fix", "-", stdin=data)
    assert proc.stdout == codecs.BOM_UTF16_LE + JOB_FIXED.decode().encode("utf-16-le")
    assert proc.returncode == 0


# -- killed while writing ---------------------------------------------------------------


def test_a_killed_run_leaves_a_temporary_file_the_next_run_removes(tmp_path: Path) -> None:
    target = tmp_path / "f.yaml"
    target.write_bytes(INPUT)
    other = tmp_path / ".g.yaml.sidecarlint-0123456789abcdef.tmp"  # another file's
    other.write_bytes(b"")
    killed = cli("--fix", str(target), fault="kill-before-rename")
    assert killed.returncode == -9
    assert target.read_bytes() == INPUT
    (leftover,) = (p for p in tmp_path.iterdir() if p.name.startswith(".f.yaml.sidecarlint-"))
    assert leftover.read_bytes() == EXPECTED
    assert cli("--fix", str(target)).returncode == 0
    assert target.read_bytes() == EXPECTED
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, "f.yaml"]
    shutil.rmtree(tmp_path)


def test_filter_with_a_stdin_filename(tmp_path: Path) -> None:
    (tmp_path / "job.yaml").write_bytes(b"not: this file\n")
    proc = cli("--fix", "--stdin-filename", "job.yaml", "-", stdin=JOB, cwd=tmp_path)
    assert proc.stdout == JOB_FIXED and proc.returncode == 0
    assert (tmp_path / "job.yaml").read_bytes() == b"not: this file\n"  # not the file named
