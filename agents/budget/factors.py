"""Factors: every number a budget recommendation rests on, with where it came from.

A factor is either read from a record (``source`` is the table, ``record_id`` the row, ``field``
the column) or computed from such factors (``source`` is ``computed`` and ``basis`` says how).
Factors become the recommendation's provenance facts, and the text states no number that is
not the value of one of them: :func:`agents.figures.ungrounded_numbers` checks it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from core.recommendation import Fact

COMPUTED = "computed"
Unit = Literal["CNY", "%", "units", "count", "year", "text"]
# Groups: which part of the recommendation a factor belongs to. Only "logistics" factors may
# depend on the region (docs/agents/budget.md, "Fairness").
Group = Literal["deal", "line", "account", "budget", "logistics"]


class Factor(BaseModel):
    """One number or fact the recommendation used, and its source."""

    model_config = ConfigDict(frozen=True)

    key: str
    label: str
    value: float | int | str
    unit: Unit
    group: Group
    source: str
    record_id: str
    field: str
    basis: str = ""

    @property
    def shown(self) -> str:
        """The value as the recommendation's text states it."""
        return show(self.value, self.unit)

    def fact(self) -> Fact:
        return Fact(
            source=self.source, record_id=self.record_id, field=self.field, value=self.value
        )

    def line(self) -> str:
        """``label: value (source)``, one line of the factor list."""
        if self.source == COMPUTED:
            where = self.basis
        else:
            where = f"{self.source} {self.record_id}, {self.field}"
        return f"{self.label}: {self.shown} ({where})"


def money(amount: Decimal | float) -> float:
    """An amount rounded to cents, as factors hold it."""
    return float(Decimal(str(amount)).quantize(Decimal("0.01")))


def pct(value: float | Decimal) -> float:
    """A percentage rounded to two decimals, as factors hold it."""
    return round(float(value), 2)


def show(value: float | int | str, unit: Unit) -> str:
    if unit == "CNY":
        return f"CNY {float(value):,.2f}"
    if unit == "%":
        return f"{float(value):g}%"
    if unit in ("units", "count", "year"):
        return f"{int(value)}"
    return str(value)
