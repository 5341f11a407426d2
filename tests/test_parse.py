"""Parsing: documents, positions, Kubernetes scalar resolution, duplicate keys, templates."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sidecarlint.finding import Span
from sidecarlint.parse import _separator_starts, parse_text, resolve_plain, split_documents
from sidecarlint.scalars import Refused
from tests.conftest import CORPUS as SHARED_CORPUS


def docs(text: str) -> list[object]:
    return [d.data for d in parse_text(text, "f").documents]


def pos(text: str, path: tuple[str | int, ...], key: bool = False, doc: int = 0) -> Span:
    return parse_text(text, "f").documents[doc].span(path, key=key)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # go-yaml v2 booleans, including the ones YAML 1.2 and PyYAML disagree on
        *[(t, True) for t in ["y", "Y", "yes", "Yes", "YES", "true", "True", "on", "On", "ON"]],
        *[(t, False) for t in ["n", "N", "no", "No", "NO", "false", "off", "OFF"]],
        *[(t, None) for t in ["", "~", "null", "Null", "NULL"]],
        ("0777", 511),
        ("0o777", 511),
        ("0x1F", 31),
        ("0b101", 5),
        ("-42", -42),
        ("1_000", 1000),
        ("08", 8),  # not octal: ParseInt fails, the float 8.0 goes through JSON as 8
        ("1e3", 1000),  # a float64 that JSON writes as 1000, read back as an integer
        ("1.0", 1),
        ("1.10", 1.1),
        ("1e400", "1e400"),  # go-yaml cannot parse it as a float64: a string
        ("1e-400", 0),
        ("12345678901234567890", 12345678901234567000),  # uint64, then float64 via JSON
        ("9223372036854775807", 9223372036854775807),
        ("1:20", "1:20"),  # no sexagesimal
        ("2001-12-14", "2001-12-14"),  # no timestamps
        ("2018-12-02T09:15:16Z", "2018-12-02T09:15:16Z"),
        ("yes please", "yes please"),
        ("0.0.0.0", "0.0.0.0"),
    ],
)
def test_resolve_plain(text: str, value: object) -> None:
    assert resolve_plain(text) == value
    assert type(resolve_plain(text)) is type(value)


@pytest.mark.parametrize("text", [".nan", ".inf", "+.Inf", "-.INF"])
def test_json_has_no_nan_or_infinity(text: str) -> None:
    with pytest.raises(Refused, match="unsupported value"):
        resolve_plain(text)


def test_quoted_scalars_stay_strings_and_keys_become_strings() -> None:
    assert docs("a: \"yes\"\nb: '0777'\ny: 1\n1: x\ntrue: z\n") == [
        {"a": "yes", "b": "0777", "true": "z", "1": "x"}
    ]


def test_y_key_and_true_key_are_the_same_key() -> None:
    result = parse_text("y: 1\ntrue: 2\n", "f")
    assert result.documents[0].data == {"true": 2}
    assert [(p.code, p.span.line) for p in result.problems] == [("SCL002", 2)]


def test_one_and_true_keys_are_distinct() -> None:
    assert docs("1: a\ntrue: b\n") == [{"1": "a", "true": "b"}]


def test_block_positions_are_one_based_and_exact() -> None:
    text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: app\n      image: x\n"
    assert pos(text, ("spec", "containers", 0, "image")) == Span(6, 14, 6, 15)
    assert pos(text, ("spec", "containers", 0, "image"), key=True) == Span(6, 7, 6, 12)
    assert pos(text, ("spec", "containers", 0)) == Span(5, 7, 7, 1)
    # a missing field resolves to its nearest ancestor's key
    assert pos(text, ("spec", "containers", 0, "ports", 0)) == Span(5, 7, 7, 1)
    assert pos(text, ("spec", "nope")) == Span(3, 1, 3, 5)


def test_flow_positions() -> None:
    text = "spec: {containers: [{name: a, image: 'b c'}]}\n"
    assert pos(text, ("spec", "containers", 0, "image")) == Span(1, 38, 1, 43)
    assert pos(text, ("spec", "containers", 0, "name"), key=True) == Span(1, 22, 1, 26)


def test_multi_document_positions_and_comments_between() -> None:
    text = "# head\n---\na: 1\n---\n# between\n\n---\nb:\n  c: 2\n...\n"
    result = parse_text(text, "f")
    assert [d.data for d in result.documents] == [{"a": 1}, {"b": {"c": 2}}]
    assert [d.index for d in result.documents] == [0, 1]
    assert result.documents[1].span(("b", "c")) == Span(9, 6, 9, 7)


def test_json_stream() -> None:
    text = '{\n  "kind": "Pod",\n  "spec": {"containers": [{"name": "a"}]}\n}\n'
    assert pos(text, ("spec", "containers", 0, "name")) == Span(3, 36, 3, 39)


def test_crlf_and_bom() -> None:
    text = "\ufeffa: 1\r\nb:\r\n  - x\r\n---\r\nc: yes\r\n"
    result = parse_text(text, "f")
    assert [d.data for d in result.documents] == [{"a": 1, "b": ["x"]}, {"c": True}]
    assert result.documents[0].span(("b", 0)) == Span(3, 5, 3, 6)
    assert result.documents[1].span(("c",)) == Span(5, 4, 5, 7)


def test_split_like_kubectl() -> None:
    text = "a: 1\n--- # comment\nb: 2\n---x\nc: 3\n"
    assert [line for line, _ in split_documents(text)] == [0, 1, 3]


def test_syntax_error_keeps_other_documents() -> None:
    text = "a: [1, 2\n---\nb: 2\n---\nc: {\n---\nd: 4\n"
    result = parse_text(text, "f")
    assert [d.data for d in result.documents] == [{"b": 2}, {"d": 4}]
    assert [(p.code, p.span.line, p.span.column) for p in result.problems] == [
        ("SCL001", 1, 8),
        ("SCL001", 5, 4),
    ]
    assert [d.index for d in result.documents] == [1, 3]


def test_duplicate_key_points_at_second_and_keeps_last() -> None:
    text = "spec:\n  containers: [a]\n  containers: [b]\n"
    result = parse_text(text, "f")
    assert result.documents[0].data == {"spec": {"containers": ["b"]}}
    (problem,) = result.problems
    assert (problem.code, problem.span) == ("SCL002", Span(3, 3, 3, 13))
    assert "first at line 2" in problem.message and "keeps this last value" in problem.message


def test_merge_keys_and_aliases() -> None:
    text = "base: &b {x: 1, z: 2}\nobj:\n  <<: *b\n  z: 3\n"
    assert docs(text) == [{"base": {"x": 1, "z": 2}, "obj": {"x": 1, "z": 3}}]


def test_an_alias_to_a_merge_key_is_a_plain_key() -> None:
    # go-yaml's isMerge sees an alias node, not '<<': the key is the text '<<'.
    text = "l: [&a <<, &c 1]\nm: {x: *c, *a: 2}\no: {&k <<: {q: 1}, *k: 3}\n"
    assert docs(text) == [{"l": ["<<", 1], "m": {"x": 1, "<<": 2}, "o": {"q": 1, "<<": 3}}]
    # Merged as itself, the anchored '<<' is still a merge.
    assert docs("a: &m {w: 1}\nb: {&k <<: *m, z: 2}\n") == [{"a": {"w": 1}, "b": {"w": 1, "z": 2}}]


def test_unsafe_tags_construct_nothing() -> None:
    assert docs("!!python/object/apply:os.system [echo, hi]\n") == [["echo", "hi"]]
    assert docs("a: !!python/name:os.getcwd ''\n") == [{"a": ""}]
    assert docs("a: !custom yes\n") == [{"a": "yes"}]


def test_standard_tags_decode_like_go_yaml() -> None:
    # go-yaml v2: !!str keeps the text; !!int and friends resolve it even when quoted.
    text = 'a: !!str 123\nb: !!str yes\nc: !!int "7"\nd: !!bool "on"\ne: !!binary aGk=\n'
    assert docs(text) == [{"a": "123", "b": "yes", "c": 7, "d": True, "e": "hi"}]
    assert docs("- !!str 0777\n- !!null ''\n") == [["0777", None]]


def test_helm_template_is_one_finding() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n"
        "{{- if .Values.x }}\ndata: {}\n{{- end }}\n"
    )
    result = parse_text(text, "f")
    assert result.documents == []
    (problem,) = result.problems
    assert problem.code == "SCL001" and problem.template
    assert "helm template" in problem.message


def test_braces_inside_strings_are_not_templates() -> None:
    text = 'a: "{{ .Values.x }}"\nb: |\n  {{ range }}\n  {{ end }}\n'
    assert docs(text) == [{"a": "{{ .Values.x }}", "b": "{{ range }}\n{{ end }}\n"}]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["---", "--", "-", "\n", "\r", " ", "\t", "a", "#"]), max_size=30))
def test_separators_are_kubectl_document_separators(parts: list[str]) -> None:
    # kubectl's YAMLReader: every line (split at '\n') that starts with '---'.
    text = "".join(parts)
    expected = [m.start() for m in re.finditer(r"^---", text, re.MULTILINE)]
    assert _separator_starts(text) == expected


def test_threads_parse_at_the_same_time() -> None:
    from concurrent.futures import ThreadPoolExecutor

    text = "".join(f"---\na: {i}\nb: [yes, '0{i}', 0{i}]\n" for i in range(300))
    expected = docs(text)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: docs(text), range(8)))
    assert all(result == expected for result in results)
    assert expected[7] == {"a": 7, "b": [True, "07", 7]}


def test_pure_python_parser_gives_the_same_values_and_positions() -> None:
    # Without libyaml the pure-Python composer is used; results must not change.
    import json
    import subprocess
    import sys

    text = (
        'a: !!str 123\nb: 010\nc: "x"\nd: yes\ne: !foo 1\nf: [1, {g: null}]\nh: &x {i: 2}\nj: *x\n'
    )
    code = (
        "import json, sys\n"
        "if sys.argv[1] == 'python':\n"
        "    sys.modules['yaml._yaml'] = None\n"
        "from sidecarlint.parse import parse_text\n"
        f"r = parse_text({text!r}, 'x')\n"
        "d = r.documents[0]\n"
        "print(json.dumps([d.data, [p.message for p in r.problems], "
        "repr(d.span(('f', 1, 'g'))), repr(d.span(('j',), key=True))]))\n"
    )
    out = {}
    for mode in ("c", "python"):
        done = subprocess.run(
            [sys.executable, "-c", code, mode], capture_output=True, text=True, check=True
        )
        out[mode] = json.loads(done.stdout)
    assert out["python"] == out["c"]
    assert out["c"][0]["a"] == "123" and out["c"][0]["b"] == 8 and out["c"][0]["j"] == {"i": 2}


FLOW_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers: [{name: app, image: nginx:1.27}, {name: app, image: "istio/proxyv2:1.24.0"}]
"""

