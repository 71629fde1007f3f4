"""The technical Q&A graph over a real CRM, a real Chroma memory and the scripted model."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage

from agents.deps import AgentDeps
from agents.technical_qa import build_technical_qa_graph
from agents.technical_qa.graph import NODE_DRAFT, NOT_FOUND_TEXT
from core.recommendation import Recommendation
from crm.demo.catalogue import build_catalogue, catalogue_fact
from llm.scripted import scripted_model
from tools.agent_services import AgentServices

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def battery_product(services: AgentServices) -> Any:
    catalogue = build_catalogue(services.settings.seed)
    return next(p for p in catalogue if "battery_life_hours" in p.specs)


def graph_for(services: AgentServices) -> Any:
    return build_technical_qa_graph(
        AgentDeps(
            tools=services,
            model=services.chat_model,
            model_info=services.model_info,
            recorder=services.recommendations,
        )
    )


async def ask(services: AgentServices, question: str) -> dict[str, Any]:
    return await graph_for(services).ainvoke({"messages": [HumanMessage(content=question)]})


def hours(product: Any) -> str:
    return f"{product.specs['battery_life_hours']:g}"


async def test_answer_cites_the_chunk_that_states_the_fact(services, battery_product) -> None:
    document_id, heading = catalogue_fact(battery_product, "battery_life_hours")
    reply = f"The battery lasts up to {hours(battery_product)} hours of continuous operation [1]."
    with scripted_model(responses=[reply], strict=True) as script:
        state = await ask(services, f"What is the battery life of the {battery_product.name}?")
    assert len(script.calls) == 1
    answer = state["messages"][-1].content
    assert answer.startswith(reply)
    assert f"{document_id}" in answer and f'"{heading}"' in answer
    rec = Recommendation.model_validate(state["recommendation"])
    assert rec.agent == "technical_qa" and rec.subject == {"product_id": battery_product.product_id}
    cited = rec.provenance[0]
    assert cited.field == f"{document_id}#{heading}"
    assert hours(battery_product) in str(cited.value)
    assert 0.5 < rec.confidence <= 0.99
    assert rec.prompt is not None and rec.prompt.id == "technical_qa.answer"
    assert rec.model is not None and rec.model.name == "scripted/test"
    assert rec.input_sha256 and len(rec.input_sha256) == 64
    assert rec.status == "final"
    assert services.recommendations.get(recommendation_id=rec.id) == rec
    assert state["messages"][-1].additional_kwargs["recommendation_id"] == rec.id


async def test_a_draft_with_invented_figures_is_replaced_by_the_documented_sentence(
    services, battery_product
) -> None:
    with scripted_model(responses=["It runs for 99 hours on one charge."], strict=True):
        state = await ask(services, f"How long does the {battery_product.name} battery last?")
    answer = state["messages"][-1].content
    assert "99" not in answer
    assert answer.startswith("The documentation states:")
    assert hours(battery_product) in answer
    invented = Recommendation.model_validate(state["recommendation"]).confidence
    with scripted_model(responses=[f"Up to {hours(battery_product)} hours."], strict=True):
        state = await ask(services, f"How long does the {battery_product.name} battery last?")
    assert Recommendation.model_validate(state["recommendation"]).confidence > invented


async def test_questions_the_docs_do_not_answer_say_so_without_calling_the_model(services) -> None:
    with scripted_model(strict=True) as script:
        state = await ask(services, "Who won the football world cup in 1998?")
    assert script.calls == []
    answer = state["messages"][-1].content
    assert answer.startswith(NOT_FOUND_TEXT)
    rec = Recommendation.model_validate(state["recommendation"])
    assert rec.content == answer and rec.model is None


async def test_the_draft_streams_sentence_by_sentence_once_checked(
    services, battery_product
) -> None:
    first = f"Up to {hours(battery_product)} hours of continuous operation."
    reply = f"{first} The battery lasts 99 days."  # the second sentence states no source's figure
    pieces, final = [], {}
    with scripted_model(responses=[reply], strict=True):
        async for mode, chunk in graph_for(services).astream(
            {"question": f"Battery life of the {battery_product.name}?"},
            stream_mode=["messages", "values"],
        ):
            if mode == "values":
                final = chunk
                continue
            message, metadata = chunk
            if isinstance(message, AIMessageChunk) and metadata["langgraph_node"] == NODE_DRAFT:
                pieces.append(message.content)
    # Only the checked sentence streamed, and the final answer starts with it.
    assert "".join(pieces).strip() == first
    rec = Recommendation.model_validate(final["recommendation"])
    assert rec.content.startswith(first) and "99 days" not in rec.content
    assert rec.data["prose"]["status"] == "partial"
