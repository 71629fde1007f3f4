"""The budget graph over a real small SQLite demo CRM and the scripted model."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from agents.budget import build_budget_graph, ungrounded_numbers
from agents.budget.graph import KIND, NODE_DRAFT, PROMPT_ID
from agents.deps import AgentDeps
from core.recommendation import Fact, Recommendation
from core.settings import Settings
from llm.errors import ModelRequestError, UnknownModelError
from llm.gateway import chat_model, model_info
from llm.providers import register_providers
from llm.scripted import scripted_model
from tests.support.budget_world import (
    AS_OF,
    BUDGETLESS,
    MIXED,
    MIXED_ACCOUNT,
    NO_LINES,
    NO_PRICE,
    World,
    build_world,
)

pytestmark = pytest.mark.anyio
DEAL = "DEAL-0011"  # an open demo deal (proposal) with two lines
EXPLANATION = "The target sits at the median discount of comparable won deals."


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    register_providers()
    built = build_world(tmp_path_factory.mktemp("budget-graph"))
    yield built
    built.engine.dispose()


SETTINGS = Settings(_env_file=None, model="scripted/test", model_max_retries=0)


def graph_for(world: World, **options: Any) -> Any:
    return build_budget_graph(
        AgentDeps(
            tools=world.tools,
            model=chat_model(SETTINGS),
            model_info=model_info(SETTINGS),
            recorder=options.pop("recorder", None),
        ),
        **options,
    )


async def run(
    world: World, payload: dict[str, Any], replies: list[str] | None = None
) -> tuple[dict[str, Any], list[Any]]:
    with scripted_model(
        responses=replies if replies is not None else [EXPLANATION], strict=True
    ) as script:
        state = await graph_for(world).ainvoke({"as_of": AS_OF.isoformat(), **payload})
    return state, script.calls


def resolves(world: World, fact: Fact) -> bool:
    """Whether a provenance fact read from a table names a record that holds that value."""
    crm = world.crm
    if fact.source == "price_book_entries":
        entry = next(
            e
            for p in crm.list_products()
            for e in crm.price_book_for_product(product_id=p.id)
            if e.id == fact.record_id
        )
        return _same(getattr(entry, fact.field), fact.value)
    if fact.source == "deals":
        return crm.get_deal(deal_id=fact.record_id).id == fact.record_id
    if fact.source == "deal_products":
        deal_id, product_id = fact.record_id.split(":")
        line = next(ln for ln in crm.get_deal(deal_id=deal_id).lines if ln.product_id == product_id)
        return _same(getattr(line, fact.field), fact.value)
    if fact.source == "accounts":
        return _same(getattr(crm.get_account(account_id=fact.record_id), fact.field), fact.value)
    if fact.source == "account_budgets":
        account_id, year = fact.record_id.split(":")
        budget = next(
            b for b in crm.budgets_for_account(account_id=account_id) if b.year == int(year)
        )
        return _same(getattr(budget, fact.field), fact.value)
    if fact.source == "quotes":
        quote = next(
            q
            for a in crm.list_accounts(limit=1000)
            for q in crm.quotes_for_account(account_id=a.id)
            if q.id == fact.record_id
        )
        return _same(quote.discount_pct, fact.value)
    return True  # computed factors, the rate card, products and notes are checked elsewhere


def _same(stored: Any, cited: Any) -> bool:
    if isinstance(stored, Decimal | float | int) and not isinstance(stored, bool):
        return abs(float(stored) - float(cited)) < 0.006
    return str(stored) == str(cited)


def rec_of(state: dict[str, Any]) -> Recommendation:
    return Recommendation.model_validate(state["recommendation"])


async def test_a_deal_gets_a_sourced_price_range_within_policy(world: World) -> None:
    state, calls = await run(world, {"deal_id": DEAL})
    assert len(calls) == 1 and "Key factors:" in calls[0].messages[-1]["content"]
    rec = rec_of(state)
    assert rec.kind == KIND and rec.agent == "budget" and rec.status == "final"
    assert rec.subject == {
        "account_id": world.crm.get_deal(deal_id=DEAL).account_id,
        "deal_id": DEAL,
    }
    assert 0 < rec.confidence <= 1
    assert (
        rec.prompt is not None and rec.prompt.id == PROMPT_ID and len(rec.input_sha256 or "") == 64
    )
    assert rec.model is not None and rec.model.name == "scripted/test"
    assert rec.content.startswith(EXPLANATION) and rec.data[KIND]["explanation"] == "kept"
    assert ungrounded_numbers(rec.content, rec.provenance) == []
    assert all(resolves(world, fact) for fact in rec.provenance)
    assert {"price_book_entries", "deal_products", "account_budgets", "quotes"} <= {
        f.source for f in rec.provenance
    }
    for line in state["analysis"]["lines"]:
        assert line["priced"]
        assert (
            line["floor_price"]
            <= line["unit_low"]
            <= line["unit_target"]
            <= line["unit_high"]
            <= line["list_price"]
        )
        assert (
            line["volume_discount_pct"]
            <= line["discount_low"]
            <= line["discount_target"]
            <= line["discount_high"]
            <= line["max_discount_pct"]
        )
    keys = {f["key"] for f in rec.data[KIND]["factors"]}
    assert {"deal.total_target", "budget.estimate", "logistics.region"} <= keys
    action = rec.actions[0]
    assert action.requires_approval and action.payload["deal_id"] == DEAL
    assert state["messages"][-1].content == rec.content
    assert state["messages"][-1].additional_kwargs["recommendation_id"] == rec.id


async def test_an_explanation_with_an_invented_figure_is_dropped(world: World) -> None:
    state, _ = await run(world, {"deal_id": DEAL}, ["Offer 37.5% off and they will sign."])
    rec = rec_of(state)
    assert "37.5" not in rec.content and rec.content.startswith("Budget recommendation for deal")
    assert rec.data[KIND]["explanation"] == "dropped: figure 37.5 is in no source"
    assert rec.data["prose"]["status"] == "replaced"
    assert rec.data["prose"]["problems"] == ["figure 37.5 is in no source"]
    grounded, _ = await run(world, {"deal_id": DEAL})
    assert rec_of(grounded).confidence == rec.confidence  # the model's words are no evidence


async def test_a_failing_model_costs_the_explanation_not_the_recommendation(world: World) -> None:
    state, _ = await run(world, {"deal_id": DEAL}, [ModelRequestError("the model repeats itself")])
    rec = rec_of(state)
    assert rec.content.startswith("Budget recommendation for deal")
    assert rec.data[KIND]["explanation"] == "dropped: the model failed (model_request_failed)"
    assert rec.data["prose"]["status"] == "none"
    # A usage mistake is no run-time failure: it propagates.
    with pytest.raises(Exception, match="no such model"):
        await run(world, {"deal_id": DEAL}, [UnknownModelError("no such model")])


async def test_unknown_deal_is_answered_without_a_recommendation_or_model_call(
    world: World,
) -> None:
    state, calls = await run(
        world, {"messages": [HumanMessage(content="What price for DEAL-9999?")]}, []
    )
    assert calls == [] and state["recommendation"] is None
    assert state["problem"]["code"] == "deal_not_found"
    assert "DEAL-9999" in state["messages"][-1].content


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"messages": [HumanMessage(content="hello")]}, "no_subject"),
        ({"account_id": "ACC-4040"}, "account_not_found"),
        (
            {"account_id": BUDGETLESS, "lines": [{"product_id": "PRD-404", "quantity": 1}]},
            "product_not_found",
        ),
        (
            {"account_id": BUDGETLESS, "lines": [{"product_id": "PRD-001", "quantity": 0}]},
            "invalid_lines",
        ),
        ({"deal_id": DEAL, "region": "Atlantis"}, "unknown_region"),
        ({"deal_id": DEAL, "as_of": "yesterday"}, "invalid_as_of"),
    ],
)
async def test_bad_input_names_the_problem(
    world: World, payload: dict[str, Any], code: str
) -> None:
    state, calls = await run(world, payload, [])
    assert calls == [] and state["recommendation"] is None
    assert state["problem"]["code"] == code


async def test_a_deal_without_products_still_estimates_the_budget(world: World) -> None:
    state, _ = await run(world, {"deal_id": NO_LINES})
    rec = rec_of(state)
    assert rec.subject == {"account_id": BUDGETLESS, "deal_id": NO_LINES}
    assert "no product lines" in rec.content and rec.actions == []
    budget = state["analysis"]["budget"]
    # No recorded budgets: the figure stated in this year's note alone (last year's is ignored).
    assert budget["method"] == "stated" and budget["estimate"] == 2_500_000
    assert ungrounded_numbers(rec.content, rec.provenance) == []


async def test_a_product_without_price_book_is_left_unpriced_and_lowers_confidence(
    world: World,
) -> None:
    state, _ = await run(world, {"deal_id": MIXED})
    rec = rec_of(state)
    lines = {line["product_id"]: line for line in state["analysis"]["lines"]}
    assert not lines[NO_PRICE]["priced"] and lines["PRD-001"]["priced"]
    assert "not priced, the price book has no entry for it" in rec.content
    only_priced, _ = await run(
        world, {"account_id": MIXED_ACCOUNT, "lines": [{"product_id": "PRD-001", "quantity": 6}]}
    )
    assert rec.confidence < rec_of(only_priced).confidence
    assert ungrounded_numbers(rec.content, rec.provenance) == []


async def test_a_reps_question_names_account_products_and_quantities(world: World) -> None:
    account = world.crm.get_account(account_id=MIXED_ACCOUNT)
    question = f"What should we quote {account.name} for 3 x Cardiona M12 and VitaScan P12 x 2?"
    state, _ = await run(world, {"messages": [HumanMessage(content=question)]})
    request = state["request"]
    assert request["account_id"] == MIXED_ACCOUNT and request["deal_id"] is None
    assert request["lines"] == [
        {"product_id": "PRD-001", "quantity": 3},
        {"product_id": "PRD-010", "quantity": 2},
    ]
    rec = rec_of(state)
    assert rec.subject == {"account_id": MIXED_ACCOUNT} and rec.actions == []
    assert ungrounded_numbers(rec.content, rec.provenance) == []


async def test_an_account_outside_the_rate_card_is_priced_without_logistics(world: World) -> None:
    state, _ = await run(
        world, {"account_id": BUDGETLESS, "lines": [{"product_id": "PRD-001", "quantity": 2}]}
    )
    factors = {f["key"]: f["value"] for f in rec_of(state).data[KIND]["factors"]}
    assert factors["PRD-001.logistics_rate"] == "unknown" and "logistics.total" not in factors
    assert factors["logistics.region"] == "Southwest"


async def test_inputs_are_consumed_so_the_next_turn_asks_afresh(world: World) -> None:
    graph = graph_for(world, checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "budget-turns"}}
    with scripted_model(responses=[EXPLANATION, EXPLANATION]):
        first = await graph.ainvoke({"deal_id": DEAL, "as_of": AS_OF.isoformat()}, config)
        second = await graph.ainvoke({"messages": [HumanMessage(content=f"And {MIXED}?")]}, config)
    assert first["recommendation"]["subject"]["deal_id"] == DEAL
    assert second["recommendation"]["subject"]["deal_id"] == MIXED
    assert second["deal_id"] is None and second["question"] == ""


async def test_a_recorder_receives_the_final_recommendation(world: World) -> None:
    recorded: list[Recommendation] = []

    class Recorder:
        def record(self, recommendation: Recommendation) -> Recommendation:
            final = recommendation.model_copy(update={"status": "final"})
            recorded.append(final)
            return final

    with scripted_model(responses=[EXPLANATION]):
        state = await graph_for(world, recorder=Recorder()).ainvoke(
            {"deal_id": DEAL, "as_of": AS_OF.isoformat()}
        )
    assert [r.id for r in recorded] == [state["recommendation"]["id"]]


def test_topology_is_pinned(world: World) -> None:
    edges = {(e.source, e.target) for e in graph_for(world).get_graph().edges}
    assert edges == {
        ("__start__", "understand_request"),
        ("understand_request", "gather_evidence"),
        ("understand_request", "answer_unresolved"),
        ("gather_evidence", "estimate_budget"),
        ("estimate_budget", NODE_DRAFT),
        (NODE_DRAFT, "finalise_recommendation"),
        ("finalise_recommendation", "__end__"),
        ("answer_unresolved", "__end__"),
    }


def test_registered_as_an_assistant_built_from_the_services(world: World) -> None:
    from crm.scope import AccountScope
    from graphs.registry import get_graph_spec
    from tools.agent_services import AgentServices

    services = AgentServices(
        settings=SETTINGS,
        crm=world.crm,
        # Read outside any run, for no user: every account.
        crm_scope_outside_runs=AccountScope.unrestricted(),
        memory=None,  # type: ignore[arg-type]  # the budget agent reads no memory
        chat_model=chat_model(SETTINGS),
        model_info=model_info(SETTINGS),
    )
    spec = get_graph_spec("budget")
    assert get_graph_spec(spec.assistant_id).graph_id == "budget"
    assert spec.build(services=services).name == "budget"
    assert services.pricing.deal(DEAL).id == DEAL
