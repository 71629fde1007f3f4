"""The registered supervisor over the real specialists, a small demo CRM and the scripted model."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from core.recommendation import Recommendation
from crm.demo.catalogue import build_catalogue
from graphs.registry import registered_graphs
from llm.scripted import scripted_model
from tools.agent_services import AgentServices

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def graph(services: AgentServices) -> Any:
    spec = registered_graphs()["supervisor"]
    return spec.build(services=services, checkpointer=InMemorySaver())


async def test_registered_and_routes_to_real_specialists(graph, services) -> None:
    product = next(
        p for p in build_catalogue(services.settings.seed) if "battery_life_hours" in p.specs
    )
    account = services.crm.list_accounts(limit=1)[0]
    question = (
        f"What is the battery life of the {product.name}?"
        f" And who is the decision maker at {account.id}?"
    )
    config = {"configurable": {"thread_id": "supervisor-demo"}}
    with scripted_model():
        out = await graph.ainvoke({"messages": [HumanMessage(content=question)]}, config)
    assert sorted(out["route"]["routes"]) == ["relationships", "technical_qa"]
    reply = out["messages"][-1].content
    assert "## Technical Q&A" in reply and "## Relationships" in reply
    rec = Recommendation.model_validate(out["recommendation"])
    sources = {fact.source for fact in rec.provenance}
    assert "product_docs" in sources and len(sources) >= 3
    assert 0.0 <= rec.confidence <= 1.0
    stored = services.recommendations.get(recommendation_id=rec.id)
    assert stored.agent == "supervisor"
    children = {c["agent"] for c in rec.data["children"]}
    assert children == {"technical_qa", "relationships"}
