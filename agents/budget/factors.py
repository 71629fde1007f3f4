"""Factors: every number a budget recommendation rests on, with where it came from.

A factor is either read from a record (``source`` is the table, ``record_id`` the row, ``field``
the column) or computed from such factors (``source`` is ``computed`` and ``basis`` says how).
Factors become the recommendation's provenance facts, and the text states no number that is
not the value of one of them: :func:`ungrounded_numbers` checks it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict

from core.recommendation import Fact

COMPUTED = "computed"
Unit = Literal["CNY", "%", "units", "count", "year", "text"]
# Groups: which part of the recommendation a factor belongs to. Only "logistics" factors may
# depend on the region (docs/agents/budget.md, "Fairness").
Group = Literal["deal", "line", "account", "budget", "logistics"]

_ID = re.compile(r"\b[A-Z]{2,}-\d+\b")  # record ids such as DEAL-0042 or PRD-010 are no figures
# Ordinals ("25th percentile") name a statistic, they state no figure.
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?!\d|st\b|nd\b|rd\b|th\b)")


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


def pct(value: float) -> float:
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


def _numbers(text: str) -> list[str]:
    return _NUMBER.findall(_ID.sub(" ", text))


def _key(figure: str) -> Decimal | None:
    try:
        return Decimal(figure.replace(",", "")).normalize()
    except InvalidOperation:
        return None


def stated_figures(facts: Iterable[Fact]) -> set[Decimal]:
    """Every number the facts state: numeric values, and figures inside text values."""
    found: set[Decimal] = set()
    for fact in facts:
        values = (
            [str(fact.value)]
            if isinstance(fact.value, int | float | Decimal)
            else _numbers(str(fact.value))
        )
        for figure in values:
            key = _key(figure)
            if key is not None:
                found.add(abs(key))  # the text writes signs in words ("lower by 1.5%")
    return found


def ungrounded_numbers(text: str, facts: Iterable[Fact]) -> list[str]:
    """Figures in ``text`` that no fact states (record ids, the facts' own included, are no figures)."""
    facts = list(facts)
    for record_id in sorted({f.record_id for f in facts}, key=len, reverse=True):
        if any(ch.isdigit() for ch in record_id):
            text = text.replace(record_id, " ")
    stated = stated_figures(facts)
    return [figure for figure in _numbers(text) if _key(figure) not in stated]
