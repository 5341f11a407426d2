"""Helm charts: never parsed as manifests; rendered with helm when it is there, findings
mapped back to template lines through the ``# Source:`` comments.

helm cannot be installed where the tests run, so rendering is tested with recorded
``helm template`` output (tests/fixtures/helm/*.rendered.yaml, written in helm's output
format for the chart beside them) served by a stand-in ``helm`` on PATH that records how
it was called. The "no helm" path is tested for real.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sidecarlint.finding import Finding
from sidecarlint.pipeline import run
from tests.conftest import REPO, settings
from tests.test_cli import run_cli

FIXTURES = REPO / "tests" / "fixtures" / "helm"
DEPLOYMENT = (FIXTURES / "web" / "templates" / "deployment.yaml").read_text()
JOB = (FIXTURES / "web" / "templates" / "job.yaml").read_text()

STANDIN = """\
#!{python}
# A stand-in for helm: replays recorded 'helm template' output and logs its arguments.
import json, os, sys

with open({log!r}, "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
failure = os.environ.get("HELM_STANDIN_ERROR")
if failure:
    sys.stderr.write(failure + "\\n")
    sys.exit(1)
name = "web.prod.rendered.yaml" if "--values" in sys.argv else "web.rendered.yaml"
with open(os.path.join({fixtures!r}, name)) as recorded:
    sys.stdout.write(recorded.read())
"""


def at(text: str, needle: str) -> tuple[int, int]:
    index = text.index(needle)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


@pytest.fixture
def chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A repository with the fixture chart at charts/web, run from its top."""
    shutil.copytree(FIXTURES / "web", tmp_path / "charts" / "web")
    shutil.copy(FIXTURES / "prod-values.yaml", tmp_path / "prod-values.yaml")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.fixture
def helm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The stand-in helm, alone on PATH; returns its log."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "helm.log"
    script = bin_dir / "helm"
    script.write_text(STANDIN.format(python=sys.executable, log=str(log), fixtures=str(FIXTURES)))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    return log


def rows(findings: list[Finding]) -> list[tuple[str, str, int, int, int, str]]:
    return [
        (f.file, f.code, f.span.line, f.span.column, f.span.end_column, f.message[-40:])
        for f in findings
    ]


def test_rendered_chart_findings_land_on_template_lines(chart: Path, helm: Path) -> None:
    report = run(["."], settings())
    shipper_line, shipper_column = at(DEPLOYMENT, "log-shipper")
    args_line, _ = at(DEPLOYMENT, '"-i", "tail"')
    istio_line, istio_column = at(JOB, "{{- toYaml")
    istio = 'istio.io/nativeSidecar: "true"'
    assert [(f.file, f.code, f.span.line, f.span.column) for f in report.findings] == [
        ("charts/web/templates/deployment.yaml", "SCL103", shipper_line, shipper_column),
        # The shipper tails nginx's access log, which the nginx image sends to stdout.
        ("charts/web/templates/deployment.yaml", "SCL201", args_line, 38),
        ("charts/web/templates/job.yaml", "SCL401", istio_line, istio_column),
    ]
    shipper, unshared, injected = report.findings
    assert "the nginx image links /var/log/nginx/access.log there" in unshared.message
    assert shipper.span.end_column == shipper_column + len("log-shipper")
    assert "rendered output" not in shipper.message
    # The annotation comes out of toYaml: it is put on that action, and said so.
    assert injected.span.end_column == istio_column + len(
        "{{- toYaml .Values.migrate.podAnnotations | nindent 8 }}"
    )
    assert injected.message.endswith(" (in the rendered output of charts/web)")
    assert injected.fix is not None and istio in injected.fix
    assert [f.rendered.describe() for f in report.findings if f.rendered] == [
        "charts/web as Deployment/release-name-web",
        "charts/web as Deployment/release-name-web",
        "charts/web as Job/release-name-web-migrate",
    ]
    assert [json.loads(line) for line in helm.read_text().splitlines()] == [
        ["template", "release-name", "charts/web"]
    ]
    # Chart.yaml and values.yaml are checked as files, the two templates through rendering.
    assert report.files == 5 and report.objects == 2 and report.skipped_files == 0
    assert "1 Helm chart rendered with helm template; findings point at the lines" in "\n".join(
        report.notes
    )


def test_values_files_are_passed_and_a_value_maps_to_its_action(chart: Path, helm: Path) -> None:
    report = run(["charts"], settings(helm_values=["prod-values.yaml"]))
    policy = next(f for f in report.findings if f.code == "SCL017")
    line, column = at(JOB, "{{ .Values.migrate.restartPolicy }}")
    assert (policy.file, policy.span.line, policy.span.column, policy.span.end_column) == (
        "charts/web/templates/job.yaml",
        line,
        column,
        column + len("{{ .Values.migrate.restartPolicy }}"),
    )
    assert [json.loads(line) for line in helm.read_text().splitlines()] == [
        ["template", "release-name", "charts/web", "--values", "prod-values.yaml"]
    ]


def test_every_format_points_at_the_template(chart: Path, helm: Path) -> None:
    env = {"PATH": os.environ["PATH"]}
    line, column = at(DEPLOYMENT, "log-shipper")
    data = json.loads(run_cli("check", "--format", "json", ".", cwd=chart, env=env).stdout)
    shipper = data["findings"][0]
    assert (shipper["file"], shipper["line"], shipper["column"]) == (
        "charts/web/templates/deployment.yaml",
        line,
        column,
    )
    assert shipper["rendered"]["renderer"] == "helm"
    assert shipper["rendered"]["object"]["name"] == "release-name-web"
    sarif = json.loads(
        run_cli("check", "--format", "sarif", "--root", ".", ".", cwd=chart, env=env).stdout
    )
    result = sarif["runs"][0]["results"][0]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (line, column)
    assert result["properties"]["rendered"]["source"] == "charts/web"


def test_a_document_whose_template_is_not_there_stays_in_the_rendered_stream(
    chart: Path, helm: Path
) -> None:
    (chart / "charts" / "web" / "templates" / "job.yaml").unlink()
    (chart / "charts" / "web" / "templates" / "deployment.yaml").write_text(DEPLOYMENT)
    report = run(["charts"], settings())
    stray = next(f for f in report.findings if f.code == "SCL401")
    rendered = (FIXTURES / "web.rendered.yaml").read_text()
    assert (stray.file, stray.span.line, stray.span.column) == (
        "charts/web (rendered)",
        *at(rendered, "sidecar.istio.io/inject"),
    )


def test_a_render_error_points_at_the_template_line(
    chart: Path, helm: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "HELM_STANDIN_ERROR",
        'Error: parse error at (web/templates/deployment.yaml:18): function "nope" not defined',
    )
    report = run(["."], settings())
    (failed,) = report.findings
    assert (failed.code, failed.file, failed.span.line, failed.span.column) == (
        "SCL007",
        "charts/web/templates/deployment.yaml",
        18,
        11,
    )
    assert failed.message == (
        "Helm chart charts/web cannot be rendered: parse error at "
        '(web/templates/deployment.yaml:18): function "nope" not defined'
    )
    monkeypatch.setenv("HELM_STANDIN_ERROR", "Error: no template found")
    (failed,) = run(["."], settings()).findings
    assert (failed.file, failed.span.line, failed.span.column) == ("charts/web/Chart.yaml", 2, 1)


def test_subcharts_render_with_their_parent(chart: Path, helm: Path) -> None:
    sub = chart / "charts" / "web" / "charts" / "cache"
    shutil.copytree(FIXTURES / "web", sub)
    report = run(["."], settings())
    assert len(helm.read_text().splitlines()) == 1  # one rendering, of charts/web
    assert report.files == 9  # both charts' Chart.yaml and values.yaml, four templates


def test_without_helm_one_note_per_chart(chart: Path, tmp_path: Path) -> None:
    env = {"PATH": os.path.dirname(sys.executable)}
    proc = run_cli("check", ".", cwd=chart, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [
        "note: charts/web: 2 Helm chart templates skipped; helm was not found: install it to "
        "check the rendered chart, or lint it: "
        "'helm template RELEASE charts/web | sidecarlint check -'",
        "0 errors, 0 warnings, 0 infos in 3 files (3 documents, 0 objects; Kubernetes 1.37); "
        "3 files are not Kubernetes manifests",
    ]
    proc = run_cli("check", "--helm", "always", ".", cwd=chart, env=env)
    assert proc.returncode == 2
    assert proc.stderr == "sidecarlint: error: --helm always: helm was not found on PATH\n"


def test_template_alignment() -> None:
    from sidecarlint.mapback import align

    template = [
        "spec:",
        "  {{- if .Values.enabled }}",
        "  replicas: {{ .Values.replicas }}",
        "  {{- end }}",
        "  labels:",
        '    {{- include "labels" . | nindent 4 }}',
        '  image: "{{ .Values.repo }}:{{ .Values.tag }}"',
    ]
    rendered = [
        "spec:",
        "  replicas: 3",
        "  labels:",
        "    a: b",
        "    c: d",
        '  image: "nginx:1.27"',
    ]
    assert align(rendered, template) == {0: 0, 1: 2, 2: 4, 5: 6}
