"""What a reviewer sees beside an item: the account, the contact, open deals, recent activity.

Read from the CRM store as it is now (the recommendation itself is the sampled snapshot). An
account or contact erased since sampling is simply absent.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import Engine

from crm.errors import NotFound
from crm.records import AccountRecord, ActivityRecord, ContactRecord, DealRecord
from crm.store import CRMStore
from eval.calibration.schemas import ItemWithReviews
from eval.calibration.store import CalibrationStore

RECENT_ACTIVITIES = 10


class AccountContext(BaseModel):
    """The CRM records a reviewer needs to judge a recommendation about an account."""

    account: AccountRecord | None = None
    contact: ContactRecord | None = None
    open_deals: list[DealRecord] = Field(default_factory=list)
    recent_activities: list[ActivityRecord] = Field(default_factory=list)


class ItemDetail(ItemWithReviews):
    """An item with its reviews, the recommendation's provenance and the account context."""

    context: AccountContext


def account_context(
    crm: CRMStore, *, account_id: str | None, contact_id: str | None
) -> AccountContext:
    """The account context, with whatever of it still exists."""
    context = AccountContext()
    if account_id:
        try:
            context.account = crm.get_account(account_id=account_id)
            context.open_deals = [
                deal
                for deal in crm.deals_for_account(account_id=account_id)
                if deal.outcome == "open"
            ]
            context.recent_activities = crm.activities_for_account(
                account_id=account_id, limit=RECENT_ACTIVITIES
            )
        except NotFound:
            context = AccountContext()
    if contact_id:
        try:
            context.contact = crm.get_contact(contact_id=contact_id)
        except NotFound:
            pass
    return context


def item_detail(
    store: CalibrationStore, engine: Engine, *, batch_id: str, item_id: str
) -> ItemDetail:
    """The item of ``batch_id`` with its reviews and the account context from the CRM."""
    item = store.get_item(item_id=item_id, batch_id=batch_id)
    context = account_context(
        CRMStore(engine), account_id=item.account_id, contact_id=item.contact_id
    )
    return ItemDetail(**item.model_dump(), context=context)
