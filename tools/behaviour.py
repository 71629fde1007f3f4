"""Behaviour tools: an account's or contact's activity sequence as windowed features.

``account_behaviour`` and ``contact_behaviour`` read the CRM and hand back
:class:`BehaviourFeatures`: counts over 30 and 90 days (visits per product page, downloads,
e-mails in and out, calls answered and missed, meetings, tenders, quotes), recency, trend and
who was engaged, each :class:`Feature` naming the records it came from.

``as_of`` defaults to the data's own clock (the newest activity in the CRM), not the wall
clock: a demo or an imported history keeps its meaning whatever day it is read on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from crm.reader import CRMReader
from crm.records import ActivityRecord, PriceBookRecord, QuoteRecord
from tools._behaviour_features import behaviour_features
from tools._behaviour_record import (
    HISTORY_DAYS,
    INBOUND_KINDS,
    WINDOWS,
    BehaviourFeatures,
    Feature,
)

__all__ = [
    "HISTORY_DAYS",
    "INBOUND_KINDS",
    "WINDOWS",
    "BehaviourFeatures",
    "Feature",
    "account_behaviour",
    "behaviour_features",
    "contact_behaviour",
    "data_clock",
]

# Enough for the busiest demo account's year many times over; a score needs no more.
MAX_ACTIVITIES = 20_000


def data_clock(crm: CRMReader) -> datetime:
    """The newest activity's time, or now (UTC) for a CRM without activities."""
    return crm.latest_activity_at() or datetime.now(UTC)


def account_behaviour(
    crm: CRMReader,
    *,
    account_id: str,
    as_of: datetime | None = None,
    extra: Sequence[ActivityRecord] = (),
) -> BehaviourFeatures:
    """Features of an account's behaviour; ``extra`` adds activities not stored yet.

    Raises ``crm.errors.NotFound`` for an unknown account.
    """
    when = as_of or max([data_clock(crm), *(a.occurred_at for a in extra)])
    since = when - timedelta(days=HISTORY_DAYS)
    stored = crm.activities_for_account(account_id=account_id, since=since, limit=MAX_ACTIVITIES)
    account = crm.get_account(account_id=account_id)
    known = {a.id for a in extra}
    quotes = crm.quotes_for_account(account_id=account_id)
    return behaviour_features(
        [*(a for a in stored if a.id not in known), *extra],
        subject={"account_id": account_id},
        as_of=when,
        deals=crm.deals_for_account(account_id=account_id),
        quotes=quotes,
        contacts=crm.contacts_for_account(account_id=account_id),
        price_books=_price_books(crm, quotes[:1]),
        account=account,
    )


def contact_behaviour(
    crm: CRMReader, *, contact_id: str, as_of: datetime | None = None
) -> BehaviourFeatures:
    """Features of one contact's own behaviour, with the account's deals and quotes as context.

    Raises ``crm.errors.NotFound`` for an unknown contact.
    """
    contact = crm.get_contact(contact_id=contact_id)
    when = as_of or data_clock(crm)
    since = when - timedelta(days=HISTORY_DAYS)
    quotes = crm.quotes_for_account(account_id=contact.account_id)
    return behaviour_features(
        crm.activities_for_contact(contact_id=contact_id, since=since, limit=MAX_ACTIVITIES),
        subject={"account_id": contact.account_id, "contact_id": contact_id},
        as_of=when,
        deals=crm.deals_for_account(account_id=contact.account_id),
        quotes=quotes,
        contacts=[contact],
        price_books=_price_books(crm, quotes[:1]),
        account=crm.get_account(account_id=contact.account_id),
    )


def _price_books(crm: CRMReader, quotes: Sequence[QuoteRecord]) -> dict[str, list[PriceBookRecord]]:
    # Only the products of the quotes whose price is placed (the newest one).
    return {q.product_id: crm.price_book_for_product(product_id=q.product_id) for q in quotes}
