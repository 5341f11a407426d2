"""Data classes built on the shared record bases keep dataclass semantics."""

from __future__ import annotations

import dataclasses

import pytest

from sidecarlint.finding import ObjectRef, Span
from sidecarlint.pipeline import FileResult


def test_frozen_records_compare_hash_and_refuse_changes() -> None:
    a, b = Span(1, 2, 1, 5), Span(1, 2, 1, 5)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Span(1, 3, 1, 5) and a != (1, 2, 1, 5)
    assert Span(1, 2, 1, 5) < Span(1, 3, 1, 4) <= Span(2, 1, 2, 1)
    assert sorted([Span(2, 1, 2, 2), Span(1, 9, 1, 10)])[0] == Span(1, 9, 1, 10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.line = 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        del a.line
    assert dataclasses.replace(a, line=7) == Span(7, 2, 1, 5)
    assert repr(ObjectRef("v1", "Pod", "p", None)) == (
        "ObjectRef(api_version='v1', kind='Pod', name='p', namespace=None)"
    )


def test_mutable_records_compare_by_value_and_are_unhashable() -> None:
    a, b = FileResult("f"), FileResult("f")
    assert a == b
    b.documents = 2
    assert a != b
    with pytest.raises(TypeError):
        hash(a)
