"""Windowed behaviour features with provenance; computed from records, no database access.

Every feature keeps the ids of the records it was counted from (its provenance), so a score or
a stage built on it can name the exact visits, downloads, calls or quotes behind each number.

Two kinds of record are left out of the buying signals, on purpose:

- activities and quotes tied to a deal that had already closed by ``as_of``: they belong to a
  finished buying cycle, not to the account's present intent;
- marketing campaign e-mails (``metadata.campaign``): a newsletter says nothing about the
  customer.

Both are still counted, as ``closed_deal_records`` and ``campaign_emails_90d``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from crm.records import (
    AccountRecord,
    ActivityRecord,
    ContactRecord,
    DealRecord,
    PriceBookRecord,
    QuoteRecord,
)
from tools._behaviour_products import product_focus, product_interest
from tools._behaviour_record import (
    HISTORY_DAYS,
    INBOUND_KINDS,
    KIND_COUNTS,
    OPEN_DEAL_RANK,
    SENIOR,
    WINDOWS,
    BehaviourFeatures,
    FeatureBuilder,
    is_commercial,
    is_product_page,
    is_technical,
    meta_of,
    newest_first,
)


def behaviour_features(
    activities: Sequence[ActivityRecord],
    *,
    subject: dict[str, str],
    as_of: datetime,
    deals: Sequence[DealRecord] = (),
    quotes: Sequence[QuoteRecord] = (),
    contacts: Sequence[ContactRecord] = (),
    price_books: Mapping[str, Sequence[PriceBookRecord]] | None = None,
    account: AccountRecord | None = None,
) -> BehaviourFeatures:
    """Windowed features of ``activities`` as of ``as_of`` (later records are ignored).

    ``price_books`` (product id -> entries, oldest first) lets the newest live quote's price be
    placed between list and floor (``quote_price_position``); without it that feature is absent.
    """
    closed = {d.id for d in deals if d.outcome != "open" and _closed_by(d, as_of)}
    horizon = as_of - timedelta(days=HISTORY_DAYS)
    seen = [a for a in activities if horizon <= a.occurred_at <= as_of]
    stale = [a for a in seen if meta_of(a, "deal_id") in closed]
    campaigns = [a for a in seen if a.kind == "email_out" and meta_of(a, "campaign")]
    left_out = {a.id for a in stale} | {a.id for a in campaigns}
    signals = [a for a in seen if a.id not in left_out]
    live_quotes = [q for q in quotes if horizon <= q.quoted_at <= as_of and q.deal_id not in closed]
    b = FeatureBuilder()
    for days in WINDOWS:
        since = as_of - timedelta(days=days)
        recent = [a for a in signals if a.occurred_at >= since]
        for stem, kind in KIND_COUNTS.items():
            b.count(
                f"{stem}_{days}d",
                [a for a in recent if a.kind == kind],
                f"{kind} activities in the last {days} days",
                window=days,
            )
        b.count(
            f"product_page_visits_{days}d",
            [a for a in recent if is_product_page(a)],
            f"visits to product pages in the last {days} days",
            window=days,
        )
        b.count(
            f"quotes_{days}d",
            [q for q in live_quotes if q.quoted_at >= since],
            f"quotes given in the last {days} days (closed deals excluded)",
            window=days,
            source="quotes",
            when="quoted_at",
        )
    recent90 = [a for a in signals if a.occurred_at >= as_of - timedelta(days=90)]
    b.count(
        "technical_page_visits_90d",
        [a for a in recent90 if is_technical(a)],
        "visits to specification and comparison pages in the last 90 days",
        window=90,
    )
    b.count(
        "commercial_page_visits_90d",
        [a for a in recent90 if is_commercial(a)],
        "visits to pricing, financing, warranty, installation or training pages"
        " in the last 90 days",
        window=90,
    )
    b.count(
        "deal_quotes_90d",
        [q for q in live_quotes if q.deal_id and q.quoted_at >= as_of - timedelta(days=90)],
        "quotes on an open deal in the last 90 days (budgetary quotes without a deal left out)",
        window=90,
        source="quotes",
        when="quoted_at",
    )
    b.count(
        "accepted_quotes_90d",
        [q for q in live_quotes if q.accepted and q.quoted_at >= as_of - timedelta(days=90)],
        "quotes the customer accepted in the last 90 days",
        window=90,
        source="quotes",
        when="quoted_at",
    )
    b.count(
        "campaign_emails_90d",
        [a for a in campaigns if a.occurred_at >= as_of - timedelta(days=90)],
        "marketing campaign e-mails sent in the last 90 days (not a buying signal)",
        window=90,
    )
    b.count(
        "closed_deal_records",
        stale,
        "activities tied to deals closed before as_of (left out of the signals)",
        window=None,
    )
    _recency_and_trend(b, signals, as_of)
    _people(b, recent90, contacts)
    _open_deals(b, deals, closed, as_of)
    _quote_position(b, live_quotes, price_books or {})
    if account is not None:
        b.number(
            "strategic_account",
            float(account.tier == "strategic"),
            "1 when the account's tier is strategic",
            [account.id],
            source="accounts",
        )
    interest = product_interest(recent90, as_of)
    product_focus(b, recent90, interest)
    return BehaviourFeatures(
        subject=dict(subject), as_of=as_of, features=b.features, product_interest=interest[:5]
    )


def _closed_by(deal: DealRecord, as_of: datetime) -> bool:
    # A deal closed after as_of was still open then; without a close date, trust the outcome.
    return deal.close_date is None or deal.close_date <= as_of.date()


def _recency_and_trend(b: FeatureBuilder, signals: list[ActivityRecord], as_of: datetime) -> None:
    inbound = [a for a in signals if a.kind in INBOUND_KINDS]
    last_in = max(inbound, key=lambda a: (a.occurred_at, a.id), default=None)
    last_any = max(signals, key=lambda a: (a.occurred_at, a.id), default=None)
    for name, last, what in (
        ("days_since_inbound", last_in, "days since the customer last did something"),
        ("days_since_activity", last_any, "days since the last activity of either side"),
    ):
        days = (as_of - last.occurred_at).days if last else HISTORY_DAYS + 1
        b.number(name, min(days, HISTORY_DAYS + 1), what, [last.id] if last else ())
    first = min(signals, key=lambda a: a.occurred_at, default=None)
    b.number(
        "history_days",
        (as_of - first.occurred_at).days if first else 0,
        "days of activity history seen (at most 365)",
        [first.id] if first else (),
    )
    last30 = [a for a in inbound if a.occurred_at >= as_of - timedelta(days=30)]
    before = [
        a
        for a in inbound
        if as_of - timedelta(days=90) <= a.occurred_at < as_of - timedelta(days=30)
    ]
    # Month against the average month before it, scaled into [-1, 1].
    now, then = len(last30), len(before) / 2
    b.number(
        "inbound_trend",
        round((now - then) / max(now + then, 1.0), 3),
        "customer activity in the last 30 days against the 60 days before, from -1 to 1",
        newest_first([*last30, *before], "occurred_at"),
        window=90,
    )


def _people(
    b: FeatureBuilder, recent: list[ActivityRecord], contacts: Sequence[ContactRecord]
) -> None:
    seniority = {c.id: c.seniority for c in contacts}
    engaged: dict[str, list[str]] = {}
    for activity in recent:
        if activity.kind not in INBOUND_KINDS:
            continue
        people = [activity.contact_id] if activity.contact_id else []
        people += [p for p in (meta_of(activity, "attendees") or []) if isinstance(p, str)]
        for person in people:
            engaged.setdefault(person, []).append(activity.id)
    b.number(
        "contacts_engaged_90d",
        len(engaged),
        "distinct contacts active in the last 90 days",
        sorted(engaged),
        source="contacts",
        window=90,
    )
    senior = sorted(p for p in engaged if seniority.get(p) in SENIOR)
    b.number(
        "senior_contacts_engaged_90d",
        len(senior),
        "executives and directors active in the last 90 days",
        senior,
        source="contacts",
        window=90,
    )


def _open_deals(
    b: FeatureBuilder, deals: Sequence[DealRecord], closed: set[str], as_of: datetime
) -> None:
    live = [d for d in deals if d.id not in closed and d.created_at <= as_of]
    best = max(live, key=lambda d: (OPEN_DEAL_RANK.get(d.stage, 0), d.created_at), default=None)
    b.number(
        "open_deal_stage",
        OPEN_DEAL_RANK.get(best.stage, 0) if best else 0,
        "most advanced open deal: 0 none, 1 prospecting, 2 qualification, 3 proposal,"
        " 4 negotiation",
        [best.id] if best else (),
        source="deals",
    )


def _quote_position(
    b: FeatureBuilder, quotes: list[QuoteRecord], books: Mapping[str, Sequence[PriceBookRecord]]
) -> None:
    newest = max(quotes, key=lambda q: (q.quoted_at, q.id), default=None)
    entries = (
        [e for e in books.get(newest.product_id, ()) if e.valid_from <= newest.quoted_at.date()]
        if newest
        else []
    )
    if newest is None or not entries:
        return
    entry = entries[-1]
    span = float(entry.list_price - entry.floor_price)
    position = 1.0 if span <= 0 else float(entry.list_price - newest.quoted_unit_price) / span
    b.number(
        "quote_price_position",
        round(min(max(position, 0.0), 1.0), 3),
        "newest quote's price between list (0) and floor (1) price",
        [newest.id],
        source="quotes",
    )
