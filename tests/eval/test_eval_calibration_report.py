"""The batch report: a self-contained HTML page with its plots, and the JSON summary beside it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.recommendation import Recommendation
from crm.calibration_maps import CalibrationMaps
from crm.recommendations import RecommendationLog
from eval.calibration.calibrating_recorder import CalibratingRecorder
from eval.calibration.errors import BatchNotFound
from eval.calibration.panel import review_batch
from eval.calibration.refit import refit_batch
from eval.calibration.report import write_report
from eval.calibration.report_summary import build_summary
from eval.calibration.sampling import month_period
from eval.calibration.schemas import ReviewInput
from eval.calibration.store import CalibrationStore
from tests.support.calibration_world import fill_log
from tests.support.panel_world import NOVEMBER, OCTOBER, fill_month, truth_for

AGENTS = {"lead_scoring", "budget", "relationships"}


@pytest.fixture
def batch_id(engine: Engine) -> str:
    truth = truth_for(60)
    fill_month(engine, truth)
    store = CalibrationStore(engine)
    batch = store.draw_batch(period_start=OCTOBER, period_end=NOVEMBER, rate=0.5, seed=2)
    review_batch(store, batch_id=batch.id, truth=truth, seed=2)
    return batch.id


def test_before_any_refit_there_is_no_calibrated_ece(engine: Engine, batch_id: str) -> None:
    summary = build_summary(
        CalibrationStore(engine), CalibrationMaps(engine), batch_id=batch_id, resamples=50
    )
    assert summary.overall.calibration.scope == "none"
    assert summary.ece_calibrated is None
    assert summary.overall.calibration.ece_raw_pooled == pytest.approx(
        summary.overall.metrics.ece.value
    )
    for agent, group in summary.per_agent.items():  # within one agent, nothing to average
        assert group.ece_raw == pytest.approx(group.metrics.ece.value), agent
    assert set(summary.per_agent) == AGENTS and summary.maps == []


def test_report_files_after_a_refit(engine: Engine, batch_id: str, tmp_path: Path) -> None:
    store, maps = CalibrationStore(engine), CalibrationMaps(engine)
    refit = refit_batch(batch_id, store.items_with_reviews(batch_id=batch_id), maps=maps)
    summary = build_summary(store, maps, batch_id=batch_id, resamples=50)
    files = write_report(summary, tmp_path / "out")

    data = json.loads(files.json.read_text(encoding="utf-8"))
    assert data["ece_raw"] == pytest.approx(refit.heldout.ece_raw)
    assert data["ece_calibrated"] == pytest.approx(refit.heldout.ece_calibrated)
    assert data["overall"]["calibration"]["scope"] == "held_out"
    for agent in AGENTS:
        group = data["per_agent"][agent]
        assert group["ece_raw"] == pytest.approx(refit.agents[agent].heldout.ece_raw)
        assert group["ece_calibrated"] == pytest.approx(refit.agents[agent].heldout.ece_calibrated)
    assert {m["agent"] for m in data["maps"]} == AGENTS
    assert {p["metric"] for p in data["drift"]} >= {"accuracy", "ece", "kappa"}

    html = files.html.read_text(encoding="utf-8")
    assert html.count("<svg") == 3  # reliability, per-agent bars, score distribution
    # October is the first month with a batch: no drift is described, and the report says why.
    assert data["previous_period"] is None
    assert "No previous month to compare" in html and "interval." not in html
    # Self-contained: nothing fetched from anywhere (the SVG namespace is not a fetch).
    fetched = re.findall(r"""(?:src|href)\s*=\s*["']([^"'#][^"']*)["']""", html)
    assert fetched == []
    assert "<script" not in html
    assert batch_id in html and refit.agents["budget"].map_id in html


