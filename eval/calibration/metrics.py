"""Agreement and calibration metrics over plain arrays; pure functions, no database.

Reference implementations do the arithmetic wherever one exists: scikit-learn for Cohen's
kappa and the Brier score, scipy for Spearman's rho and the bootstrap, the ``krippendorff``
package for Krippendorff's alpha. A metric that is undefined for the data (fewer than two
observations, a constant input) is ``None``, never NaN, so summaries stay valid JSON.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import krippendorff
import numpy as np
from pydantic import BaseModel, Field
from scipy import stats
from sklearn.metrics import brier_score_loss, cohen_kappa_score

from eval.calibration.bands import BANDS

DEFAULT_BINS = 10
ALPHA_FLOOR = 0.4  # inter-rater alpha below this: reviewers too inconsistent to calibrate against
DEFAULT_RESAMPLES = 1000
CI_LEVEL = 0.95


def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def quadratic_kappa(ai_bands: Sequence[int], human_scores: Sequence[int]) -> float | None:
    """Quadratic-weighted Cohen's kappa on the 1-5 scale (scikit-learn)."""
    if len(ai_bands) != len(human_scores):
        raise ValueError("ai_bands and human_scores must have the same length")
    if len(ai_bands) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined kappa comes back as NaN -> None
        value = cohen_kappa_score(ai_bands, human_scores, weights="quadratic", labels=list(BANDS))
    return _finite(value)


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rank correlation (scipy); ``None`` when either side is constant."""
    if len(xs) != len(ys):
        raise ValueError("both sequences must have the same length")
    if len(xs) < 2 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    return _finite(stats.spearmanr(xs, ys).statistic)


class Agreement(BaseModel):
    """Human-AI agreement between the AI's confidence band and the human quality score."""

    n: int
    kappa: float | None = Field(description="Quadratic-weighted Cohen's kappa, band vs score.")
    spearman: float | None = Field(description="Spearman's rho, raw confidence vs score.")


def agreement(
    ai_bands: Sequence[int],
    human_scores: Sequence[int],
    confidences: Sequence[float] | None = None,
) -> Agreement:
    """Kappa between bands and scores; Spearman between confidences (or bands) and scores."""
    ranked = list(confidences) if confidences is not None else list(ai_bands)
    return Agreement(
        n=len(human_scores),
        kappa=quadratic_kappa(ai_bands, human_scores),
        spearman=spearman(ranked, list(human_scores)),
    )


def inter_reviewer_alpha(matrix: Sequence[Sequence[float | None]]) -> float | None:
    """Krippendorff's alpha (ordinal, 1-5) of a reviewers x items matrix; missing = None/NaN.

    ``None`` when fewer than two reviewers, no item has two scores, or every score is equal.
    """
    data = np.array(
        [[np.nan if value is None else float(value) for value in row] for row in matrix],
        dtype=float,
    )
    if data.ndim != 2 or data.shape[0] < 2:
        return None
    paired = (~np.isnan(data)).sum(axis=0) >= 2
    if not paired.any() or len(np.unique(data[~np.isnan(data)])) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = krippendorff.alpha(
            reliability_data=data, level_of_measurement="ordinal", value_domain=list(BANDS)
        )
    return _finite(value)


def low_agreement(alpha: float | None) -> bool:
    """Whether an inter-rater alpha is below :data:`ALPHA_FLOOR` (an undefined one is not)."""
    return alpha is not None and alpha < ALPHA_FLOOR


class ReliabilityBin(BaseModel):
    """One bin of a reliability diagram: confidence range, how many, mean confidence, accuracy."""

    low: float
    high: float
    count: int
    mean_confidence: float | None
    accuracy: float | None


def _checked(
    confidences: Sequence[float], outcomes: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    conf = np.asarray(confidences, dtype=float)
    out = np.asarray(outcomes, dtype=float)
    if conf.shape != out.shape or conf.ndim != 1:
        raise ValueError("confidences and outcomes must be 1-D and of the same length")
    if conf.size and (conf.min() < 0 or conf.max() > 1):
        raise ValueError("confidences must lie in [0, 1]")
    if out.size and not np.isin(out, (0.0, 1.0)).all():
        raise ValueError("outcomes must be 0/1 (or False/True)")
    return conf, out


def reliability_curve(
    confidences: Sequence[float], outcomes: Sequence[float], bins: int = DEFAULT_BINS
) -> list[ReliabilityBin]:
    """Equal-width bins over [0, 1] (the last one closed); empty bins have no mean or accuracy."""
    conf, out = _checked(confidences, outcomes)
    if bins < 1:
        raise ValueError("bins must be >= 1")
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(conf, edges[1:-1], right=False), 0, bins - 1)
    curve = []
    for b in range(bins):
        mask = index == b
        count = int(mask.sum())
        curve.append(
            ReliabilityBin(
                low=round(float(edges[b]), 10),
                high=round(float(edges[b + 1]), 10),
                count=count,
                mean_confidence=float(conf[mask].mean()) if count else None,
                accuracy=float(out[mask].mean()) if count else None,
            )
        )
    return curve