FLOW_JOB = """\
apiVersion: batch/v1
kind: Job
metadata: {name: report}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: report, image: busybox:1.36, command: [sh, -c, echo done]}, \
{name: log-shipper, image: fluent/fluent-bit:3.1.0, args: [-i, tail, -o, stdout]}]
"""


def test_flow_style_pod_is_checked_like_block_style() -> None:
    from tests.conftest import lint, positions

    assert docs(FLOW_POD)[0]["spec"]["containers"][0] == {"name": "app", "image": "nginx:1.27"}
    found = lint(FLOW_POD)
    assert positions(found) == [("SCL013", 5, 55), ("SCL103", 5, 55)]
    assert 'Duplicate value: "app"' in found[0].message
    job = lint(FLOW_JOB)
    assert positions(job) == [("SCL102", 8, 94)]
    assert job[0].container == "log-shipper" and "never completes" in job[0].message


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: [agent:1, 001:db8::]\n", {"a": ["agent:1", "001:db8::"]}),
        ("a: {k:v, x: y::}\n", {"a": {"k:v": None, "x": "y::"}}),
        ("a: [a:]\n", {"a": ["a:"]}),
        ("a: &x 1\nb: &x 2\nc: *x\n", {"a": 1, "b": 2, "c": 2}),  # an anchor redefined
        ('a: "\\\'"\n', {"a": "'"}),  # go-yaml's escape, not libyaml's
        ("a: 1\n<<: {a: 2}\n", {"a": 2}),  # go-yaml v2: the merge overrides an earlier key
        ("<<: {a: 2}\na: 1\n", {"a": 1}),
        ("- &m {a: 1}\n- <<: [*m, {a: 2, b: 3}]\n", [{"a": 1}, {"a": 1, "b": 3}]),
    ],
)
def test_read_like_go_yaml_where_libyaml_differs(text: str, value: object) -> None:
    result = parse_text(text, "f")
    assert [p.message for p in result.problems] == []
    assert result.documents[0].data == value


