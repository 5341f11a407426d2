"""Data classes built on the shared record bases keep dataclass semantics."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from sidecarlint.finding import Finding, ObjectRef, Severity, Span
from sidecarlint.pipeline import FileResult
from sidecarlint.records import FrozenRecordError, Record, fields, replace
from tests.conftest import REPO as ROOT


def test_frozen_records_compare_hash_and_refuse_changes() -> None:
    a, b = Span(1, 2, 1, 5), Span(1, 2, 1, 5)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Span(1, 3, 1, 5) and a != (1, 2, 1, 5)
    assert Span(1, 2, 1, 5) < Span(1, 3, 1, 4) <= Span(2, 1, 2, 1)
    assert sorted([Span(2, 1, 2, 2), Span(1, 9, 1, 10)])[0] == Span(1, 9, 1, 10)
    with pytest.raises(FrozenRecordError):
        a.line = 3
    with pytest.raises(FrozenRecordError):
        del a.line
    assert replace(a, line=7) == Span(7, 2, 1, 5)
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


def test_fields_replace_and_fields_left_out_of_comparison() -> None:
    span = Span(1, 1, 1, 2)
    a = Finding("SCL001", "x", Severity.ERROR, "m", "f.yaml", span)
    assert fields(Finding)[:3] == ("code", "name", "severity") and "ypath" in fields(a)
    b = replace(a, suppressed=True, ypath=("spec",))
    assert (b.suppressed, b.ypath, a.suppressed) == (True, ("spec",), False)
    assert a == b and hash(a) == hash(b)  # suppressed and ypath are not compared
    assert "suppressed=True" in repr(b) and "ypath" not in repr(b)
    with pytest.raises(TypeError, match="Finding has no field 'line'"):
        replace(a, line=2)
    # Default factories give each instance its own list.
    assert FileResult("f").findings is not FileResult("f").findings


def _records() -> list[type[Record]]:
    import sidecarlint.checks
    import sidecarlint.fix

    assert sidecarlint.checks.RULES and sidecarlint.fix
    found: list[type[Record]] = []
    todo: list[type[Record]] = [Record]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("sidecarlint.") and sub.__module__ != Record.__module__:
                found.append(sub)
            todo.append(sub)
    return found


def test_every_record_declares_exactly_its_init_parameters() -> None:
    records = _records()
    assert len(records) >= 30
    for cls in records:
        declared = tuple(
            name
            for name, kind in inspect.get_annotations(cls).items()
            if not kind.startswith("ClassVar") and not name.startswith("_")
        )
        assert declared == fields(cls), cls.__qualname__


def test_start_up_does_not_import_dataclasses() -> None:
    code = (
        "import sys, sidecarlint.cli, sidecarlint.pipeline, sidecarlint.checks; "
        "print('dataclasses' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False", out.stderr
