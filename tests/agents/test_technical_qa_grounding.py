"""The deterministic half of the technical Q&A agent: evidence selection and grounding."""

from __future__ import annotations

from agents import figures
from agents.technical_qa import grounding

PASSAGES = [
    {
        "text": "The VitaScan P12 is charged from the dock. The internal lithium-ion battery "
        "provides up to 6.5 hours of continuous scanning. A full charge takes 3 hours.",
        "score": 0.71,
    },
    {"text": "Clean the VitaScan P12 probe with 70% isopropyl alcohol wipes.", "score": 0.42},
]


def test_terms_drop_stopwords_product_names_and_plurals() -> None:
    found = grounding.terms(
        "What is the battery life of the VitaScan P12?", ignore=["VitaScan P12"]
    )
    assert found == {"battery", "life"}


def test_best_evidence_is_the_sentence_covering_most_question_terms() -> None:
    evidence = grounding.best_evidence({"battery", "hour", "continuous"}, PASSAGES)
    assert evidence is not None
    assert evidence.passage_index == 0
    assert "6.5 hours" in evidence.sentence


def test_best_evidence_none_when_nothing_overlaps() -> None:
    assert grounding.best_evidence({"warranty"}, PASSAGES) is None


def test_relevant_passages_need_similarity_and_a_shared_topic_word() -> None:
    assert grounding.relevant_passages(PASSAGES, {"battery"}, min_score=0.3) == [PASSAGES[0]]
    assert grounding.relevant_passages(PASSAGES, {"battery"}, min_score=0.8) == []
    assert grounding.relevant_passages(PASSAGES, {"warranty"}, min_score=0.3) == []
    assert grounding.relevant_passages([], {"battery"}, min_score=0.3) == []


def test_passages_far_below_the_best_are_not_evidence() -> None:
    close = [{"text": "battery A", "score": 0.8}, {"text": "battery B", "score": 0.7}]
    far = close + [{"text": "battery C", "score": 0.6}]
    assert grounding.relevant_passages(far, {"battery"}, min_score=0.3) == close


def test_ungrounded_numbers_flag_invented_figures_only() -> None:
    sources = [p["text"] for p in PASSAGES]
    assert (
        figures.ungrounded_numbers("It runs for 6.5 hours and charges in 3 hours.", sources) == []
    )
    assert figures.ungrounded_numbers("It runs for 8 hours.", sources) == ["8"]
    assert (
        figures.ungrounded_numbers("Up to 6.5 hours [1], charged in 3 hours [1, 2].", sources) == []
    )
    assert figures.numbers("up to 6.5 hours, 70% alcohol") == ["6.5", "70"]


def test_confidence_is_bounded_and_rewards_grounding() -> None:
    grounded = grounding.answer_confidence(
        top_score=0.7, overlap=2, question_terms=2, grounded=True
    )
    invented = grounding.answer_confidence(
        top_score=0.7, overlap=2, question_terms=2, grounded=False
    )
    assert 0.0 < invented < grounded <= 0.99
    assert (
        grounding.answer_confidence(top_score=-1, overlap=0, question_terms=0, grounded=False)
        == 0.05
    )
