"""Deal history tool: each closed deal with the behaviour that preceded its close.

The rows are what a win-probability model learns from: how many meetings and e-mails a deal
had, whether an executive or director sat in a meeting, how far the price moved from list
towards floor, the account's tier, and whether the deal was won. Only records tied to the deal
(``metadata.deal_id`` on activities, ``deal_id`` on quotes) and dated before its close count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal

from crm.reader import CRMReader
from crm.records import ActivityRecord, DealRecord, PriceBookRecord

_CONVERSATION_KINDS = ("meeting", "email_in", "email_out")
_SENIOR = frozenset({"executive", "director"})


@dataclass(frozen=True)
class DealHistoryRow:
    """A closed deal's pre-close behaviour and its outcome."""

    deal_id: str
    account_id: str
    won: bool
    meetings: int
    emails: int
    senior_met: bool
    price_position: float  # 0 = list price, 1 = floor price (mean over the deal's lines)
    strategic: bool
    closed_on: datetime


def price_position(unit_price: Decimal, entries: list[PriceBookRecord], on: datetime) -> float:
    """Where ``unit_price`` sits between the list (0) and floor (1) price valid ``on``."""
    valid = [e for e in entries if e.valid_from <= on.date()] or entries[:1]
    if not valid:
        return 0.0
    entry = valid[-1]
    span = entry.list_price - entry.floor_price
    if span <= 0:
        return 1.0
    return float(min(max((entry.list_price - unit_price) / span, Decimal(0)), Decimal(1)))


def closed_deal_history(crm: CRMReader) -> list[DealHistoryRow]:
    """Every won or lost deal of the CRM with its pre-close behaviour, oldest account first."""
    books: dict[str, list[PriceBookRecord]] = {
        p.id: crm.price_book_for_product(product_id=p.id) for p in crm.list_products()
    }
    rows: list[DealHistoryRow] = []
    offset = 0
    while accounts := crm.list_accounts(limit=500, offset=offset):
        offset += len(accounts)
        for account in accounts:
            deals = [d for d in crm.deals_for_account(account_id=account.id) if d.outcome != "open"]
            if not deals:
                continue
            seniority = {c.id: c.seniority for c in crm.contacts_for_account(account_id=account.id)}
            talks = crm.activities_for_account(
                account_id=account.id, kinds=_CONVERSATION_KINDS, limit=100_000
            )
            by_deal: dict[str, list[ActivityRecord]] = defaultdict(list)
            for activity in talks:
                deal_id = (activity.meta or {}).get("deal_id")
                if deal_id:
                    by_deal[deal_id].append(activity)
            for deal in deals:
                rows.append(
                    _row(deal, by_deal[deal.id], seniority, books, account.tier == "strategic")
                )
    return rows


def _row(
    deal: DealRecord,
    talks: list[ActivityRecord],
    seniority: dict[str, str],
    books: dict[str, list[PriceBookRecord]],
    strategic: bool,
) -> DealHistoryRow:
    closed = datetime.combine(deal.close_date, time.max, tzinfo=UTC) if deal.close_date else None
    before = [a for a in talks if closed is None or a.occurred_at <= closed]
    meetings = [a for a in before if a.kind == "meeting"]
    attendees = {p for m in meetings for p in (m.meta or {}).get("attendees", []) or []}
    positions = [
        price_position(line.unit_price, books.get(line.product_id, []), deal.created_at)
        for line in deal.lines
    ]
    return DealHistoryRow(
        deal_id=deal.id,
        account_id=deal.account_id,
        won=deal.outcome == "won",
        meetings=len(meetings),
        emails=len(before) - len(meetings),
        senior_met=any(seniority.get(p) in _SENIOR for p in attendees),
        price_position=sum(positions) / len(positions) if positions else 0.0,
        strategic=strategic,
        closed_on=closed or deal.created_at,
    )
