"""Hypothesis strategies for YAML streams that cover what a Kubernetes reader meets.

Every YAML 1.1 scalar form (booleans in all spellings, octal, hex, binary, sexagesimal,
floats and exponents, underscores, timestamps, nulls) written plain, single- or
double-quoted, or as literal and folded block scalars with chomping and indentation
indicators; standard and local tags; block and flow collections, flow nested in block;
anchors, aliases and merge keys; comments; and at the stream level ``---``/``...`` markers,
directives, a byte order mark, CRLF line ends, tabs, UTF-16 and JSON. Nothing here is
required to be valid: what kubectl refuses must be refused too.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import strategies as st

BOOLS = [
    *[
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "true",
        "True",
        "TRUE",
        "false",
        "False",
        "FALSE",
    ],
    *["on", "On", "ON", "off", "Off", "OFF", "tRue", "yEs", "oN"],
]
NULLS = ["~", "null", "Null", "NULL", "nULL"]
INTS = [
    *[
        "0",
        "-0",
        "+0",
        "7",
        "-7",
        "+7",
        "0777",
        "0o17",
        "0O17",
        "0o8",
        "0x1F",
        "0X1f",
        "-0x1F",
        "+0x10",
        "0b101",
        "0B11",
        "-0b11",
    ],
    *["1_000", "1__0", "_1", "1_", "08", "09", "00", "0x", "0o", "0b", "0b2", "0b-101"],
    *["12345678901234567890", "9223372036854775807", "9223372036854775808"],
    *["-9223372036854775808", "-9223372036854775809", "18446744073709551615"],
    *["18446744073709551616", "0xFFFFFFFFFFFFFFFF", "0x8000000000000000", "0xFFFFFFFFFFFFFFFFFF"],
]
FLOATS = [
    *[
        "1.0",
        "1.5",
        "-1.5",
        "+1.5",
        ".5",
        "-.5",
        "+.5",
        "1.",
        "0.",
        "1e3",
        "1E3",
        "1.5e3",
        "1.5e+3",
        "1.5E-3",
        "1e400",
        "1e-400",
    ],
    *[
        "-1e400",
        ".5e999",
        "1_0.5",
        "1.0_0",
        "0.1",
        "3.14159265358979",
        "100000000000000000000.0",
        "1e21",
        "1e20",
    ],
    *["1e-7", "0.000001", "-0.0", "1e", "2.5e-3", "6.02e23", "1.7976931348623157e308", "5e-324"],
    *[
        ".inf",
        ".Inf",
        ".INF",
        "+.inf",
        "+.INF",
        "-.inf",
        "-.Inf",
        ".nan",
        ".NaN",
        ".NAN",
        "inf",
        "nan",
        "NaN",
        "Infinity",
        "-.nan",
    ],
]
OTHER = [
    *["1:20", "190:20:30", "-1:20", "1:20.5", "1:2:3.5", "2001-12-14", "2002-1-2", "2001-13-45"],
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10",
    "2001-12-14T21:59:43Z",
    *[
        "a:b",
        "a#b",
        "-a",
        "?a",
        "@a",
        "`a",
        "%a",
        "!a",
        "&a",
        "*a",
        "a,b",
        "[a]",
        "{a}",
        "a]",
        "'a",
        '"a',
        "|a",
        ">a",
        "<<",
        "=",
        "v1",
        "+",
        "-",
        ".",
        "...",
    ],
    "a: b",
    "a #b",
    "- a",
    "? a",
    "a\tb",
    "é",
    "😀",
    "\\",
    "0.0.0.0",
    "1.2.3",
    "001:db8::",
    "agent:1",
    "a::",
    "a:",
    "",
    " ",
    "two words",
    "trailing ",
    "multi\nline",
    "tab\there",
]
SCALARS = BOOLS + NULLS + INTS + FLOATS + OTHER

KEYS = [
    *[
        "a",
        "b",
        "key",
        "name",
        "x-y",
        "a.b",
        "1",
        "0x10",
        "1.0",
        "1e3",
        "-0",
        "true",
        "y",
        "no",
        "null",
        "~",
        ".inf",
        "2001-12-14",
    ],
    "18446744073709551615",
    "12345678901234567890123",
    "3.14159265358979",
    "1000000.0",
    "0.00001",
    "<<",
    "",
]
TAGS = [
    "!!str",
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!!binary",
    "!!timestamp",
    "!local",
    "!",
    "!<tag:yaml.org,2002:str>",
]
ESCAPES = [
    "\\n", "\\t", "\\\\", '\\"', "\\/", "\\x41", "\\u00e9", "\\U0001F600", "\\N", "\\_",
    "\\L", "\\P", "\\0", "\\a", "\\e", "\\ ", "\\q", "\\ud800",
]  # fmt: skip


def _single(text: str) -> str:
    return "'" + text.replace("'", "''").replace("\n", "\n\n") + "'"


def _double(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


@st.composite
def scalar(draw: st.DrawFn, *, flow: bool = False) -> dict[str, Any]:
    """A scalar node: its text as written and how."""
    style = draw(
        st.sampled_from(
            ["plain"] * 6
            + ["single", "double", "escapes"]
            + ([] if flow else ["literal", "folded"])
        )
    )
    if style == "escapes":
        parts = draw(st.lists(st.sampled_from([*ESCAPES, "a", " ", "é"]), min_size=1, max_size=5))
        text = '"' + "".join(parts) + '"'
    else:
        value = draw(st.sampled_from(SCALARS) | st.text(max_size=8))
        if style == "plain":
            text = value
        elif style == "single":
            text = _single(value)
        elif style == "double":
            text = _double(value)
        else:
            text = value or "x"
    node: dict[str, Any] = {"kind": "scalar", "style": style, "text": text}
    if draw(st.integers(0, 5)) == 0:
        tag = draw(st.sampled_from(TAGS))
        if tag == "!!binary" and draw(st.booleans()):
            raw = draw(st.sampled_from([b"hello", b"\xff\xfe\xfd", b"\xe2\x82", "é".encode()]))
            node["text"] = base64.b64encode(raw).decode()
            node["style"] = "plain"
        node["tag"] = tag
    return node


def _collections(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    keys = st.sampled_from(KEYS).map(lambda k: {"kind": "scalar", "style": "plain", "text": k})
    quoted_keys = st.sampled_from(KEYS).map(
        lambda k: {"kind": "scalar", "style": "double", "text": _double(k)}
    )
    mapping = st.builds(
        lambda items, flow: {"kind": "map", "items": items, "flow": flow},
        st.lists(st.tuples(keys | quoted_keys, children), max_size=4),
        st.booleans(),
    )
    sequence = st.builds(
        lambda items, flow: {"kind": "seq", "items": items, "flow": flow},
        st.lists(children, max_size=4),
        st.booleans(),
    )
    return mapping | sequence


NODES: st.SearchStrategy[dict[str, Any]] = st.recursive(scalar(), _collections, max_leaves=12)


class _Renderer:
    """Writes a node as YAML text; anchors are given to some collections and scalars,
    and later nodes may be aliases or merges of them."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.anchors: list[str] = []
        self.map_anchors: list[str] = []

    def props(self, node: dict[str, Any]) -> str:
        out = []
        if node.get("tag"):
            out.append(node["tag"])
        if self.draw(st.integers(0, 6)) == 0:
            name = self.draw(st.sampled_from(["a", "b", "c"]))
            out.append("&" + name)
            self.anchors.append(name)
            if node["kind"] == "map":
                self.map_anchors.append(name)
        return " ".join(out) + (" " if out else "")

    def alias(self) -> str | None:
        if self.anchors and self.draw(st.integers(0, 5)) == 0:
            return "*" + self.draw(st.sampled_from(self.anchors))
        return None

    def flow(self, node: dict[str, Any]) -> str:
        alias = self.alias()
        if alias:
            return alias
        props = self.props(node)
        if node["kind"] == "scalar":
            return props + (
                node["text"]
                if node["style"] not in ("literal", "folded")
                else _double(node["text"])
            )
        if node["kind"] == "seq":
            return props + "[" + ", ".join(self.flow(i) for i in node["items"]) + "]"
        return (
            props
            + "{"
            + ", ".join(f"{self.flow(k)}: {self.flow(v)}" for k, v in node["items"])
            + "}"
        )

    def block(self, node: dict[str, Any], indent: int) -> str:
        """Text to put after ``key:`` or ``-`` (starting with a space or a line break)."""
        if node["kind"] == "scalar" and node["style"] in ("literal", "folded"):
            head = "|" if node["style"] == "literal" else ">"
            head += self.draw(st.sampled_from(["", "-", "+", "2", "2-", "+1"]))
            explicit = head[1:].strip("-+")
            pad = " " * (indent + (int(explicit) if explicit else 2))
            lines = node["text"].split("\n")
            extra = self.draw(st.sampled_from(["", "\n", "\n\n"]))
            body = "".join(pad + line + "\n" if line else "\n" for line in lines) + extra
            return " " + self.props(node) + head + "\n" + body.rstrip("\n") + "\n"
        if node["kind"] == "scalar" or node["flow"] or not node["items"]:
            return " " + self.flow(node) + "\n"
        alias = self.alias()
        if alias:
            return " " + alias + "\n"
        props = self.props(node).strip()
        head = (" " + props) if props else ""
        pad = " " * indent
        lines = []
        if node["kind"] == "seq":
            for item in node["items"]:
                lines.append(pad + "-" + self.block(item, indent + 2))
        else:
            if self.map_anchors and self.draw(st.integers(0, 3)) == 0:
                merge = self.draw(st.sampled_from(["*{0}", "[*{0}]", "{{m: 1}}", "*{0}x"])).format(
                    self.draw(st.sampled_from(self.map_anchors))
                )
                lines.append(pad + f"<<: {merge}\n")
            for key, value in node["items"]:
                lines.append(pad + self.flow(key) + ":" + self.block(value, indent + 2))
        return head + "\n" + "".join(lines)


