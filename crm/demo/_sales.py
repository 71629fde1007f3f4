"""Deals, their product lines and quotes; won or lost by price, engagement and who was met.

Historical deals are decided by a logistic model of the price's position between list and
floor, the number of meetings and e-mails, whether the decision maker was met and the tier,
so a model can learn from them. Open deals and recent quotes follow the account's stage.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from crm.demo._conversations import EventWriter
from crm.demo._world import CURRENCY, NOW, AccountPlan

CENT = Decimal("0.01")
# Price books: (valid_from, factor on the current list and floor price).
PRICE_YEARS = (
    (date(2024, 1, 1), Decimal("0.92")),
    (date(2025, 1, 1), Decimal("0.96")),
    (date(2026, 1, 1), Decimal(1)),
)
OPEN_DEAL = {  # stage -> (chance of an open deal, deal stages, close in days from now)
    "research": (0.5, ("prospecting", "qualification"), (90, 240)),
    "evaluation": (0.9, ("qualification", "proposal"), (60, 150)),
    "negotiation": (1.0, ("negotiation", "negotiation", "proposal"), (20, 60)),
    "purchase": (1.0, ("negotiation",), (5, 30)),
}


@dataclass
class SalesBook:
    """Rows produced by the sales generator."""

    deals: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)


def price_on(product: Any, day: date) -> tuple[Decimal, Decimal]:
    """(list, floor) price of ``product`` valid on ``day``."""
    factor = PRICE_YEARS[0][1]
    for valid_from, year_factor in PRICE_YEARS:
        if day >= valid_from:
            factor = year_factor
    return (
        (product.list_price * factor).quantize(CENT),
        (product.floor_price * factor).quantize(CENT),
    )


def price_book_rows(catalogue: list[Any]) -> list[dict[str, Any]]:
    """Three yearly price book entries per product; the last is the catalogue's own price."""
    rows: list[dict[str, Any]] = []
    for product in catalogue:
        for valid_from, _ in PRICE_YEARS:
            list_price, floor_price = price_on(product, valid_from)
            rows.append(
                {
                    "id": f"PBE-{len(rows) + 1:04d}",
                    "product_id": product.product_id,
                    "list_price": list_price,
                    "floor_price": floor_price,
                    "currency": product.currency,
                    "max_discount_pct": float(product.max_discount_pct),
                    "discount_policy": product.discount_policy,
                    "valid_from": valid_from,
                }
            )
    return rows


def _quantity(rng: random.Random, product: Any) -> int:
    if product.list_price >= 1_000_000:
        return rng.randint(1, 2)
    if product.list_price >= 200_000:
        return rng.randint(1, 4)
    return rng.randint(2, 12)


