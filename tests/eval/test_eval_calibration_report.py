"""The batch report: a self-contained HTML page with its plots, and the JSON summary beside it."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.recommendation import Recommendation
from crm.calibration_maps import CalibrationMaps
from crm.recommendations import RecommendationLog
from eval.calibration.errors import BatchNotFound
from eval.calibration.panel import review_batch
from eval.calibration.refit import refit_batch
from eval.calibration.report import write_report
from eval.calibration.report_summary import build_summary
from eval.calibration.sampling import month_period
from eval.calibration.schemas import ReviewInput
from eval.calibration.store import CalibrationStore
from tools.calibration import CalibratingRecorder

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _panel_world import NOVEMBER, OCTOBER, fill_month, truth_for

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
    assert html.count("<svg") == 4  # reliability, per-agent bars, score distribution, drift
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
