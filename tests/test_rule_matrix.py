"""Each rule's verdict on its own page's examples, on every supported minor (1.27–1.37),
and the exact messages of its examples.

``tests/rule_matrix.json`` records, per rule page and example block, the findings of that
rule (line:column severity) on each Kubernetes minor, with equal neighbours folded into
ranges (``"1.29-1.31"``). A version boundary moved by one release changes a verdict and
fails here. ``tests/rule_messages.json`` records the full findings (position, severity,
message, fix) of each block with the page's own configuration: the text users read.
After a deliberate change, rewrite both tables and review their diff:

    python -m tests.test_rule_matrix --update
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from sidecarlint.registry import registry
from sidecarlint.versions import SUPPORTED
from tests.conftest import lint
from tests.ruledocs import Block, Page, all_pages

TABLE = Path(__file__).resolve().parent / "rule_matrix.json"
#: Rules of checks/ (the stages' own findings, such as YAML errors, are tested with them).
CHECKED = [p for p in all_pages() if registry().by_code[p.code].check is not None]
MESSAGES = Path(__file__).resolve().parent / "rule_messages.json"
PAGES = all_pages()


def _verdict(page: Page, block: Block, version: str) -> str:
    config: dict[str, Any] = {
        k.replace("-", "_"): v for k, v in block.config.items() if k != "kubernetes-version"
    }
    config.pop("select", None)
    findings = lint(block.text, kubernetes_version=version, select=[page.code], **config)
    got = sorted(f"{f.span.line}:{f.span.column} {f.severity.value}" for f in findings)
    return ", ".join(got) or "-"


def _fold(verdicts: dict[str, str]) -> dict[str, str]:
    """{"1.27": "-", "1.28": "-", "1.29": "x"} → {"1.27-1.28": "-", "1.29": "x"}."""
    out: dict[str, str] = {}
    start = prev = None
    for version in SUPPORTED:
        if start is not None and verdicts[version] != verdicts[start]:
            out[start if start == prev else f"{start}-{prev}"] = verdicts[start]
            start = None
        if start is None:
            start = version
        prev = version
    assert start is not None and prev is not None
    out[start if start == prev else f"{start}-{prev}"] = verdicts[start]
    return out


def _matrix(page: Page) -> dict[str, dict[str, str]]:
    return {
        f"{block.section} (line {block.line})": _fold(
            {v: _verdict(page, block, v) for v in SUPPORTED}
        )
        for block in page.blocks
    }


def _messages(page: Page) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for block in page.blocks:
        config: dict[str, Any] = {k.replace("-", "_"): v for k, v in block.config.items()}
        config["select"] = [page.code]
        out[f"{block.section} (line {block.line})"] = [
            f"{f.span.line}:{f.span.column} {f.severity.value} {f.message}"
            + (f" [container: {f.container}]" if f.container else "")
            + (f" [fix: {f.fix}]" if f.fix else "")
            + (" [fixable]" if f.fixable else "")
            for f in lint(block.text, **config)
        ]
    return out


@pytest.mark.parametrize("page", CHECKED, ids=[p.code for p in CHECKED])
def test_rule_messages_on_the_page_examples(page: Page) -> None:
    recorded: dict[str, Any] = json.loads(MESSAGES.read_text(encoding="utf-8"))
    assert _messages(page) == recorded[page.code]


def _recorded() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TABLE.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("page", PAGES, ids=[p.code for p in PAGES])
def test_rule_verdicts_per_version(page: Page) -> None:
    recorded = _recorded()
    assert page.code in recorded, f"{page.code} is not in {TABLE.name}: run --update"
    assert _matrix(page) == recorded[page.code]


def test_table_has_no_stale_rules() -> None:
    assert set(_recorded()) == {p.code for p in PAGES}


def test_boundaries_are_on_both_sides() -> None:
    """Every version-dependent rule shows at least two verdicts on its own examples."""
    recorded = _recorded()
    version_bound = {"SCL010", "SCL011", "SCL016", "SCL019", "SCL101", "SCL403", "SCL021"}
    for code in version_bound:
        verdicts = {v for block in recorded[code].values() for v in block.values()}
        assert len(verdicts) >= 2, code


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    TABLE.write_text(
        json.dumps({p.code: _matrix(p) for p in PAGES}, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    MESSAGES.write_text(
        json.dumps({p.code: _messages(p) for p in CHECKED}, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {TABLE} and {MESSAGES}")
