"""Rule pages: the Markdown files in ``rules/`` (shipped in the wheel as package data)."""

from __future__ import annotations

from pathlib import Path


def rules_dir() -> Path:
    """Where the rule pages are: in the wheel, or in a source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "_data" / "rules"
    return packaged if packaged.is_dir() else here.parent / "rules"


def page_path(code: str) -> Path | None:
    matches = sorted(rules_dir().glob(f"{code}-*.md"))
    return matches[0] if matches else None


def rule_page(code: str) -> str | None:
    """The Markdown page of a rule, or None when it has none."""
    path = page_path(code)
    return path.read_text(encoding="utf-8") if path else None
