"""The JSON summary of a batch: key metrics overall and per agent, raw vs calibrated ECE, drift.

``ece_raw`` and ``ece_calibrated`` of a group are always measured on the same reviews, chosen
by ``calibration.scope``:

- ``held_out``: maps were fitted on this batch; every review of the agents with a map, raw
  confidence against the cross-fitted calibrated confidence (each review predicted by a map
  fitted without its item's fold, ``eval.calibration.refit.out_of_fold``);
- ``carried``: the batch's recommendations carry a calibrated confidence (they were made under
  an earlier map); every review, raw against the carried value (raw where none was carried);
- ``none``: neither; ``ece_calibrated`` is null and ``ece_raw`` covers every review.

ECE is measured within each agent and averaged with the agents' review counts as weights
(``eval.calibration.refit.combine_by_agent``): binning agents together would let one agent's
overconfidence cancel another's underconfidence. The pooled figures are reported beside it.
The whole batch's raw figures with their bootstrap intervals are under ``metrics``.

Inter-rater agreement (Krippendorff's alpha between reviewers, computed by the ``krippendorff``
package) below :data:`ALPHA_FLOOR` is flagged (``alpha_low``): reviewers who disagree that much
do not give a reference the figures above can be trusted against. Drift needs an earlier month:
``previous_period`` is None when the batch's month is the first, and the report says so
instead of describing drift.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from core.recommendation import utcnow
from crm.calibration_maps import CalibrationMap, CalibrationMaps
from eval.calibration import metrics as mx
from eval.calibration.drift import DriftPoint
from eval.calibration.measure import BatchReport, batch_report
from eval.calibration.metrics import ReliabilityBin
from eval.calibration.refit import (
    DEFAULT_SPLIT_SEED,
    FOLDS,
    combine_by_agent,
    fold_keys,
    heldout_figures,
    out_of_fold,
)
from eval.calibration.schemas import Batch, ItemWithReviews
from eval.calibration.store import CalibrationStore
from eval.calibration.summary import GroupMetrics, Observation, observations

Scope = Literal["held_out", "carried", "none"]
ALPHA_FLOOR = mx.ALPHA_FLOOR


class CalibrationComparison(BaseModel):
    """Raw against calibrated confidence on one set of reviews (see the module docstring)."""

    scope: Scope
    n: int = Field(description="Reviews compared.")
    ece_raw: float | None = Field(None, description="Within each agent, averaged by reviews.")
    ece_calibrated: float | None = Field(
        None, description="Within each agent, averaged by reviews."
    )
    brier_raw: float | None = None
    brier_calibrated: float | None = None
    ece_raw_pooled: float | None = Field(None, description="Every agent's reviews binned together.")
    ece_calibrated_pooled: float | None = None
    map_ids: list[str] = Field(default_factory=list)
    reliability_raw: list[ReliabilityBin] = Field(default_factory=list)
    reliability_calibrated: list[ReliabilityBin] = Field(default_factory=list)


class GroupSummary(BaseModel):
    """The figures of one group (the whole batch or one agent) a reader looks at first."""

    items: int
    reviewed_items: int
    scores: int
    skips: int
    reviewers: int
    accuracy: float | None = Field(description="Share of scores that say 'correct'.")
    mean_score: float | None
    mean_confidence: float | None
    kappa: float | None
    spearman: float | None
    alpha: float | None
    alpha_low: bool = Field(
        False, description=f"Krippendorff's alpha below {ALPHA_FLOOR}: reviewers disagree."
    )
    ece_raw: float | None
    ece_calibrated: float | None
    calibration: CalibrationComparison
    metrics: GroupMetrics = Field(description="Every metric with its bootstrap interval.")


class MapSummary(BaseModel):
    """A calibration map fitted on this batch."""

    id: str
    agent: str
    method: str
    n: int
    fitted_at: datetime
    heldout: dict[str, Any]


class ReportSummary(BaseModel):
    """Everything the HTML report shows, as data."""

    batch: Batch
    period: str
    generated_at: datetime
    overall: GroupSummary
    per_agent: dict[str, GroupSummary]
    maps: list[MapSummary] = Field(description="Maps fitted on this batch, one per agent.")
    drift: list[DriftPoint]
    previous_period: str | None = Field(
        None, description="The latest earlier month drift compares with; None for a first month."
    )
    qa: dict[str, Any] | None = None

    @property
    def ece_raw(self) -> float | None:
        return self.overall.ece_raw

    @property
    def low_agreement(self) -> dict[str, float]:
        """Groups ("overall" or an agent) whose inter-rater alpha is below the floor."""
        groups = {"overall": self.overall, **self.per_agent}
        return {name: g.alpha for name, g in groups.items() if g.alpha_low and g.alpha is not None}

    @property
    def ece_calibrated(self) -> float | None:
        return self.overall.ece_calibrated


def newest_maps_per_agent(maps: Sequence[CalibrationMap]) -> dict[str, CalibrationMap]:
    """The newest of each agent's maps (``maps`` newest first, as the store returns them)."""
    found: dict[str, CalibrationMap] = {}
    for candidate in maps:
        found.setdefault(candidate.agent, candidate)
    return found


