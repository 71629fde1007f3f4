"""Consent for test worlds: agents read only contacts who consented to AI processing."""

from __future__ import annotations

from sqlalchemy import Engine, select

from crm import models as m
from crm.db import session_factory
from governance.consent import AI_PROCESSING, ConsentLedger

TEST_KEY = bytes(range(32))


def grant_everyone(engine: Engine, *, except_for: tuple[str, ...] = ()) -> ConsentLedger:
    """A consent ledger in which every contact (but ``except_for``) granted AI processing."""
    ledger = ConsentLedger(engine, key=TEST_KEY)
    with session_factory(engine)() as session:
        ids = session.scalars(select(m.Contact.id).order_by(m.Contact.id)).all()
    ledger.record_many(
        {
            "action": "grant",
            "contact_id": contact_id,
            "purpose": AI_PROCESSING,
            "notice_version": "test-1",
            "source": "test",
        }
        for contact_id in ids
        if contact_id not in except_for
    )
    return ledger
