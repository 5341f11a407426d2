"""SARIF 2.1.0 output for code-scanning uploads: one run, every enabled rule, exact regions."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sidecarlint import __version__
from sidecarlint.docs import HOMEPAGE, help_uri, render_terminal, rule_sections
from sidecarlint.finding import Finding, Severity
from sidecarlint.report._stream import Items, Object, Output, write_json
from sidecarlint.report.json import valid_finding

if TYPE_CHECKING:
    from sidecarlint.pipeline import Report
    from sidecarlint.registry import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS = 25_000
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def repository_root(override: str | None = None) -> str:
    """``--sarif-root``, else the git top-level of the working directory, else the cwd."""
    if override:
        return os.path.abspath(override)
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return os.getcwd()


def _uri(path: str) -> str:
    # The bytes of the name, percent-encoded: a name that is not valid UTF-8 keeps its bytes.
    return quote(os.fsencode(path.replace(os.sep, "/")), safe="/")


def artifact_location(file: str, root: str) -> dict[str, str]:
    """A URI relative to ``root`` (forward slashes, percent-encoded, with ``uriBaseId``)."""
    if file == "-":
        return {"uri": "stdin"}
    path = os.path.abspath(file)
    rel = os.path.relpath(path, root)
    if rel.startswith(".."):
        return {"uri": "file://" + _uri(path)}
    return {"uri": _uri(rel), "uriBaseId": "%SRCROOT%"}


def root_uri(root: str) -> str:
    """The ``file:`` URI of the directory ``%SRCROOT%`` stands for, with a trailing slash."""
    path = os.path.abspath(root).replace(os.sep, "/")
    if not path.startswith("/"):  # a Windows drive: file:///C:/...
        path = "/" + path
    return "file://" + quote(os.fsencode(path.rstrip("/") + "/"), safe="/:")


def fingerprint(f: Finding, uri: str) -> str:
    """Stable when unrelated lines move: rule, file, object and path, no line numbers."""
    obj = f.object
    key = "|".join(
        [
            f.code,
            uri,
            str(f.document if obj is None else ""),
            f"{obj.kind}/{obj.namespace}/{obj.name}" if obj else "",
            f.path or "",
            f.container or "",
            "" if f.path else f.message,
        ]
    )
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


#: GitHub's ``problem.severity`` for each level (``recommendation`` for notes).
_PROBLEM = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}


def first_sentences(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at the end of a sentence (at a word,
    with an ellipsis, when no sentence ends early enough)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[:limit]
    end = max(head.rfind(". "), head.rfind(".\n"))
    if head.endswith(".") and text[limit : limit + 1] in (" ", ""):
        end = limit - 1
    if end > 0:
        return head[: end + 1]
    return head[: head[: limit - 2].rfind(" ")].rstrip() + " …"


def plain_prose(markdown: str) -> str:
    """The prose of a Markdown section as plain text: tables and code blocks dropped (a
    sentence that introduced one ends with a full stop instead of its colon), code spans
    and emphasis unmarked."""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        lines = block.strip().splitlines()
        if not lines:
            continue
        if lines[0].lstrip().startswith(("|", "```", "    ")):
            if paragraphs and paragraphs[-1].endswith(":"):
                paragraphs[-1] = paragraphs[-1][:-1] + "."
            continue
        text = " ".join(line.strip() for line in lines)
        paragraphs.append(re.sub(r"\*\*|`", "", text))
    return " ".join(paragraphs)


def _rule(rule: Rule) -> dict[str, Any]:
    sections = rule_sections(rule.code)
    full = plain_prose(sections.get("What it does") or "") or rule.summary
    page = sections.get("", "")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": first_sentences(rule.summary, 1024)},
        "fullDescription": {"text": first_sentences(full, 1024)},
        "help": {
            "text": render_terminal(page) if page else rule.summary,
            "markdown": page or rule.summary,
        },
        "helpUri": help_uri(rule.code, rule.name),
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {
            "tags": list(rule.tags[:20]),
            "precision": rule.precision,
            "problem.severity": _PROBLEM[rule.severity],
        },
    }


def _fingerprints(f: Finding, uri: str) -> dict[str, str]:
    """Ours (no line numbers at all) and GitHub's line hash, which code scanning uses to
    match alerts across commits (the upload action computes it only when it can read the
    file, so it is given here)."""
    prints = {"sidecarlint/v1": fingerprint(f, uri)}
    if f.line_hash is not None:
        prints["primaryLocationLineHash"] = f.line_hash
    return prints


def _location_name(f: Finding) -> list[dict[str, str]]:
    out = []
    if f.object is not None:
        ns = f.object.namespace or ""
        out.append(
            {"fullyQualifiedName": f"{f.object.kind}/{ns}/{f.object.name or ''}", "kind": "object"}
        )
    if f.path:
        out.append({"fullyQualifiedName": f.path, "kind": "member"})
    return out


def write(
    report: Report,
    out: Output,
    *,
    sarif_root: str | None = None,
    show_suppressed: bool = False,
    **_: Any,
) -> None:
    root = repository_root(sarif_root)
    rules = sorted(report.rules, key=lambda r: r.code)
    index = {r.code: i for i, r in enumerate(rules)}
    left_out = 0

    def results() -> Iterator[dict[str, Any]]:
        nonlocal left_out
        written = 0
        for f in report.findings:
            if f.suppressed and not show_suppressed:
                continue
            if written == MAX_RESULTS:
                left_out += 1
                continue
            written += 1
            yield _result(f, root, index)

    def run() -> Iterator[tuple[str, Any]]:
        yield (
            "tool",
            {
                "driver": {
                    "name": "sidecarlint",
                    "version": __version__,
                    "semanticVersion": __version__,
                    "informationUri": HOMEPAGE,
                    "rules": [_rule(r) for r in rules],
                }
            },
        )
        yield "columnKind", "unicodeCodePoints"
        yield "originalUriBaseIds", {"%SRCROOT%": {"uri": root_uri(root)}}
        yield "results", Items(results())
        yield "properties", {"kubernetesVersion": report.version}
        if left_out:  # known once every result is written
            yield (
                "invocations",
                [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {
                                "level": "warning",
                                "message": {
                                    "text": f"{left_out} results beyond the "
                                    f"{MAX_RESULTS:,}-result upload limit were left out"
                                },
                            }
                        ],
                    }
                ],
            )

    log = Object([("$schema", SCHEMA), ("version", "2.1.0"), ("runs", [Object(run())])])
    write_json(out, log)
    out.write("\n")


def _result(f: Finding, root: str, index: dict[str, int]) -> dict[str, Any]:
    location = artifact_location(f.file, root)
    f = valid_finding(f)
    result: dict[str, Any] = {
        "ruleId": f.code,
        "level": _LEVELS[f.severity],
        "message": {"text": f.message + (f" Fix: {f.fix}" if f.fix else "")},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": {
                        "startLine": f.span.line,
                        "startColumn": f.span.column,
                        "endLine": f.span.end_line,
                        "endColumn": max(f.span.end_column, 1),
                    },
                },
                "logicalLocations": _location_name(f),
            }
        ],
        "partialFingerprints": _fingerprints(f, location["uri"]),
    }
    if f.code in index:
        result["ruleIndex"] = index[f.code]
    if f.suppressed:
        result["suppressions"] = [{"kind": "inSource"}]
    if f.rendered is not None:
        from sidecarlint.report.json import rendered_dict

        result["properties"] = {"rendered": rendered_dict(f)}
    return result
