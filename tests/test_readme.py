"""The README's rule table matches the registry."""

from __future__ import annotations

import re

from sidecarlint.registry import registry
from tests.conftest import REPO


def test_rules_table_lists_every_rule() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- rules-table:.*?-->\n(.*?)<!-- /rules-table -->", readme, re.S)
    assert table is not None
    rows = [line for line in table.group(1).splitlines() if line.startswith("| [SCL")]
    listed = [
        re.match(r"\| \[(SCL\d{3})\]\(rules/(\S+)\.md\) \| `([a-z-]+)` \| (\w+)", row)
        for row in rows
    ]
    assert all(listed)
    got = [(m.group(1), m.group(2), m.group(3), m.group(4)) for m in listed if m]
    assert got == [
        (r.code, f"{r.code}-{r.name}", r.name, r.severity.value) for r in registry().rules
    ]
    for _, page, _, _ in got:
        assert (REPO / "rules" / f"{page}.md").is_file()
