"""Questions of several parts: every part answered from the documentation, or said to be
uncovered, over a real CRM, a real Chroma memory and the scripted model."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from agents.deps import AgentDeps
from agents.technical_qa import build_technical_qa_graph
from agents.technical_qa.parts import covers, split_question
from llm.scripted import scripted_model
from tools.agent_services import AgentServices

pytestmark = pytest.mark.anyio
T300 = "BreathLine T300"
BATTERY = "Up to 5.8 hours of continuous operation on a full charge [1]."


async def ask(services: AgentServices, question: str, reply: str) -> dict[str, Any]:
    graph = build_technical_qa_graph(
        AgentDeps(tools=services, model=services.chat_model, model_info=services.model_info)
    )
    with scripted_model(responses=[reply]):
        return await graph.ainvoke({"messages": [HumanMessage(content=question)]})


def test_a_question_is_split_where_a_new_question_begins() -> None:
    assert split_question(
        f"How long does the {T300} battery last, and is it certified for air transport?"
    ) == [f"How long does the {T300} battery last", "is it certified for air transport?"]
    assert split_question("What is the warranty? Does it cover batteries?") == [
        "What is the warranty?",
        "Does it cover batteries?",
    ]
    # A part about a deal or money is for another specialist: one documentation question.
    mixed = (
        "What is the battery life of the VitaScan P12? And what discount can I give on DEAL-0008?"
    )
    assert split_question(mixed) == [mixed]
    # "and" between two nouns is one question.
    assert split_question("Is it compatible with MRI and CT scanners?") == [
        "Is it compatible with MRI and CT scanners?"
    ]


def test_an_answer_covers_a_part_by_its_figures_or_its_new_words() -> None:
    sentence = "The T300 is approved as follows: CE marking, RTCA DO-160 for air transport."
    assert covers("It meets RTCA DO-160.", sentence, "is it certified for air transport")
    assert not covers(BATTERY, sentence, "is it certified for air transport")
    assert covers("About 5.8 hours.", "It runs up to 5.8 hours.", "how long does it last")


async def test_both_parts_are_answered_when_the_draft_covers_one(services) -> None:
    question = f"How long does the {T300} battery last, and is it certified for air transport?"
    state = await ask(services, question, BATTERY)
    answer = state["messages"][-1].content
    rec = state["recommendation"]
    assert answer.startswith(BATTERY)
    # The part the draft left out, in the datasheet's own words with its source.
    assert 'On "is it certified for air transport", the documentation states: "' in answer
    assert "RTCA DO-160 for air transport" in answer
    assert "Regulatory approvals" in answer.split("Sources:")[1]
    assert rec["data"]["parts"] == [
        {"question": f"How long does the {T300} battery last", "answered": True},
        {"question": "is it certified for air transport?", "answered": True},
    ]
    assert rec["confidence"] >= 0.5


async def test_a_part_the_documentation_does_not_cover_is_said_and_costs_confidence(
    services,
) -> None:
    answered = await ask(
        services, f"How long does the {T300} battery last, and is it certified for air transport?",
        BATTERY,
    )  # fmt: skip
    question = f"How long does the {T300} battery last, and what colour is its housing?"
    state = await ask(services, question, BATTERY)
    answer = state["messages"][-1].content
    assert answer.startswith(BATTERY)
    assert 'The documentation does not cover "what colour is its housing".' in answer
    parts = state["recommendation"]["data"]["parts"]
    assert [part["answered"] for part in parts] == [True, False]
    assert state["recommendation"]["confidence"] < answered["recommendation"]["confidence"]


async def test_a_single_question_records_no_parts(services) -> None:
    state = await ask(services, f"How long does the {T300} battery last?", BATTERY)
    assert "parts" not in state["recommendation"]["data"]
    assert "does not cover" not in state["messages"][-1].content
