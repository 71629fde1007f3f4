"""The lead scoring graph over a real demo CRM with the scripted model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from sqlalchemy import Engine

from agents.deps import AgentDeps
from agents.lead_scoring import build_lead_scoring_graph
from agents.lead_scoring.graph import (
    NODE_ASSESS,
    NODE_FINALISE,
    NODE_IDENTIFY,
    NODE_NARRATE,
    NODE_NO_SUBJECT,
    NODE_PORTFOLIO,
    NODE_READ,
)
from core.recommendation import ModelInfo, Recommendation
from core.settings import Settings
from crm.store import CRMStore
from llm.gateway import chat_model
from llm.providers import register_providers
from llm.scripted import scripted_model
from tests.support.lead_demo import seeded_engine

pytestmark = pytest.mark.anyio


class Tools:
    def __init__(self, crm: CRMStore) -> None:
        self.crm = crm


class Recorder:
    def __init__(self) -> None:
        self.recorded: list[Recommendation] = []

    def record(self, recommendation: Recommendation) -> Recommendation:
        final = recommendation.model_copy(update={"status": "final"})
        self.recorded.append(final)
        return final


@pytest.fixture(scope="module")
def crm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CRMStore]:
    engine: Engine = seeded_engine(tmp_path_factory.mktemp("lead_graph"), scale=0.1)
    yield CRMStore(engine)
    engine.dispose()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def graph(crm: CRMStore, recorder: Recorder) -> Any:
    register_providers()
    settings = Settings(_env_file=None, model="scripted/test", model_max_retries=0)
    return build_lead_scoring_graph(
        AgentDeps(
            tools=Tools(crm),
            model=chat_model(settings),
            model_info=ModelInfo(name="scripted/test"),
            recorder=recorder,
        )
    )


def test_topology() -> None:
    drawn = build_lead_scoring_graph(AgentDeps(tools=Tools(None), model=None)).get_graph()  # type: ignore[arg-type]
    edges = sorted((e.source, e.target) for e in drawn.edges)
    assert edges == sorted(
        [
            ("__start__", NODE_IDENTIFY),
            (NODE_IDENTIFY, NODE_READ),
            (NODE_IDENTIFY, NODE_NO_SUBJECT),
            (NODE_IDENTIFY, NODE_PORTFOLIO),
            (NODE_PORTFOLIO, "__end__"),
            (NODE_READ, NODE_ASSESS),
            (NODE_ASSESS, NODE_NARRATE),
            (NODE_ASSESS, NODE_FINALISE),
            (NODE_NARRATE, NODE_FINALISE),
            (NODE_FINALISE, "__end__"),
            (NODE_NO_SUBJECT, "__end__"),
        ]
    )


async def test_a_grounded_narration_leads_the_deterministic_summary(graph, recorder) -> None:
    narration = "The account is moving; follow the recommended specialist."
    with scripted_model(responses=[narration], strict=True) as script:
        state = await graph.ainvoke({"messages": [HumanMessage("How hot is ACC-0003?")]})
    assert len(script.calls) == 1
    prompt = script.calls[0].messages[-1]["content"]
    assert "Account ACC-0003" in prompt and "win_probability" in prompt
    rec = Recommendation.model_validate(state["recommendation"])
    assert rec.content.startswith(narration + "\n\nAccount ACC-0003: ")
    assert (
        rec.model is not None and rec.prompt is not None and rec.prompt.id == "lead_scoring.explain"
    )
    assert rec.status == "final" and recorder.recorded[0].id == rec.id
    assert state["messages"][-1].content == rec.content
    assert state["messages"][-1].additional_kwargs["recommendation_id"] == rec.id
    assessment = state["assessment"]
    assert (
        assessment["stage"] in rec.content
        and rec.data["lead_score"]["score"] == assessment["score"]
    )
    assert 0 <= assessment["score"] <= 100 and assessment["grade"] in "SABC"
    assert 0 < rec.confidence <= 1 and rec.input_sha256 and len(rec.provenance) > 5


async def test_a_narration_with_invented_numbers_is_dropped(graph) -> None:
    with scripted_model(responses=["They will buy 37 systems next week."], strict=True):
        state = await graph.ainvoke({"account_id": "ACC-0002"})
    rec = Recommendation.model_validate(state["recommendation"])
    assert "37" not in rec.content and rec.content.startswith("Account ACC-0002: ")
    assert rec.model is None and rec.prompt is None


async def test_narrate_false_calls_no_model_and_scores_are_deterministic(graph) -> None:
    with scripted_model(strict=True) as script:
        first = await graph.ainvoke({"account_id": "ACC-0004", "narrate": False})
        second = await graph.ainvoke({"account_id": "ACC-0004", "narrate": False})
    assert script.calls == []
    assert first["assessment"] == second["assessment"]
    assert first["recommendation"]["input_sha256"] == second["recommendation"]["input_sha256"]


async def test_contacts_names_and_as_of(graph, crm) -> None:
    account = crm.get_account(account_id="ACC-0005")
    contact = crm.contacts_for_account(account_id="ACC-0005")[0]
    with scripted_model(strict=True):
        by_contact = await graph.ainvoke({"contact_id": contact.id, "narrate": False})
        by_name = await graph.ainvoke(
            {"messages": [HumanMessage(f"Score {account.name} please")], "narrate": False}
        )
        earlier = await graph.ainvoke(
            {"account_id": "ACC-0005", "as_of": "2026-06-01T00:00:00Z", "narrate": False}
        )
    assert by_contact["subject"] == {"account_id": "ACC-0005", "contact_id": contact.id}
    assert by_contact["recommendation"]["subject"]["contact_id"] == contact.id
    assert by_name["subject"] == {"account_id": "ACC-0005"}
    assert earlier["features"]["as_of"].startswith("2026-06-01")


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ({"messages": [HumanMessage("hello there")]}, "Which account or contact"),
        ({"account_id": "ACC-9999"}, "There is no account 'ACC-9999'"),
        ({"contact_id": "CON-99999"}, "There is no contact 'CON-99999'"),
        ({"account_id": "ACC-0001", "as_of": "yesterday"}, "as_of must be an ISO 8601 time"),
    ],
)
async def test_no_or_unknown_subject_is_answered_without_a_recommendation(
    graph, given: dict[str, Any], said: str
) -> None:
    with scripted_model(strict=True) as script:
        state = await graph.ainvoke(given)
    assert script.calls == [] and state["recommendation"] is None
    assert said in state["messages"][-1].content