@pytest.mark.parametrize(
    ("text", "line", "column", "fact"),
    [
        ("a: .inf\n", 1, 4, "json: unsupported value: +Inf"),
        ("a: !!int 1.5\n", 1, 4, "cannot decode !!float `1.5` as a !!int"),
        ("~: x\n", 1, 1, "unsupported map key"),
        ("18446744073709551615: x\n", 1, 1, "unsupported map key of type: uint64"),
        ("a: !!binary aGVsbG8\n", 1, 4, "invalid base64"),
        ('a: "\\/"\n', 1, 6, "found unknown escape character"),
        ("- &s [1]\n- <<: *s\n", 2, 3, "an alias to a list cannot be merged"),
        ("a: &s 1\nb: {<<: [*s]}\n", 2, 5, "map merge requires map or sequence of maps"),
        ("b: {<<: [1]}\n", 1, 10, "map merge requires map or sequence of maps"),
        ("a: 1\n--- b: 2\n", 2, 5, "invalid Yaml document separator: b: 2"),
        ("a: [!a, *x]\n", 1, 9, "expected ',' or ']'"),  # the tag is '!a,'
        ("%YAML 1.1\n---\na: 1\n", 1, 1, "remove the directive"),
        ("a: b: c\n", 1, 5, "must be quoted"),
        ("a: @x\n", 1, 4, "cannot start with '@' unless it is quoted"),
        ("a: [1, 2\n", 1, 8, "close the bracket"),
    ],
)
def test_refused_like_kubectl_with_a_helpful_message(
    text: str, line: int, column: int, fact: str
) -> None:
    result = parse_text(text, "f")
    problem = next(p for p in result.problems if p.code == "SCL001")
    assert (problem.span.line, problem.span.column) == (line, column)
    assert fact in problem.message
    if "separator" not in fact:
        assert problem.message.endswith("this document is not checked")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: .inf\na: 1\n", {"a": 1}),
        ("a: {b: .nan}\na: 2\n", {"a": 2}),
        ("a: [.inf]\na: 3\n", {"a": 3}),
        ("a: {~: 1}\na: 2\n", {"a": 2}),
        ("a: {18446744073709551615: 1}\na: 2\n", {"a": 2}),
        ("c:\n  <<: {k: .inf}\n  k: 1\n", {"c": {"k": 1}}),
        ("c:\n  <<: [{k: 1}, {k: .inf}]\n", {"c": {"k": 1}}),
        ("a:\n  <<: {~: 1}\na: 2\n", {"a": 2}),
    ],
)
def test_a_value_json_cannot_carry_is_not_refused_once_replaced(text: str, value: object) -> None:
    """go-yaml sets each key in turn and kubectl encodes what is left as JSON."""
    result = parse_text(text, "f")
    assert [p.code for p in result.problems] in ([], ["SCL002"])
    assert result.documents[0].data == value


