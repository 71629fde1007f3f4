"""The recommendation log's contract (crm/recommendations.py ``RecommendationLog``): record,
get, search with filters and paging, and feedback, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from core.recommendation import Fact, ModelInfo, Recommendation
from crm.errors import InvalidQuery, NotFound
from crm.recommendations import FeedbackInput, RecommendationLog

START = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def log(engine: Engine) -> RecommendationLog:
    return RecommendationLog(engine)


@pytest.fixture
def account(unique: Callable[[str], str]) -> str:
    """An account id of the test's own: searches filtered by it see only this test's rows."""
    return unique("ACC")


def recommendation(account: str, *, minutes: int = 0, agent: str = "budget") -> Recommendation:
    """A recommendation about ``account``, created ``minutes`` after ``START``."""
    return Recommendation(
        kind="price_range",
        agent=agent,
        subject={"account_id": account, "deal_id": "DEAL-0001"},
        content="建议报价区间：¥1,150,000 – ¥1,280,000（含三年维保）",
        confidence=0.72,
        provenance=[
            Fact(source="crm", record_id="DEAL-0001", field="amount", value=1_200_000, as_of=START)
        ],
        model=ModelInfo(name="scripted/test", version="1"),
        created_at=START + timedelta(minutes=minutes),
    )


def test_a_recorded_recommendation_round_trips_as_final(
    log: RecommendationLog, account: str
) -> None:
    made = recommendation(account)
    stored = log.record(made)
    assert stored.status == "final" and made.status == "draft"
    got = log.get(recommendation_id=made.id)
    assert got == stored
    assert got.content == made.content and got.created_at == START
    assert got.provenance[0].value == 1_200_000


def test_recording_the_same_id_again_changes_nothing(log: RecommendationLog, account: str) -> None:
    made = recommendation(account)
    log.record(made)
    log.record(made.model_copy(update={"content": "changed", "confidence": 0.1}))
    assert log.get(recommendation_id=made.id).content == made.content
    assert len(log.search(account_id=account)) == 1


def test_concurrent_records_of_one_recommendation_store_it_once(
    log: RecommendationLog, account: str
) -> None:
    made = recommendation(account)
    with ThreadPoolExecutor(max_workers=4) as pool:
        stored = list(pool.map(lambda _: log.record(made), range(8)))
    assert {r.id for r in stored} == {made.id}
    assert [r.id for r in log.search(account_id=account)] == [made.id]


def test_an_unknown_recommendation_is_not_found(
    log: RecommendationLog, unique: Callable[[str], str]
) -> None:
    with pytest.raises(NotFound):
        log.get(recommendation_id=unique("rec"))


def test_search_is_newest_first_filtered_and_paged(log: RecommendationLog, account: str) -> None:
    made = [
        log.record(recommendation(account, minutes=n, agent="budget" if n % 2 else "next_action"))
        for n in range(5)
    ]
    newest_first = [r.id for r in made[::-1]]
    assert [r.id for r in log.search(account_id=account)] == newest_first
    pages = [[r.id for r in log.search(account_id=account, limit=2, offset=o)] for o in (0, 2, 4)]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5]]
    budget = log.search(account_id=account, agent="budget")
    assert [r.id for r in budget] == [made[3].id, made[1].id]
    window = log.search(
        account_id=account, since=START + timedelta(minutes=1), until=START + timedelta(minutes=3)
    )
    assert [r.id for r in window] == [made[2].id, made[1].id]  # until is exclusive
    assert log.search(account_id=account, agent="relationships") == []


def test_bad_searches_are_refused(log: RecommendationLog, account: str) -> None:
    for bad in ({"limit": 0}, {"limit": 1001}, {"offset": -1}):
        with pytest.raises(InvalidQuery):
            log.search(account_id=account, **bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidQuery):
        log.search(since=START, until=START - timedelta(seconds=1))


def test_feedback_is_stored_in_order_and_refused_for_unknown_ids(
    log: RecommendationLog, account: str, unique: Callable[[str], str]
) -> None:
    made = log.record(recommendation(account))
    first = log.add_feedback(
        recommendation_id=made.id, feedback=FeedbackInput(verdict="accept", author="王丽")
    )
    second = log.add_feedback(
        recommendation_id=made.id,
        feedback=FeedbackInput(
            verdict="modify", modified_content="报价下调 5%", comment="客户预算紧"
        ),
    )
    assert log.feedback_for(recommendation_id=made.id) == [first, second]
    assert second.modified_content == "报价下调 5%"
    with pytest.raises(InvalidQuery):
        log.add_feedback(recommendation_id=made.id, feedback=FeedbackInput(verdict="modify"))
    with pytest.raises(NotFound):
        log.add_feedback(recommendation_id=unique("rec"), feedback=FeedbackInput(verdict="accept"))
    assert log.feedback_for(recommendation_id=unique("rec")) == []
