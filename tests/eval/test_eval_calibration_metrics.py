"""Metrics match their reference implementations (scikit-learn, scipy, krippendorff)."""

from __future__ import annotations

import numpy as np
import pytest
from krippendorff import alpha as krippendorff_alpha
from scipy.stats import spearmanr
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, cohen_kappa_score

from eval.calibration import metrics as mx

RNG = np.random.default_rng(20261125)
BANDS = RNG.integers(1, 6, 120)
# Human scores that mostly follow the bands, with noise: a realistic, imperfect agreement.
SCORES = np.clip(BANDS + RNG.choice([-2, -1, 0, 0, 0, 1], 120), 1, 5)
CONFIDENCES = np.clip((BANDS - 1) / 5 + RNG.random(120) / 5, 0, 1)
OUTCOMES = (RNG.random(120) < CONFIDENCES * 0.8).astype(int)
# Three reviewers over 15 items, with gaps (Krippendorff's worked-example shape).
MATRIX = [
    [None, None, None, None, None, 3, 4, 1, 2, 1, 1, 3, 3, None, 3],
    [1, None, 2, 1, 3, 3, 4, 3, None, None, None, None, None, None, None],
    [None, None, 2, 1, 3, 4, 4, None, 2, 1, 1, 3, 3, None, 4],
]


def test_kappa_is_scikit_learns_quadratic_weighted_kappa() -> None:
    expected = cohen_kappa_score(BANDS, SCORES, weights="quadratic", labels=[1, 2, 3, 4, 5])
    assert mx.quadratic_kappa(BANDS.tolist(), SCORES.tolist()) == pytest.approx(expected, abs=1e-12)
    assert mx.quadratic_kappa([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]) == pytest.approx(1.0)


def test_spearman_is_scipys() -> None:
    expected = spearmanr(CONFIDENCES, SCORES).statistic
    assert mx.spearman(CONFIDENCES.tolist(), SCORES.tolist()) == pytest.approx(expected, abs=1e-12)


def test_agreement_bundles_kappa_and_spearman() -> None:
    result = mx.agreement(BANDS.tolist(), SCORES.tolist(), CONFIDENCES.tolist())
    assert result.n == 120
    assert result.kappa == pytest.approx(
        cohen_kappa_score(BANDS, SCORES, weights="quadratic", labels=[1, 2, 3, 4, 5])
    )
    assert result.spearman == pytest.approx(spearmanr(CONFIDENCES, SCORES).statistic)


def test_undefined_agreement_is_none_not_nan() -> None:
    assert mx.quadratic_kappa([3], [3]) is None
    assert mx.quadratic_kappa([3, 3, 3], [3, 3, 3]) is None
    assert mx.spearman([0.5, 0.5, 0.5], [1, 2, 3]) is None
    with pytest.raises(ValueError):
        mx.quadratic_kappa([1, 2], [1])


def test_alpha_is_the_krippendorff_packages_ordinal_alpha() -> None:
    data = np.array([[np.nan if v is None else v for v in row] for row in MATRIX], dtype=float)
    expected = krippendorff_alpha(
        reliability_data=data, level_of_measurement="ordinal", value_domain=[1, 2, 3, 4, 5]
    )
    assert mx.inter_reviewer_alpha(MATRIX) == pytest.approx(expected, abs=1e-12)
    assert 0.5 < expected < 1.0


def test_alpha_needs_two_reviewers_on_an_item() -> None:
    assert mx.inter_reviewer_alpha([[1, 2, 3]]) is None
    assert mx.inter_reviewer_alpha([[1, None], [None, 2]]) is None
    assert mx.inter_reviewer_alpha([[3, 3], [3, 3]]) is None


def test_ece_on_a_worked_example() -> None:
    # Bins: 0.05 wrong (gap .05), 0.15 right (gap .85), two at 0.95 half right (gap .45).
    ece = mx.expected_calibration_error([0.05, 0.15, 0.95, 0.95], [0, 1, 1, 0])
    assert ece == pytest.approx(0.25 * 0.05 + 0.25 * 0.85 + 0.5 * 0.45)
    assert mx.expected_calibration_error([], []) is None


def test_reliability_curve_matches_scikit_learns_calibration_curve() -> None:
    prob_true, prob_pred = calibration_curve(OUTCOMES, CONFIDENCES, n_bins=10, strategy="uniform")
    curve = [b for b in mx.reliability_curve(CONFIDENCES, OUTCOMES) if b.count]
    assert [b.accuracy for b in curve] == pytest.approx(prob_true.tolist())
    assert [b.mean_confidence for b in curve] == pytest.approx(prob_pred.tolist())
    full = mx.reliability_curve(CONFIDENCES, OUTCOMES)
    assert len(full) == 10 and sum(b.count for b in full) == 120
    assert full[-1].high == 1.0 and full[0].low == 0.0


def test_brier_is_scikit_learns() -> None:
    expected = brier_score_loss(OUTCOMES, CONFIDENCES)
    assert mx.brier_score(CONFIDENCES, OUTCOMES) == pytest.approx(expected, abs=1e-12)


def test_bad_calibration_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        mx.brier_score([0.1, 0.2], [1])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        mx.expected_calibration_error([1.2], [1])
    with pytest.raises(ValueError, match="0/1"):
        mx.brier_score([0.5], [2])


@pytest.mark.parametrize("n", [8, 40, 200])
def test_vectorised_bootstrap_replicates_equal_the_reference_functions(n: int) -> None:
    rng = np.random.default_rng(n)
    bands = rng.integers(1, 6, (30, n)).astype(float)
    scores = rng.integers(1, 6, (30, n)).astype(float)
    conf = rng.random((30, n))
    out = rng.integers(0, 2, (30, n)).astype(float)
    pairs = [
        (mx.quadratic_kappa, (bands, scores)),
        (mx.spearman, (conf, scores)),
        (mx.expected_calibration_error, (conf, out)),
        (mx.brier_score, (conf, out)),
        (mx.mean, (scores,)),
    ]
    for reference, arrays in pairs:
        fast = mx._REPLICATES[reference](*arrays)
        for row in range(30):
            expected = reference(*(a[row].tolist() for a in arrays))
            if expected is None:
                assert not np.isfinite(fast[row]), reference.__name__
            else:
                assert fast[row] == pytest.approx(expected, abs=1e-9), reference.__name__


def test_bootstrap_intervals_are_seeded_and_contain_the_value() -> None:
    first = mx.bootstrap_estimate(mx.brier_score, CONFIDENCES, OUTCOMES, seed=1)
    again = mx.bootstrap_estimate(mx.brier_score, CONFIDENCES, OUTCOMES, seed=1)
    other = mx.bootstrap_estimate(mx.brier_score, CONFIDENCES, OUTCOMES, seed=2)
    assert first == again and first != other
    assert first.ci_low < first.value < first.ci_high and first.n == 120
    kappa = mx.bootstrap_estimate(mx.quadratic_kappa, BANDS.tolist(), SCORES.tolist(), seed=1)
    assert kappa.ci_low < kappa.value < kappa.ci_high


def test_too_few_observations_give_a_value_without_an_interval() -> None:
    estimate = mx.bootstrap_estimate(mx.mean, [4, 5], seed=1)
    assert estimate.value == 4.5 and estimate.ci_low is None and estimate.ci_high is None
    assert mx.bootstrap_estimate(mx.mean, [], seed=1).value is None