@pytest.mark.parametrize(
    ("text", "line", "column", "fact"),
    [
        ("a: 1\na: .inf\n", 2, 4, "+Inf"),  # the last value is the one kept
        ("c:\n  k: 1\n  <<: {k: .nan}\n", 3, 11, "NaN"),  # the merge overrides k
        ("c:\n  <<: [{k: -.inf}, {k: 1}]\n", 2, 12, "-Inf"),  # the first mapping wins
        ("a: {~: 1}\nb: 2\n", 1, 5, "unsupported map key"),
        ("a: !!int x\na: 2\n", 1, 4, "cannot decode"),  # refused while reading YAML
    ],
)
def test_a_value_json_cannot_carry_is_refused_where_it_remains(
    text: str, line: int, column: int, fact: str
) -> None:
    result = parse_text(text, "f")
    assert result.documents == []
    problem = next(p for p in result.problems if p.code == "SCL001")
    assert (problem.span.line, problem.span.column) == (line, column)
    assert fact in problem.message


@pytest.mark.skipif(not (SHARED_CORPUS / "istio__istio").is_dir(), reason="../shared is absent")
def test_corpus_flow_list_with_colons_is_read() -> None:
    path = (
        SHARED_CORPUS
        / "istio__istio"
        / ("pkg__config__validation__testdata__crds__serviceentry-valid.yaml")
    )
    result = parse_text(path.read_text(encoding="utf-8"), str(path))
    assert result.problems == []
    assert result.documents[0].data["spec"]["addresses"] == ["1.2.3.4", "001:db8::"]
    assert result.documents[0].span(("spec", "addresses", 1)) == Span(11, 24, 11, 33)


