"""Output that input cannot forge: names and values with line breaks, carriage returns, ANSI
and OSC sequences are shown escaped in every human-facing format, identically with and
without click."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from sidecarlint.report._escape import printable, valid_unicode
from tests.test_cli import run_cli

#: What a hostile name carries, as YAML double-quoted escapes.
PAYLOAD_YAML = (
    r"x\n/etc/passwd:1:1: ERROR SCL001 [forged] forged\n::error file=f.yaml::forged\r"
    r"\e[2K\e]8;;http://example.invalid\alink\e]8;;\a\e[31mred\Nnel\Lls\Pps\x7fdel\x9bcsi"
    r"\u202ertl\tend"
)
PAYLOAD = (
    "x\n/etc/passwd:1:1: ERROR SCL001 [forged] forged\n::error file=f.yaml::forged\r"
    "\x1b[2K\x1b]8;;http://example.invalid\x07link\x1b]8;;\x07\x1b[31mred\x85nel\u2028ls"
    "\u2029ps\x7fdel\x9bcsi\u202ertl\tend"
)
FILE_NAME = "evil\n::error file=f.yaml::forged\x1b[31m\r.yaml"
MANIFEST = f"""apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
  containers:
  - name: "{PAYLOAD_YAML}"
    image: busybox
    volumeMounts: [{{name: "{PAYLOAD_YAML}", mountPath: /d}}]
  - name: "{PAYLOAD_YAML}"
    image: busybox
