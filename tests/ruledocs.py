"""Reading rule pages: their YAML examples, ``# expect:`` markers and config blocks."""

from __future__ import annotations

import re
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
_FENCE = re.compile(r"^```(\w*)\s*$")
_EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9@, ]+)")
TITLE = re.compile(r"^# `([a-z0-9-]+)` \((SCL\d{3})\)\s*$")


@dataclass
class Block:
    section: str
    text: str
    config: dict[str, Any] = field(default_factory=dict)
    line: int = 0

    def expected(self) -> set[tuple[int, str, int | None]]:
        """(line, code, column or None) for each marker."""
        out: set[tuple[int, str, int | None]] = set()
        for number, line in enumerate(self.text.splitlines(), start=1):
            match = _EXPECT.search(line)
            if not match:
                continue
            for item in match.group(1).split(","):
                item = item.strip()
                if not item:
                    continue
                code, _, col = item.partition("@")
                out.add((number, code, int(col) if col else None))
        return out


@dataclass
class Page:
    path: Path
    code: str
    name: str
    headings: list[str]
    blocks: list[Block]


def read_page(path: Path) -> Page:
    lines = path.read_text(encoding="utf-8").splitlines()
    match = TITLE.match(lines[0]) if lines else None
    if match is None:
        raise AssertionError(f"{path.name}: first line must be '# `name` (SCLxxx)'")
    headings: list[str] = []
    blocks: list[Block] = []
    section = ""
    config: dict[str, Any] = {}
    i = 1
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            section = line[3:].strip()
            headings.append(section)
            config = {}
        fence = _FENCE.match(line)
        if fence:
            lang = fence.group(1)
            body: list[str] = []
            start = i + 1
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            text = "\n".join(body) + "\n"
            if lang == "toml":
                config = tomllib.loads(text)
            elif lang in ("yaml", "json"):
                blocks.append(Block(section, text, dict(config), start + 1))
        i += 1
    return Page(path, match.group(2), match.group(1), headings, blocks)


def all_pages() -> list[Page]:
    return [read_page(p) for p in sorted(RULES_DIR.glob("SCL*.md"))]