FALLBACK_SAMPLES = [
    "a: b\n  c\n\n  d\n",
    "k: v # c\nz: 1 2\n",
    "a: |\n  x\n   y\n\nb: >-\n  p\n  q\n",
    "a: x\r\n  y\r\n",
    "- a\n- b: c\n  d: [e, {f: g}]\n",
    "a: 'it''s'\nb: \"t\\tx\"\n",
    "? a\n: b\n",
    "a:\tb\nc: d\t# e\n",
    "a: |+\n  x\n\n",
]


@pytest.mark.parametrize("text", FALLBACK_SAMPLES)
def test_go_yaml_fallback_composes_like_libyaml(text: str) -> None:
    # The pure-Python parser takes over where libyaml and go-yaml differ; everywhere else
    # it must build the same nodes, at the same places.
    from sidecarlint.parse import _c_loader, _first_node, _go_loader

    def shape(node: object) -> object:
        if node is None:
            return None
        kind = node.id  # type: ignore[attr-defined]
        marks = (node.start_mark.line, node.start_mark.column)  # type: ignore[attr-defined]
        if kind == "scalar":
            return (node.value, node.style or None, marks)  # type: ignore[attr-defined]
        if kind == "sequence":
            return ([shape(i) for i in node.value], marks)  # type: ignore[attr-defined]
        return ([(shape(k), shape(v)) for k, v in node.value], marks)  # type: ignore[attr-defined]

    assert shape(_first_node(_go_loader(), text)) == shape(_first_node(_c_loader(), text))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be"])
def test_the_byte_order_mark_is_skipped_once(encoding: str) -> None:
    # kubectl drops the mark that names the encoding; a second one is text, so a JSON
    # stream behind it is read as YAML (one document: its first).
    import codecs

    from sidecarlint.sources import decode

    bom = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE}.get(
        encoding, codecs.BOM_UTF16_BE
    )
    one = '{"apiVersion": "v1", "kind": "Thing", "n": 1.0}'
    plain = decode(bom + f"{one}\n{one}".encode(encoding))
    assert isinstance(plain, str)
    assert [d.data["n"] for d in parse_text(plain, "f").documents] == [1, 1]
    doubled = decode(bom + f"\ufeff{one}\n{one}".encode(encoding))
    assert isinstance(doubled, str)
    assert [d.data["n"] for d in parse_text(doubled, "f").documents] == [1]


