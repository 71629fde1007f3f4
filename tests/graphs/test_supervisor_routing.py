"""The supervisor's example router: k-NN over labelled examples plus cheap signals."""

from __future__ import annotations

import pytest

from graphs.supervisor import ExampleRouter, load_examples, mask_entities
from memory import HashingEmbeddingFunction

SPECIALISTS = ["technical_qa", "budget", "relationships", "lead_scoring"]


def products(text: str) -> list[dict[str, str]]:
    return [{"product_id": "PRD-010", "name": "VitaScan P12"}] if "VitaScan P12" in text else []


@pytest.fixture(scope="module")
def router() -> ExampleRouter:
    return ExampleRouter(
        embed=HashingEmbeddingFunction(), labels=SPECIALISTS, products_mentioned=products
    )


def test_examples_cover_every_specialist() -> None:
    examples = load_examples()
    assert set(SPECIALISTS) | {"next_action"} <= set(examples)
    assert all(len(texts) >= 10 for texts in examples.values())


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is the battery life of the VitaScan P12?", ["technical_qa"]),
        ("What price should we quote for DEAL-0042?", ["budget"]),
        ("Who is the decision maker at ACC-0007?", ["relationships"]),
        ("What is the lead score and buying stage of ACC-0003?", ["lead_scoring"]),
        (
            "Who is the decision maker at ACC-0007 and what price should we quote for DEAL-0042?",
            ["relationships", "budget"],
        ),
    ],
)
def test_routes_clear_questions(router: ExampleRouter, question: str, expected: list[str]) -> None:
    decision = router.route(question)
    assert sorted(decision.routes) == sorted(expected)
    assert decision.margin > 0
    assert set(decision.scores) == set(SPECIALISTS)


def test_a_named_product_in_a_price_question_goes_to_budget(router: ExampleRouter) -> None:
    decision = router.route("What discount can we give on 3 x VitaScan P12?")
    assert decision.routes == ["budget"]
    assert "technical_qa" not in decision.signals


def test_only_available_specialists_are_routed_to(router: ExampleRouter) -> None:
    decision = router.route("Draft a follow-up email to the head of procurement")
    assert "next_action" not in decision.routes and "next_action" not in decision.scores


def test_signals_name_their_evidence(router: ExampleRouter) -> None:
    signals = router.signals("Who are the champions at ACC-0001 and what about DEAL-0009?")
    assert signals["relationships"] == ["champions"]
    assert signals["budget"] == ["DEAL-0009"]


def test_no_known_specialist_is_an_error() -> None:
    with pytest.raises(ValueError, match="no labelled examples"):
        ExampleRouter(embed=HashingEmbeddingFunction(), labels=["weather"])


def test_entities_are_masked_before_embedding() -> None:
    masked = mask_entities("Who decides at Haikou Children's Hospital, ACC-0005, on DEAL-0001?")
    assert masked == "Who decides at the hospital, the account, on the deal?"
