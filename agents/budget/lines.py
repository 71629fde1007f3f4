"""Price one line: a discount range from comparable won deals, bounded by the discount policy.

Discounts are compared as *positions*: the share of the product's maximum discount used (0 at
list price, 1 at the floor), so deals of different products and price years line up.

1. Peers: won deals of the same product with accounts of the same tier and industry (at least
   ``MIN_PEERS``), else the same tier, else every account, else the product's category.
   Region never selects peers.
2. Quartiles of the peers' positions give the range (25th to 75th percentile) and the target
   (median).
3. The account's own accepted discounts shift it: their mean position minus the peers' median,
   shrunk towards zero by ``n / (n + SHRINK)`` for ``n`` accepted quotes.
4. The policy bounds it: never less than the volume discount the quantity earns, never more
   than the maximum discount (so never under the floor price).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from pydantic import BaseModel, ConfigDict

from agents.budget.win_curve import WinCurve
from crm.records import AccountRecord, PriceBookRecord
from tools.discount_policy import parse_discount_policy
from tools.pricing import ComparableQuote, PriceSensitivity

MIN_PEERS = 6
MIN_POOLED = 3
SHRINK = 4.0
MAX_SHIFT = 0.25  # positions: the account's history moves the range by at most a quarter


class LinePrice(BaseModel):
    """The recommended unit price range of one line and the numbers behind it."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    quantity: int
    priced: bool
    reason: str = ""
    price_book_id: str | None = None
    list_price: float | None = None
    floor_price: float | None = None
    max_discount_pct: float | None = None
    volume_discount_pct: float = 0.0
    volume_clause: str = ""
    peer_group: str = ""
    peers: tuple[ComparableQuote, ...] = ()
    p25_pct: float | None = None
    p50_pct: float | None = None
    p75_pct: float | None = None
    account_accepted: int = 0
    shift_pct: float = 0.0
    discount_low: float | None = None  # the opening offer: highest price
    discount_target: float | None = None
    discount_high: float | None = None  # the walk-away point: lowest price
    unit_high: float | None = None
    unit_target: float | None = None
    unit_low: float | None = None
    win_chance_pct: float | None = None
    win_fit_quotes: int = 0
    win_fit_won: int = 0
    confidence: float = 0.0


def price_line(
    *,
    product_id: str,
    quantity: int,
    entry: PriceBookRecord | None,
    comparables: Sequence[ComparableQuote],
    pooled: Sequence[ComparableQuote],
    category: str,
    account: AccountRecord,
    sensitivity: PriceSensitivity,
    win_curve: WinCurve | None = None,
) -> LinePrice:
    """The price range of ``quantity`` units of ``product_id``; unpriced without a price book."""
    if entry is None:
        return LinePrice(
            product_id=product_id, quantity=quantity, priced=False, reason="no price book entry"
        )
    list_price, floor, cap = entry.list_price, entry.floor_price, float(entry.max_discount_pct)
    tier = parse_discount_policy(entry.discount_policy).volume_discount(quantity)
    entitled = min(tier.discount_pct, cap) if tier else 0.0
    group, peers = _peers(comparables, pooled, account, category)
    if not peers or cap <= 0:
        # No evidence: from the policy's own discount to the middle of what it still allows.
        low, target, high = entitled, (entitled + cap) / 2, cap
        quartiles: tuple[float | None, ...] = (None, None, None)
        shift, accepted, confidence = 0.0, 0, 0.15
    else:
        positions = np.array([q.position for q in peers], dtype=float)
        q25, q50, q75 = (float(v) for v in np.quantile(positions, [0.25, 0.5, 0.75]))
        own = [q.position for q in sensitivity.accepted if q.position is not None]
        accepted = len(own)
        shift = 0.0
        if own:
            shift = accepted / (accepted + SHRINK) * (sum(own) / accepted - q50)
            shift = max(-MAX_SHIFT, min(MAX_SHIFT, shift))
        low = _bounded(max(entitled / cap, q25 + shift), entitled / cap) * cap
        target = _bounded(max(entitled / cap, q50 + shift), low / cap) * cap
        high = _bounded(q75 + shift, target / cap) * cap
        quartiles = (q25 * cap, q50 * cap, q75 * cap)
        confidence = _confidence(len(peers), q75 - q25, pooled_group=group.startswith("category"))
        shift *= cap
    chance = win_curve.chance(target / cap) if win_curve is not None and cap > 0 else None
    return LinePrice(
        product_id=product_id,
        quantity=quantity,
        priced=True,
        price_book_id=entry.id,
        list_price=float(list_price),
        floor_price=float(floor),
        max_discount_pct=cap,
        volume_discount_pct=entitled,
        volume_clause=tier.clause if tier else "",
        peer_group=group,
        peers=tuple(peers),
        p25_pct=_round(quartiles[0]),
        p50_pct=_round(quartiles[1]),
        p75_pct=_round(quartiles[2]),
        account_accepted=accepted,
        shift_pct=round(shift, 2),
        discount_low=round(low, 2),
        discount_target=round(target, 2),
        discount_high=round(high, 2),
        unit_high=_unit(list_price, floor, low),
        unit_target=_unit(list_price, floor, target),
        unit_low=_unit(list_price, floor, high),
        win_chance_pct=round(100 * chance, 1) if chance is not None else None,
        win_fit_quotes=win_curve.quotes if win_curve is not None else 0,
        win_fit_won=win_curve.won if win_curve is not None else 0,
        confidence=confidence,
    )


def _peers(
    comparables: Sequence[ComparableQuote],
    pooled: Sequence[ComparableQuote],
    account: AccountRecord,
    category: str,
) -> tuple[str, list[ComparableQuote]]:
    won = [q for q in comparables if q.outcome == "won" and q.position is not None]
    same = [q for q in won if q.tier == account.tier and q.industry == account.industry]
    if len(same) >= MIN_PEERS:
        return f"same product, {account.tier} {account.industry} accounts", same
    same_tier = [q for q in won if q.tier == account.tier]
    if len(same_tier) >= MIN_PEERS:
        return f"same product, {account.tier} accounts", same_tier
    if len(won) >= MIN_POOLED:
        return "same product, all accounts", won
    wider = won + [q for q in pooled if q.outcome == "won" and q.position is not None]
    if len(wider) >= MIN_POOLED:
        return f"category {category}, all accounts", wider
    return "", []


def _bounded(position: float, at_least: float) -> float:
    return min(max(position, at_least, 0.0), 1.0)


def _unit(list_price: Decimal, floor: Decimal, discount_pct: float) -> float:
    price = (list_price * (1 - Decimal(str(discount_pct)) / 100)).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    return float(max(price, floor))


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def _confidence(peers: int, iqr: float, *, pooled_group: bool) -> float:
    """More peers and a tighter spread of their discounts give more confidence; raw, uncalibrated."""
    amount = peers / (peers + 8)
    agreement = 1 - 0.6 * min(max(iqr, 0.0), 1.0)
    raw = 0.15 + 0.75 * amount * agreement
    return round(raw * (0.8 if pooled_group else 1.0), 3)
