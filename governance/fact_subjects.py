"""Which contact a provenance fact is about: the person whose data an agent used."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, select

from core.recommendation import Fact
from crm.db import session_factory
from crm.models import Activity

# Sources whose record id is itself a contact id.
CONTACT_SOURCES = frozenset({"contacts"})


def contacts_of_facts(engine: Engine | None, facts: Iterable[Fact]) -> dict[tuple[str, str], str]:
    """``(source, record_id) -> contact_id`` for the facts that are a person's data: contact
    records, and activities (meetings, calls, e-mails) with a contact."""
    found: dict[tuple[str, str], str] = {}
    activity_ids: set[str] = set()
    for fact in facts:
        if fact.source in CONTACT_SOURCES:
            found[(fact.source, fact.record_id)] = fact.record_id
        elif fact.source == "activities":
            activity_ids.add(fact.record_id)
    if activity_ids and engine is not None:
        with session_factory(engine)() as session:
            rows = session.execute(
                select(Activity.id, Activity.contact_id).where(
                    Activity.id.in_(sorted(activity_ids))
                )
            )
            for activity_id, contact_id in rows:
                if contact_id:
                    found[("activities", activity_id)] = contact_id
    return found