def test_a_later_month_reports_the_confidence_its_recommendations_carried(engine: Engine) -> None:
    store, maps = CalibrationStore(engine), CalibrationMaps(engine)
    maps.add(agent="budget", method="platt", parameters={"coef": 0.0, "intercept": 0.0}, n=10)
    recorder = CalibratingRecorder(RecommendationLog(engine), maps)
    start, _ = month_period("2026-12")
    for n in range(8):
        recorder.record(Recommendation(kind="budget_estimate", agent="budget", content=str(n),
                                       confidence=0.9, created_at=start,
                                       subject={"account_id": f"ACC-{n:04d}"}))  # fmt: skip
    batch = store.draw_batch(period_start=start, period_end=month_period("2027-01")[0], rate=1.0)
    for item in store.items_with_reviews(batch_id=batch.id):
        store.add_review(
            item_id=item.id,
            review=ReviewInput(reviewer="r", score=3, correct=item.position % 2 == 0),
        )
    summary = build_summary(store, maps, batch_id=batch.id, resamples=20)
    assert summary.overall.calibration.scope == "carried"
    assert summary.ece_raw == pytest.approx(0.4)  # confidence 0.9, half of them right
    assert summary.ece_calibrated == pytest.approx(0.0)  # the map said 0.5


def test_unknown_batch_is_refused(engine: Engine) -> None:
    with pytest.raises(BatchNotFound):
        build_summary(CalibrationStore(engine), CalibrationMaps(engine), batch_id="nope")


def _review_all(
    store: CalibrationStore, batch_id: str, scores: dict[str, Callable[[int], int]]
) -> None:
    for item in store.items_with_reviews(batch_id=batch_id):
        for reviewer, score in scores.items():
            value = score(item.position)
            review = ReviewInput(reviewer=reviewer, score=value, correct=value >= 3)
            store.add_review(item_id=item.id, review=review)


def test_drift_is_described_against_the_previous_month(engine: Engine, tmp_path: Path) -> None:
    fill_log(engine, months=2)
    store, maps = CalibrationStore(engine), CalibrationMaps(engine)
    for month in ("2026-10", "2026-11"):
        start, end = month_period(month)
        batch = store.draw_batch(period_start=start, period_end=end, rate=0.2, seed=4)
        _review_all(store, batch.id, {"ann": lambda p: 1 + p % 5, "bob": lambda p: 1 + p % 5})
    summary = build_summary(store, maps, batch_id=batch.id, resamples=50)
    html = write_report(summary, tmp_path).html.read_text(encoding="utf-8")
    assert summary.period == "2026-11" and summary.previous_period == "2026-10"
    assert "No previous month" not in html and html.count("<svg") == 4
    assert "Compared with 2026-10" in html or "drifted" in html


def test_inter_rater_agreement_below_0_4_is_flagged(engine: Engine, tmp_path: Path) -> None:
    fill_log(engine, months=1)
    store, maps = CalibrationStore(engine), CalibrationMaps(engine)
    start, end = month_period("2026-10")
    batch = store.draw_batch(period_start=start, period_end=end, rate=0.2, seed=4)
    # Bob scores the opposite of Ann: Krippendorff's alpha is strongly negative.
    _review_all(store, batch.id, {"ann": lambda p: 1 + p % 5, "bob": lambda p: 5 - p % 5})
    summary = build_summary(store, maps, batch_id=batch.id, resamples=50)
    assert summary.overall.alpha is not None and summary.overall.alpha < 0.4
    assert summary.overall.alpha_low and "overall" in summary.low_agreement
    files = write_report(summary, tmp_path)
    html = files.html.read_text(encoding="utf-8")
    assert 'id="low-agreement"' in html and "Low inter-rater agreement" in html
    assert f"overall ({summary.overall.alpha:.3f})" in html
    data = json.loads(files.json.read_text(encoding="utf-8"))
    assert data["low_agreement"]["overall"] == pytest.approx(summary.overall.alpha)
    assert data["alpha_floor"] == 0.4 and data["overall"]["alpha_low"] is True


def test_agreeing_reviewers_are_not_flagged(engine: Engine, tmp_path: Path) -> None:
    fill_log(engine, months=1)
    store, maps = CalibrationStore(engine), CalibrationMaps(engine)
    start, end = month_period("2026-10")
    batch = store.draw_batch(period_start=start, period_end=end, rate=0.2, seed=4)
    _review_all(store, batch.id, {"ann": lambda p: 1 + p % 5, "bob": lambda p: 1 + p % 5})
    summary = build_summary(store, maps, batch_id=batch.id, resamples=50)
    assert summary.overall.alpha == pytest.approx(1.0) and not summary.overall.alpha_low
    assert summary.low_agreement == {}
    html = write_report(summary, tmp_path).html.read_text(encoding="utf-8")
    assert 'id="low-agreement"' not in html
