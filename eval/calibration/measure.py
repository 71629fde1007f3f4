"""Metrics of a stored batch, with drift over the months before it."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from eval.calibration.drift import DriftPoint, drift_points
from eval.calibration.metrics import ALPHA_FLOOR, DEFAULT_RESAMPLES, low_agreement
from eval.calibration.qa_metrics import QAJudge
from eval.calibration.schemas import Batch
from eval.calibration.store import CalibrationStore
from eval.calibration.summary import BatchMetrics, batch_metrics

DRIFT_PERIODS = 12


class BatchReport(BatchMetrics):
    """A batch's metrics and each metric's month-over-month drift up to this batch."""

    period: str
    drift: list[DriftPoint] = Field(default_factory=list)
    previous_period: str | None = Field(
        None, description="The earlier month drift compares with; null for a first month."
    )
    low_agreement: dict[str, float] = Field(
        default_factory=dict,
        description=f"Groups ('overall' or an agent) whose inter-rater alpha is below {ALPHA_FLOOR}.",
    )


def period_label(start: datetime, end: datetime) -> str:
    """``2026-10`` for a calendar month, else ``2026-10-03..2026-10-17``."""
    whole_month = (
        start.day == 1 and end.day == 1 and start.time() == end.time() == datetime.min.time()
    )
    if whole_month and (end.year * 12 + end.month) - (start.year * 12 + start.month) == 1:
        return start.strftime("%Y-%m")
    return f"{start.date().isoformat()}..{end.date().isoformat()}"


def _label(batch: Batch) -> str:
    return period_label(batch.period_start, batch.period_end)


def measure_batch(
    store: CalibrationStore,
    *,
    batch_id: str,
    resamples: int = DEFAULT_RESAMPLES,
    judge: QAJudge | None = None,
) -> BatchMetrics:
    """The metrics of one batch (bootstrap seeded with the batch's seed)."""
    batch = store.get_batch(batch_id=batch_id)
    items = store.items_with_reviews(batch_id=batch_id)
    return batch_metrics(batch_id, items, seed=batch.seed, resamples=resamples, judge=judge)


def history_batches(
    store: CalibrationStore, *, batch: Batch, periods: int = DRIFT_PERIODS
) -> list[Batch]:
    """The newest batch of each earlier period (up to ``periods - 1``) and ``batch``, oldest first."""
    newest: dict[str, Batch] = {}
    offset = 0
    while True:
        page = store.list_batches(limit=500, offset=offset)
        for other in page:  # newest first: the first batch seen of a period wins
            if other.period_end <= batch.period_start:
                newest.setdefault(_label(other), other)
        if len(page) < 500:
            break
        offset += 500
    earlier = (
        sorted(newest.values(), key=lambda b: b.period_start)[-(periods - 1) :]
        if periods > 1
        else []
    )
    return [*earlier, batch]


def batch_report(
    store: CalibrationStore,
    *,
    batch_id: str,
    resamples: int = DEFAULT_RESAMPLES,
    judge: QAJudge | None = None,
    periods: int = DRIFT_PERIODS,
) -> BatchReport:
    """The batch's metrics and drift against the newest batch of each earlier period."""
    batch = store.get_batch(batch_id=batch_id)
    history = []
    current: BatchMetrics | None = None
    for member in history_batches(store, batch=batch, periods=periods):
        is_current = member.id == batch_id
        # The judge only scores the batch asked for; earlier months keep their non-LLM metrics.
        metrics = measure_batch(
            store, batch_id=member.id, resamples=resamples, judge=judge if is_current else None
        )
        history.append((_label(member), metrics))
        if is_current:
            current = metrics
    assert current is not None
    groups = {"overall": current.overall, **current.per_agent}
    return BatchReport(
        **current.model_dump(),
        period=_label(batch),
        drift=drift_points(history),
        previous_period=history[-2][0] if len(history) > 1 else None,
        low_agreement={
            name: group.alpha
            for name, group in groups.items()
            if group.alpha is not None and low_agreement(group.alpha)
        },
    )
