"""The lead score store: atomic intake writes, id races, history; its migration matches."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, insert, select

from crm import models as m
from crm.db import Base
from crm.lead_scores import EventIdTaken, LeadScoreRow, LeadScoreStore

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def account(engine: Engine) -> str:
    with engine.begin() as connection:
        connection.execute(
            insert(m.Account),
            [
                {
                    "id": "ACC-0001",
                    "name": "A",
                    "industry": "hospital",
                    "city": "X",
                    "region": "East",
                    "tier": "key",
                    "created_at": NOW,
                }
            ],
        )
    return "ACC-0001"


def activity(event_id: str, account_id: str = "ACC-0001") -> dict[str, Any]:
    return {
        "id": event_id,
        "account_id": account_id,
        "contact_id": None,
        "kind": "meeting",
        "occurred_at": NOW,
        "product_id": None,
        "url": None,
        "subject": "s",
        "body": None,
        "duration_s": None,
        "meta": {"k": 1},
    }


def score(account_id: str, event_ids: list[str], *, minutes: int = 0, **values: Any) -> dict:
    row = {
        "id": str(uuid.uuid4()),
        "account_id": account_id,
        "contact_id": None,
        "stage": "research",
        "score": 42,
        "grade": "B",
        "route": "technical_qa",
        "confidence": 0.8,
        "as_of": NOW,
        "created_at": NOW + timedelta(minutes=minutes),
        "event_ids": event_ids,
        "recommendation_id": str(uuid.uuid4()),
        "assessment": {"route": {"agent": "technical_qa"}},
        "recommendation": {"id": "x"},
    }
    row.update(values)
    return row


def counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return (
            connection.scalar(select(func.count()).select_from(m.Activity)) or 0,
            connection.scalar(select(func.count()).select_from(LeadScoreRow)) or 0,
        )


def test_intake_writes_events_and_scores_together(engine: Engine, account: str) -> None:
    store = LeadScoreStore(engine)
    written = store.record_intake(
        activities=[activity("E-1"), activity("E-2")], scores=[score(account, ["E-1", "E-2"])]
    )
    assert [w.event_ids for w in written] == [["E-1", "E-2"]]
    assert counts(engine) == (2, 1)
    assert set(store.stored_activities(["E-1", "E-3"])) == {"E-1"}
    assert store.stored_activities(["E-1"])["E-1"].meta == {"k": 1}
    assert store.stored_activities([]) == {}


def test_a_taken_id_or_a_bad_score_writes_nothing(engine: Engine, account: str) -> None:
    store = LeadScoreStore(engine)
    store.record_intake(activities=[activity("E-1")], scores=[score(account, ["E-1"])])
    with pytest.raises(EventIdTaken) as taken:
        store.record_intake(
            activities=[activity("E-2"), activity("E-1")], scores=[score(account, ["E-2"])]
        )
    assert taken.value.ids == ["E-1"]
    with pytest.raises(Exception, match="(?i)check|constraint"):
        store.record_intake(
            activities=[activity("E-3")], scores=[score(account, ["E-3"], score=101)]
        )
    assert counts(engine) == (1, 1)


def test_history_is_newest_first(engine: Engine, account: str) -> None:
    store = LeadScoreStore(engine)
    for minutes in (1, 3, 2):
        store.record_intake(
            activities=[activity(f"E-{minutes}")],
            scores=[score(account, [f"E-{minutes}"], minutes=minutes, score=minutes)],
        )
    assert [s.score for s in store.history(account_id=account)] == [3, 2, 1]
    latest = store.latest(account_id=account)
    assert latest is not None and latest.score == 3 and latest.created_at.tzinfo is not None
    assert store.latest(account_id="ACC-0404") is None


def test_the_migration_matches_the_model(engine: Engine) -> None:
    def only_lead_scores(obj: object, name: str | None, type_: str, *_: object) -> bool:
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table in (None, "lead_scores")

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": only_lead_scores}
        )
        assert compare_metadata(context, Base.metadata) == []
