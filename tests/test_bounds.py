"""Findings stay small and few: values from the input quoted as excerpts, names cut past any
name Kubernetes accepts, findings per rule and file capped (max-findings) with one finding
that counts the rest, notes per file bounded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sidecarlint.finding import ELLIPSIS, EXCERPT, NAME_EXCERPT, excerpt
from sidecarlint.pipeline import MAX_FINDINGS, MAX_NOTES, Settings, lint_text
from sidecarlint.versions import DEFAULT
from tests.conftest import REPO, positions
from tests.test_cli import run_cli as _run


def run_cli(*args: str) -> tuple[int, str, str]:
    proc = _run(*args)
    return proc.returncode, proc.stdout, proc.stderr


def test_excerpt_keeps_a_short_text_and_cuts_a_long_one() -> None:
    assert excerpt("x" * EXCERPT) == "x" * EXCERPT
    assert excerpt("x" * (EXCERPT + 1)) == "x" * EXCERPT + ELLIPSIS
    assert excerpt("ab", 1) == "a" + ELLIPSIS


def _pod(grace: str = "30", name: str = "web", container: str = "app") -> str:
    return (
        f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n"
        f"  terminationGracePeriodSeconds: {grace}\n"
        f"  containers:\n  - name: {container}\n    image: b\n  - name: {container}\n    image: b\n"
    )


@pytest.mark.parametrize("length", [EXCERPT, EXCERPT + 1, 4_000_000])
def test_a_value_in_a_schema_message_is_an_excerpt(length: int) -> None:
    (finding, _) = lint_text(_pod(grace=json.dumps("x" * length), container="a"))
    shown = "x" * EXCERPT + (ELLIPSIS if length > EXCERPT else "")
    assert positions([finding]) == [("SCL003", 6, 34)]
    assert finding.span.end_column == 34 + length + 2  # the span is the whole value
    assert finding.message == (
        f'`terminationGracePeriodSeconds` must be an integer, got string "{shown}"'
    )


def test_a_name_in_a_rule_message_is_an_excerpt_and_fields_are_cut() -> None:
    container = "c" * 300
    name = "n" * 300
    findings = lint_text(_pod(name=name, container=container))
    (duplicate,) = [f for f in findings if f.code == "SCL013"]
    assert (duplicate.span.line, duplicate.span.column) == (10, 11)
    assert duplicate.message == (
        f'Duplicate value: "{"c" * EXCERPT}{ELLIPSIS}" — containers[1] has the same name as '
        "containers[0]; names must be unique across containers, initContainers and "
        "ephemeralContainers"
    )
    # Fields a finding carries are cut only past any name Kubernetes accepts (253).
    assert duplicate.container == "c" * NAME_EXCERPT + ELLIPSIS
    assert duplicate.object is not None and duplicate.object.name == "n" * NAME_EXCERPT + ELLIPSIS
    short = lint_text(_pod(name="n" * 253, container="c" * 253))
    (kept,) = [f for f in short if f.code == "SCL013"]
    assert kept.container == "c" * 253 and kept.object is not None
    assert kept.object.name == "n" * 253


def test_a_duplicate_key_message_quotes_an_excerpt() -> None:
    key = "k" * 1000
    (finding,) = lint_text(f"{key}: 1\n{key}: 2\n")
    assert positions([finding]) == [("SCL002", 2, 1)]
    assert finding.message.startswith(
        f"duplicate key '{'k' * EXCERPT}{ELLIPSIS}' (first at line 1)"
    )


# --- findings per rule and file ----------------------------------------------------------------


def _duplicates(count: int) -> str:
    """``count`` duplicate keys (SCL002 errors), the n-th on line 2n."""
    return "".join(f"k{n}: 0\nk{n}: 1\n" for n in range(count))


def test_findings_up_to_the_limit_are_all_listed() -> None:
    findings = lint_text(_duplicates(3), settings=Settings(max_findings=3))
    assert positions(findings) == [("SCL002", 2, 1), ("SCL002", 4, 1), ("SCL002", 6, 1)]
    assert all(not f.omitted for f in findings)


def test_past_the_limit_one_finding_counts_the_rest_at_the_first_left_out() -> None:
    findings = lint_text(_duplicates(6), settings=Settings(max_findings=3))
    assert positions(findings) == [
        ("SCL002", 2, 1),
        ("SCL002", 4, 1),
        ("SCL002", 6, 1),
        ("SCL002", 8, 1),
    ]
    summary = findings[-1]
    assert summary.message == (
        "3 more SCL002 findings in this file are not listed — the first of them is here. At "
        "most 3 findings per rule and file are listed (max-findings); the ones left out are "
        "counted in the summary"
    )
    assert summary.severity.value == "error" and not summary.fixable and summary.fix is None
    assert summary.span.end_column == 3  # the key 'k3', as its own finding would have it
    assert [f.counts() for f in findings[-2:]] == [
        ((findings[0].severity, False, 1),),
        ((findings[0].severity, False, 3),),
    ]


def test_one_more_finding_past_the_limit() -> None:
    findings = lint_text(_duplicates(MAX_FINDINGS + 1))
    assert len(findings) == MAX_FINDINGS + 1
    assert positions(findings[-1:]) == [("SCL002", 2 * MAX_FINDINGS + 2, 1)]
    assert findings[-1].message.startswith("1 more SCL002 finding in this file is not listed — ")
    assert "At most 1,000 findings per rule and file are listed" in findings[-1].message


def test_a_limit_of_one() -> None:
    findings = lint_text(_duplicates(3), settings=Settings(max_findings=1))
    assert positions(findings) == [("SCL002", 2, 1), ("SCL002", 4, 1)]
    assert findings[-1].message == (
        "2 more SCL002 findings in this file are not listed — the first of them is here. At "
        "most 1 finding per rule and file is listed (max-findings); the ones left out are "
        "counted in the summary"
    )


def test_fix_counts_the_findings_left_out_among_those_that_remain(tmp_path: Path) -> None:
    from sidecarlint.fix import fix_report
    from sidecarlint.pipeline import run

    path = tmp_path / "dup.yaml"
    path.write_text(_duplicates(3))
    settings = Settings(max_findings=1)
    outcome = fix_report(run([str(path)], settings), settings, write=False)
    assert (outcome.fixed, outcome.remaining) == (0, 3)


def test_the_limit_is_per_rule_and_per_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(_duplicates(4) + "---\nx: [\n")
    (tmp_path / "b.yaml").write_text(_duplicates(2))
    code, out, _ = run_cli("check", "--format", "json", "--max-findings", "2", str(tmp_path))
    report = json.loads(out)
    found = [(Path(f["file"]).name, f["code"], f["line"]) for f in report["findings"]]
    assert found == [
        ("a.yaml", "SCL002", 2),
        ("a.yaml", "SCL002", 4),
        ("a.yaml", "SCL002", 6),  # counts k2 and k3
        ("a.yaml", "SCL001", 10),  # another rule: listed
        ("b.yaml", "SCL002", 2),
        ("b.yaml", "SCL002", 4),
    ]
    assert report["findings"][2]["message"].startswith("2 more SCL002 findings in this file")
    # The summary counts every finding, those left out of the list too.
    assert report["summary"]["errors"] == 4 + 1 + 2
    assert code == 1


def test_suppressed_findings_past_the_limit_are_counted_as_suppressed(tmp_path: Path) -> None:
    lines = _duplicates(5).splitlines()
    lines[7] += "  # sidecarlint: disable=SCL002"  # the 4th duplicate (line 8)
    text = "\n".join(lines) + "\n"
    findings = lint_text(text, settings=Settings(max_findings=2))
    summary = findings[-1]
    assert positions([summary]) == [("SCL002", 6, 1)]
    assert summary.message.startswith(
        "3 more SCL002 findings in this file are not listed (1 of them suppressed) — "
    )
    assert not summary.suppressed
    lines[5] += "  # sidecarlint: disable=SCL002"
    lines[9] += "  # sidecarlint: disable=SCL002"
    hidden = lint_text("\n".join(lines) + "\n", settings=Settings(max_findings=2))[-1]
    assert hidden.suppressed  # all of them suppressed: so is the finding that counts them
    assert hidden.counts() == ((hidden.severity, True, 3),)


def test_statistics_and_exit_code_count_the_findings_left_out(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(_duplicates(7))
    code, out, _ = run_cli("check", "--statistics", "--max-findings", "2", str(path))
    assert code == 1
    assert out.splitlines()[0].split() == ["7", "SCL002", "error", "duplicate-key"]


def test_notes_about_a_file_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "k.yaml"
    doc = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
    path.write_text("---\n".join([doc] * (MAX_NOTES + 5)))
    code, out, _ = run_cli("check", str(path))
    notes = [line for line in out.splitlines() if line.startswith("note: ")]
    assert len(notes) == MAX_NOTES + 1
    assert notes[0] == f"note: {path}: Kustomization object skipped"
    assert notes[-1] == f"note: {path}: 5 more notes about this file are not shown"
    assert code == 0


# --- the option ----------------------------------------------------------------------------------


def test_max_findings_option_and_config_key(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(_duplicates(3))
    code, out, _ = run_cli("check", "--format", "json", "--max-findings", "1", str(path))
    assert [f["line"] for f in json.loads(out)["findings"]] == [2, 4]
    assert code == 1
    config = tmp_path / ".sidecarlint.yaml"
    config.write_text("max-findings: 2\n")
    _, out, _ = run_cli("check", "--format", "json", "--config", str(config), str(path))
    assert [f["line"] for f in json.loads(out)["findings"]] == [2, 4, 6]
    assert "1 more SCL002 finding" in json.loads(out)["findings"][2]["message"]


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("0", "max-findings must be a positive integer"),
        ("-3", "max-findings must be a positive integer"),
        ('"10"', "'max-findings' must be a int, got str"),
        ("true", "'max-findings' must be a int, got bool"),
    ],
)
def test_max_findings_config_errors(tmp_path: Path, value: str, error: str) -> None:
    config = tmp_path / ".sidecarlint.yaml"
    config.write_text(f"max-findings: {value}\n")
    code, _, err = run_cli("check", "--config", str(config), str(REPO / "examples"))
    assert code == 2
    assert error in err


def test_max_findings_on_the_command_line_must_be_positive() -> None:
    code, _, err = run_cli("check", "--max-findings", "0", str(REPO / "examples"))
    assert code == 2
    assert "Invalid value for '--max-findings': 0 is not in the range x>=1" in err


def test_max_findings_help() -> None:
    code, out, _ = run_cli("check", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert (
        "--max-findings N Findings listed per rule and file (default: 1,000); the rest are "
        "counted in one finding at the first of them." in text
    )
    schema = json.loads((REPO / "sidecarlint" / "config.schema.json").read_text())
    assert schema["properties"]["max-findings"] == {
        "type": "integer",
        "minimum": 1,
        "description": (
            "Findings listed per rule and file (default 1000); the rest are counted in one finding."
        ),
    }


# --- reports written as the files are checked ------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "sarif", "gitlab"])
def test_streamed_json_is_laid_out_as_json_dumps(tmp_path: Path, fmt: str) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.yaml").write_text(_duplicates(5) + "---\n" + _pod(grace='"x"'))
    code, out, _ = run_cli("check", "--format", fmt, "--max-findings", "3", str(tmp_path))
    assert code == 1
    data = json.loads(out)
    assert out == json.dumps(data, indent=2, ensure_ascii=True) + "\n"
    if fmt == "json":
        found = [(Path(f["file"]).name, f["code"], f["line"]) for f in data["findings"]]
        per_file = [("SCL002", 2), ("SCL002", 4), ("SCL002", 6), ("SCL002", 8)]
        per_file += [("SCL003", 17), ("SCL013", 21)]
        assert found == [
            (n, c, line) for n in ("a.yaml", "b.yaml", "c.yaml") for c, line in per_file
        ]
        assert data["summary"]["errors"] == 3 * (5 + 2)


def test_the_report_being_written_is_not_checked(tmp_path: Path) -> None:
    (tmp_path / "dup.yaml").write_text(_duplicates(2))
    report = tmp_path / "report.json"
    report.write_text("stale: 1\nstale: 2\n")  # would be a finding if it were checked
    for _ in range(2):
        code, out, _ = run_cli("check", "--format", "json", "-o", str(report), str(tmp_path))
        data = json.loads(report.read_text())
        assert [Path(f["file"]).name for f in data["findings"]] == ["dup.yaml"] * 2
        assert data["summary"]["files"] == 1
        assert code == 1 and out == ""


# --- every rule --------------------------------------------------------------------------------


def _lengthened(value: object) -> object:
    """``value`` with every string but kinds made 3,000 characters longer, the same way
    everywhere (so that names still refer to each other)."""
    if isinstance(value, str):
        return value + "-" + "z" * 3000
    if isinstance(value, list):
        return [_lengthened(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k in ("apiVersion", "kind") else _lengthened(v) for k, v in value.items()}
    return value


_NAMES = ("name", "containerName", "mountPath", "subPath", "image", "hostIP", "resourceName")


def _names_lengthened(value: object, key: object = None) -> object:
    """``value`` with names, paths and images made 3,000 characters longer, and a long
    word after the last word of each command (so that most rules still find something)."""
    if isinstance(value, str) and key in _NAMES:
        return value + "-" + "z" * 3000
    if isinstance(value, list):
        out = [_names_lengthened(v) for v in value]
        if key in ("command", "args") and out and isinstance(out[-1], str):
            out[-1] += " " + "z" * 3000
        return out
    if isinstance(value, dict):
        return {k: _names_lengthened(v, k) for k, v in value.items()}
    return value


def _examples() -> list[str]:
    import yaml

    from tests.ruledocs import all_pages

    texts = [b.text for page in all_pages() for b in page.blocks]
    texts += [p.read_text() for p in sorted((REPO / "examples").rglob("*.yaml"))]
    out = []
    for text in texts:
        try:
            docs = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError:
            continue
        for change in (_lengthened, _names_lengthened):
            out.append("---\n".join(json.dumps(change(d)) + "\n" for d in docs))
    return out


def test_no_rule_quotes_a_whole_value() -> None:
    # The examples of every rule page with each string 3,000 characters longer: whatever
    # is found, no message or field holds the whole of a value.
    checked = set()
    for text in _examples():
        found = [
            f for v in ("1.27", "1.30", DEFAULT) for f in lint_text(text, "t.yaml", Settings(v))
        ]
        for f in found:
            checked.add(f.code)
            texts = [f.message, f.fix or "", f.path or "", *(t for _, t in f.related)]
            assert all(len(t) < 1500 for t in texts), (f.code, max(texts, key=len)[:300])
            for name in (f.container, f.object and f.object.name):
                assert name is None or len(name) <= NAME_EXCERPT + 1
    assert len(checked) >= 35  # most rules have fired on the lengthened examples


# --- one object ------------------------------------------------------------------------------


def _pod_with_nodes(nodes: int) -> str:
    """A valid Pod of exactly ``nodes`` nodes (values, lists and mappings, keys counted)."""
    args = "    args: [x]\n" if nodes % 2 else ""
    selector = "".join(f"    k{n}: v\n" for n in range((nodes - 20 - 3 * (nodes % 2)) // 2))
    return (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
        f"  - name: a\n    image: b\n{args}  nodeSelector:\n{selector}"
    )


def test_a_workload_object_up_to_the_node_limit_is_checked() -> None:
    from sidecarlint.pipeline import MAX_OBJECT_NODES

    assert lint_text(_pod_with_nodes(MAX_OBJECT_NODES)) == []
    text = _pod_with_nodes(MAX_OBJECT_NODES + 1)
    (finding,) = lint_text(text)
    lines = text.splitlines()
    assert positions([finding]) == [("SCL001", 1, 1)]
    # The whole object: a block mapping ends where the next line starts.
    assert (finding.span.end_line, finding.span.end_column) == (len(lines) + 1, 1)
    assert finding.message == (
        "Pod/p has more than 20,000 nodes (values, lists and mappings), the most checked in one "
        "workload object; this object is not checked"
    )


def test_the_other_objects_of_a_list_are_checked() -> None:
    from sidecarlint.pipeline import MAX_OBJECT_NODES

    big = _pod_with_nodes(MAX_OBJECT_NODES + 1).replace("\n", "\n    ").rstrip()
    small = (
        "apiVersion: v1\n    kind: Pod\n    metadata: {name: q}\n"
        "    spec: {containers: [{name: a, image: 1}]}"
    )
    text = f"apiVersion: v1\nkind: List\nitems:\n  - {big}\n  - {small}\n"
    found = [(f.code, f.span.line, f.object and f.object.name) for f in lint_text(text)]
    last = len(text.splitlines())
    assert found == [("SCL001", 4, "p"), ("SCL003", last, "q")]
