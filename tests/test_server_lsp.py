"""End to end: ``sidecarlint server`` in a subprocess, driven over stdio by a real
Language Server Protocol client (pytest-lsp), and held to what ``check`` reports."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as t
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from tests.conftest import CORPUS, REPO

pytestmark = pytest.mark.asyncio

ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
}
SEVERITY = {
    t.DiagnosticSeverity.Error: "error",
    t.DiagnosticSeverity.Warning: "warning",
    t.DiagnosticSeverity.Information: "info",
}
EXAMPLES = REPO / "examples"
JOB_HELPER = (EXAMPLES / "broken" / "job-helper-in-containers.yaml").read_text(encoding="utf-8")
DEPLOYMENT = (EXAMPLES / "deployment" / "deployment.yaml").read_text(encoding="utf-8")


def make_client() -> LanguageClient:
    """pytest-lsp's client, also keeping every diagnostics notification (with its version)
    and answering the server's capability registrations."""
    client = LanguageClient(converter_factory=default_converter)
    published: list[t.PublishDiagnosticsParams] = []
    registrations: list[t.Registration] = []

    def publish(client: LanguageClient, params: t.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        published.append(params)

    def register(client: LanguageClient, params: t.RegistrationParams) -> None:
        registrations.extend(params.registrations)

    register_lsp_features(
        client,
        {
            **DEFAULT_CLIENT_FEATURES,
            t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
            t.CLIENT_REGISTER_CAPABILITY: register,
        },
    )
    client.published = published  # type: ignore[attr-defined]
    client.registrations = registrations  # type: ignore[attr-defined]
    return client


SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "sidecarlint", "server"],
    client_factory=make_client,
    server_env=ENV,
)
#: The server with a test-only rule that crashes (see tests/lsp_crash_server.py).
CRASHING_SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "tests.lsp_crash_server"],
    client_factory=make_client,
    server_env=ENV,
)


def capabilities(encoding: str = "utf-32") -> t.ClientCapabilities:
    return t.ClientCapabilities(
        general=t.GeneralClientCapabilities(position_encodings=[encoding]),
        workspace=t.WorkspaceClientCapabilities(
            configuration=True,
            workspace_edit=t.WorkspaceEditClientCapabilities(document_changes=True),
            did_change_watched_files=t.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True
            ),
        ),
        text_document=t.TextDocumentClientCapabilities(
            publish_diagnostics=t.PublishDiagnosticsClientCapabilities(
                related_information=True, version_support=True, code_description_support=True
            ),
            hover=t.HoverClientCapabilities(content_format=[t.MarkupKind.Markdown]),
            code_action=t.CodeActionClientCapabilities(
                disabled_support=True,
                is_preferred_support=True,
                code_action_literal_support=t.ClientCodeActionLiteralOptions(
                    code_action_kind=t.ClientCodeActionKindOptions(
                        value_set=[t.CodeActionKind.QuickFix, t.CodeActionKind.SourceFixAll]
                    )
                ),
            ),
        ),
    )


async def start(client: LanguageClient, root: Path, encoding: str = "utf-32") -> None:
    await client.initialize_session(
        t.InitializeParams(
            capabilities=capabilities(encoding),
            workspace_folders=[t.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        )
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # the config search stops here
    return tmp_path


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient, workspace: Path) -> Any:
    await start(lsp_client, workspace)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def utf16_client(lsp_client: LanguageClient, workspace: Path) -> Any:
    await start(lsp_client, workspace, "utf-16")
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def examples_client(lsp_client: LanguageClient) -> Any:
    await start(lsp_client, EXAMPLES)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def corpus_client(lsp_client: LanguageClient) -> Any:
    await start(lsp_client, CORPUS)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CRASHING_SERVER)
async def crashing_client(lsp_client: LanguageClient, workspace: Path) -> Any:
    await start(lsp_client, workspace)
    yield
    await lsp_client.shutdown_session()


# helpers