# --- a stream read piece by piece, and its limits ---------------------------------------------


def _items(pieces: list[str]) -> list[tuple[object, ...]]:
    from sidecarlint.parse import Document, iter_stream

    out: list[tuple[object, ...]] = []
    for item in iter_stream(pieces, "f"):
        if isinstance(item, Document):
            out.append(("doc", item.index, item.line1, item.column0, item.data))
        else:
            out.append(("problem", item.document, item.code, item.span, item.message))
    return out


_PARTS = ["---", "--- #c", "--- x  ", "a: 1", "- b", "\n", "\r\n", " ", "#", "...", "k: [1, 2]"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PARTS), max_size=30), st.lists(st.integers(0, 200), max_size=6))
def test_pieces_cut_anywhere_read_as_the_whole_text(parts: list[str], cuts: list[int]) -> None:
    # A line longer than a piece comes in several pieces: cut anywhere in a line but its
    # first three characters (a long line is cut after a piece's worth of it) and inside a
    # CRLF, the stream gives the same documents and problems at the same places.
    text = "".join(parts)
    points = sorted(
        c
        for c in set(cuts)
        if 0 < c < len(text)
        and text[c - 1 : c + 1] != "\r\n"
        and c - (text.rfind("\n", 0, c) + 1) >= 3
    )
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    assert _items(pieces) == _items([text])


def test_a_separator_line_longer_than_a_piece() -> None:
    # Its comment is no document, its content is reported whole, and what follows it is read.
    piece = 1 << 20
    comment = ["a: 1\n", "--- #" + "c" * piece, "c" * 100 + "\nb: 2\n"]
    assert [i[:5] for i in _items(comment) if i[0] == "doc"] == [
        ("doc", 0, 1, 0, {"a": 1}),
        ("doc", 1, 3, 0, {"b": 2}),
    ]
    content = ["--- x" + "y" * piece, "y" * 100 + "  \nb: 2\n"]
    problem, doc = _items(content)
    assert problem[:4] == ("problem", 0, "SCL001", Span(1, 5, 1, 5 + 1 + piece + 100))
    message = str(problem[4])
    assert message.startswith(
        "kubectl stops reading the stream here ('invalid Yaml document separator: x"
        + "y" * 199
        + "…'): only a comment may follow '---' on its line"
    )
    assert len(message) < 400
    assert doc == ("doc", 1, 2, 0, {"b": 2})


def test_a_document_over_the_size_limit_is_reported_at_its_first_node() -> None:
    from sidecarlint.parse import MAX_DOCUMENT_SIZE

    head = "---\n# a comment\n\n  key: "
    value = "x" * (MAX_DOCUMENT_SIZE - len(head) - 1)
    at_limit = head + value + "\n"
    assert len(at_limit) == MAX_DOCUMENT_SIZE
    assert _items([at_limit, "---\nz: 1\n"]) == [
        ("doc", 0, 1, 0, {"key": value}),
        ("doc", 1, 6, 0, {"z": 1}),
    ]
    over = head + value + "x\n"
    pieces = [over[i : i + (1 << 20)] for i in range(0, len(over), 1 << 20)]
    problem, doc = _items([*pieces, "---\nz: 1\n"])
    end = 3 + len("key: ") + len(value) + 1
    assert problem == (
        "problem",
        0,
        "SCL001",
        Span(4, 3, 4, end),
        f"document has {MAX_DOCUMENT_SIZE + 1:,} bytes, more than the "
        f"{MAX_DOCUMENT_SIZE:,} (8 MiB) read for one document; the API server takes a request "
        "body of at most 3 MiB (split a List into one document per item); this document is "
        "not checked",
    )
    assert doc == ("doc", 1, 6, 0, {"z": 1})


