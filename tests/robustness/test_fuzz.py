"""Fuzzing: arbitrary text and bytes, and structure-aware mutations of real manifests.

Properties: no crash and no internal error, positions inside the file, output independent
of document order (per document).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sidecarlint.finding import Finding
from sidecarlint.pipeline import _Engine
from sidecarlint.sources import ReadError, decode
from tests.conftest import CORPUS, REPO, settings

ENGINE = _Engine(settings())


def lint(text: str) -> list[Finding]:
    result = ENGINE.lint_text(text, "fuzz.yaml")
    assert result.internal_errors == 0, [f.message for f in result.findings if f.code == "SCL999"]
    return result.findings


def inside(text: str, findings: list[Finding]) -> None:
    from sidecarlint.parse import LINE_BREAKS

    lines = LINE_BREAKS.split(text)
    for f in findings:
        assert 1 <= f.span.line <= max(len(lines), 1), f
        assert f.span.column >= 1, f


@given(st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    inside(text, lint(text))


@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    decoded = decode(data)
    if isinstance(decoded, ReadError):
        assert decoded.span.line >= 1
        return
    inside(decoded, lint(decoded))


def _seeds() -> list[Path]:
    source = CORPUS if CORPUS.is_dir() else REPO / "examples"
    files = sorted(source.rglob("*.yaml"))
    return files[::37][:120] or files


SEEDS = _seeds()


def mutate(value: Any, rng: random.Random) -> Any:
    """Delete, duplicate or retype a key, reorder a list, swap lists and scalars."""
    if isinstance(value, dict) and value:
        keys = list(value)
        key = rng.choice(keys)
        action = rng.randrange(5)
        out = dict(value)
        if action == 0:
            del out[key]
        elif action == 1:
            out[key] = rng.choice([42, "x", True, None, [], {}, [1, "y"]])
        elif action == 2:
            out[key + "-copy"] = out[key]
        else:
            out[key] = mutate(out[key], rng)
        return out
    if isinstance(value, list) and value:
        out_list = list(value)
        action = rng.randrange(4)
        if action == 0:
            rng.shuffle(out_list)
        elif action == 1:
            out_list.append(out_list[0])
        elif action == 2:
            return {"swapped": out_list}
        else:
            i = rng.randrange(len(out_list))
            out_list[i] = mutate(out_list[i], rng)
        return out_list
    return rng.choice([value, str(value), [value], {"k": value}, None])


@given(st.sampled_from(SEEDS), st.integers(0, 2**32 - 1), st.integers(1, 6))
def test_structure_aware_mutations(path: Path, seed: int, rounds: int) -> None:
    from sidecarlint.parse import parse_text

    text = path.read_text(encoding="utf-8", errors="replace")
    parsed = parse_text(text, "seed")
    rng = random.Random(seed)
    docs = [d.data for d in parsed.documents]
    for _ in range(rounds):
        docs = [mutate(d, rng) for d in docs]
    # JSON is YAML: one document per line keeps positions easy to check.
    mutated = "\n---\n".join(json.dumps(d) for d in docs) + "\n"
    findings = lint(mutated)
    inside(mutated, findings)
    # Document order does not change what each document yields.
    reordered = "\n---\n".join(json.dumps(d) for d in reversed(docs)) + "\n"
    again = lint(reordered)
    assert sorted((f.code, f.message) for f in findings) == sorted(
        (f.code, f.message) for f in again
    )
