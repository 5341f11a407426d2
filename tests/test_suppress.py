"""Suppressions: each form, codes and names, reasons, malformed and unused directives."""

from __future__ import annotations

from sidecarlint.finding import Finding
from tests.conftest import lint

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      volumeMounts:
        - name: missing
          mountPath: /a
  volumes:
    - name: spare
      emptyDir: {}
"""
# Unsuppressed: SCL014 at 10:17 and SCL202 at 13:13.


def active(findings: list[Finding]) -> list[tuple[str, int]]:
    return [(f.code, f.span.line) for f in findings if not f.suppressed]


def suppressed(findings: list[Finding]) -> list[tuple[str, int]]:
    return [(f.code, f.span.line) for f in findings if f.suppressed]


def test_baseline() -> None:
    assert active(lint(POD)) == [("SCL014", 10), ("SCL202", 13)]


def test_same_line_by_code() -> None:
    text = POD.replace("- name: missing", "- name: missing  # sidecarlint: disable=SCL014")
    findings = lint(text)
    assert active(findings) == [("SCL202", 13)]
    assert suppressed(findings) == [("SCL014", 10)]


def test_line_above_by_name_with_reason() -> None:
    text = POD.replace(
        "    - name: spare",
        "    # sidecarlint: disable=unused-volume -- kept for debugging\n    - name: spare",
    )
    assert active(lint(text)) == [("SCL014", 10)]


def test_disable_file_all_and_some() -> None:
    assert active(lint("# sidecarlint: disable-file\n" + POD)) == []
    assert active(lint("# header\n# sidecarlint: disable-file=SCL202\n" + POD)) == [("SCL014", 12)]


def test_disable_file_below_content_is_malformed() -> None:
    text = POD + "# sidecarlint: disable-file\n"
    assert active(lint(text)) == [("SCL014", 10), ("SCL202", 13), ("SCL901", 15)]


def test_annotation_on_object() -> None:
    text = POD.replace(
        "  name: web\n", '  name: web\n  annotations:\n    sidecarlint.io/ignore: "SCL202"\n', 1
    )
    findings = lint(text)
    assert active(findings) == [("SCL014", 12)]
    assert suppressed(findings) == [("SCL202", 15)]


def test_annotation_ignore_all_on_pod_template() -> None:
    text = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: j
spec:
  template:
    metadata:
      annotations:
        sidecarlint.io/ignore-all: "true"
    spec:
      restartPolicy: Never
      containers:
        - name: work
          image: busybox
          command: ["sh", "-c", "echo"]
        - name: istio-proxy
          image: istio/proxyv2:1.24.0
"""
    findings = lint(text)
    assert active(findings) == []
    assert suppressed(findings) == [("SCL102", 16)]


def test_suppressing_removes_exactly_that_finding() -> None:
    base = lint(POD)
    text = POD.replace("- name: missing", "- name: missing  # sidecarlint: disable=SCL202")
    after = lint(text, extend_select=["SCL900"])
    # SCL202 is on another line: nothing is suppressed, and the directive is unused.
    assert active(after) == [*active(base)[:1], ("SCL900", 10), *active(base)[1:]]


def test_malformed_directives() -> None:
    cases = {
        "# sidecarlint: disable": "'disable' needs the rules to disable",
        "# sidecarlint: disable=NOPE": "suppression names unknown rule(s): NOPE",
        "# sidecarlint: enable=SCL014": "malformed suppression 'enable=SCL014'",
    }
    for directive, message in cases.items():
        findings = lint(POD.replace("- name: missing", f"- name: missing  {directive}"))
        invalid = [f for f in findings if f.code == "SCL901"]
        assert [(f.span.line, f.span.column) for f in invalid] == [(10, 26)], directive
        assert message in invalid[0].message


def test_unknown_rule_in_annotation() -> None:
    text = POD.replace(
        "  name: web\n",
        '  name: web\n  annotations:\n    sidecarlint.io/ignore: "SCL202,bogus"\n',
        1,
    )
    invalid = [(f.code, f.span.line, f.span.column) for f in lint(text) if f.code == "SCL901"]
    assert invalid == [("SCL901", 6, 28)]


def test_unused_annotation_reported_when_enabled() -> None:
    text = POD.replace(
        "  name: web\n", '  name: web\n  annotations:\n    sidecarlint.io/ignore: "SCL103"\n', 1
    )
    assert [
        (f.code, f.span.line) for f in lint(text, extend_select=["SCL900"]) if f.code == "SCL900"
    ] == [("SCL900", 6)]
    assert [f for f in lint(text) if f.code == "SCL900"] == []


def test_annotation_on_workload_metadata() -> None:
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    sidecarlint.io/ignore: "sidecar-in-containers"
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - {name: web, image: nginx}
        - {name: istio-proxy, image: "istio/proxyv2:1.24.0"}
"""
    findings = lint(text)
    assert active(findings) == []
    assert suppressed(findings) == [("SCL103", 14)]


def test_a_code_joins_a_well_formed_disable_directive() -> None:
    from sidecarlint.suppress import add_to_directive, disable_comment

    assert disable_comment("SCL103") == "# sidecarlint: disable=SCL103"
    assert add_to_directive("  image: x  # sidecarlint: disable=SCL202 -- why", "SCL103") == (
        "  image: x  # sidecarlint: disable=SCL202,SCL103 -- why"
    )
    assert add_to_directive("# sidecarlint: disable = SCL202, SCL201  ", "SCL103") == (
        "# sidecarlint: disable = SCL202, SCL201,SCL103  "
    )
    for line in ("# sidecarlint: disable-file", "# sidecarlint: disable", "a: 1  # other"):
        assert add_to_directive(line, "SCL103") is None


def _lint_pieces(pieces: list[str]) -> list[Finding]:
    from sidecarlint.pipeline import Settings, _Engine

    return _Engine(Settings()).lint_stream(pieces, "t.yaml").findings


def test_directives_after_a_line_longer_than_a_piece() -> None:
    # A line longer than a piece comes in pieces; the rest of it is no line of its own.
    half = "x" * (1 << 20)
    top = ["# " + half, half + "\n# sidecarlint: disable-file=SCL202\n" + POD]
    assert active(_lint_pieces(top)) == [("SCL014", 12)]
    lines = POD.splitlines(keepends=True)
    inside = [
        "".join(lines[:9]) + "        # " + half,
        half + "\n        # sidecarlint: disable=SCL014 -- mounted later\n" + "".join(lines[9:]),
    ]
    findings = _lint_pieces(inside)
    assert active(findings) == [("SCL202", 15)]
    assert suppressed(findings) == [("SCL014", 12)]
