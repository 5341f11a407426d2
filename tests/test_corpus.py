"""The real-world corpus: everything is checked, nothing crashes, nothing is exit 2."""

from __future__ import annotations

import pytest

from sidecarlint.finding import Severity
from sidecarlint.pipeline import run
from tests.conftest import CORPUS, settings

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="the shared real-world corpus is not available"
)
FIXTURES = ("stackrox__", "zegl__", "FairwindsOps__", "yannh__")


def test_whole_corpus_runs_without_internal_errors() -> None:
    report = run([str(CORPUS)], settings(jobs=2))
    assert report.internal_errors == 0
    assert report.exit_code("error") in (0, 1)
    assert report.files >= 4600 and report.documents >= 8600
    assert not [f for f in report.findings if f.code == "SCL999"]
    for f in report.findings:
        assert f.span.line >= 1 and f.span.column >= 1, f


def test_no_errors_from_sidecar_rules_on_documentation_examples() -> None:
    # The Kubernetes documentation's sidecar examples are correct except the one that
    # shows the legacy (broken) pattern on purpose.
    report = run([str(CORPUS / "kubernetes__website")], settings())
    sidecar_errors = {
        (f.file.rsplit("/", 1)[-1], f.code)
        for f in report.findings
        if f.severity is Severity.ERROR and f.code[3] in "1234"
    }
    assert sidecar_errors == {
        ("content__en__examples__application__job__job-sidecar-legacy.yaml", "SCL102")
    }