class SalesWriter:
    """Creates deals with globally sequential ids, and the events that went with them."""

    def __init__(self, rng: random.Random, book: SalesBook, behaviour: EventWriter) -> None:
        self.rng = rng
        self.book = book
        self.behaviour = behaviour

    def _deal(
        self,
        plan: AccountPlan,
        products: list[Any],
        stage: str,
        created: datetime,
        close: date | None,
        contact: dict[str, Any] | None,
        discount: float,
    ) -> dict[str, Any]:
        rng = self.rng
        deal_id = f"DEAL-{len(self.book.deals) + 1:04d}"
        total = Decimal(0)
        lines = []
        for product in products:
            list_price, floor_price = price_on(product, created.date())
            price = max(floor_price, (list_price * Decimal(str(1 - discount / 100))).quantize(CENT))
            quantity = _quantity(rng, product)
            total += price * quantity
            lines.append((product, quantity, list_price, floor_price, price))
            self.book.lines.append(
                {
                    "deal_id": deal_id,
                    "product_id": product.product_id,
                    "quantity": quantity,
                    "unit_price": price,
                }
            )
        outcome = {"closed_won": "won", "closed_lost": "lost"}.get(stage, "open")
        short = plan.row["name"].split(" Hospital")[0]
        deal = {
            "id": deal_id,
            "account_id": plan.id,
            "primary_contact_id": contact["id"] if contact else None,
            "name": f"{short} - {products[0].name}" + (" +" if len(products) > 1 else ""),
            "stage": stage,
            "amount": total.quantize(CENT),
            "currency": CURRENCY,
            "region": plan.row["region"],
            "close_date": close,
            "outcome": outcome,
            "created_at": created,
            "_lines": lines,
        }
        self.book.deals.append(deal)
        return deal

    def _quotes(
        self,
        plan: AccountPlan,
        deal: dict[str, Any] | None,
        lines: list[Any],
        start: datetime,
        end: datetime,
        revisions: int,
        accepted_last: bool,
    ) -> None:
        moments = sorted(self.behaviour.at(start, end) for _ in range(revisions))
        for revision, moment in enumerate(moments, start=1):
            for product, quantity, list_price, floor_price, final_price in lines:
                # Earlier revisions sit between list and the final price.
                share = Decimal(str(round(revision / revisions, 3)))
                price = (list_price - (list_price - final_price) * share).quantize(CENT)
                price = max(price, floor_price)
                discount = (
                    round(float((list_price - price) / list_price * 100), 2) if list_price else 0.0
                )
                self.book.quotes.append(
                    {
                        "id": f"QUO-{len(self.book.quotes) + 1:05d}",
                        "account_id": plan.id,
                        "deal_id": deal["id"] if deal else None,
                        "product_id": product.product_id,
                        "quantity": quantity,
                        "quoted_unit_price": price,
                        "discount_pct": discount,
                        "quoted_at": moment,
                        "accepted": accepted_last and revision == revisions,
                    }
                )

    def history(self, plan: AccountPlan, catalogue: list[Any], fitting: list[Any]) -> None:
        """Closed deals of the past three years, with the meetings and e-mails around them."""
        rng = self.rng
        industry = plan.row["industry"]
        low, high = {"hospital": (3, 8), "clinic": (1, 3), "lab": (2, 4)}[industry]
        quiet_after = plan.dormant_since or NOW
        for _ in range(rng.randint(low, high)):
            cycle = rng.randint(30, 180)
            latest = quiet_after - timedelta(days=cycle + 1)
            earliest = NOW - timedelta(days=3 * 365)
            if latest <= earliest:
                continue
            created = self.behaviour.at(earliest, latest)
            count = rng.choices((1, 2, 3), (70, 25, 5))[0]
            pool = fitting if fitting and rng.random() < 0.6 else catalogue
            products = rng.sample(pool, k=min(count, len(pool)))
            max_discount = float(products[0].max_discount_pct)
            discount = rng.uniform(0, max_discount * 1.15)
            meetings, emails = rng.randint(0, 4), rng.randint(1, 6)
            dm_met = rng.random() < 0.45
            meetings = max(meetings, 1) if dm_met else meetings
            closed = created + timedelta(days=cycle)
            contact = plan.champion if rng.random() < 0.6 else plan.role("procurement")
            deal = self._deal(
                plan, products, "closed_lost", created, closed.date(), contact, discount
            )
            position = sum(
                float((lp - price) / (lp - fp)) if lp > fp else 1.0
                for _, _, lp, fp, price in deal["_lines"]
            ) / len(deal["_lines"])
            logit = (
                -1.9
                + 3.0 * (position - 0.4)
                + 0.45 * meetings
                + 0.15 * emails
                + 0.9 * dm_met
                + 0.4 * (plan.row["tier"] == "strategic")
            )
            won = rng.random() < 1 / (1 + math.exp(-logit))
            deal["stage"], deal["outcome"] = (
                ("closed_won", "won") if won else ("closed_lost", "lost")
            )
            self._quotes(plan, deal, deal["_lines"], created, closed, rng.randint(1, 3), won)
            for index in range(meetings):
                self.behaviour.meeting(
                    plan,
                    "evaluation" if index == 0 else "negotiation",
                    created,
                    closed,
                    deal_id=deal["id"],
                    product=products[0],
                    dm_present=dm_met and index == meetings - 1,
                )
            for _ in range(emails):
                self.behaviour.email(
                    plan,
                    rng.choice(("evaluation", "negotiation")),
                    rng.choice(("in", "out")),
                    created,
                    closed,
                    product=products[0],
                    deal_id=deal["id"],
                )

    def current(self, plan: AccountPlan, windows: list[tuple[str, datetime, datetime]]) -> None:
        """The open deal and recent quotes that the account's present stage implies."""
        rng = self.rng
        start = windows[-1][1] if windows else NOW - timedelta(days=90)
        if plan.stage == "dormant":
            if rng.random() < 0.35 and plan.dormant_since:
                created = self.behaviour.at(start, plan.dormant_since)
                close = (plan.dormant_since + timedelta(days=rng.randint(30, 120))).date()
                self._deal(
                    plan, plan.interest[:1], "qualification", created, close, plan.champion, 0.0
                )
            return
        if plan.stage == "research" and rng.random() < 0.4:
            product = plan.interest[0]
            list_price, floor_price = price_on(product, NOW.date())
            line = (
                product,
                _quantity(rng, product),
                list_price,
                floor_price,
                (list_price * Decimal("0.98")).quantize(CENT),
            )
            self._quotes(plan, None, [line], start, NOW, 1, False)  # a budgetary quote
        if plan.stage not in OPEN_DEAL:
            return
        chance, stages, (soon, late) = OPEN_DEAL[plan.stage]
        if rng.random() >= chance:
            return
        created = self.behaviour.at(start, start + (NOW - start) / 2)
        close = (NOW + timedelta(days=rng.randint(soon, late))).date()
        discount = rng.uniform(0, float(plan.interest[0].max_discount_pct))
        contact = (
            plan.role("procurement") if plan.stage in ("negotiation", "purchase") else plan.champion
        )
        deal = self._deal(
            plan,
            plan.interest[: rng.randint(1, len(plan.interest))],
            rng.choice(stages),
            created,
            close,
            contact,
            discount,
        )
        if plan.stage in ("negotiation", "purchase"):
            self._quotes(
                plan,
                deal,
                deal["_lines"],
                max(created, NOW - timedelta(days=60)),
                NOW,
                rng.randint(1, 3),
                False,
            )
