"""Read the volume tiers out of a price book's written discount policy.

The price book states its policy as text ("Volume discounts: 5 to 19 units 4.5%, 20 to 49 units
8%, 50 units or more 11.5%. ..."). Only the clauses below are read; anything else (framework
agreements, trade-ins, tenders) needs facts the CRM does not record, so it is reported as not
applied rather than guessed.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

_PCT = r"(\d+(?:\.\d+)?)\s*%"
_RANGE = re.compile(rf"(\d+)\s+to\s+(\d+)\s+units?\s+{_PCT}", re.IGNORECASE)
_OPEN = re.compile(rf"(\d+)\s+units?\s+or\s+more\s+{_PCT}", re.IGNORECASE)
_SECOND_SYSTEM = re.compile(rf"second\s+system[^,.;%]*?\s{_PCT}", re.IGNORECASE)
_THREE_SYSTEMS = re.compile(rf"three\s+or\s+more\s+systems[^,;%]*?\s{_PCT}", re.IGNORECASE)
_STRATEGIC = re.compile(rf"strategic\s+accounts[^.]*?extra\s+{_PCT}", re.IGNORECASE)


class VolumeTier(BaseModel):
    """``min_units`` to ``max_units`` (None: no upper bound) earn ``discount_pct``."""

    model_config = ConfigDict(frozen=True)

    min_units: int
    max_units: int | None
    discount_pct: float
    clause: str


class DiscountPolicy(BaseModel):
    """The machine-readable part of a written discount policy."""

    model_config = ConfigDict(frozen=True)

    tiers: tuple[VolumeTier, ...] = ()
    strategic_extra_pct: float | None = None

    def volume_discount(self, quantity: int) -> VolumeTier | None:
        """The tier ``quantity`` units fall in (the best one if tiers overlap), or None."""
        matching = [
            tier
            for tier in self.tiers
            if tier.min_units <= quantity and (tier.max_units is None or quantity <= tier.max_units)
        ]
        return max(matching, key=lambda tier: tier.discount_pct, default=None)


def parse_discount_policy(text: str) -> DiscountPolicy:
    """The volume tiers (units or systems) and the strategic-account extra stated in ``text``."""
    tiers = [
        VolumeTier(
            min_units=int(m.group(1)),
            max_units=int(m.group(2)),
            discount_pct=float(m.group(3)),
            clause=m.group(0),
        )
        for m in _RANGE.finditer(text)
    ]
    tiers += [
        VolumeTier(
            min_units=int(m.group(1)),
            max_units=None,
            discount_pct=float(m.group(2)),
            clause=m.group(0),
        )
        for m in _OPEN.finditer(text)
    ]
    if second := _SECOND_SYSTEM.search(text):
        tiers.append(
            VolumeTier(
                min_units=2,
                max_units=2,
                discount_pct=float(second.group(1)),
                clause=second.group(0),
            )
        )
    if three := _THREE_SYSTEMS.search(text):
        tiers.append(
            VolumeTier(
                min_units=3,
                max_units=None,
                discount_pct=float(three.group(1)),
                clause=three.group(0),
            )
        )
    strategic = _STRATEGIC.search(text)
    return DiscountPolicy(
        tiers=tuple(sorted(tiers, key=lambda tier: tier.min_units)),
        strategic_extra_pct=float(strategic.group(1)) if strategic else None,
    )
