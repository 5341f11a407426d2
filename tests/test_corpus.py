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


# The real manifests the sidecar model was built against: each one's findings of the rules
# that read the model, exactly (code, severity, line, column, a fact of the message).
MODEL_CASES = {
    "kubernetes__website/content__en__examples__application__deployment-sidecar-legacy.yaml": [
        ("SCL103", "warning", 24, 17, "it only follows /opt/logs.txt, which 'myapp' writes"),
    ],
    "kubernetes__website/content__en__examples__admin__logging__"
    "two-files-counter-pod-streaming-sidecar.yaml": [
        ("SCL103", "warning", 24, 11, "it only follows /var/log/1.log, which 'count' writes"),
        ("SCL103", "warning", 30, 11, "it only follows /var/log/2.log, which 'count' writes"),
    ],
    "GoogleCloudPlatform__cloud-sql-proxy/examples__k8s-sidecar__job_with_shutdown_hook.yaml": [
        (
            "SCL102",
            "error",
            65,
            17,
            "no command sends the shutdown request http://localhost:9091/quitquitquit",
        ),
    ],
    "GoogleCloudPlatform__cloud-sql-proxy/examples__k8s-health-check__"
    "proxy_with_http_health_check.yaml": [
        ("SCL404", "warning", 119, 11, "(/cloud-sql-proxy shutdown --admin-port 9092)"),
    ],
    "GoogleCloudPlatform__cloud-sql-proxy/examples__k8s-service__pgbouncer_deployment.yaml": [
        ("SCL304", "warning", 85, 15, "'pgbouncer' connects to localhost:5431 (env DB_HOST"),
        ("SCL503", "info", 85, 15, "sidecar 'cloud-sql-proxy' has no cpu or memory request"),
    ],
    "kubernetes__website/content__en__examples__pods__multi-container__ambassador.yaml": [
        ("SCL304", "warning", 7, 11, "'main-app' connects to localhost:5432 (env DATABASE_URL)"),
        ("SCL503", "info", 7, 11, "sidecar 'ambassador-sidecar' has no cpu or memory request"),
    ],
    # Declared ports that the args bind elsewhere.
    "linkerd__linkerd2/cli__cmd__testdata__inject_gettest_deployment.good.input.yml": [],
    # Injector override stubs: the injector decides where the proxy goes.
    "istio__istio/pkg__kube__inject__testdata__inject__proxy-override.yaml": [],
    "istio__istio/pkg__test__framework__components__echo__kube__testdata__basic.yaml": [],
    # The proxy that is the workload: an Istio gateway, Contour's Envoy.
    "istio__istio/pkg__kube__inject__testdata__inject__"
    "gateway-with-default-container.yaml.injected.yaml": [],
    "linkerd__linkerd2/cli__cmd__testdata__inject_contour.input.yml": [],
    # A proxy started first by its postStart wait does start first.
    "istio__istio/pkg__kube__inject__testdata__inject__merge-probers.yaml": [
        ("SCL103", "warning", 106, 15, "it starts first (its postStart hook 'pilot-agent wait'"),
    ],
    # An injected Linkerd proxy's resources come from the injector.
    "linkerd__linkerd2/cli__cmd__testdata__inject_emojivoto_deployment.golden.yml": [],
}
MODEL_RULES = [
    "SCL102",
    "SCL103",
    "SCL104",
    "SCL201",
    "SCL203",
    "SCL301",
    "SCL302",
    "SCL303",
    "SCL304",
    "SCL401",
    "SCL404",
    "SCL501",
    "SCL503",
]


@pytest.mark.parametrize("name", sorted(MODEL_CASES))
def test_the_sidecar_model_on_real_manifests(name: str) -> None:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the shared corpus")
    report = run([str(path)], settings(kubernetes_version="1.33", select=MODEL_RULES))
    got = [(f.code, f.severity.value, f.span.line, f.span.column) for f in report.findings]
    expected = MODEL_CASES[name]
    assert got == [case[:4] for case in expected]
    for finding, case in zip(report.findings, expected, strict=True):
        assert case[4] in finding.message, finding.message
