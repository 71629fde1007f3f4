"""The relationships graph over a real SQLite demo CRM, a real Chroma memory and the scripted model."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from agents.deps import AgentDeps
from agents.relationships import StakeholderMap, build_relationships_graph
from agents.relationships.graph import NODE_DRAFT
from core.recommendation import Recommendation
from crm.errors import NotFound
from llm.gateway import chat_model, model_info
from llm.providers import register_providers
from llm.scripted import scripted_model
from memory import MemoryUnavailable
from tests.support.credentials import admin_headers
from tests.support.relationships_world import (
    ANN,
    AS_OF,
    BEN,
    CAI,
    DAN,
    LAB_QUALITY,
    LONELY,
    LOOP,
    MEMORY_LAB,
    MEMORY_NOTE_ID,
    World,
    build_world,
)
from tools.stakeholders import NoteHit, StakeholderTools

pytestmark = pytest.mark.anyio
DEMO = "ACC-0001"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    register_providers()
    built = build_world(tmp_path_factory.mktemp("relationships-graph"))
    yield built
    built.engine.dispose()


def graph_for(world: World, tools: Any = None, **options: Any) -> Any:
    return build_relationships_graph(
        AgentDeps(
            tools=tools or world.tools,
            model=chat_model(world.settings),
            model_info=model_info(world.settings),
            recorder=options.pop("recorder", None),
        ),
        **options,
    )


async def run(
    world: World, payload: dict[str, Any], *, replies: list[str] | None = None, tools: Any = None
) -> tuple[dict[str, Any], list[Any]]:
    with scripted_model(responses=replies or [], strict=True) as script:
        state = await graph_for(world, tools).ainvoke(payload)
    return state, script.calls


def resolves(world: World, fact: Any, account_id: str) -> bool:
    """Whether a provenance fact names a record that exists."""
    if fact.source == "accounts":
        return world.crm.get_account(account_id=fact.record_id).id == fact.record_id
    if fact.source == "contacts":
        return world.crm.get_contact(contact_id=fact.record_id).account_id == account_id
    if fact.source == "activities":
        ids = {a.id for a in world.crm.activities_for_account(account_id=account_id, limit=5000)}
        return fact.record_id in ids
    if fact.source == "account_notes":
        return any(
            h.chunk_id == fact.record_id
            for h in world.tools.search_notes(account_id, str(fact.value), k=10)
        )
    return False


def numbers_all_sourced(content: str, rec: Recommendation) -> list[str]:
    known = " ".join(
        f"{f.record_id} {f.value} {f.as_of.isoformat() if f.as_of else ''}" for f in rec.provenance
    )
    return [n for n in re.findall(r"\d+", content) if n not in known]


async def test_demo_account_map_is_drawable_sourced_and_consistent(world: World) -> None:
    state, calls = await run(world, {"account_id": DEMO, "as_of": AS_OF}, replies=["unused"])
    stakeholders = StakeholderMap.model_validate(state["stakeholder_map"])
    rec = Recommendation.model_validate(state["recommendation"])
    contacts = world.crm.contacts_for_account(account_id=DEMO)
    assert {n.contact_id for n in stakeholders.nodes} == {c.id for c in contacts}
    managers = {c.id: c.reports_to for c in contacts}
    assert all(managers[e.source] == e.target for e in stakeholders.edges)
    assert len(stakeholders.edges) == sum(1 for c in contacts if c.reports_to)
    dm = stakeholders.node(stakeholders.decision_maker)
    assert dm is not None and "decision_maker" in dm.roles and dm.authority > 0
    assert any(e.kind == "authority" for e in dm.evidence)
    assert all(0 <= n.influence <= 1 and -1 <= n.sentiment <= 1 for n in stakeholders.nodes)
    assert 1 <= len(stakeholders.engage_next) <= 3
    assert rec.agent == "relationships" and rec.kind == "stakeholder_map"
    assert rec.subject["account_id"] == DEMO
    assert rec.data["stakeholder_map"] == state["stakeholder_map"]
    assert 0.0 <= rec.confidence <= 1.0 and rec.confidence == stakeholders.confidence
    assert rec.provenance and all(resolves(world, f, DEMO) for f in rec.provenance)
    assert numbers_all_sourced(rec.content, rec) == []
    assert dm.name in rec.content and state["messages"][-1].content == rec.content
    assert all(a.requires_approval and a.kind == "create_task" for a in rec.actions)
    assert rec.input_sha256 and len(rec.input_sha256) == 64
    assert rec.status == "final"
    assert len(calls) == 1  # the model was asked to explain; its "unused" draft was dropped
    assert rec.model is None and "In short:" not in rec.content


async def test_a_grounded_explanation_is_kept_with_model_and_prompt(world: World) -> None:
    first, _ = await run(world, {"account_id": DEMO, "as_of": AS_OF}, replies=["x"])
    person = first["stakeholder_map"]["engage_next"][0]["name"]
    draft = f"Start with {person}: they matter most and we are least in touch with them."
    state, calls = await run(world, {"account_id": DEMO, "as_of": AS_OF}, replies=[draft])
    rec = Recommendation.model_validate(state["recommendation"])
    assert rec.content.endswith(f"In short: {draft}")
    assert rec.model is not None and rec.model.name == "scripted/test"
    assert rec.prompt is not None and rec.prompt.id == "relationships.explain"
    facts = calls[0].messages[-1]["content"]
    assert person in facts and "Engage next:" in facts
    assert rec.input_sha256 == Recommendation.model_validate(first["recommendation"]).input_sha256


async def test_an_explanation_with_an_invented_number_is_dropped(world: World) -> None:
    first, _ = await run(world, {"account_id": DEMO, "as_of": AS_OF}, replies=["x"])
    person = first["stakeholder_map"]["engage_next"][0]["name"]
    state, _ = await run(
        world, {"account_id": DEMO, "as_of": AS_OF}, replies=[f"Call {person} within 17 days."]
    )
    rec = Recommendation.model_validate(state["recommendation"])
    assert "within 17 days" not in rec.content and rec.model is None and rec.prompt is None


async def test_cycle_in_reports_to_is_cut_and_roles_come_from_the_notes(world: World) -> None:
    state, _ = await run(world, {"account_id": LOOP, "as_of": AS_OF}, replies=["x"])
    stakeholders = StakeholderMap.model_validate(state["stakeholder_map"])
    assert [(d.source, d.target, d.reason) for d in stakeholders.dropped_lines] == [
        (ANN, CAI, "cycle")
    ]
    assert {(e.source, e.target) for e in stakeholders.edges} == {
        (BEN, ANN),
        (CAI, BEN),
        (DAN, BEN),
    }
    assert stakeholders.decision_maker == BEN  # "will sign off"; Ann's "final call" is after as_of
    assert stakeholders.blockers == [CAI] and stakeholders.champions == [DAN]
    ann = stakeholders.node(ANN)
    assert ann is not None and ann.coverage == "unanswered" and ann.stats.emails_out == 0
    cai = stakeholders.node(CAI)
    # One cue per sentence and kind: the strongest phrase of the sentence stands for it.
    assert cai is not None and [e.label for e in cai.evidence if e.kind == "negative"] == [
        "concerned"
    ]
    rec = Recommendation.model_validate(state["recommendation"])
    assert f"{ANN} -> {CAI}" in rec.content
    assert any(
        f.source == "contacts" and f.field == "reports_to" and f.record_id == ANN
        for f in rec.provenance
    )
    assert all(resolves(world, f, LOOP) for f in rec.provenance)
    assert numbers_all_sourced(rec.content, rec) == []
    # Mapped as of a later date, the later note counts.
    later, _ = await run(world, {"account_id": LOOP, "as_of": "2027-02-01"}, replies=["x"])
    assert later["stakeholder_map"]["nodes"][0]["authority"] > 0  # Ann (first node) now has wording


async def test_a_note_only_in_memory_names_the_decision_maker(world: World) -> None:
    state, _ = await run(world, {"account_id": MEMORY_LAB, "as_of": AS_OF}, replies=["x"])
    stakeholders = StakeholderMap.model_validate(state["stakeholder_map"])
    assert stakeholders.decision_maker == LAB_QUALITY
    rec = Recommendation.model_validate(state["recommendation"])
    notes = [f for f in rec.provenance if f.source == "account_notes"]
    assert notes and notes[0].record_id.startswith(MEMORY_NOTE_ID)
    assert "final decision" in str(notes[0].value)


async def test_account_named_in_the_message(world: World) -> None:
    message = HumanMessage(content="Who should I engage next at Loop Test Hospital?")
    state, _ = await run(world, {"messages": [message], "as_of": AS_OF}, replies=["x"])
    assert state["account"]["account_id"] == LOOP
    assert state["recommendation"]["subject"]["account_id"] == LOOP


async def test_each_run_on_a_thread_reads_its_own_input(world: World) -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    graph = graph_for(world, checkpointer=InMemorySaver())
    thread = {"configurable": {"thread_id": "t-1"}}
    with scripted_model(responses=["x", "x", "x"]):
        first = await graph.ainvoke({"account_id": LOOP, "as_of": AS_OF}, thread)
        second = await graph.ainvoke(
            {"messages": [HumanMessage(content="And at Memory Test Lab?")]}, thread
        )
        third = await graph.ainvoke({"account_id": LONELY}, thread)
        fourth = await graph.ainvoke({"messages": [HumanMessage(content="thanks")]}, thread)
    assert first["stakeholder_map"]["account_id"] == LOOP and first["account_id"] is None
    assert second["stakeholder_map"]["account_id"] == MEMORY_LAB
    assert second["recommendation"]["id"] != first["recommendation"]["id"]
    assert third["stakeholder_map"]["account_id"] == LONELY
    assert fourth["error"]["code"] == "no_account_named" and fourth["stakeholder_map"] is None
    assert len(fourth["messages"]) == 6  # two human messages, four answers


@pytest.mark.parametrize(
    ("payload", "code", "says"),
    [
        ({"account_id": "ACC-0000"}, "unknown_account", "No account with id 'ACC-0000'"),
        (
            {"messages": [HumanMessage(content="Who decides there?")]},
            "no_account_named",
            "Which account",
        ),
        ({"account_id": LOOP, "as_of": "last tuesday"}, "invalid_as_of", "as_of must be"),
    ],
)
async def test_no_map_without_an_account_and_no_model_call(
    world: World, payload: dict[str, Any], code: str, says: str
) -> None:
    state, calls = await run(world, payload)
    assert calls == []
    assert state["error"]["code"] == code
    assert state["messages"][-1].content.startswith(says)
    assert state["recommendation"] is None and state["stakeholder_map"] is None


async def test_account_without_contacts_gets_an_empty_map_and_a_task(world: World) -> None:
    state, calls = await run(world, {"account_id": LONELY})
    assert calls == []
    rec = Recommendation.model_validate(state["recommendation"])
    assert rec.confidence == 0.05 and "no contacts" in rec.content
    assert [(f.source, f.record_id) for f in rec.provenance] == [("accounts", LONELY)]
    assert rec.actions[0].requires_approval and rec.actions[0].payload == {"account_id": LONELY}
    assert state["stakeholder_map"]["nodes"] == [] and rec.data["stakeholder_map"]["nodes"] == []


class _MemoryDown(StakeholderTools):
    def search_notes(self, account_id: str, query: str, *, k: int = 5) -> list[NoteHit]:
        raise MemoryUnavailable("chroma server at 127.0.0.1:9 did not answer")


async def test_memory_outage_still_maps_from_the_crm_and_says_so(world: World) -> None:
    state, _ = await run(
        world,
        {"account_id": LOOP, "as_of": AS_OF},
        replies=["x"],
        tools=_MemoryDown(world.crm, world.memory),
    )
    assert state["stakeholder_map"]["decision_maker"] == BEN
    assert "account notes in memory were not searched" in state["recommendation"]["content"]


async def test_recorder_receives_the_final_recommendation(world: World) -> None:
    recorded: list[Recommendation] = []

    class Recorder:
        def record(self, recommendation: Recommendation) -> Recommendation:
            final = recommendation.model_copy(update={"status": "final"})
            recorded.append(final)
            return final

    with scripted_model(responses=["x"]):
        state = await graph_for(world, recorder=Recorder()).ainvoke(
            {"account_id": LOOP, "as_of": AS_OF}
        )
    assert [r.id for r in recorded] == [state["recommendation"]["id"]]
    assert state["messages"][-1].additional_kwargs["recommendation_id"] == recorded[0].id


def test_topology_is_pinned(world: World) -> None:
    drawn = graph_for(world).get_graph()
    edges = {(e.source, e.target) for e in drawn.edges}
    assert edges == {
        ("__start__", "resolve_account"),
        ("resolve_account", "load_contacts"),
        ("resolve_account", "explain_unresolved"),
        ("load_contacts", "search_account_notes"),
        ("load_contacts", "answer_no_contacts"),
        ("search_account_notes", "map_stakeholders"),
        ("map_stakeholders", NODE_DRAFT),
        ("map_stakeholders", "finalise_map"),
        (NODE_DRAFT, "finalise_map"),
        ("finalise_map", "__end__"),
        ("answer_no_contacts", "__end__"),
        ("explain_unresolved", "__end__"),
    }


def test_registered_as_an_assistant_built_from_the_services(world: World) -> None:
    from graphs.registry import get_graph_spec
    from tools.agent_services import AgentServices

    services = AgentServices(
        settings=world.settings,
        crm=world.crm,
        memory=world.memory,
        chat_model=chat_model(world.settings),
        model_info=model_info(world.settings),
    )
    spec = get_graph_spec("relationships")
    assert (
        spec.graph_id == "relationships"
        and get_graph_spec(spec.assistant_id).graph_id == "relationships"
    )
    assert spec.build(services=services).name == "relationships"
    assert services.stakeholders.find_account(LOOP) is not None
    with pytest.raises(NotFound):
        services.stakeholders.contacts("ACC-0000")


async def test_served_over_the_api_as_a_stateless_run(world: World, tmp_path: Any) -> None:
    import httpx

    from core.settings import Settings
    from graphs.registry import registered_graphs
    from server import create_app
    from tools.agent_services import AgentServices

    services = AgentServices(
        settings=world.settings,
        crm=world.crm,
        memory=world.memory,
        chat_model=chat_model(world.settings),
        model_info=model_info(world.settings),
    )
    app = create_app(
        Settings(_env_file=None, data_dir=tmp_path / "api"),
        graphs={"relationships": registered_graphs()["relationships"]},
        services_factory=lambda _: services,
    )
    body = {"assistant_id": "relationships", "input": {"account_id": LOOP, "as_of": AS_OF}}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, headers=admin_headers(app), base_url="http://testserver"
        ) as client:
            with scripted_model(responses=["x"]):
                response = await client.post("/runs/wait", json=body)
    assert response.status_code == 200, response.text
    values = response.json()
    assert values["stakeholder_map"]["decision_maker"] == BEN
    assert values["recommendation"]["data"]["stakeholder_map"]["edges"]
