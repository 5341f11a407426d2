"""Base classes for the package's data classes: one shared ``__eq__``, ``__hash__``,
``__repr__`` and frozen ``__setattr__``, and the fields read off a hand-written ``__init__``.

A data class here is a plain class: its fields are declared (and documented) in the class
body and set by its ``__init__``, whose parameters, in order, are the fields. ``@dataclass``
writes that ``__init__`` (and up to nine more methods) as source text and compiles it every
time its module is imported; for the thirty data classes a check loads, that was the largest
part of the package's own start-up. A hand-written ``__init__`` is compiled once, into the
bytecode cache.

Derive from :class:`Record` (compared by value, unhashable) or :class:`FrozenRecord` (also
hashable, and its fields cannot be reassigned). :func:`fields` and :func:`replace` work like
their ``dataclasses`` namesakes.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

_FIELDS: dict[type, tuple[str, ...]] = {}
_COMPARED: dict[type, tuple[str, ...]] = {}
_SHOWN: dict[type, tuple[str, ...]] = {}


class FrozenRecordError(AttributeError):
    """An attempt to reassign or delete a field of a :class:`FrozenRecord`."""


def fields(cls: type[Record] | Record) -> tuple[str, ...]:
    """The field names of a record class (or instance): its ``__init__`` parameters."""
    if not isinstance(cls, type):
        cls = type(cls)
    names = _FIELDS.get(cls)
    if names is None:
        # A decorated __init__ (functools.wraps, as mutation-testing tools do) keeps the
        # original in __wrapped__.
        init = cls.__init__
        code = getattr(init, "__wrapped__", init).__code__
        names = _FIELDS[cls] = code.co_varnames[1 : code.co_argcount + code.co_kwonlyargcount]
    return names


_R = TypeVar("_R", bound="Record")


def replace(record: _R, **changes: Any) -> _R:
    """A copy of ``record`` with some fields changed."""
    for name in changes:
        if name not in fields(record):
            raise TypeError(f"{type(record).__qualname__} has no field {name!r}")
    values = {name: getattr(record, name) for name in fields(record)}
    values.update(changes)
    return type(record)(**values)


def _compared(cls: type[Record]) -> tuple[str, ...]:
    names = _COMPARED.get(cls)
    if names is None:
        names = _COMPARED[cls] = tuple(n for n in fields(cls) if n not in cls._uncompared)
    return names


def _shown(cls: type[Record]) -> tuple[str, ...]:
    names = _SHOWN.get(cls)
    if names is None:
        names = _SHOWN[cls] = tuple(n for n in fields(cls) if n not in cls._unshown)
    return names


class Record:
    """A mutable data class compared by its fields."""

    #: Fields left out of comparison and hashing, and out of ``repr``.
    _uncompared: ClassVar[frozenset[str]] = frozenset()
    _unshown: ClassVar[frozenset[str]] = frozenset()

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in _compared(type(self))])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _shown(type(self)))
        return f"{type(self).__qualname__}({shown})"

    __hash__ = None  # type: ignore[assignment]


class FrozenRecord(Record):
    """An immutable, hashable data class: each field is set once, by ``__init__``."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._values())

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.__dict__:
            raise FrozenRecordError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise FrozenRecordError(f"cannot delete field {name!r}")
