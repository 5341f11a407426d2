"""Base classes for the package's data classes: one shared ``__eq__``, ``__hash__``,
``__repr__`` and frozen ``__setattr__`` instead of code generated for every class.

``@dataclass`` writes and compiles up to ten methods per class when its module is imported;
for the thirty data classes a check loads, that compiling was about a sixth of the time a
one-file ``sidecarlint check`` takes. So data classes are declared as
``@dataclass(repr=False, eq=False)`` (which generates only ``__init__``) and derive from
:class:`Record` (compared by value, unhashable, like a plain dataclass) or
:class:`FrozenRecord` (also hashable, and its fields cannot be reassigned, like
``frozen=True``). ``dataclasses.fields`` and ``dataclasses.replace`` work as usual.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, fields
from typing import Any

_COMPARED: dict[type, tuple[str, ...]] = {}
_SHOWN: dict[type, tuple[str, ...]] = {}


def _compared(cls: type) -> tuple[str, ...]:
    names = _COMPARED.get(cls)
    if names is None:
        names = _COMPARED[cls] = tuple(f.name for f in fields(cls) if f.compare)
    return names


def _shown(cls: type) -> tuple[str, ...]:
    names = _SHOWN.get(cls)
    if names is None:
        names = _SHOWN[cls] = tuple(f.name for f in fields(cls) if f.repr)
    return names


class Record:
    """A mutable data class compared by its fields."""

    __slots__ = ()

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

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._values())

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.__dict__:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")
