"""Drift: each metric month over month, flagged when it leaves the previous month's interval.

A metric of a group (the whole batch, or one agent) drifts in a period when its value falls
outside the previous period's 95% bootstrap interval. Periods with no value (too few scores)
neither drift nor hide drift: the comparison skips to the last period that had one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from eval.calibration.metrics import Estimate
    from eval.calibration.summary import BatchMetrics, GroupMetrics

DRIFT_METRICS: tuple[str, ...] = ("mean_score", "accuracy", "kappa", "spearman", "ece", "brier")
OVERALL = "overall"


class DriftPoint(BaseModel):
    """One metric of one group in one period, compared with the previous period that had it."""

    metric: str
    group: str = Field(description="'overall' or an agent.")
    period: str = Field(description="The period's label, e.g. '2026-10'.")
    batch_id: str
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    previous: float | None = Field(None, description="The previous period's value.")
    delta: float | None = None
    drifted: bool = Field(False, description="Value outside the previous period's interval.")


def _groups(metrics: BatchMetrics) -> dict[str, GroupMetrics]:
    return {OVERALL: metrics.overall, **metrics.per_agent}


def drift_points(history: Sequence[tuple[str, BatchMetrics]]) -> list[DriftPoint]:
    """Points per (group, metric) in period order; ``history`` is (period label, metrics)."""
    groups = sorted({g for _, m in history for g in _groups(m)}, key=lambda g: (g != OVERALL, g))
    points: list[DriftPoint] = []
    for group in groups:
        for metric in DRIFT_METRICS:
            previous: Estimate | None = None
            for period, batch in history:
                found = _groups(batch).get(group)
                if found is None:
                    continue
                estimate: Estimate = getattr(found, metric)
                point = DriftPoint(
                    metric=metric,
                    group=group,
                    period=period,
                    batch_id=batch.batch_id,
                    value=estimate.value,
                    ci_low=estimate.ci_low,
                    ci_high=estimate.ci_high,
                )
                if estimate.value is not None and previous is not None:
                    low, high = previous.ci_low, previous.ci_high
                    point = point.model_copy(
                        update={
                            "previous": previous.value,
                            "delta": estimate.value - previous.value,  # type: ignore[operator]
                            "drifted": low is not None
                            and high is not None
                            and not low <= estimate.value <= high,
                        }
                    )
                points.append(point)
                if estimate.value is not None:
                    previous = estimate
    return points
