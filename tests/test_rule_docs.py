"""Rule pages are tests: every Example yields exactly its marked findings, every
"Use instead" block yields nothing under the default configuration."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sidecarlint.docs import page_path
from sidecarlint.registry import registry
from tests.conftest import lint
from tests.ruledocs import Block, Page, all_pages

PAGES = all_pages()
REQUIRED = ("What it does", "Why is this bad?", "Kubernetes versions", "Example", "Use instead")
# Rules raised by the machinery itself: their examples cannot be written as YAML.
NO_EXAMPLE = {"SCL006", "SCL007", "SCL999"}


def _ids(pages: list[Page]) -> list[str]:
    return [p.code for p in pages]


def test_every_rule_has_exactly_one_page() -> None:
    for rule in registry().rules:
        path = page_path(rule.code)
        assert path is not None, f"{rule.code} has no page in rules/"
        assert path.name == f"{rule.code}-{rule.name}.md"
    assert {p.code for p in PAGES} == set(registry().by_code)


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_page_matches_registry_and_has_headings(page: Page) -> None:
    rule = registry().by_code[page.code]
    assert page.name == rule.name
    for heading in REQUIRED:
        if page.code in NO_EXAMPLE and heading in ("Example", "Use instead"):
            continue
        assert any(h.startswith(heading) for h in page.headings), (
            f"{page.path.name}: missing '## {heading}'"
        )


def _cases(section: str) -> list[tuple[Page, Block]]:
    return [(p, b) for p in PAGES for b in p.blocks if b.section.startswith(section)]


def _case_id(case: tuple[Page, Block]) -> str:
    return f"{case[0].code}:{case[1].line}"


def _config(block: Block, **extra: Any) -> dict[str, Any]:
    return {**block.config, **extra}


@pytest.mark.parametrize("case", _cases("Example"), ids=[_case_id(c) for c in _cases("Example")])
def test_example_yields_marked_findings(case: tuple[Page, Block]) -> None:
    page, block = case
    expected = block.expected()
    assert expected, f"{page.path.name}:{block.line}: example has no '# expect:' marker"
    config = _config(block)
    config["select"] = [page.code, *config.get("select", [])]
    findings = lint(block.text, **config)
    got = {(f.span.line, f.code) for f in findings}
    want = {(line, code) for line, code, _ in expected}
    assert got == want, "\n".join(
        f"{f.span.line}:{f.span.column} {f.code} {f.message}" for f in findings
    )
    for line, code, col in expected:
        if col is not None:
            assert any(
                f.span.line == line and f.code == code and f.span.column == col for f in findings
            ), f"{code} at {line}:{col} expected"


@pytest.mark.parametrize(
    "case", _cases("Use instead"), ids=[_case_id(c) for c in _cases("Use instead")]
)
def test_use_instead_is_clean(case: tuple[Page, Block]) -> None:
    _, block = case
    findings = lint(block.text, **_config(block))
    assert findings == [], "\n".join(
        f"{f.span.line}:{f.span.column} {f.code} {f.message}" for f in findings
    )


# A citation: a web address, or a source file with the function it names and the release
# tag it was read at.
_URL = re.compile(r"https?://\S+")
_FILE_AT_TAG = re.compile(r"`[\w./-]+\.go`.*`\w+`.*\bv1\.\d+\.\d+\b", re.S)
#: Pages of rules about sidecarlint's own machinery: no Kubernetes behaviour to cite.
OWN_MACHINERY = {"SCL900", "SCL901", "SCL999"}


def _section(page: Page, heading: str) -> str:
    text = page.path.read_text(encoding="utf-8")
    match = re.search(rf"^## {heading}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    return match.group(1) if match else ""


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_page_cites_its_source(page: Page) -> None:
    source = _section(page, "Source")
    assert source.strip(), f"{page.path.name}: missing '## Source'"
    if page.code in OWN_MACHINERY:
        assert "sidecarlint" in source
        return
    bullets = [b for b in re.split(r"^- ", source, flags=re.M) if b.strip()]
    cited = [b for b in bullets if _URL.search(b) or _FILE_AT_TAG.search(b)]
    assert cited, f"{page.path.name}: the Source section cites no address nor file at a tag"


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_page_cites_nothing_that_does_not_ship(page: Page) -> None:
    text = page.path.read_text(encoding="utf-8")
    assert "semantics notes" not in text and "§" not in text, page.path.name
