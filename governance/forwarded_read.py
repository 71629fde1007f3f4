"""A read the consent gate hands on as it is: the entries of its explicit allow-list.

Each entry names the :class:`crm.reader.CRMReader` method it forwards and says why that read is
safe to use without consent (it carries no contact's data). The gate
(``governance.consent_gate.ConsentGatedCRM``) declares one per forwarded read in its class body;
a read that is neither gated there nor declared so is not reachable through the gate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

from crm.reader import CRMReader

__all__ = ["Forwarded", "forwarded_reads"]

P = ParamSpec("P")
T = TypeVar("T")


class Wrapping(Protocol):
    """What a forwarded read is taken from: the reader the gate wraps."""

    @property
    def ungated(self) -> CRMReader: ...


class Forwarded(Generic[P, T]):
    """``read`` of the wrapped reader, handed on as it is, and ``why`` that is safe."""

    def __init__(self, read: Callable[Concatenate[CRMReader, P], T], *, why: str) -> None:
        if not why.strip():
            raise ValueError(f"forwarding {read.__name__} needs a reason")
        self.name = read.__name__
        self.why = why

    def __set_name__(self, owner: type, name: str) -> None:
        # The attribute must be the read it forwards, or the allow-list would lie.
        if name != self.name:
            raise TypeError(f"{owner.__name__}.{name} forwards {self.name}: names must match")

    @overload
    def __get__(self, gate: None, owner: type | None = None) -> Forwarded[P, T]: ...
    @overload
    def __get__(self, gate: Wrapping, owner: type | None = None) -> Callable[P, T]: ...
    def __get__(
        self, gate: Wrapping | None, owner: type | None = None
    ) -> Forwarded[P, T] | Callable[P, T]:
        if gate is None:
            return self
        read: Callable[P, T] = getattr(gate.ungated, self.name)
        return read


def forwarded_reads(gate: type) -> dict[str, str]:
    """The allow-list of a gate class: each forwarded read's name and why it is safe."""
    return {
        name: entry.why
        for klass in reversed(gate.__mro__)
        for name, entry in vars(klass).items()
        if isinstance(entry, Forwarded)
    }