@pytest.mark.parametrize("character", ["é", "\U0001f600"])
def test_the_size_limit_counts_bytes_of_utf8(character: str) -> None:
    # A copy of the text takes at most as many bytes in memory as in UTF-8.
    from sidecarlint.parse import MAX_DOCUMENT_SIZE

    width = len(character.encode())
    count = (MAX_DOCUMENT_SIZE - len("a: \n")) // width
    at_limit = "a: " + character * count + "\n"
    assert _items([at_limit])[0][:3] == ("doc", 0, 1)
    over = "a: " + character * (count + 1) + "\n"
    (problem,) = _items([over])
    size = len(over.encode())
    assert size > MAX_DOCUMENT_SIZE >= size - width
    assert problem[:4] == ("problem", 0, "SCL001", Span(1, 1, 1, len(over)))
    assert str(problem[4]).startswith(f"document has {size:,} bytes, more than the ")


def test_a_json_stream_over_the_size_limit_is_reported_at_its_start() -> None:
    from sidecarlint.parse import MAX_DOCUMENT_SIZE

    text = '\n  {"a": "' + "x" * MAX_DOCUMENT_SIZE + '"}\n'
    (problem,) = _items([text])
    assert problem[:4] == ("problem", None, "SCL001", Span(2, 3, 2, 4))
    assert str(problem[4]).startswith(
        f"JSON stream has more than {MAX_DOCUMENT_SIZE:,} bytes (8 MiB)"
    )


@pytest.mark.parametrize("json", [False, True])
def test_a_document_over_the_node_limit_is_reported_and_the_next_is_read(json: bool) -> None:
    from sidecarlint.parse import MAX_DOCUMENT_NODES

    def stream(nodes: int) -> str:
        # A mapping with a list: the mapping, its key, the list and its numbers.
        numbers = ",".join("0" for _ in range(nodes - 3))
        if json:
            return f'{{"k": [{numbers}]}}\n{{"z": 1}}\n'
        return f"---\nk: [{numbers}]\n---\nz: 1\n"

    second = 1 if json else 4  # (a JSON value's positions are its own)
    ok = _items([stream(MAX_DOCUMENT_NODES)])
    assert [(i[0], i[1], i[2]) for i in ok] == [("doc", 0, 1), ("doc", 1, second)]
    problem, doc = _items([stream(MAX_DOCUMENT_NODES + 1)])
    line = 1 if json else 2
    length = len(stream(MAX_DOCUMENT_NODES + 1).splitlines()[line - 1])
    assert problem == (
        "problem",
        0,
        "SCL001",
        Span(line, 1, line, length + 1),
        f"document has more than {MAX_DOCUMENT_NODES:,} nodes (values, lists and mappings), "
        "the most read for one document (split a List into one document per item); this "
        "document is not checked",
    )
    assert doc == ("doc", 1, second, 0, {"z": 1})


def test_plain_values_are_remembered_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    from sidecarlint import scalars

    monkeypatch.setattr(scalars, "_PLAIN", {})
    monkeypatch.setattr(scalars, "_PLAIN_MAX", 2)
    assert [resolve_plain(t) for t in ("8080", "0x1F", "8080", "true", "1e3")] == [
        8080,
        31,
        8080,
        True,
        1000,
    ]
    assert scalars._PLAIN == {"8080": 8080, "0x1F": 31}  # full: later values not kept
    long = "1" * (scalars._PLAIN_LENGTH + 1)
    monkeypatch.setattr(scalars, "_PLAIN", {})
    assert resolve_plain(long) == float(long)  # beyond int64: a float64, as in Go
    assert long not in scalars._PLAIN
    with pytest.raises(Refused):
        resolve_plain(".inf")  # refusals are not remembered: they raise each time
    with pytest.raises(Refused):
        resolve_plain(".inf")
