"""A rep's portfolio over a seeded demo: every account scored at seed, scores refreshed by
events, and the hottest / what changed / stale deals answers across the rep's accounts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from sqlalchemy import Engine

from agents.conversation import is_portfolio_question
from agents.deps import AgentDeps
from agents.figures import ungrounded_numbers
from agents.lead_scoring import build_lead_scoring_graph
from agents.lead_scoring.portfolio import CHANGES, HOTTEST, STALE, portfolio_kind
from core.recommendation import Recommendation
from crm.lead_scores import LeadScoreStore
from crm.store import CRMStore
from intake.event_intake import EventIntake
from intake.lead_refresh import score_unscored_accounts
from tests.support.lead_demo import seeded_engine
from tools.behaviour import data_clock

pytestmark = pytest.mark.anyio


class Tools:
    def __init__(self, crm: CRMStore) -> None:
        self.crm = crm


class NoModel:
    """Portfolio answers are computed in code: any model call is a bug."""

    model = "none"

    async def ainvoke(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the model was called")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = seeded_engine(tmp_path_factory.mktemp("portfolio"), scale=0.1)
    score_unscored_accounts(CRMStore(engine), LeadScoreStore(engine))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def crm(engine: Engine) -> CRMStore:
    return CRMStore(engine)


@pytest.fixture(scope="module")
def graph(crm: CRMStore) -> Any:
    return build_lead_scoring_graph(AgentDeps(tools=Tools(crm), model=NoModel()))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def rep(crm: CRMStore) -> str:
    """The rep with the most accounts in the small demo."""
    owners = [a.owner_id for a in crm.list_accounts(limit=10_000) if a.owner_id]
    return max(set(owners), key=owners.count)


async def _ask(graph: Any, question: str, rep_id: str | None) -> tuple[str, Recommendation | None]:
    config = {"configurable": {"rep_id": rep_id}} if rep_id else {}
    state = await graph.ainvoke({"messages": [HumanMessage(question)]}, config=config)
    rec = state.get("recommendation")
    return state["messages"][-1].content, Recommendation.model_validate(rec) if rec else None


def _event(event_id: str, account_id: str, kind: str, when: datetime) -> dict[str, Any]:
    """An event as the intake API hands it over: every activity column."""
    return {"id": event_id, "account_id": account_id, "contact_id": None, "kind": kind,
            "occurred_at": when, "product_id": None, "url": None, "subject": kind,
            "body": None, "duration_s": None, "meta": {}}  # fmt: skip


def test_every_account_has_a_lead_score_and_an_owner_after_seeding(
    crm: CRMStore, engine: Engine
) -> None:
    accounts = crm.list_accounts(limit=10_000)
    scores = LeadScoreStore(engine)
    assert scores.scored_accounts() == {a.id for a in accounts}
    assert all(a.owner_id for a in accounts)
    latest = scores.latest(account_id=accounts[0].id)
    assert latest is not None and latest.as_of == data_clock(crm)
    assert score_unscored_accounts(crm, scores) == 0  # seeding again scores nothing twice


def test_a_new_event_re_scores_its_account(crm: CRMStore, engine: Engine) -> None:
    scores = LeadScoreStore(engine)
    account = crm.list_accounts(limit=1)[0]
    before = scores.latest(account_id=account.id)
    assert before is not None
    when = data_clock(crm) + timedelta(hours=1)
    event = _event("EVT-PORTFOLIO-1", account.id, "tender_announcement", when)
    EventIntake(crm, scores).ingest([event])
    after = scores.latest(account_id=account.id)
    assert after is not None and after.id != before.id
    assert after.event_ids == ["EVT-PORTFOLIO-1"] and after.as_of == when
    assert after.stage == "purchase"  # a tender is the purchase signal
    other = crm.list_accounts(limit=2)[1]
    assert len(scores.history(account_id=other.id)) == 1  # only the event's account


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Which of my accounts are hottest this week?", HOTTEST),
        ("What changed in my territory?", CHANGES),
        ("Which of my deals are stale?", STALE),
        ("Show the open deals past their close date", STALE),
        ("How hot is ACC-0003?", None),
        ("What is the lead score of Ruijin Hospital?", None),
    ],
)
def test_portfolio_questions_are_told_apart(question: str, kind: str | None) -> None:
    assert portfolio_kind(question, portfolio=is_portfolio_question(question)) == kind


async def test_hottest_ranks_all_of_the_reps_accounts_and_only_theirs(
    graph: Any, crm: CRMStore, engine: Engine, rep: str
) -> None:
    reply, rec = await _ask(graph, "Which of my accounts are hottest this week?", rep)
    assert rec is not None and rec.kind == "portfolio" and rec.subject == {"rep_id": rep}
    ranking = rec.data["portfolio"]["ranking"]
    mine = {a.id for a in crm.list_accounts(limit=10_000, owner_id=rep)}
    assert [r["account_id"] for r in ranking] and {r["account_id"] for r in ranking} == mine
    assert len(ranking) == len(mine)
    assert [r["score"] for r in ranking] == sorted((r["score"] for r in ranking), reverse=True)
    latest = LeadScoreStore(engine).latest(account_id=ranking[0]["account_id"])
    assert latest is not None and ranking[0]["score"] == latest.score
    for account_id in mine:  # every account is named in the answer itself
        assert account_id in reply
    assert ungrounded_numbers(rec.content, rec.provenance) == []
    assert rep in reply


async def test_without_a_rep_the_ranking_covers_every_account_and_says_so(
    graph: Any, crm: CRMStore
) -> None:
    reply, rec = await _ask(graph, "Which of my accounts are hottest this week?", None)
    assert rec is not None and rec.subject == {}
    assert len(rec.data["portfolio"]["ranking"]) == len(crm.list_accounts(limit=10_000))
    assert "no rep was chosen" in reply


async def test_stale_deals_are_the_reps_open_deals_past_their_close_date(
    graph: Any, crm: CRMStore, rep: str
) -> None:
    _, rec = await _ask(graph, "Which of my deals are stale?", rep)
    assert rec is not None
    today = data_clock(crm).date()
    expected = {
        d.id
        for a in crm.list_accounts(limit=10_000, owner_id=rep)
        for d in crm.deals_for_account(account_id=a.id)
        if d.outcome == "open" and d.close_date is not None and d.close_date < today
    }
    listed = rec.data["portfolio"]["stale_deals"]
    assert {s["deal_id"] for s in listed} == expected
    assert all(s["days_overdue"] > 0 for s in listed)
    assert ungrounded_numbers(rec.content, rec.provenance) == []


async def test_what_changed_lists_the_weeks_events_of_the_reps_accounts(
    graph: Any, crm: CRMStore, rep: str
) -> None:
    account = crm.list_accounts(limit=10_000, owner_id=rep)[0]
    when = data_clock(crm) + timedelta(minutes=5)
    event = _event("EVT-PORTFOLIO-2", account.id, "meeting", when)
    EventIntake(crm, LeadScoreStore(crm.engine)).ingest([event])
    reply, rec = await _ask(graph, "What changed in my territory?", rep)
    assert rec is not None
    changed = {c["account_id"]: c for c in rec.data["portfolio"]["changes"]}
    assert account.id in changed and changed[account.id]["activities"].get("meeting", 0) >= 1
    mine = {a.id for a in crm.list_accounts(limit=10_000, owner_id=rep)}
    assert set(changed) <= mine
    assert account.id in reply
    assert ungrounded_numbers(rec.content, rec.provenance) == []


async def test_an_unknown_rep_is_told_which_reps_exist(graph: Any) -> None:
    reply, rec = await _ask(graph, "What changed in my territory?", "REP-999")
    assert rec is None
    assert "REP-999" in reply and "REP-001" in reply


async def test_a_question_about_one_account_is_still_scored_as_before(graph: Any) -> None:
    state = await graph.ainvoke(
        {"messages": [HumanMessage("How hot is ACC-0003?")], "narrate": False}
    )
    rec = Recommendation.model_validate(state["recommendation"])
    assert rec.kind == "lead_score" and rec.subject == {"account_id": "ACC-0003"}


@pytest.mark.parametrize(
    "question",
    [
        "Which of my accounts are hottest this week?",
        "What changed in my territory?",
        "Which of my deals are stale?",
        "Which open deals are past their close date?",
    ],
)
def test_the_supervisor_routes_portfolio_questions_to_lead_scoring(question: str) -> None:
    from graphs.supervisor import ExampleRouter
    from memory import HashingEmbeddingFunction

    labels = ["technical_qa", "budget", "relationships", "lead_scoring", "next_action"]
    router = ExampleRouter(embed=HashingEmbeddingFunction(), labels=labels)
    assert router.route(question).routes == ["lead_scoring"]


async def test_the_supervisor_passes_the_rep_to_the_lead_scoring_agent(
    graph: Any, crm: CRMStore, rep: str
) -> None:
    from core.settings import Settings
    from graphs.supervisor import build_supervisor_graph
    from llm.gateway import chat_model
    from llm.providers import register_providers
    from memory import HashingEmbeddingFunction

    register_providers()
    model = chat_model(Settings(_env_file=None, model="scripted/test", model_max_retries=0))
    supervisor = build_supervisor_graph(
        AgentDeps(tools=None, model=model),
        specialists={"lead_scoring": graph, "relationships": graph},
        embed=HashingEmbeddingFunction(),
    )
    state = await supervisor.ainvoke(
        {"messages": [HumanMessage("Which of my accounts are hottest this week?")]},
        config={"configurable": {"rep_id": rep}},
    )
    assert state["route"]["routes"] == ["lead_scoring"]
    answer = state["results"]["lead_scoring"]["recommendation"]
    mine = {a.id for a in crm.list_accounts(limit=10_000, owner_id=rep)}
    assert answer["subject"] == {"rep_id": rep}
    assert {r["account_id"] for r in answer["data"]["portfolio"]["ranking"]} == mine