def open_document(
    client: LanguageClient, path: Path, text: str | None = None, language: str = "yaml"
) -> str:
    if text is None:
        text = path.read_text(encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        t.DidOpenTextDocumentParams(
            text_document=t.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        )
    )
    return uri


async def open_checked(
    client: LanguageClient, path: Path, text: str | None = None
) -> tuple[str, list[t.Diagnostic]]:
    """Open a document and wait for its first diagnostics."""
    uri = open_document(client, path, text)
    return uri, await published(client, uri, 1)


def change_document(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def published(
    client: LanguageClient, uri: str, version: int | None, *, after: int = 0
) -> Sequence[t.Diagnostic]:
    """The diagnostics published for ``uri`` at ``version`` (the ``after``-th notification
    on), waiting for them."""
    notes: list[t.PublishDiagnosticsParams] = client.published  # type: ignore[attr-defined]
    for _ in range(3000):
        for params in notes[after:]:
            if params.uri == uri and params.version == version:
                return list(params.diagnostics)
        await asyncio.sleep(0.01)
    raise AssertionError(f"no diagnostics for {uri} version {version}")


def findings(diagnostics: Sequence[t.Diagnostic]) -> list[tuple[Any, ...]]:
    """Diagnostics as check's JSON findings: code, severity, message and 1-based span
    (positions in UTF-32, which counts code points like sidecarlint)."""
    out = []
    for d in diagnostics:
        assert d.source == "sidecarlint"
        code, name = str(d.code).split(" ")
        assert d.code_description is not None
        assert d.code_description.href.endswith(f"/rules/{code}-{name}.md")
        out.append(
            (
                code,
                SEVERITY[d.severity] if d.severity else None,
                d.message,
                d.range.start.line + 1,
                d.range.start.character + 1,
                d.range.end.line + 1,
                d.range.end.character + 1,
            )
        )
    return out


def check_json(cwd: Path, paths: Sequence[str], *options: str) -> dict[str, list[tuple[Any, ...]]]:
    proc = subprocess.run(
        [sys.executable, "-m", "sidecarlint", "check", "--format", "json", *options, *paths],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=ENV,
    )
    assert proc.returncode in (0, 1), proc.stderr
    out: dict[str, list[tuple[Any, ...]]] = {p: [] for p in paths}
    for f in json.loads(proc.stdout)["findings"]:
        out[f["file"]].append(
            (
                f["code"],
                f["severity"],
                f["message"],
                f["line"],
                f["column"],
                f["endLine"],
                f["endColumn"],
            )
        )
    return out


def offset(text: str, position: t.Position, encoding: str = "utf-32") -> int:
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    if encoding == "utf-32":
        return start + position.character
    units = 0
    for i, char in enumerate(line):
        if units >= position.character:
            return start + i
        units += 2 if ord(char) > 0xFFFF else 1
    return start + len(line)


def apply(text: str, edit: t.WorkspaceEdit, uri: str, encoding: str = "utf-32") -> str:
    """``text`` with the edits of ``edit`` for ``uri`` made (as an editor makes them)."""
    assert edit.document_changes is not None
    edits: list[t.TextEdit] = []
    for change in edit.document_changes:
        assert isinstance(change, t.TextDocumentEdit)
        assert change.text_document.uri == uri
        edits.extend(e for e in change.edits if isinstance(e, t.TextEdit))
    spans = [
        (offset(text, e.range.start, encoding), offset(text, e.range.end, encoding), e.new_text)
        for e in edits
    ]
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


async def actions(
    client: LanguageClient, uri: str, line: int, character: int, only: list[str] | None = None
) -> dict[str, t.CodeAction]:
    position = t.Position(line=line, character=character)
    result = await client.text_document_code_action_async(
        t.CodeActionParams(
            text_document=t.TextDocumentIdentifier(uri=uri),
            range=t.Range(start=position, end=position),
            context=t.CodeActionContext(diagnostics=[], only=only),
        )
    )
    assert result is not None
    return {a.title: a for a in result if isinstance(a, t.CodeAction)}


async def hover(client: LanguageClient, uri: str, line: int, character: int) -> t.Hover | None:
    return await client.text_document_hover_async(
        t.HoverParams(
            text_document=t.TextDocumentIdentifier(uri=uri),
            position=t.Position(line=line, character=character),
        )
    )


def run_fix(path: Path) -> bytes:
    proc = subprocess.run(
        [sys.executable, "-m", "sidecarlint", "check", "--fix", path.name],
        cwd=path.parent,
        capture_output=True,
        text=True,
        env=ENV,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return path.read_bytes()


# diagnostics: the same as check


async def test_diagnostics_equal_check_for_every_example(examples_client: LanguageClient) -> None:
    paths = sorted(str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*.yaml"))
    assert len(paths) >= 5
    # The server checks each editor buffer as it is; kustomizations are rendered by check
    # only (examples/kustomize), so compare with check's reading of the files themselves.
    expected = check_json(EXAMPLES, paths, "--kustomize", "never")
    for rel in paths:
        uri = open_document(examples_client, EXAMPLES / rel)
        got = findings(await published(examples_client, uri, 1))
        assert got == expected[rel], rel
    assert any(expected.values())


def corpus_sidecar_files() -> list[str]:
    """The corpus files that declare init containers and a restartPolicy of Always after
    them (native sidecars, mostly), in name order."""
    sidecar = re.compile(r"initContainers:[\s\S]*restartPolicy:\s*Always")
    return sorted(
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.suffix in (".yaml", ".yml", ".json")
        and sidecar.search(p.read_text(encoding="utf-8", errors="replace"))
    )


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared real-world corpus is not available")
async def test_diagnostics_equal_check_for_corpus_sidecar_files(
    corpus_client: LanguageClient,
) -> None:
    paths = corpus_sidecar_files()
    assert len(paths) >= 140
    expected = check_json(CORPUS, paths)
    for rel in paths:
        language = "json" if rel.endswith(".json") else "yaml"
        uri = open_document(corpus_client, CORPUS / rel, language=language)
        got = findings(await published(corpus_client, uri, 1))
        assert got == expected[rel], rel
    codes = [f[0] for found in expected.values() for f in found]
    assert len(codes) >= 30 and len(set(codes)) >= 8


# the life of a document


def fixed_by_cli(workspace: Path, text: str, name: str = "job.yaml") -> bytes:
    """What ``check --fix`` writes for ``text``."""
    copy = workspace / "cli"
    copy.mkdir(exist_ok=True)
    path = copy / name
    path.write_bytes(text.encode("utf-8"))
    return run_fix(path)


async def test_open_change_save_close(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "job.yaml"
    path.write_text(JOB_HELPER, encoding="utf-8")
    uri = open_document(client, path)
    first = findings(await published(client, uri, 1))
    assert [f[:2] + f[3:5] for f in first] == [("SCL102", "error", 19, 17)]
    # An edit in the editor is checked, not the file on disk.
    fixed = fixed_by_cli(workspace, JOB_HELPER).decode("utf-8")
    n = len(client.published)  # type: ignore[attr-defined]
    change_document(client, uri, 2, fixed)
    second = findings(await published(client, uri, 2, after=n))
    assert [f[0] for f in second] == ["SCL503"]  # the new sidecar has no requests: info
    # An incremental edit: the sidecar's restartPolicy becomes OnFailure.
    line = fixed.splitlines().index("          restartPolicy: Always")
    n = len(client.published)  # type: ignore[attr-defined]
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[
                t.TextDocumentContentChangePartial(
                    range=t.Range(
                        start=t.Position(line=line, character=25),
                        end=t.Position(line=line, character=31),
                    ),
                    text="OnFailure",
                )
            ],
        )
    )
    third = findings(await published(client, uri, 3, after=n))
    lines = fixed.splitlines(keepends=True)
    lines[line] = "          restartPolicy: OnFailure\n"
    edited = "".join(lines)
    (workspace / "edited.yaml").write_text(edited, encoding="utf-8")
    assert third == check_json(workspace, ["edited.yaml"])["edited.yaml"]
    # A regular init container again, one that never exits.
    assert [(f[0], f[3], f[4]) for f in third] == [("SCL104", line - 1, 17)]
    # Saving checks again; closing clears the document's diagnostics.
    n = len(client.published)  # type: ignore[attr-defined]
    client.text_document_did_save(
        t.DidSaveTextDocumentParams(text_document=t.TextDocumentIdentifier(uri=uri))
    )
    assert findings(await published(client, uri, 3, after=n)) == third
    n = len(client.published)  # type: ignore[attr-defined]
    client.text_document_did_close(
        t.DidCloseTextDocumentParams(text_document=t.TextDocumentIdentifier(uri=uri))
    )
    assert await published(client, uri, None, after=n) == []


async def test_a_burst_of_edits_is_checked_once(client: LanguageClient, workspace: Path) -> None:
    uri, _ = await open_checked(client, workspace / "job.yaml", JOB_HELPER)
    n = len(client.published)  # type: ignore[attr-defined]
    for version in range(2, 7):
        change_document(client, uri, version, JOB_HELPER + "#" * version + "\n")
    await published(client, uri, 6, after=n)
    await asyncio.sleep(0.2)
    notes = client.published[n:]  # type: ignore[attr-defined]
    assert [p.version for p in notes if p.uri == uri] == [6]


async def test_half_written_yaml_gives_scl001_where_check_does(
    client: LanguageClient, workspace: Path
) -> None:
    uri = open_document(client, workspace / "deploy.yaml", DEPLOYMENT)
    assert await published(client, uri, 1) == []
    cut = DEPLOYMENT.index("          command: ['sh', '-c', 'tail")
    half = DEPLOYMENT[:cut] + "          command: ['sh', '-c'\n          resources:\n"
    n = len(client.published)  # type: ignore[attr-defined]
    change_document(client, uri, 2, half)
    got = findings(await published(client, uri, 2, after=n))
    (workspace / "half.yaml").write_text(half, encoding="utf-8")
    assert got == check_json(workspace, ["half.yaml"])["half.yaml"]
    assert [(f[0], f[3]) for f in got] in ([("SCL001", 31)], [("SCL001", 32)])


async def test_files_that_are_not_manifests_get_nothing(
    client: LanguageClient, workspace: Path
) -> None:
    broken = "name: ci\non: [push\njobs:\n  build: {}\n"
    duplicate = "name: ci\nname: again\njobs: {}\n"
    for name, text in (("ci.yaml", broken), ("dup.yaml", duplicate)):
        (workspace / name).write_text(text, encoding="utf-8")
        expected = check_json(workspace, [name])[name]
        assert [f[0] for f in expected] == ["SCL001" if name == "ci.yaml" else "SCL002"]
        uri = open_document(client, workspace / name, text)
        assert await published(client, uri, 1) == []
    # The same mistake in a manifest being typed is reported.
    manifest = "apiVersion: v1\nkind: Pod\n" + broken
    (workspace / "pod.yaml").write_text(manifest, encoding="utf-8")
    uri = open_document(client, workspace / "pod.yaml", manifest)
    got = findings(await published(client, uri, 1))
    assert got == check_json(workspace, ["pod.yaml"])["pod.yaml"]
    assert [f[0] for f in got] == ["SCL001"]


# code actions


async def test_quick_fix_makes_the_bytes_fix_writes(
    client: LanguageClient, workspace: Path
) -> None:
    # One fixable finding (a read-write mount of a reading sidecar), comments and CRLF.
    for newline in ("\n", "\r\n"):
        text = DEPLOYMENT.replace("              readOnly: true\n", "").replace("\n", newline)
        name = f"ro-{len(newline)}.yaml"
        uri = open_document(client, workspace / name, text)
        [diagnostic] = await published(client, uri, 1)
        assert str(diagnostic.code).startswith("SCL203 ")
        found = await actions(
            client, uri, diagnostic.range.start.line, diagnostic.range.start.character
        )
        fix = found["Fix SCL203: Add readOnly: true to this mount of 'logshipper'"]
        assert fix.kind == t.CodeActionKind.QuickFix and fix.is_preferred
        assert fix.diagnostics is not None and fix.diagnostics[0].range == diagnostic.range
        assert fix.edit is not None
        after = apply(text, fix.edit, uri)
        assert after.encode("utf-8") == fixed_by_cli(workspace, text, name)
        assert after == DEPLOYMENT.replace("\n", newline)


async def test_fix_all_makes_the_bytes_fix_writes(client: LanguageClient, workspace: Path) -> None:
    uri, _ = await open_checked(client, workspace / "job.yaml", JOB_HELPER)
    found = await actions(client, uri, 18, 16)
    # The finding's own fix moves the helper; --fix then also makes its mount read-only.
    move = found["Fix SCL102: Move 'log-shipper' to initContainers with restartPolicy: Always"]
    assert move.edit is not None
    moved = apply(JOB_HELPER, move.edit, uri)
    (workspace / "moved.yaml").write_text(moved, encoding="utf-8")
    after_move = check_json(workspace, ["moved.yaml"])["moved.yaml"]
    assert [f[0] for f in after_move] == ["SCL503", "SCL203"]
    only = await actions(client, uri, 0, 0, only=[t.CodeActionKind.SourceFixAll])
    assert list(only) == ["Fix all sidecarlint findings that have a fix"]
    fix_all = only["Fix all sidecarlint findings that have a fix"]
    assert fix_all.kind == "source.fixAll.sidecarlint" and fix_all.edit is not None
    assert apply(JOB_HELPER, fix_all.edit, uri).encode("utf-8") == fixed_by_cli(
        workspace, JOB_HELPER
    )


async def test_disable_for_this_line_and_for_this_object(
    client: LanguageClient, workspace: Path
) -> None:
    uri, _ = await open_checked(client, workspace / "job.yaml", JOB_HELPER)
    found = await actions(client, uri, 18, 16)
    line = found["Disable SCL102 for this line"]
    assert line.edit is not None
    after = apply(JOB_HELPER, line.edit, uri)
    assert after == JOB_HELPER.replace(
        "        - name: log-shipper\n",
        "        # sidecarlint: disable=SCL102\n        - name: log-shipper\n",
    )
    obj = found["Disable SCL102 for Job/report"]
    assert obj.edit is not None
    annotated = apply(JOB_HELPER, obj.edit, uri)
    assert annotated == JOB_HELPER.replace(
        "  name: report\n", '  name: report\n  annotations:\n    sidecarlint.io/ignore: "SCL102"\n'
    )
    for name, text in (("line.yaml", after), ("object.yaml", annotated)):
        (workspace / name).write_text(text, encoding="utf-8")
        assert check_json(workspace, [name])[name] == []
    # The line comment joins a directive already there.
    n = len(client.published)  # type: ignore[attr-defined]
    change_document(client, uri, 2, after.replace("disable=SCL102", "disable=SCL202"))
    await published(client, uri, 2, after=n)
    again = await actions(client, uri, 19, 16)
    assert again["Disable SCL102 for this line"].edit is not None
    assert apply(
        after.replace("disable=SCL102", "disable=SCL202"),
        again["Disable SCL102 for this line"].edit,
        uri,
    ) == after.replace("disable=SCL102", "disable=SCL202,SCL102")


# hovers


async def test_hover_on_a_finding_and_on_container_names(
    client: LanguageClient, workspace: Path
) -> None:
    uri, _ = await open_checked(client, workspace / "job.yaml", JOB_HELPER)
    found = await hover(client, uri, 18, 20)
    assert found is not None and isinstance(found.contents, t.MarkupContent)
    assert found.contents.kind == t.MarkupKind.Markdown
    parts = found.contents.value.split("\n\n---\n\n")
    assert parts[0].split("\n\n")[:3] == [
        "**SCL102** `sidecar-blocks-job-completion` · error",
        "A long-running helper in containers of a Job (or run-to-completion Pod)",
        "**Fix (quick fix available):** Move 'log-shipper' to initContainers with "
        "restartPolicy: Always",
    ]
    assert parts[0].endswith("/rules/SCL102-sidecar-blocks-job-completion.md)")
    assert parts[1] == (
        "**app container** `log-shipper` of Job/report · Kubernetes 1.37\n\n"
        "**Start:** step 1 of 1: app containers start together: 'report', 'log-shipper'\n\n"
        "- 'log-shipper' looks like a helper (its command never exits ('tail -F "
        "/var/log/app.log' follows a file forever)): no ordering with the app\n\n"
        "**Stop:** step 1 of 1: app containers get SIGTERM: 'report', 'log-shipper'"
    )
    assert found.range == t.Range(
        start=t.Position(line=18, character=16), end=t.Position(line=18, character=27)
    )
    # A container name without a finding: its place in the start and stop order.
    uri, _ = await open_checked(client, workspace / "deploy.yaml", DEPLOYMENT)
    line = DEPLOYMENT.splitlines().index("        - name: logshipper")
    for character in (10, 18):  # the key and the value
        found = await hover(client, uri, line, character)
        assert found is not None and isinstance(found.contents, t.MarkupContent)
        assert found.contents.value == (
            "**sidecar** `logshipper` of Deployment/myapp · Kubernetes 1.37\n\n"
            "**Start:** step 1 of 2: sidecar 'logshipper' starts; the next step waits until "
            "its process runs\n\n"
            "**Stop:** step 2 of 2: sidecar 'logshipper' gets SIGTERM"
        )
    assert await hover(client, uri, line + 1, 12) is None  # the image


async def test_related_information_points_at_the_other_container(
    examples_client: LanguageClient,
) -> None:
    uri = open_document(examples_client, EXAMPLES / "broken" / "missing-shared-mount.yaml")
    diagnostics = await published(examples_client, uri, 1)
    [scl201] = [d for d in diagnostics if str(d.code).startswith("SCL201 ")]
    assert scl201.related_information is not None
    [related] = scl201.related_information
    assert related.message == "'web' writes /var/log/app.log here (its command)"
    assert related.location.uri == uri
    assert related.location.range == t.Range(
        start=t.Position(line=24, character=32), end=t.Position(line=24, character=88)
    )


async def test_positions_in_utf16(utf16_client: LanguageClient, workspace: Path) -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
        '  labels: {note: "📦📦", note: "x"}\n'
        "spec:\n  containers:\n    - name: c\n      image: busybox\n"
    )
    (workspace / "pod.yaml").write_text(text, encoding="utf-8")
    [expected] = check_json(workspace, ["pod.yaml"])["pod.yaml"]
    assert expected[0] == "SCL002"
    uri = open_document(utf16_client, workspace / "pod.yaml", text)
    [diagnostic] = await published(utf16_client, uri, 1)
    # Two characters outside the Basic Multilingual Plane come first: two units each.
    assert (diagnostic.range.start.line, diagnostic.range.start.character) == (4, expected[4] + 1)
    assert (diagnostic.range.end.line, diagnostic.range.end.character) == (4, expected[6] + 1)


# configuration


async def test_a_config_file_change_is_picked_up(client: LanguageClient, workspace: Path) -> None:
    registrations = client.registrations  # type: ignore[attr-defined]
    for _ in range(500):
        if registrations:
            break
        await asyncio.sleep(0.01)
    assert [r.method for r in registrations] == [t.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    watchers = registrations[0].register_options["watchers"]
    assert [w["globPattern"] for w in watchers] == [
        "**/.sidecarlint.yaml",
        "**/.sidecarlint.yml",
        "**/pyproject.toml",
        "**/kustomization.yaml",
        "**/kustomization.yml",
        "**/Kustomization",
    ]
    uri = open_document(client, workspace / "deploy.yaml", DEPLOYMENT)
    assert await published(client, uri, 1) == []
    config = workspace / ".sidecarlint.yaml"
    config.write_text('kubernetes-version: "1.28"\n', encoding="utf-8")
    n = len(client.published)  # type: ignore[attr-defined]
    client.workspace_did_change_watched_files(
        t.DidChangeWatchedFilesParams(
            changes=[t.FileEvent(uri=config.as_uri(), type=t.FileChangeType.Created)]
        )
    )
    got = findings(await published(client, uri, 1, after=n))
    assert [(f[0], f[3], f[4]) for f in got] == [("SCL101", 30, 11)]
    assert f"{workspace}: Kubernetes 1.28 (config {config})" in [
        m.message for m in client.log_messages
    ]
    # Without a notification, the next check sees the file as it is now.
    config.write_text(
        'kubernetes-version: "1.29"\nfeature-gates: "SidecarContainers=true"\n', encoding="utf-8"
    )
    n = len(client.published)  # type: ignore[attr-defined]
    change_document(client, uri, 2, DEPLOYMENT + "\n")
    assert await published(client, uri, 2, after=n) == []
    assert (
        f"{workspace}: Kubernetes 1.29, feature gates SidecarContainers=true (config {config})"
        in [m.message for m in client.log_messages]
    )


async def test_editor_settings_act_like_options(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "deploy.yaml", DEPLOYMENT)
    assert await published(client, uri, 1) == []
    # Pushed with the notification.
    n = len(client.published)  # type: ignore[attr-defined]
    client.workspace_did_change_configuration(
        t.DidChangeConfigurationParams(settings={"sidecarlint": {"kubernetes-version": "1.28"}})
    )
    got = findings(await published(client, uri, 1, after=n))
    assert [f[0] for f in got] == ["SCL101"]
    # Pulled by the server when the notification carries none.
    client.set_configuration(
        {"sidecarlint": {"kubernetes-version": "1.28", "ignore": ["SCL101"]}},
        scope_uri=workspace.as_uri(),
    )
    n = len(client.published)  # type: ignore[attr-defined]
    client.workspace_did_change_configuration(t.DidChangeConfigurationParams(settings=None))
    assert await published(client, uri, 1, after=n) == []


async def test_an_invalid_config_is_shown_and_nothing_is_reported(
    client: LanguageClient, workspace: Path
) -> None:
    config = workspace / ".sidecarlint.yaml"
    config.write_text('kubernetes-versoin: "1.28"\n', encoding="utf-8")
    uri = open_document(client, workspace / "job.yaml", JOB_HELPER)
    assert await published(client, uri, 1) == []
    [message] = [m for m in client.messages if m.type == t.MessageType.Error]
    assert message.message.startswith(
        f"sidecarlint: {config}:1:1: unknown config key 'kubernetes-versoin' "
        "(did you mean 'kubernetes-version'?)"
    )
    config.write_text('kubernetes-version: "1.28"\n', encoding="utf-8")
    n = len(client.published)  # type: ignore[attr-defined]
    client.workspace_did_change_watched_files(
        t.DidChangeWatchedFilesParams(
            changes=[t.FileEvent(uri=config.as_uri(), type=t.FileChangeType.Changed)]
        )
    )
    assert [f[0] for f in findings(await published(client, uri, 1, after=n))] == ["SCL102"]


# robustness


async def test_a_crashing_rule_gives_scl999_and_the_server_lives_on(
    crashing_client: LanguageClient, workspace: Path
) -> None:
    text = DEPLOYMENT.replace("name: logshipper", "name: crash-me")
    uri = open_document(crashing_client, workspace / "deploy.yaml", text)
    got = findings(await published(crashing_client, uri, 1))
    assert [f[:2] + f[3:5] for f in got] == [("SCL999", "error", 5, 1)]
    assert got[0][2] == (
        "rule TEST001 (crash-for-tests) crashed on Deployment/myapp: RuntimeError: injected crash"
    )
    n = len(crashing_client.published)  # type: ignore[attr-defined]
    change_document(crashing_client, uri, 2, DEPLOYMENT)
    assert await published(crashing_client, uri, 2, after=n) == []
    line = DEPLOYMENT.splitlines().index("        - name: logshipper")
    found = await hover(crashing_client, uri, line, 18)
    assert found is not None
