"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure, CircleCI).

One ``testsuite`` per file with findings, one ``testcase`` per finding with its file and
line, and a ``failure`` whose type is the severity; a suppressed finding (with
``--show-suppressed``) is a skipped test. A run without findings is one passing test, so
that the report is never empty. Characters XML 1.0 cannot hold are written as escapes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from sidecarlint.finding import Finding
from sidecarlint.report._escape import printable, valid_unicode
from sidecarlint.report._stream import Output

if TYPE_CHECKING:
    from sidecarlint.pipeline import Report

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids (controls, lone surrogates) escaped."""
    return _NOT_XML.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def testcase(f: Finding, path: str) -> ET.Element:
    """One finding as a test case (the one place a finding's text is rendered)."""
    case = ET.Element(
        "testcase",
        {
            "name": f"{f.code} {f.name} at {f.span.line}:{f.span.column}",
            "classname": xml_text(path),
            "file": xml_text(path),
            "line": str(f.span.line),
        },
    )
    if f.suppressed:
        ET.SubElement(case, "skipped", {"message": "suppressed"})
        return case
    # shown by CI systems: control characters as escapes, as in the text output
    message = printable(f.message)
    body = (
        f"{printable(path)}:{f.span.line}:{f.span.column}: {f.severity.value.upper()} {f.code} "
        f"{message}"
    )
    if f.fix:
        body += f"\nfix: {printable(f.fix)}"
    failure = ET.SubElement(case, "failure", {"type": f.severity.value, "message": message})
    failure.text = xml_text(body)
    return case


def write(
    report: Report,
    out: Output,
    *,
    sarif_root: str | None = None,
    show_suppressed: bool = False,
    **_: Any,
) -> None:
    import tempfile

    from sidecarlint.report import ci_root, relative_path

    root_dir = ci_root(sarif_root)
    # The totals open the document: the suites wait in a spooled file (in memory while
    # small) until every one is written.
    total = failed = 0
    with tempfile.SpooledTemporaryFile(max_size=1 << 23, mode="w+", encoding="utf-8") as body:
        path: str | None = None
        cases: list[ET.Element] = []
        for f in report.findings:
            if f.suppressed and not show_suppressed:
                continue
            shown = valid_unicode(relative_path(f.file, root_dir))  # as in JSON and SARIF
            if shown != path:
                if cases:
                    failed += _write_suite(body, path or "", cases)
                    total += len(cases)
                path, cases = shown, []
            cases.append(testcase(f, shown))
        if cases:
            failed += _write_suite(body, path or "", cases)
            total += len(cases)
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        if not total:
            out.write(_no_findings(report))
            return
        out.write(f'<testsuites name="sidecarlint" tests="{total}" failures="{failed}" errors="0">')
        body.seek(0)
        while block := body.read(1 << 16):
            out.write(block)
        out.write("\n</testsuites>\n")


def _write_suite(out: Output, path: str, cases: list[ET.Element]) -> int:
    """Write one file's suite, as the second level of the document; its failures."""
    failures = sum(1 for c in cases if c.find("failure") is not None)
    suite = ET.Element(
        "testsuite",
        {
            "name": xml_text(path),
            "tests": str(len(cases)),
            "failures": str(failures),
            "errors": "0",
            "skipped": str(len(cases) - failures),
            "file": xml_text(path),
        },
    )
    suite.extend(cases)
    ET.indent(suite, level=1)
    out.write("\n  " + ET.tostring(suite, encoding="unicode"))
    return failures


def _no_findings(report: Report) -> str:
    """A run without findings: one passing test, so that the report is never empty."""
    files = f"{report.files} file{'' if report.files == 1 else 's'}"
    root = ET.Element("testsuites", {"name": "sidecarlint"})
    suite = ET.SubElement(
        root, "testsuite", {"name": "sidecarlint", "tests": "1", "failures": "0", "errors": "0"}
    )
    ET.SubElement(
        suite, "testcase", {"name": f"{files} checked, no findings", "classname": "sidecarlint"}
    )
    root.set("tests", "1")
    root.set("failures", "0")
    root.set("errors", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"
