"""List price, floor price and the written discount policy of a product, in CNY."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from crm.demo._product_lines import ProductLine

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Pricing:
    """The prices and policy text of one product."""

    list_price: Decimal
    floor_price: Decimal
    max_discount_pct: float
    discount_policy: str


def _rounding_step(amount: float) -> int:
    # Prices end in round figures as a price list would: hundreds, thousands, ten thousands.
    if amount < 50_000:
        return 100
    if amount < 1_000_000:
        return 1_000
    return 10_000


def _money(amount: Decimal) -> str:
    return f"CNY {amount:,.2f}"


def _pct(value: float) -> str:
    return f"{value:g}%"


def price_product(line: ProductLine, rng: random.Random) -> Pricing:
    """Price a line: the list price moves up to 3% with the seed; the floor honours the cap."""
    raw = line.base_list_price * (1 + rng.uniform(-0.03, 0.03))
    step = _rounding_step(raw)
    list_price = Decimal(round(raw / step) * step).quantize(_CENT)
    max_pct = line.max_discount_pct
    # Rounding up keeps the floor's discount at or below the cap, never above it.
    floor = (list_price * (1 - Decimal(str(max_pct)) / 100)).quantize(_CENT, ROUND_CEILING)
    return Pricing(list_price, floor, max_pct, _policy(line, list_price, floor))


def _policy(line: ProductLine, list_price: Decimal, floor: Decimal) -> str:
    cap = line.max_discount_pct
    # Tiers are fractions of the cap, rounded to half points, so no tier can exceed it.
    small, medium, large = (round(cap * share * 2) / 2 for share in (0.25, 0.45, 0.65))
    strategic = round(cap * 0.2 * 2) / 2
    if list_price < 50_000:
        tiers = (
            f"5 to 19 units {_pct(small)}, 20 to 49 units {_pct(medium)}, "
            f"50 units or more {_pct(large)}"
        )
    elif list_price < 1_000_000:
        tiers = (
            f"2 to 4 units {_pct(small)}, 5 to 9 units {_pct(medium)}, "
            f"10 units or more {_pct(large)}"
        )
    else:
        tiers = (
            f"a second system in the same order {_pct(small)}, three or more systems or "
            f"a multi-site framework {_pct(medium)}, trade-in of an installed competitor "
            f"system {_pct(large)}"
        )
    return (
        f"{line.name} list price {_money(list_price)}. Volume discounts: {tiers}. "
        f"Strategic accounts with a signed framework agreement receive an extra "
        f"{_pct(strategic)}. Public tenders and provincial centralised procurement may be bid "
        f"down to the floor price of {_money(floor)} with regional sales director approval. "
        f"Discounts combine, but never beyond the maximum discount of {_pct(cap)}."
    )
