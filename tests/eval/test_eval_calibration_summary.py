"""Batch metrics per agent and overall, the Q&A agent's ragas metrics, and drift."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from core.recommendation import Fact, Recommendation
from eval.calibration import qa_metrics as qa
from eval.calibration.bands import confidence_band, stratum_key
from eval.calibration.drift import drift_points
from eval.calibration.measure import period_label
from eval.calibration.schemas import ItemWithReviews, Review
from eval.calibration.summary import batch_metrics, observations, review_matrix
from tests.support.calibration_world import qa_recommendation

NOW = datetime(2026, 10, 5, tzinfo=UTC)


def _review(
    item_id: str, reviewer: str, score: int | None, correct: bool | None, **extra: Any
) -> Review:
    return Review(
        id=f"{item_id}-{reviewer}",
        item_id=item_id,
        reviewer=reviewer,
        score=score,
        correct=correct,
        skipped=score is None,
        created_at=NOW,
        **extra,
    )


def _item(position: int, recommendation: Recommendation, reviews: list[Review]) -> ItemWithReviews:
    band = confidence_band(recommendation.confidence)
    return ItemWithReviews(
        id=f"item-{position}",
        batch_id="b",
        position=position,
        recommendation_id=recommendation.id,
        agent=recommendation.agent,
        confidence=recommendation.confidence,
        confidence_band=band,
        stratum=stratum_key(recommendation.agent, band),
        recommendation=recommendation,
        reviews=reviews,
    )


def _world(seed: int, *, noise: int, n: int = 60) -> list[ItemWithReviews]:
    """Budget items whose reviewers score about the confidence band, off by up to ``noise``."""
    rng = random.Random(seed)
    items = []
    for position in range(n):
        confidence = rng.random()
        rec = Recommendation(
            id=f"r{seed}-{position}",
            kind="budget",
            agent="budget",
            content="x",
            confidence=confidence,
        )
        band = confidence_band(confidence)
        reviews = [
            _review(
                f"item-{position}",
                who,
                max(1, min(5, band + rng.randint(-noise, noise))),
                rng.random() < confidence,
            )
            for who in ("ann", "bob")
        ]
        items.append(_item(position, rec, reviews))
    return items


def test_observations_are_the_scores_and_skips_only_count() -> None:
    rec = Recommendation(kind="k", agent="budget", content="x", confidence=0.9)
    item = _item(0, rec, [_review("item-0", "ann", 5, True), _review("item-0", "bob", None, None)])
    [obs] = observations([item])
    assert (obs.reviewer, obs.score, obs.correct, obs.band) == ("ann", 5, True, 5)
    metrics = batch_metrics("b", [item], seed=1)
    assert (metrics.overall.scores, metrics.overall.skips, metrics.overall.reviewed_items) == (
        1,
        1,
        1,
    )
    assert metrics.overall.kappa.value is None  # one observation: undefined, not NaN


def test_metrics_are_given_overall_and_per_agent() -> None:
    budget = _world(1, noise=0, n=30)
    qa_item = _item(
        99,
        qa_recommendation(1, created_at=NOW, confidence=0.7),
        [_review("item-99", "ann", 2, False, corrected_answer="The pump delivers 4 l/min.")],
    )
    metrics = batch_metrics("b", [*budget, qa_item], seed=3)
    assert set(metrics.per_agent) == {"budget", "technical_qa"}
    assert metrics.per_agent["budget"].scores == 60 and metrics.overall.scores == 61
    assert metrics.per_agent["budget"].kappa.value == pytest.approx(1.0)  # scores = bands
    assert metrics.per_agent["budget"].alpha == pytest.approx(1.0)
    assert metrics.per_agent["technical_qa"].alpha is None  # one reviewer
    assert sum(metrics.overall.score_distribution.values()) == 61
    assert metrics.overall.ece_calibrated is None
    assert metrics.qa is not None and metrics.qa.samples == 1
    metrics.model_dump_json()  # JSON-serialisable: no NaN anywhere


def test_review_matrix_is_reviewers_by_items() -> None:
    items = _world(2, noise=1, n=3)
    matrix = review_matrix(items)
    assert len(matrix) == 2 and all(len(row) == 3 for row in matrix)


def test_ece_of_the_calibrated_confidence_when_every_item_has_one() -> None:
    items = _world(4, noise=1, n=20)
    calibrated = [
        i.model_copy(
            update={
                "recommendation": i.recommendation.model_copy(update={"calibrated_confidence": 0.5})
            }
        )
        for i in items
    ]
    assert batch_metrics("b", calibrated, seed=1).overall.ece_calibrated is not None


def test_qa_metrics_compare_with_the_reviewers_reference() -> None:
    rec = qa_recommendation(3, created_at=NOW, confidence=0.8)
    answer = qa.answer_text(rec.content)
    assert "Sources:" not in answer and answer.startswith("The pump")
    chunks = [fact.record_id for fact in rec.provenance]
    item = _item(
        0,
        rec,
        [
            _review(
                "item-0", "ann", 5, True, relevant_sources=chunks[:1]
            ),  # answer is the reference
            _review("item-0", "bob", 2, False, corrected_answer="Something else entirely."),
            _review("item-0", "cy", 3, False),  # wrong, no correction: no reference
        ],
    )
    result = qa.qa_metrics([item])
    assert result.samples == 3 and result.reference_samples == 2 and result.context_samples == 1
    assert result.context_recall == pytest.approx(1.0)  # the one relevant source was cited
    assert result.context_precision == pytest.approx(1 / 3)  # one of the three cited is relevant
    assert 0 < result.rouge_l < 1 and 0 < result.string_similarity < 1
    assert result.faithfulness is None and result.answer_relevancy is None and not result.judged


def test_context_recall_counts_sections_the_reviewer_names_that_were_not_cited() -> None:
    rec = qa_recommendation(4, created_at=NOW, confidence=0.6).model_copy(
        update={
            "provenance": [
                Fact(source="product_docs", record_id=f"SEC-0001{n}#0", field="DOC#x", value="t")
                for n in (1, 2)
            ]
        }
    )
    # Ann ticks a cited chunk and names an uncited section; Bob names only the missed one; the
    # chunk id of a section counts as the section.
    ann = _review("item-0", "ann", 3, False, relevant_sources=["SEC-00011#0", "SEC-00099"])
    bob = _review("item-0", "bob", 1, False, relevant_sources=["SEC-00099"])
    result = qa.qa_metrics([_item(0, rec, [ann, bob])])
    assert result.context_samples == 2
    assert result.context_recall == pytest.approx((1 / 2 + 0) / 2)
    assert result.context_precision == pytest.approx((1 / 2 + 0) / 2)
    nothing_cited = rec.model_copy(update={"provenance": []})
    missed = qa.qa_metrics([_item(0, nothing_cited, [bob])])
    assert missed.context_recall == 0 and missed.context_precision is None


def test_the_judged_metrics_run_only_with_a_judge(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    class FakeMetric:
        def __init__(self, **kwargs: Any) -> None:
            assert kwargs["llm"] == "judge-llm"

        def score(self, **kwargs: Any) -> Any:
            calls.append(kwargs["user_input"])
            return type("Result", (), {"value": 0.75})()

    import ragas.metrics.collections as collections

    monkeypatch.setattr(collections, "Faithfulness", FakeMetric)
    monkeypatch.setattr(collections, "AnswerRelevancy", FakeMetric)
    rec = qa_recommendation(5, created_at=NOW, confidence=0.8)
    item = _item(0, rec, [_review("item-0", "ann", 4, True)])
    assert not qa.qa_metrics([item]).judged and calls == []
    judged = qa.qa_metrics([item], judge=qa.QAJudge(llm="judge-llm", embeddings="judge-embeddings"))
    assert judged.judged and judged.faithfulness == 0.75 and judged.answer_relevancy == 0.75
    assert calls == [rec.data["question"]] * 2


def test_drift_flags_a_metric_that_leaves_the_previous_months_interval() -> None:
    history = [
        (month, batch_metrics(f"b-{month}", items, seed=1))
        for month, items in (
            ("2026-08", _world(5, noise=0)),
            ("2026-09", _world(6, noise=0)),
            ("2026-10", _world(7, noise=3)),  # reviewers suddenly disagree with the bands
        )
    ]
    points = drift_points(history)
    kappa = [p for p in points if p.metric == "kappa" and p.group == "overall"]
    assert [p.period for p in kappa] == ["2026-08", "2026-09", "2026-10"]
    assert kappa[0].previous is None and not kappa[0].drifted
    assert not kappa[1].drifted
    assert kappa[2].drifted and kappa[2].delta < 0
    assert {p.group for p in points} == {"overall", "budget"}


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC), "2026-10"),
        (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), "2026-12"),
        (
            datetime(2026, 10, 3, tzinfo=UTC),
            datetime(2026, 10, 17, tzinfo=UTC),
            "2026-10-03..2026-10-17",
        ),
    ],
)
def test_periods_are_labelled_by_month_when_they_are_one(
    start: datetime, end: datetime, label: str
) -> None:
    assert period_label(start, end) == label
