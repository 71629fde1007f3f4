"""Per-batch metrics, overall and per agent, from items and their reviews.

Each score a reviewer gives is one observation (item band and confidence, human score,
correct or not); skips are counted but not scored. Agreement (kappa, Spearman) and calibration
(ECE, Brier, reliability curve) are computed over observations; inter-reviewer alpha over the
reviewers x items matrix. Every estimate carries a seeded bootstrap interval that drift uses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from eval.calibration import metrics as mx
from eval.calibration.qa_metrics import QAJudge, QAMetrics, qa_metrics
from eval.calibration.schemas import ItemWithReviews


@dataclass(frozen=True)
class Observation:
    """One reviewer's score of one item, with what the AI said about it."""

    item_id: str
    agent: str
    reviewer: str
    confidence: float
    band: int
    score: int
    correct: bool
    calibrated_confidence: float | None = None


def observations(items: Sequence[ItemWithReviews]) -> list[Observation]:
    """Every score (skips left out) of ``items`` as an :class:`Observation`."""
    return [
        Observation(
            item_id=item.id,
            agent=item.agent,
            reviewer=review.reviewer,
            confidence=item.confidence,
            band=item.confidence_band,
            score=review.score,  # type: ignore[arg-type]  # scored reviews carry one
            correct=bool(review.correct),
            calibrated_confidence=item.recommendation.calibrated_confidence,
        )
        for item in items
        for review in item.scored()
    ]


def review_matrix(items: Sequence[ItemWithReviews]) -> list[list[int | None]]:
    """Reviewers x items matrix of scores (``None`` where a reviewer did not score an item)."""
    reviewers = sorted({review.reviewer for item in items for review in item.scored()})
    scores = {(item.id, r.reviewer): r.score for item in items for r in item.scored()}
    return [[scores.get((item.id, reviewer)) for item in items] for reviewer in reviewers]


class GroupMetrics(BaseModel):
    """Metrics of one group of items: the whole batch or one agent's items."""

    items: int
    reviewed_items: int = Field(description="Items with at least one score.")
    scores: int = Field(description="Scores given (observations).")
    skips: int
    reviewers: int
    mean_score: mx.Estimate
    accuracy: mx.Estimate = Field(description="Share of scores that say 'correct'.")
    mean_confidence: float | None
    kappa: mx.Estimate = Field(description="Quadratic-weighted kappa, AI band vs human score.")
    spearman: mx.Estimate = Field(description="Spearman's rho, raw confidence vs human score.")
    alpha: float | None = Field(description="Krippendorff's alpha (ordinal) between reviewers.")
    ece: mx.Estimate = Field(description="Expected calibration error of the raw confidence.")
    brier: mx.Estimate = Field(description="Brier score of the raw confidence.")
    ece_calibrated: float | None = Field(
        None, description="ECE of the calibrated confidence, when every scored item carries one."
    )
    reliability: list[mx.ReliabilityBin]
    score_distribution: dict[int, int] = Field(description="How many scores of each value 1-5.")


class BatchMetrics(BaseModel):
    """Metrics of one batch: overall, per agent, and the Q&A agent's answer metrics."""

    batch_id: str
    overall: GroupMetrics
    per_agent: dict[str, GroupMetrics]
    qa: QAMetrics | None = Field(None, description="The technical Q&A agent's ragas metrics.")


def _estimate(
    statistic: Callable[..., float | None], *samples: Sequence[float], seed: int, resamples: int
) -> mx.Estimate:
    return mx.bootstrap_estimate(statistic, *samples, seed=seed, n_resamples=resamples)


def group_metrics(
    items: Sequence[ItemWithReviews], *, seed: int, resamples: int = mx.DEFAULT_RESAMPLES
) -> GroupMetrics:
    """The metrics of ``items`` (any subset of a batch)."""
    obs = observations(items)
    bands = [o.band for o in obs]
    scores = [o.score for o in obs]
    confidences = [o.confidence for o in obs]
    outcomes = [int(o.correct) for o in obs]
    calibrated = [o.calibrated_confidence for o in obs]
    ece_calibrated = (
        mx.expected_calibration_error(calibrated, outcomes)  # type: ignore[arg-type]
        if obs and all(c is not None for c in calibrated)
        else None
    )
    return GroupMetrics(
        items=len(items),
        reviewed_items=sum(1 for item in items if item.scored()),
        scores=len(obs),
        skips=sum(1 for item in items for review in item.reviews if review.skipped),
        reviewers=len({o.reviewer for o in obs}),
        mean_score=_estimate(mx.mean, scores, seed=seed, resamples=resamples),
        accuracy=_estimate(mx.mean, outcomes, seed=seed, resamples=resamples),
        mean_confidence=mx.mean(confidences),
        kappa=_estimate(mx.quadratic_kappa, bands, scores, seed=seed, resamples=resamples),
        spearman=_estimate(mx.spearman, confidences, scores, seed=seed, resamples=resamples),
        alpha=mx.inter_reviewer_alpha(review_matrix(items)),
        ece=_estimate(
            mx.expected_calibration_error, confidences, outcomes, seed=seed, resamples=resamples
        ),
        brier=_estimate(mx.brier_score, confidences, outcomes, seed=seed, resamples=resamples),
        ece_calibrated=ece_calibrated,
        reliability=mx.reliability_curve(confidences, outcomes),
        score_distribution={value: Counter(scores)[value] for value in range(1, 6)},
    )


def batch_metrics(
    batch_id: str,
    items: Sequence[ItemWithReviews],
    *,
    seed: int,
    resamples: int = mx.DEFAULT_RESAMPLES,
    judge: QAJudge | None = None,
) -> BatchMetrics:
    """Overall and per-agent metrics of a batch's items; ragas metrics for the Q&A agent."""
    agents = sorted({item.agent for item in items})
    qa_items = [item for item in items if item.agent == "technical_qa"]
    return BatchMetrics(
        batch_id=batch_id,
        overall=group_metrics(items, seed=seed, resamples=resamples),
        per_agent={
            agent: group_metrics(
                [item for item in items if item.agent == agent], seed=seed, resamples=resamples
            )
            for agent in agents
        },
        qa=qa_metrics(qa_items, judge=judge) if qa_items else None,
    )