def _heldout_predictions(
    obs: Sequence[Observation], fitted: Mapping[str, CalibrationMap], keys: Mapping[str, str]
) -> tuple[list[Observation], list[float]]:
    """The observations of agents with a map, and their cross-fitted calibrated confidence."""
    chosen: list[Observation] = []
    predicted: list[float] = []
    for agent, fitted_map in sorted(fitted.items()):
        mine = [o for o in obs if o.agent == agent]
        seed = int(fitted_map.metrics.get("split_seed", DEFAULT_SPLIT_SEED))
        folds = int(fitted_map.metrics.get("folds", FOLDS))
        chosen += mine
        predicted += (
            out_of_fold(mine, fitted_map.method, seed=seed, folds=folds, keys=keys) if mine else []
        )
    return chosen, predicted


def compare_calibration(
    obs: Sequence[Observation],
    fitted: Mapping[str, CalibrationMap],
    *,
    carried_map_ids: Sequence[str] = (),
    keys: Mapping[str, str] | None = None,
) -> CalibrationComparison:
    """Raw vs calibrated ECE and Brier of ``obs``, in the scope the module docstring defines."""
    scope: Scope
    if any(o.agent in fitted for o in obs):
        scope = "held_out"
        chosen, calibrated = _heldout_predictions(obs, fitted, keys or {})
        map_ids = sorted({fitted[o.agent].id for o in obs if o.agent in fitted})
    elif any(o.calibrated_confidence is not None for o in obs):
        scope, chosen = "carried", list(obs)
        calibrated = [
            o.confidence if o.calibrated_confidence is None else o.calibrated_confidence
            for o in chosen
        ]
        map_ids = sorted(set(carried_map_ids))
    else:
        scope, chosen, calibrated, map_ids = "none", list(obs), [], []
    raw = [o.confidence for o in chosen]
    outcomes = [int(o.correct) for o in chosen]
    has_calibrated = scope != "none" and bool(chosen)
    compared = calibrated if has_calibrated else raw
    combined = combine_by_agent(
        [
            heldout_figures(
                [r for r, o in zip(raw, chosen, strict=True) if o.agent == agent],
                [c for c, o in zip(compared, chosen, strict=True) if o.agent == agent],
                [y for y, o in zip(outcomes, chosen, strict=True) if o.agent == agent],
            )
            for agent in sorted({o.agent for o in chosen})
        ]
    )
    return CalibrationComparison(
        scope=scope,
        n=len(chosen),
        ece_raw=combined.ece_raw,
        ece_calibrated=combined.ece_calibrated if has_calibrated else None,
        brier_raw=combined.brier_raw,
        brier_calibrated=combined.brier_calibrated if has_calibrated else None,
        ece_raw_pooled=mx.expected_calibration_error(raw, outcomes) if chosen else None,
        ece_calibrated_pooled=(
            mx.expected_calibration_error(calibrated, outcomes) if has_calibrated else None
        ),
        map_ids=map_ids,
        reliability_raw=mx.reliability_curve(raw, outcomes) if chosen else [],
        reliability_calibrated=mx.reliability_curve(calibrated, outcomes) if has_calibrated else [],
    )


def _group(
    metrics: GroupMetrics, items: Sequence[ItemWithReviews], fitted: Mapping[str, CalibrationMap]
) -> GroupSummary:
    carried = [i.recommendation.calibration_map_id for i in items if i.scored()]
    comparison = compare_calibration(
        observations(items),
        fitted,
        carried_map_ids=[m for m in carried if m],
        keys=fold_keys(items),
    )
    return GroupSummary(
        items=metrics.items,
        reviewed_items=metrics.reviewed_items,
        scores=metrics.scores,
        skips=metrics.skips,
        reviewers=metrics.reviewers,
        accuracy=metrics.accuracy.value,
        mean_score=metrics.mean_score.value,
        mean_confidence=metrics.mean_confidence,
        kappa=metrics.kappa.value,
        spearman=metrics.spearman.value,
        alpha=metrics.alpha,
        alpha_low=mx.low_agreement(metrics.alpha),
        ece_raw=comparison.ece_raw,
        ece_calibrated=comparison.ece_calibrated,
        calibration=comparison,
        metrics=metrics,
    )


def build_summary(
    store: CalibrationStore,
    maps: CalibrationMaps,
    *,
    batch_id: str,
    resamples: int = mx.DEFAULT_RESAMPLES,
    now: datetime | None = None,
) -> ReportSummary:
    """The summary of a stored batch (raises ``BatchNotFound`` for an unknown id)."""
    report: BatchReport = batch_report(store, batch_id=batch_id, resamples=resamples)
    batch = store.get_batch(batch_id=batch_id)
    items = store.items_with_reviews(batch_id=batch_id)
    fitted = newest_maps_per_agent(maps.fitted_on(batch_id=batch_id))
    return ReportSummary(
        batch=batch,
        period=report.period,
        generated_at=now or utcnow(),
        overall=_group(report.overall, items, fitted),
        per_agent={
            agent: _group(metrics, [i for i in items if i.agent == agent], fitted)
            for agent, metrics in report.per_agent.items()
        },
        maps=[
            MapSummary(
                id=m.id,
                agent=m.agent,
                method=m.method,
                n=m.n,
                fitted_at=m.fitted_at,
                heldout=dict(m.metrics.get("heldout") or {}),
            )  # fmt: skip
            for m in fitted.values()
        ],
        drift=report.drift,
        previous_period=report.previous_period,
        qa=report.qa.model_dump(mode="json") if report.qa else None,
    )
