"""The bundled examples: the correct ones stay clean, the broken ones show their mistakes."""

from __future__ import annotations

import pytest

from sidecarlint.finding import Severity
from sidecarlint.pipeline import run
from tests.conftest import REPO, settings


def test_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    report = run(["examples"], settings())
    got = [
        (f.file.removeprefix("examples/"), f.code, f.span.line, f.span.column)
        for f in report.findings
        if f.severity is not Severity.INFO
    ]
    assert got == [
        ("broken/init-waits-for-later-proxy.yaml", "SCL301", 13, 17),
        ("broken/job-helper-in-containers.yaml", "SCL102", 19, 17),
        ("broken/missing-shared-mount.yaml", "SCL201", 21, 33),
        ("broken/missing-shared-mount.yaml", "SCL002", 29, 11),
        # Rendered with the pinned kubectl; reported at the lines of the patches.
        ("kustomize/overlays/mesh/kustomization.yaml", "SCL401", 15, 13),
        ("kustomize/overlays/prod/log-shipper.yaml", "SCL103", 9, 17),
    ]
    assert [f.rendered.describe() for f in report.findings if f.rendered] == [
        "examples/kustomize/overlays/mesh as Job/migrate",
        "examples/kustomize/overlays/prod as Deployment/prod-web",
    ]