@st.composite
def document(draw: st.DrawFn) -> str:
    """One document: an object of an unknown kind with generated fields."""
    renderer = _Renderer(draw)
    fields = draw(st.lists(NODES, min_size=1, max_size=3))
    text = "apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: generated\n"
    for number, node in enumerate(fields):
        text += f"field{number}:" + renderer.block(node, 2)
    if draw(st.booleans()):
        text = "\n".join(
            line + (" # note" if line and not line.startswith(" ") and draw(st.booleans()) else "")
            for line in text.split("\n")
        )
    return text


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.sampled_from([1.0, 1.5, -0.0, 1e21, 1e-7, 2.5e300])
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def json_document(draw: st.DrawFn) -> str:
    body = {
        "apiVersion": "example.com/v1",
        "kind": "Thing",
        "metadata": {"name": "j"},
        "data": draw(JSON_VALUES),
    }
    text = json.dumps(
        body, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 2]))
    )
    for raw in draw(
        st.lists(
            st.sampled_from(
                ['"x": 1e400, ', '"d": 1, "d": 2.0, ', '"s": "\\ud800", ', '"n": 1.0, ']
            ),
            max_size=2,
        )
    ):
        text = text.replace("{", "{" + raw, 1)
    return text


@st.composite
def stream(draw: st.DrawFn) -> bytes:
    """A whole file: documents, markers and encodings."""
    if draw(st.integers(0, 9)) == 0:
        docs = [draw(json_document()) for _ in range(draw(st.integers(1, 2)))]
        text = draw(st.sampled_from(["\n", " ", "\n---\n"])).join(docs)
    else:
        docs = [draw(document()) for _ in range(draw(st.integers(1, 3)))]
        parts = [docs[0]]
        for doc in docs[1:]:
            marker = draw(
                st.sampled_from(
                    [
                        "---\n",
                        "--- # next\n",
                        "---\t\n",
                        "...\n---\n",
                        "...\n",
                        "--- |\n",
                        "---\n\ufeff",
                    ]
                )
            )
            parts.append(marker + doc)
        text = "".join(parts)
        if draw(st.integers(0, 7)) == 0:
            text = draw(st.sampled_from(["%YAML 1.1\n---\n", "---\n", "# head\n"])) + text
        if draw(st.integers(0, 5)) == 0:
            text = text.replace(": ", ":\t", draw(st.integers(1, 3)))
        if draw(st.integers(0, 9)) == 0:
            text = text.replace("\n  ", "\n\t", 1)
    if draw(st.integers(0, 5)) == 0:
        text = text.replace("\n", "\r\n")
    if draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
    encoding = draw(st.sampled_from(["utf-8"] * 12 + ["utf-16", "utf-16-le"]))
    return text.encode(encoding)