"""
#: Every character a terminal or a log could act on (a line break only ends a line).
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\ud800-\udfff]")
FINDING_LINE = re.compile(r"^(?P<file>\S.*?):\d+:\d+: (ERROR|WARNING|INFO) SCL\d{3} ")


@pytest.fixture
def evil(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # no config from above
    path = tmp_path / FILE_NAME
    path.write_text(MANIFEST, encoding="utf-8")
    return path


def _findings(evil: Path) -> list[dict[str, object]]:
    proc = run_cli("check", "--format", "json", evil.name, cwd=evil.parent)
    findings: list[dict[str, object]] = json.loads(proc.stdout)["findings"]
    return findings


def test_the_payload_reaches_the_messages(evil: Path) -> None:
    findings = _findings(evil)
    assert {f["code"] for f in findings} == {"SCL013", "SCL014"}
    # JSON carries the exact values (ASCII, with \u escapes)
    assert all(f["file"] == FILE_NAME for f in findings)
    assert all(PAYLOAD in str(f["message"]) for f in findings)


def test_text_output(evil: Path) -> None:
    direct = run_cli("check", evil.name, cwd=evil.parent)
    through_click = run_cli("check", "--format", "text", evil.name, cwd=evil.parent)
    assert direct.returncode == through_click.returncode == 1
    assert (direct.stdout, direct.stderr) == (through_click.stdout, through_click.stderr)
    out = direct.stdout
    assert not UNSAFE.search(out), ascii(out)
    lines = out.splitlines()
    findings = [line for line in lines if FINDING_LINE.match(line)]
    assert len(findings) == len(_findings(evil))
    # nothing else starts a line: indented details and fixes, blank lines, notes, the summary
    others = [line for line in lines if line not in findings]
    assert all(
        line == "" or line.startswith(("    ", "note: ")) or re.match(r"\d+ errors?, ", line)
        for line in others
    ), others
    shown = printable(FILE_NAME)
    assert shown == "evil\\n::error file=f.yaml::forged\\x1b[31m\\r.yaml"
    assert all(FINDING_LINE.match(line)["file"] == shown for line in findings)  # type: ignore[index]
    assert printable(PAYLOAD) in out
    source = run_cli("check", "--show-source", "--color", "never", evil.name, cwd=evil.parent)
    assert not UNSAFE.search(source.stdout), ascii(source.stdout)
    assert f'   9 |   - name: "{PAYLOAD_YAML}"' in source.stdout


def test_source_lines_with_raw_control_characters(tmp_path: Path) -> None:
    (tmp_path / "raw.yaml").write_bytes(
        b"apiVersion: v1\nkind: ConfigMap # \x1b]0;title\x07\x1b[31m red\nmetadata: {name: x}\n"
    )
    proc = run_cli("check", "--show-source", "--color", "never", "raw.yaml", cwd=tmp_path)
    assert not UNSAFE.search(proc.stdout), ascii(proc.stdout)
    assert proc.stdout.splitlines()[3:5] == [
        "   2 | kind: ConfigMap # \\x1b]0;title\\x07\\x1b[31m red",
        "     |                   ^^^^",
    ]


def test_github_annotations(evil: Path) -> None:
    proc = run_cli("check", "--format", "github", evil.name, cwd=evil.parent)
    out = proc.stdout
    assert not UNSAFE.search(out), ascii(out)
    lines = out.splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert lines[-1].startswith("sidecarlint: ") and len(commands) == len(lines) - 1
    annotations = [line for line in commands if re.match("::(error|warning|notice) ", line)]
    assert len(annotations) == len(_findings(evil))
    for line in annotations:
        # the properties end at the first '::'; the file property is the escaped name
        props = line.split(" ", 1)[1].split("::", 1)[0]
        assert props.startswith("file=evil\\n%3A%3Aerror file=f.yaml%3A%3Aforged\\x1b[31m\\r.yaml,")


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab"])
def test_json_formats_are_ascii(evil: Path, fmt: str) -> None:
    proc = run_cli("check", "--format", fmt, evil.name, cwd=evil.parent)
    assert proc.stdout.isascii()
    assert not UNSAFE.search(proc.stdout)
    assert json.loads(proc.stdout)


def test_junit_shows_escapes(evil: Path) -> None:
    import xml.etree.ElementTree as ET

    junit = run_cli("check", "--format", "junit", evil.name, cwd=evil.parent).stdout
    assert not UNSAFE.search(junit)
    failures = ET.fromstring(junit).findall(".//failure")
    assert len(failures) == 2
    for failure in failures:
        assert printable(PAYLOAD) in failure.get("message", "")
        assert (failure.text or "").count("\n") <= 1  # only the line before the fix


def test_explain_pod(evil: Path) -> None:
    proc = run_cli("explain-pod", evil.name, cwd=evil.parent)
    assert proc.returncode == 0
    assert not UNSAFE.search(proc.stdout), ascii(proc.stdout)
    assert printable(PAYLOAD) in proc.stdout


def test_errors_on_stderr(tmp_path: Path) -> None:
    direct = run_cli("check", "missing\x1b[31m\n.yaml", cwd=tmp_path)
    through_click = run_cli("check", "--", "missing\x1b[31m\n.yaml", cwd=tmp_path)
    assert direct.returncode == through_click.returncode == 2
    assert direct.stderr == through_click.stderr
    assert "Error: missing\\x1b[31m\\n.yaml: no such file or directory" in direct.stderr
    assert not UNSAFE.search(direct.stderr)


def test_printable() -> None:
    assert printable("plain text: é, 𝄞, ü") == "plain text: é, 𝄞, ü"
    assert printable("a\nb\rc\td\x00e\x1bf\x7fg\x85h\x9bi\u2028j\u2029k\u202el") == (
        "a\\nb\\rc\\td\\x00e\\x1bf\\x7fg\\x85h\\x9bi\\u2028j\\u2029k\\u202el"
    )
    # an undecodable byte of a file name (os.fsdecode's surrogateescape)
    assert printable(b"caf\xe9.yaml".decode("utf-8", "surrogateescape")) == "caf\\xe9.yaml"


def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    name = os.fsdecode(b"caf\xe9 %.yaml")  # Latin-1, as an old archive may hold it
    (tmp_path / name).write_text(MANIFEST, encoding="utf-8")
    out = {}
    for fmt in ("text", "github", "json", "sarif", "gitlab", "junit"):
        proc = run_cli("check", "--format", fmt, ".", cwd=tmp_path)
        assert (proc.returncode, proc.stderr) == (1, ""), proc.stderr
        assert not UNSAFE.search(proc.stdout) and "\\ud" not in proc.stdout
        out[fmt] = proc.stdout
    assert out["text"].startswith("caf\\xe9 %.yaml:8:27: ERROR SCL014")
    assert "file=caf\\xe9 %25.yaml," in out["github"]
    # JSON names the bytes as a URI would; SARIF's URI is the name's bytes, percent-encoded
    assert {f["file"] for f in json.loads(out["json"])["findings"]} == {"caf%E9 %.yaml"}
    (run,) = json.loads(out["sarif"])["runs"]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris == {"caf%E9%20%25.yaml"}
    gitlab = json.loads(out["gitlab"])
    assert {issue["location"]["path"] for issue in gitlab} == {"caf%E9 %.yaml"}


def test_valid_unicode() -> None:
    assert valid_unicode("plain é") == "plain é"
    assert valid_unicode(os.fsdecode(b"a\xe9\xff.yaml")) == "a%E9%FF.yaml"
    assert valid_unicode("x\ud800y") == "x%ED%A0%80y"
