"""The language server's parts that do not speak the protocol: positions, edits,
suppression comments, folder configuration, code actions; and how ``sidecarlint server``
starts (or says what is missing)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from sidecarlint.parse import Document, iter_documents
from sidecarlint.pipeline import Linter
from sidecarlint.server.analysis import Checked, disable_line, looks_like_manifest
from sidecarlint.server.folders import FolderConfig, Folders, editor_values
from sidecarlint.server.text import UTF8, UTF16, UTF32, TextIndex, line_edits
from tests.conftest import REPO, settings

JOB_HELPER = (REPO / "examples" / "broken" / "job-helper-in-containers.yaml").read_text()


# positions


def test_positions_in_every_encoding() -> None:
    text = "a: é😀x\r\nb: 1\u2028c: 2\n"
    expected = {
        UTF8: [(0, 5), (1, 0), (1, 7)],
        UTF16: [(0, 4), (1, 0), (1, 5)],
        UTF32: [(0, 4), (1, 0), (1, 5)],
    }
    for encoding, positions in expected.items():
        index = TextIndex(text, encoding)
        # (1, 5) is the emoji; YAML starts a line after U+2028, the protocol does not.
        offsets = [index.offset(1, 5), index.offset(2, 1), index.offset(3, 1)]
        assert offsets == [4, 8, 13]
        assert [index.position(o) for o in offsets] == positions
        assert [index.offset_at(p) for p in positions] == offsets
        assert index.offset_at((0, 99)) == 6  # clamped to the line, before its break
        assert index.offset_at((9, 0)) == len(text)


def test_a_byte_order_mark_shifts_the_first_line_only() -> None:
    index = TextIndex("\ufeffa: 1\nb: 2\n")
    assert index.offset(1, 1) == 1
    assert index.offset(2, 1) == 6


@given(
    st.lists(st.sampled_from(["a: 1", "b: 2", "  - c", "", "# x"]), max_size=8),
    st.lists(st.sampled_from(["a: 1", "b: 3", "  - c", "", "# y"]), max_size=8),
    st.sampled_from(["\n", "\r\n"]),
)
def test_line_edits_turn_one_text_into_the_other(
    old_lines: list[str], new_lines: list[str], newline: str
) -> None:
    old = "".join(line + newline for line in old_lines)
    new = "".join(line + newline for line in new_lines)
    edits = line_edits(old, new)
    text = old
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    assert text == new
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(edits))


# suppression comments


def parse(text: str) -> list[object]:
    return [d.data if isinstance(d, Document) else d.code for d in iter_documents(text, "t")]


def test_disable_line_puts_a_comment_above_indented_like_the_line() -> None:
    got = disable_line(JOB_HELPER, 19, "SCL102", parse)
    assert got == JOB_HELPER.replace(
        "        - name: log-shipper\n",
        "        # sidecarlint: disable=SCL102\n        - name: log-shipper\n",
    )


def test_disable_line_joins_a_directive_on_the_line_or_alone_above_it() -> None:
    text = "a: 1  # sidecarlint: disable=SCL202 -- why\nb: 2\n"
    assert disable_line(text, 1, "SCL103", parse) == text.replace("SCL202", "SCL202,SCL103")
    above = "# sidecarlint: disable=SCL202\na: 1\n"
    assert disable_line(above, 2, "SCL103", parse) == above.replace("SCL202", "SCL202,SCL103")


def test_disable_line_never_changes_what_a_document_says() -> None:
    # Inside a block scalar or a quoted one, a comment would be part of the text.
    text = "a: |\n  one\n  two\nb: 2\n"
    assert disable_line(text, 3, "SCL103", parse) is None
    quoted = 'a: "one\n  two\n  three"\n'
    assert disable_line(quoted, 2, "SCL103", parse) is None
    assert disable_line(text, 9, "SCL103", parse) is None
    # A comment line would end a plain scalar spread over lines: the line's end holds it.
    plain = "a: one\n  two\nb: 2\n"
    assert disable_line(plain, 2, "SCL103", parse) == (
        "a: one\n  two  # sidecarlint: disable=SCL103\nb: 2\n"
    )
    # Between the items of a flow sequence a comment line is fine.
    flow = 'args: ["one",\n  "two"]\n'
    assert disable_line(flow, 2, "SCL103", parse) == (
        'args: ["one",\n  # sidecarlint: disable=SCL103\n  "two"]\n'
    )


# folders and their configuration


def test_editor_settings_are_checked_like_a_config_file() -> None:
    assert editor_values({"kubernetes-version": "1.30", "select": ["SCL1"]}) == {
        "kubernetes_version": "1.30",
        "select": ["SCL1"],
    }
    for settings_, message in (
        ({"kubernetes-versoin": "1.30"}, "unknown key 'sidecarlint.kubernetes-versoin' (did you"),
        ({"select": [1]}, "'sidecarlint.select' must be a list, got list"),
        ({"config": 3}, "'sidecarlint.config' must be a string, got int"),
    ):
        try:
            editor_values(settings_)
        except Exception as exc:
            assert message in str(exc)
        else:
            raise AssertionError(settings_)


def test_a_folder_uses_the_nearest_config_and_notices_changes(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "k8s"
    sub.mkdir()
    config = tmp_path / ".sidecarlint.yaml"
    config.write_text('kubernetes-version: "1.30"\nexclude: ["skip/*"]\n', encoding="utf-8")
    folders = Folders()
    folders.set_roots([str(tmp_path), str(sub)])
    file = str(sub / "a.yaml")
    first = folders.config_for(file)
    assert first.root == str(sub) and first.source == str(config)
    assert first.settings is not None and first.settings.version == "1.30"
    assert folders.config_for(file) is first
    assert not folders.config_for(str(sub / "skip" / "b.yaml")).checks(str(sub / "skip" / "b.yaml"))
    assert first.checks(file)
    config.write_text('kubernetes-version: "1.31"\n', encoding="utf-8")
    os.utime(config, ns=(1, 1))
    second = folders.config_for(file)
    assert second is not first and second.settings is not None
    assert second.settings.version == "1.31"
    folders.editor[""] = {"kubernetes-version": "1.29"}
    third = folders.config_for(file)
    assert third.settings is not None and third.settings.version == "1.29"
    assert third.describe() == f"{sub}: Kubernetes 1.29 (config {config})"
    config.write_text("kubernetes-version: [\n", encoding="utf-8")
    broken = folders.config_for(file)
    assert broken.linter is None and broken.error is not None
    assert broken.error.startswith(f"{config}:")
    outside = folders.config_for(str(tmp_path.parent / "elsewhere.yaml"))
    assert outside.root == str(tmp_path.parent)


def test_files_of_a_broken_folder_are_not_checked() -> None:
    folder = FolderConfig("/nowhere", error="bad config")
    checked = Checked(JOB_HELPER, "/nowhere/j.yaml", folder)
    assert (checked.findings, checked.skipped) == ([], "bad config")


def test_what_counts_as_a_manifest() -> None:
    for text, expected in (
        (JOB_HELPER, True),
        ("apiVersion: apps/v1\nkind: Deploy", True),
        ('{"apiVersion": "v1", "kind": "Pod"', True),
        ("{apiVersion: v1, 'kind' : Pod}", True),
        ("kind: List\nitems:\n- apiVersion: v1\n", True),
        ("? apiVersion\n: v1\nkind: Pod\n", True),
        ("name: ci\non: [push\n", False),
        ("kind: Pod\n", False),
        ("description: set the apiVersion and kind: fields\n", False),
    ):
        assert looks_like_manifest(text) is expected, text


# the command


def test_the_cli_does_not_import_the_server() -> None:
    code = (
        "import sys, sidecarlint.cli, sidecarlint.commands; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol') "
        "or m.startswith('sidecarlint.server')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.stdout.strip() == "[]", proc.stderr


def test_server_without_the_extra_says_how_to_install_it() -> None:
    code = (
        "import sys; sys.modules['pygls'] = None; "
        "from sidecarlint.cli import main; sys.exit(main(['server']))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == (
        "sidecarlint: error: 'sidecarlint server' needs the language-server extra (it is not "
        "installed); install it with: pip install 'sidecarlint[server]'\n"
    )


# code actions without the protocol


def folder() -> FolderConfig:
    return FolderConfig("/w", Linter(settings()))


def test_disable_for_an_object_extends_its_ignore_annotation() -> None:
    text = JOB_HELPER.replace(
        "  name: report\n",
        '  name: report\n  annotations:\n    sidecarlint.io/ignore: "SCL202"  # kept\n',
    )
    checked = Checked(text, "/w/j.yaml", folder())
    [finding] = checked.findings
    titles = {a.title: a for a in checked.actions([finding])}
    action = titles["Disable SCL102 for Job/report"]
    # The comment stays where it was, as far as the longer value allows.
    assert action.new_text == text.replace('"SCL202"  # kept', '"SCL202,SCL102" # kept')


def test_disable_for_an_object_in_a_list_annotates_the_item() -> None:
    body = "\n".join("    " + line for line in JOB_HELPER.splitlines()[3:])
    text = "apiVersion: v1\nkind: List\nitems:\n  - " + body.lstrip() + "\n"
    checked = Checked(text, "/w/j.yaml", folder())
    [finding] = checked.findings
    assert finding.code == "SCL102"
    action = {a.title: a for a in checked.actions([finding])}["Disable SCL102 for Job/report"]
    assert action.new_text == text.replace(
        "      name: report\n",
        '      name: report\n      annotations:\n        sidecarlint.io/ignore: "SCL102"\n',
    )


def test_actions_that_cannot_be_taken_say_why() -> None:
    # ruamel.yaml refuses duplicate keys: no fix and no annotation can be written.
    text = JOB_HELPER.replace("  name: report\n", "  name: report\n  name: report\n")
    checked = Checked(text, "/w/j.yaml", folder())
    scl102 = [f for f in checked.findings if f.code == "SCL102"]
    found = {a.title: a for a in checked.actions(scl102)}
    fix = found["Fix SCL102: Move 'log-shipper' to initContainers with restartPolicy: Always"]
    assert fix.new_text is None and fix.disabled is not None
    assert fix.disabled.startswith("the round-trip parser rejects this document")
    assert found["Disable SCL102 for this line"].new_text is not None


def test_quick_fixes_are_held_to_the_checks_of_fix() -> None:
    # initContainers written as a mapping: moving the sidecar would replace it.
    text = JOB_HELPER.replace(
        "      containers:\n",
        "      initContainers:\n        name: migrate\n        image: migrate:1\n"
        "      containers:\n",
    )
    checked = Checked(text, "/w/j.yaml", folder())
    found = {a.title: a for a in checked.actions(checked.findings)}
    not_a_list = "the fix does not apply here: initContainers is not a list"
    fix = found["Fix SCL102: Move 'log-shipper' to initContainers with restartPolicy: Always"]
    assert (fix.new_text, fix.disabled) == (None, not_a_list)
    fix_all = found["Fix all sidecarlint findings that have a fix"]
    assert (fix_all.new_text, fix_all.disabled) == (None, not_a_list)
    # annotations written as a list: the ignore annotation cannot be added to it.
    text = JOB_HELPER.replace("  name: report\n", "  name: report\n  annotations: [a]\n")
    checked = Checked(text, "/w/j.yaml", folder())
    scl102 = [f for f in checked.findings if f.code == "SCL102"]
    disable = {a.title: a for a in checked.actions(scl102)}["Disable SCL102 for Job/report"]
    assert disable.new_text is None
    assert disable.disabled == "the fix does not apply here: annotations is not a mapping"
    # A mount shared through an anchor: readOnly on it would change the app's mount too.
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n"
        "  - name: tailer\n    image: busybox\n    restartPolicy: Always\n"
        '    command: [sh, -c, "tail -F /logs/app.log"]\n'
        "    volumeMounts:\n    - &logs {name: logs, mountPath: /logs}\n"
        "  containers:\n  - name: app\n    image: busybox\n"
        '    command: [sh, -c, "while true; do date >> /logs/app.log; sleep 1; done"]\n'
        "    volumeMounts:\n    - *logs\n  volumes: [{name: logs, emptyDir: {}}]\n"
    )
    checked = Checked(text, "/w/p.yaml", folder())
    [scl203] = [f for f in checked.findings if f.code == "SCL203"]
    assert (scl203.span.line, scl203.span.column) == (11, 7)
    fix = {a.title: a for a in checked.actions([scl203])}[
        "Fix SCL203: Add readOnly: true to this mount of 'tailer'"
    ]
    assert fix.new_text is None
    assert fix.disabled == (
        "the rewritten file would not be the original plus exactly this fix; left unchanged"
    )


def test_hovers_in_plain_text_for_clients_without_markdown() -> None:
    from sidecarlint.server.analysis import finding_hover, plain_text

    checked = Checked(JOB_HELPER, "/w/j.yaml", folder())
    [finding] = checked.findings
    assert plain_text(finding_hover(finding)) == (
        "SCL102 sidecar-blocks-job-completion · error\n\n"
        "A long-running helper in containers of a Job (or run-to-completion Pod)\n\n"
        "Fix (quick fix available): Move 'log-shipper' to initContainers with restartPolicy: "
        "Always\n\n"
        "SCL102 sidecar-blocks-job-completion: https://github.com/sidecarlint/sidecarlint/blob/"
        "main/rules/SCL102-sidecar-blocks-job-completion.md"
    )
    assert plain_text("a\n\n```yaml\nb: `c`\n```\n\n---\n\nd") == "a\n\nb: c\n\n\nd"


def test_a_malformed_message_is_one_log_line_not_a_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sidecarlint", "server"],
        input=b"Content-Length: 5\r\n\r\n{bad}",
        capture_output=True,
        cwd=REPO,
        timeout=60,
    )
    assert proc.returncode == 0
    assert proc.stderr.decode().splitlines() == [
        "sidecarlint server: ERROR: Unable to handle message",
        "JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 "
        "(char 1)",
    ]


def test_chart_templates_are_left_out_as_check_leaves_them_out(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("name: c\nversion: 0.1.0\n", encoding="utf-8")
    template = str(chart / "templates" / "job.yaml")
    folders = Folders()
    folders.set_roots([str(tmp_path)])
    assert not folders.config_for(template).checks(template)
    assert Checked(JOB_HELPER, template, folders.config_for(template)).findings == []
    (tmp_path / ".sidecarlint.yaml").write_text("chart-templates: check\n", encoding="utf-8")
    assert folders.config_for(template).checks(template)
    found = Checked(JOB_HELPER, template, folders.config_for(template)).findings
    assert [f.code for f in found] == ["SCL102"]
