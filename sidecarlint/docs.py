"""Rule pages: the Markdown files in ``rules/`` (shipped in the wheel as package data)."""

from __future__ import annotations

import re
from pathlib import Path


def rules_dir() -> Path:
    """Where the rule pages are: in the wheel, or in a source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "_data" / "rules"
    return packaged if packaged.is_dir() else here.parent / "rules"


def page_path(code: str) -> Path | None:
    matches = sorted(rules_dir().glob(f"{code}-*.md"))
    return matches[0] if matches else None


_MARKER = re.compile(r"[ \t]+# expect: [A-Z0-9@, ]+$", re.MULTILINE)


def rule_page(code: str) -> str | None:
    """The Markdown page of a rule (test markers removed), or None when it has none."""
    path = page_path(code)
    return _MARKER.sub("", path.read_text(encoding="utf-8")) if path else None


#: Where the project lives; rule pages are linked from SARIF and JSON output.
HOMEPAGE = "https://github.com/sidecarlint/sidecarlint"


def help_uri(code: str, name: str) -> str:
    return f"{HOMEPAGE}/blob/main/rules/{code}-{name}.md"


def rule_sections(code: str) -> dict[str, str]:
    """The page's sections by heading (``""``: the whole page), prose only."""
    page = rule_page(code)
    if page is None:
        return {}
    sections: dict[str, str] = {"": page}
    heading: str | None = None
    lines: list[str] = []
    for line in page.splitlines():
        if line.startswith("## "):
            if heading is not None:
                sections[heading] = "\n".join(lines).strip()
            heading, lines = line[3:].strip(), []
        elif heading is not None:
            lines.append(line)
    if heading is not None:
        sections[heading] = "\n".join(lines).strip()
    return sections


def render_terminal(page: str, colour: bool = False) -> str:
    """A rule page for a terminal: headings emphasised, code blocks indented."""
    bold, reset = ("\x1b[1m", "\x1b[0m") if colour else ("", "")
    out: list[str] = []
    in_code = False
    for line in page.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            out.append("    " + line)
        elif line.startswith("# "):
            out.append(f"{bold}{line[2:].replace('`', '')}{reset}")
        elif line.startswith("## "):
            out.append(f"{bold}{line[3:].upper()}{reset}")
        else:
            out.append(line.replace("`", ""))
    return "\n".join(out).rstrip() + "\n"
