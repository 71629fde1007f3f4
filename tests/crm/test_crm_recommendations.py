"""The recommendation log: idempotent recording, filtered search, feedback with validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import ValidationError

from core.recommendation import Fact, Recommendation
from crm.db import Base, make_engine, migrate
from crm.errors import InvalidQuery, NotFound
from crm.recommendations import FeedbackInput, RecommendationLog

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def log(tmp_path: Path) -> RecommendationLog:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    migrate(url)
    return RecommendationLog(make_engine(url))


def rec(
    agent: str = "technical_qa", account: str | None = "ACC-0001", minutes: int = 0
) -> Recommendation:
    return Recommendation(
        kind="answer",
        agent=agent,
        subject={"account_id": account} if account else {},
        content="Up to 3.8 hours.",
        confidence=0.7,
        provenance=[
            Fact(source="product_docs", record_id="SEC-1#0", field="DOC#Power", value="3.8")
        ],
        created_at=T0 + timedelta(minutes=minutes),
    )


def test_migration_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate(url)
    with make_engine(url).connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert [d for d in diffs if "recommendation" in repr(d)] == []


def test_record_is_final_and_idempotent(log: RecommendationLog) -> None:
    first = rec()
    stored = log.record(first)
    assert stored.status == "final"
    log.record(first.model_copy(update={"content": "changed"}))
    again = log.get(recommendation_id=first.id)
    assert again.content == "Up to 3.8 hours." and again.status == "final"
    assert again.provenance == first.provenance


def test_search_filters_by_account_agent_and_time(log: RecommendationLog) -> None:
    a = log.record(rec(minutes=0))
    b = log.record(rec(agent="budget", minutes=10))
    c = log.record(rec(account="ACC-0002", minutes=20))
    assert [r.id for r in log.search()] == [c.id, b.id, a.id]
    assert [r.id for r in log.search(account_id="ACC-0001")] == [b.id, a.id]
    assert [r.id for r in log.search(agent="budget")] == [b.id]
    window = log.search(since=T0 + timedelta(minutes=5), until=T0 + timedelta(minutes=15))
    assert [r.id for r in window] == [b.id]
    assert [r.id for r in log.search(limit=1, offset=1)] == [b.id]


@pytest.mark.parametrize(
    "kwargs", [{"limit": 0}, {"offset": -1}, {"since": T0, "until": T0 - timedelta(1)}]
)
def test_bad_search_arguments_are_refused(log: RecommendationLog, kwargs: dict) -> None:
    with pytest.raises(InvalidQuery):
        log.search(**kwargs)


def test_feedback_is_stored_beside_the_recommendation(log: RecommendationLog) -> None:
    stored = log.record(rec())
    log.add_feedback(
        recommendation_id=stored.id, feedback=FeedbackInput(verdict="accept", author="li")
    )
    log.add_feedback(
        recommendation_id=stored.id,
        feedback=FeedbackInput(
            verdict="modify", modified_content="Up to 3.8 h on battery.", comment="unit"
        ),
    )
    verdicts = [f.verdict for f in log.feedback_for(recommendation_id=stored.id)]
    assert verdicts == ["accept", "modify"]


def test_feedback_errors(log: RecommendationLog) -> None:
    stored = log.record(rec())
    with pytest.raises(NotFound):
        log.add_feedback(recommendation_id="nope", feedback=FeedbackInput(verdict="accept"))
    with pytest.raises(InvalidQuery):
        log.add_feedback(recommendation_id=stored.id, feedback=FeedbackInput(verdict="modify"))
    with pytest.raises(ValidationError):
        FeedbackInput(verdict="maybe")
    with pytest.raises(NotFound):
        log.get(recommendation_id="nope")
    assert log.feedback_for(recommendation_id=stored.id) == []
