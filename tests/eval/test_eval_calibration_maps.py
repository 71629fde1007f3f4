"""Stored maps apply exactly as scikit-learn's fitted estimators predict; each fit is a version."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sqlalchemy import Engine

from core.recommendation import Recommendation
from crm.calibration_maps import CalibrationMaps, apply_map
from crm.recommendations import RecommendationLog
from eval.calibration.calibrating_recorder import CalibratingRecorder
from eval.calibration.refit import fit_isotonic, fit_platt

rng = np.random.default_rng(42)
RAW = rng.uniform(0.05, 0.98, 300)
OUTCOMES = (rng.uniform(0, 1, 300) < 0.2 + 0.6 * RAW).astype(int)
# Probe inside, between and outside the fitted range, and exactly on thresholds.
PROBES = np.concatenate([np.linspace(0.0, 1.0, 401), RAW[:50], [-0.2, 1.3]])


def test_isotonic_map_equals_sklearn_predict() -> None:
    fitted = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(RAW, OUTCOMES)
    parameters = fit_isotonic(RAW, OUTCOMES)
    assert parameters["x"] == fitted.X_thresholds_.tolist()
    ours = [apply_map("isotonic", parameters, float(p)) for p in PROBES]
    assert np.allclose(ours, fitted.predict(PROBES), rtol=0, atol=1e-12)


def test_platt_map_equals_sklearn_predict_proba() -> None:
    fitted = LogisticRegression(C=np.inf).fit(RAW.reshape(-1, 1), OUTCOMES)
    parameters = fit_platt(RAW, OUTCOMES)
    ours = [apply_map("platt", parameters, float(p)) for p in PROBES]
    assert np.allclose(ours, fitted.predict_proba(PROBES.reshape(-1, 1))[:, 1], rtol=0, atol=1e-12)


def test_platt_on_one_class_is_a_smoothed_constant_not_a_certainty() -> None:
    parameters = fit_platt([0.2, 0.5, 0.9], [1, 1, 1])
    assert apply_map("platt", parameters, 0.1) == pytest.approx(4 / 5)
    assert apply_map("platt", parameters, 0.99) == pytest.approx(4 / 5)


def test_a_stored_map_applies_like_the_fitted_one(engine: Engine) -> None:
    maps = CalibrationMaps(engine)
    stored = maps.add(
        agent="budget", method="isotonic", parameters=fit_isotonic(RAW, OUTCOMES), n=300
    )
    reread = maps.get(map_id=stored.id)  # through JSON and the database
    fitted = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(RAW, OUTCOMES)
    assert np.allclose([reread.apply(float(p)) for p in PROBES], fitted.predict(PROBES), atol=1e-12)


def test_recommendations_carry_raw_and_calibrated_confidence_and_the_map_version(
    engine: Engine,
) -> None:
    log = RecommendationLog(engine)
    maps = CalibrationMaps(engine)
    recorder = CalibratingRecorder(log, maps)
    before = recorder.record(Recommendation(kind="k", agent="budget", content="c", confidence=0.9))
    assert before.calibrated_confidence is None and before.calibration_map_id is None

    first = maps.add(
        agent="budget", method="platt", parameters={"coef": 0.0, "intercept": 0.0}, n=9
    )
    one = recorder.record(Recommendation(kind="k", agent="budget", content="c", confidence=0.9))
    second = maps.add(
        agent="budget", method="isotonic", parameters={"x": [0.0, 1.0], "y": [0.1, 0.3]}, n=9
    )
    two = recorder.record(Recommendation(kind="k", agent="budget", content="c", confidence=0.9))
    other = recorder.record(
        Recommendation(kind="k", agent="relationships", content="c", confidence=0.9)
    )

    stored = {rec.id: log.get(recommendation_id=rec.id) for rec in (one, two, other)}
    assert (stored[one.id].confidence, stored[one.id].calibrated_confidence) == (0.9, 0.5)
    assert stored[one.id].calibration_map_id == first.id
    assert stored[two.id].calibrated_confidence == pytest.approx(0.28)
    assert stored[two.id].calibration_map_id == second.id
    assert stored[other.id].calibrated_confidence is None  # no map for that agent
    listed = log.search(agent="budget")
    assert {r.calibration_map_id for r in listed} == {None, first.id, second.id}
