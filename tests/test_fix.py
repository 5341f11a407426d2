"""--fix and --diff: exact rewrites that keep everything else, and their safety properties."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sidecarlint.fix import fix_report, fix_text
from sidecarlint.parse import parse_text
from sidecarlint.pipeline import lint_text, run
from tests.conftest import CORPUS, REPO
from tests.conftest import settings as make_settings

FIXTURES = REPO / "tests" / "fixtures" / "fix"


def cli(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    return subprocess.run(
        [sys.executable, "-m", "sidecarlint", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd or REPO,
        env=env,
    )


def test_fix_rewrites_exactly(tmp_path: Path) -> None:
    target = tmp_path / "input.yaml"
    shutil.copy(FIXTURES / "input.yaml", target)
    os.chmod(target, 0o640)
    proc = cli("check", "--fix", "--format", "text", str(target))
    assert target.read_text() == (FIXTURES / "expected.yaml").read_text()
    assert b"note: fixed 5 findings; 3 remain" in proc.stdout
    assert proc.returncode == 0
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert [p.name for p in tmp_path.iterdir()] == ["input.yaml"]  # no temporary files left
    # fixing twice equals fixing once
    cli("check", "--fix", str(target))
    assert target.read_text() == (FIXTURES / "expected.yaml").read_text()


def test_diff_changes_nothing_and_patch_gives_the_fix(tmp_path: Path) -> None:
    target = tmp_path / "input.yaml"
    shutil.copy(FIXTURES / "input.yaml", target)
    proc = cli("check", "--diff", "input.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    assert target.read_bytes() == (FIXTURES / "input.yaml").read_bytes()
    assert proc.stdout.startswith(b"--- a/input.yaml\n+++ b/input.yaml\n")
    if shutil.which("patch") is None:
        pytest.skip("patch is not installed")
    subprocess.run(["patch", "-p1", "-s"], input=proc.stdout, cwd=tmp_path, check=True)
    assert target.read_text() == (FIXTURES / "expected.yaml").read_text()
    clean = cli("check", "--diff", "input.yaml", cwd=tmp_path)
    assert clean.returncode == 0 and clean.stdout == b""


def test_crlf_stdin_fix_goes_to_stdout() -> None:
    data = (FIXTURES / "crlf.yaml").read_bytes()
    proc = cli("check", "--fix", "-", stdin=data)
    out = proc.stdout
    assert b"\r\n" in out and b"\n" not in out.replace(b"\r\n", b"")
    assert out.replace(b"\r\n", b"\n") == (
        b"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n"
        b"    spec:\n      restartPolicy: Never\n      initContainers:\n"
        b"      - name: istio-proxy\n        image: istio/proxyv2:1.24.0\n"
        b"        restartPolicy: Always\n      containers:\n      - name: work\n"
        b'        image: busybox\n        command: ["sh", "-c", "echo"]\n'
    )
    assert b"fixed 1 findings" in proc.stderr


def test_refuses_when_round_trip_would_change_bytes() -> None:
    text = (
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n"
        "    metadata:\n      labels: &unused {a: b}\n    spec:\n      restartPolicy: Never\n"
        "      containers:\n      - {name: work, image: busybox, command: [sh, -c, echo]}\n"
        "      - {name: istio-proxy, image: istio/proxyv2}\n"
    )
    findings = lint_text(text, "j.yaml", make_settings())
    result = fix_text(text, "j.yaml", findings)
    assert not result.changed
    ((finding, why),) = result.refused
    assert finding.code == "SCL102" and "round-trip" in why


def test_no_fix_where_the_target_lacks_native_sidecars() -> None:
    text = (FIXTURES / "crlf.yaml").read_text()
    findings = lint_text(text, "j.yaml", make_settings(kubernetes_version="1.28"))
    assert [f.fixable for f in findings if f.code == "SCL102"] == [False]
    assert not fix_text(text, "j.yaml", findings).changed


def _check_fix_properties(text: str, version: str = "1.37") -> None:
    cfg = make_settings(kubernetes_version=version)
    before = lint_text(text, "f.yaml", cfg)
    result = fix_text(text, "f.yaml", before)
    if not result.changed:
        return
    after = lint_text(result.fixed, "f.yaml", cfg)
    # the fixed file parses, and no new error appears
    assert not [f for f in after if f.code in ("SCL001", "SCL002")]
    key = lambda f: (f.code, f.object, f.container)  # noqa: E731
    new_errors = {key(f) for f in after if f.severity.value == "error"} - {
        key(f) for f in before if f.severity.value == "error"
    }
    assert not new_errors, new_errors
    # the fixed findings are gone
    fixed = {(f.code, f.container) for f in result.fixed_findings}
    assert not fixed & {(f.code, f.container) for f in after if f.code in ("SCL102", "SCL104")}
    # fixing twice equals fixing once
    again = fix_text(result.fixed, "f.yaml", after)
    assert again.fixed == result.fixed or {f.code for f in again.fixed_findings} <= {"SCL203"}
    # outside the edited pods, documents are equal
    old = [d.data for d in parse_text(text, "f").documents]
    new = [d.data for d in parse_text(result.fixed, "f").documents]
    touched = {f.document for f in result.fixed_findings}
    assert len(old) == len(new)
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        if i not in touched:
            assert a == b


SIDECAR_FILES = (
    sorted(
        {
            CORPUS.parent / m
            for m in re.findall(r"`(real/[^`]+)`", (CORPUS.parent / "SIDECARS.md").read_text())
        }
    )
    if (CORPUS.parent / "SIDECARS.md").is_file()
    else []
)


@pytest.mark.skipif(not SIDECAR_FILES, reason="the shared corpus and SIDECARS.md are not available")
def test_fix_properties_on_every_listed_sidecar_file() -> None:
    fixed = 0
    for path in SIDECAR_FILES:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        _check_fix_properties(text)
        fixed += 1
    assert fixed > 150


CONTAINER = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["app", "istio-proxy", "log-sidecar", "worker", "envoy"]),
        "image": st.sampled_from(["busybox", "istio/proxyv2:1.24.0", "envoyproxy/envoy:v1.31.0"]),
        "cmd": st.sampled_from(["", "tail -F /v/a.log", "echo hi", "sleep infinity"]),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(CONTAINER, min_size=1, max_size=4),
    st.lists(CONTAINER, max_size=2),
    st.sampled_from(["Job", "Deployment"]),
    st.booleans(),
)
def test_fix_properties_on_generated_pods(
    apps: list[dict[str, str]], inits: list[dict[str, str]], kind: str, indented: bool
) -> None:
    dash = "  - " if indented else "- "
    more = "    " if indented else "  "

    def block(items: list[dict[str, str]], suffix: str) -> list[str]:
        lines = []
        for i, c in enumerate(items):
            lines.append(f"      {dash}name: {c['name']}{suffix}{i}")
            lines.append(f"      {more}image: {c['image']}")
            if c["cmd"]:
                lines.append(f'      {more}command: ["sh", "-c", "{c["cmd"]}"]')
        return lines

    head = [
        "apiVersion: batch/v1" if kind == "Job" else "apiVersion: apps/v1",
        f"kind: {kind}",
        "metadata:",
        "  name: x  # keep me",
        "spec:",
    ]
    if kind == "Deployment":
        head += ["  selector: {matchLabels: {a: b}}"]
    head += ["  template:", "    metadata:", "      labels: {a: b}", "    spec:"]
    if kind == "Job":
        head.append("      restartPolicy: Never")
    lines = head
    if inits:
        lines += ["      initContainers:", *block(inits, "-init")]
    lines += ["      containers:", *block(apps, "")]
    text = (
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n" + "\n".join(lines) + "\n"
    )
    _check_fix_properties(text)


def test_fix_report_counts(tmp_path: Path) -> None:
    target = tmp_path / "x.yaml"
    shutil.copy(FIXTURES / "input.yaml", target)
    cfg = make_settings()
    outcome = fix_report(run([str(target)], cfg), cfg, write=False)
    assert outcome.fixed == 5 and outcome.remaining == 3
    assert target.read_bytes() == (FIXTURES / "input.yaml").read_bytes()


def test_atomic_write_keeps_the_original_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sidecarlint import fix

    target = tmp_path / "input.yaml"
    shutil.copy(FIXTURES / "input.yaml", target)

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(fix.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        fix.write_atomically(str(target), b"truncated")
    assert target.read_bytes() == (FIXTURES / "input.yaml").read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["input.yaml"]


def test_unwritable_file_is_a_note_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sidecarlint import fix

    target = tmp_path / "input.yaml"
    shutil.copy(FIXTURES / "input.yaml", target)

    def refuse(path: str, data: bytes, like: object = None) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fix, "write_atomically", refuse)
    cfg = make_settings()
    outcome = fix_report(run([str(target)], cfg), cfg, write=True)
    assert outcome.fixed == 0
    assert any(
        "not fixed: cannot write the file (Permission denied)" in n for n in outcome.report.notes
    )
    assert target.read_bytes() == (FIXTURES / "input.yaml").read_bytes()


def test_fix_file_gives_the_text_fix_writes() -> None:
    from sidecarlint.fix import fix_file
    from sidecarlint.pipeline import Linter

    text = (FIXTURES / "input.yaml").read_text()
    linter = Linter(make_settings())
    result = fix_file(
        text,
        "input.yaml",
        linter.lint(text, "input.yaml").findings,
        lambda t, f: linter.lint(t, f).findings,
    )
    assert result.fixed == (FIXTURES / "expected.yaml").read_text()
    assert len(result.fixed_findings) == 5


def test_add_annotation_keeps_everything_else() -> None:
    from sidecarlint.finding import Finding, Severity, Span
    from sidecarlint.fix import add_annotation

    text = "# top\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p  # name\nspec: {}\n---\na: 1\n"
    finding = Finding("SCL102", "n", Severity.ERROR, "m", "p.yaml", Span(2, 1, 2, 1), document=0)
    result = add_annotation(text, "p.yaml", finding, ("metadata",), "example.com/k", "v")
    assert result.fixed == text.replace(
        "  name: p  # name\n", '  name: p  # name\n  annotations:\n    example.com/k: "v"\n'
    )
    other = add_annotation(text, "p.yaml", finding, ("nowhere",), "k", "v")
    assert not other.changed and "does not apply here" in other.refused[0][1]