def expected_calibration_error(
    confidences: Sequence[float], outcomes: Sequence[float], bins: int = DEFAULT_BINS
) -> float | None:
    """ECE: the count-weighted mean gap between accuracy and mean confidence per bin."""
    curve = reliability_curve(confidences, outcomes, bins)
    total = sum(b.count for b in curve)
    if not total:
        return None
    return sum(
        b.count / total * abs(b.accuracy - b.mean_confidence)  # type: ignore[operator]
        for b in curve
        if b.count
    )


def brier_score(confidences: Sequence[float], outcomes: Sequence[float]) -> float | None:
    """Mean squared gap between confidence and the 0/1 outcome (scikit-learn)."""
    conf, out = _checked(confidences, outcomes)
    if not conf.size:
        return None
    return float(brier_score_loss(out.astype(int), conf, labels=[0, 1]))


class Estimate(BaseModel):
    """A metric's value on the batch with a seeded bootstrap confidence interval."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int = 0


def _kappa_replicates(bands: np.ndarray, scores: np.ndarray) -> np.ndarray:
    # Quadratic weights make kappa 1 - E[(a-b)^2] / (var a + var b + (mean a - mean b)^2),
    # so each resample needs only moments; tests check it equals scikit-learn's.
    observed = ((bands - scores) ** 2).mean(axis=1)
    chance = (
        bands.var(axis=1) + scores.var(axis=1) + (bands.mean(axis=1) - scores.mean(axis=1)) ** 2
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(chance > 0, 1 - observed / chance, np.nan)


def _spearman_replicates(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    rx, ry = stats.rankdata(xs, axis=1), stats.rankdata(ys, axis=1)
    rx -= rx.mean(axis=1, keepdims=True)
    ry -= ry.mean(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (rx * ry).sum(axis=1) / np.sqrt((rx**2).sum(axis=1) * (ry**2).sum(axis=1))


def _ece_replicates(conf: np.ndarray, out: np.ndarray, bins: int = DEFAULT_BINS) -> np.ndarray:
    # Per bin, count * |accuracy - mean confidence| = |sum of outcomes - sum of confidences|.
    index = np.clip(np.digitize(conf, np.linspace(0.0, 1.0, bins + 1)[1:-1]), 0, bins - 1)
    flat = (index + bins * np.arange(conf.shape[0])[:, None]).ravel()
    size = conf.shape[0] * bins
    gap = np.bincount(flat, weights=out.ravel(), minlength=size) - np.bincount(
        flat, weights=conf.ravel(), minlength=size
    )
    return np.abs(gap.reshape(conf.shape[0], bins)).sum(axis=1) / conf.shape[1]


def _brier_replicates(conf: np.ndarray, out: np.ndarray) -> np.ndarray:
    return ((conf - out) ** 2).mean(axis=1)


def _mean_replicates(values: np.ndarray) -> np.ndarray:
    return values.mean(axis=1)


def bootstrap_estimate(
    statistic: Callable[..., float | None],
    *samples: Sequence[float],
    seed: int,
    n_resamples: int = DEFAULT_RESAMPLES,
) -> Estimate:
    """``statistic(*samples)`` with a paired percentile bootstrap 95% interval, seeded.

    The value comes from ``statistic`` (the reference implementation). The resamples of the
    metrics in this module are computed all at once by vectorised equivalents (checked equal
    in the tests), other statistics one resample at a time. Resamples where the statistic is
    undefined (a constant resample has no kappa) are left out; ``scipy.stats.bootstrap``
    would turn the whole interval into NaN instead, which is why the resampling is done here.
    """
    n = len(samples[0]) if samples else 0
    value = statistic(*samples) if n else None
    if value is None or n < 3:
        return Estimate(value=value, n=n)
    arrays = [np.asarray(sample, dtype=float) for sample in samples]
    index = np.random.default_rng(seed).integers(0, n, (n_resamples, n))
    vectorised = _REPLICATES.get(statistic)
    if vectorised is not None:
        results = vectorised(*(array[index] for array in arrays))
    else:
        results = np.array(
            [
                np.nan if (r := statistic(*(a[row].tolist() for a in arrays))) is None else r
                for row in index
            ]
        )
    results = results[np.isfinite(results)]
    if results.size < n_resamples // 2:
        return Estimate(value=value, n=n)  # mostly degenerate: no honest interval
    tail = (1 - CI_LEVEL) / 2 * 100
    low, high = np.percentile(results, [tail, 100 - tail])
    return Estimate(value=value, ci_low=float(low), ci_high=float(high), n=n)


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean, ``None`` for no values."""
    return float(np.mean(values)) if len(values) else None


_REPLICATES: dict[Callable[..., float | None], Callable[..., np.ndarray]] = {
    quadratic_kappa: _kappa_replicates,
    spearman: _spearman_replicates,
    expected_calibration_error: _ece_replicates,
    brier_score: _brier_replicates,
    mean: _mean_replicates,
}
