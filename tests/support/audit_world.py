"""A tiny CRM for the governance audit tests: one hospital, two people, their activities."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from crm import models as m
from crm.db import session_factory

NOW = datetime(2026, 11, 1, tzinfo=UTC)
ACCOUNT = "ACC-9001"
ANNA, BEN = "CON-90001", "CON-90002"
ANNA_MEETING, BEN_CALL = "EVT-990001", "EVT-990002"


def seed_two_people(engine: Engine) -> None:
    """Account ACC-9001 with contacts Anna (CON-90001) and Ben (CON-90002), one activity each."""
    with session_factory(engine)() as session:
        session.add(
            m.Account(
                id=ACCOUNT,
                name="Ruijin Hospital",
                industry="hospital",
                hospital_type="university",
                beds=2000,
                city="Shanghai",
                region="East",
                tier="strategic",
                created_at=NOW,
            )
        )
        session.flush()
        for contact_id, first, last in ((ANNA, "Anna", "Li"), (BEN, "Ben", "Wang")):
            session.add(
                m.Contact(
                    id=contact_id,
                    account_id=ACCOUNT,
                    first_name=first,
                    last_name=last,
                    title="Head of Radiology",
                    department="Radiology",
                    seniority="director",
                    email=f"{first.lower()}@example.org",
                    created_at=NOW,
                )
            )
        session.flush()
        for activity_id, contact_id, kind in (
            (ANNA_MEETING, ANNA, "meeting"),
            (BEN_CALL, BEN, "call_answered"),
        ):
            session.add(
                m.Activity(
                    id=activity_id,
                    account_id=ACCOUNT,
                    contact_id=contact_id,
                    kind=kind,
                    occurred_at=NOW,
                    subject=f"{kind} with {contact_id}",
                )
            )
        session.commit()
