"""The bundled examples: the correct ones stay clean, the broken ones show their mistakes."""

from __future__ import annotations

from sidecarlint.finding import Severity
from sidecarlint.pipeline import run
from tests.conftest import REPO, settings


def test_examples() -> None:
    report = run([str(REPO / "examples")], settings())
    got = [
        (f.file.split("examples/", 1)[1], f.code, f.span.line, f.span.column)
        for f in report.findings
        if f.severity is not Severity.INFO
    ]
    assert got == [
        ("broken/init-waits-for-later-proxy.yaml", "SCL301", 13, 17),
        ("broken/job-helper-in-containers.yaml", "SCL102", 19, 17),
        ("broken/missing-shared-mount.yaml", "SCL201", 21, 33),
        ("broken/missing-shared-mount.yaml", "SCL002", 29, 11),
    ]
