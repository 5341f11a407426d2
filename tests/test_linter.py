"""Checking text held in memory (an editor's buffer) gives what ``check`` gives for a file
holding it."""

from __future__ import annotations

from pathlib import Path

from sidecarlint.finding import Span
from sidecarlint.pipeline import Linter, Settings, pods_in_text, run
from tests.conftest import REPO

JOB_HELPER = (REPO / "examples" / "broken" / "job-helper-in-containers.yaml").read_text()


def test_linter_reports_what_check_reports_for_the_same_file(tmp_path: Path) -> None:
    texts = {
        "job.yaml": JOB_HELPER,
        "nul.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\0b\n",
        "big.yaml": "# " + "x" * 3000 + "\n",
        "broken.yaml": "apiVersion: v1\nkind: Pod\nspec: [\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    config = Settings(max_file_size=2000)
    report = run([str(tmp_path)], config)
    linter = Linter(config)
    for name, text in texts.items():
        file = str(tmp_path / name)
        result = linter.lint(text, file)
        assert result.findings == [f for f in report.findings if f.file == file], name
        assert result.findings, name
    codes = {f.file.rsplit("/", 1)[1]: f.code for f in report.findings}
    assert codes == {
        "big.yaml": "SCL006",
        "broken.yaml": "SCL001",
        "job.yaml": "SCL102",
        "nul.yaml": "SCL006",
    }


def test_linter_size_limit_counts_utf8_bytes() -> None:
    linter = Linter(Settings(max_file_size=12))
    assert linter.lint("a: éééé\n", "t.yaml").findings == []  # 12 bytes
    for text in ("a: ééééé\n", "a: 1234567890\n"):  # 14 bytes, 15 characters
        [finding] = linter.lint(text, "t.yaml").findings
        assert (finding.code, finding.span) == ("SCL006", Span(1, 1, 1, 1))
        assert finding.message == (
            "file is larger than 12 bytes; not checked (raise max-file-size to check it)"
        )


def test_pods_in_text_are_the_located_pods_in_order() -> None:
    text = JOB_HELPER + "---\nbroken: [\n---\n" + JOB_HELPER.replace("name: report", "name: two")
    pods = list(pods_in_text(text, "t.yaml", Settings()))
    assert [(p.obj.ref.name, p.doc.index) for p in pods] == [("report", 0), ("two", 2)]
