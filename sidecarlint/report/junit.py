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


def render(
    report: Report, *, sarif_root: str | None = None, show_suppressed: bool = False, **_: Any
) -> str:
    from sidecarlint.report import ci_root, relative_path

    root_dir = ci_root(sarif_root)
    suites: dict[str, list[ET.Element]] = {}
    for f in report.findings:
        if f.suppressed and not show_suppressed:
            continue
        path = valid_unicode(relative_path(f.file, root_dir))  # as in JSON and SARIF
        suites.setdefault(path, []).append(testcase(f, path))
    root = ET.Element("testsuites", {"name": "sidecarlint"})
    total = failed = 0
    for path, cases in suites.items():
        failures = sum(1 for c in cases if c.find("failure") is not None)
        suite = ET.SubElement(
            root,
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
        total += len(cases)
        failed += failures
    if not suites:
        files = f"{report.files} file{'' if report.files == 1 else 's'}"
        suite = ET.SubElement(
            root, "testsuite", {"name": "sidecarlint", "tests": "1", "failures": "0", "errors": "0"}
        )
        ET.SubElement(
            suite, "testcase", {"name": f"{files} checked, no findings", "classname": "sidecarlint"}
        )
        total = 1
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
