"""The calibrating recorder: calibrates first, then hands the recommendation down the chain."""

from __future__ import annotations

from pathlib import Path

from composition.agents import create_services
from core.recommendation import Recommendation
from core.settings import Settings
from crm.calibration_maps import CalibrationMaps
from crm.recommendations import RecommendationLog
from eval.calibration.calibrating_recorder import CalibratingRecorder, calibrate


class SpyRecorder:
    """Stands for signing, audit and the log: records what reaches it."""

    def __init__(self) -> None:
        self.seen: list[Recommendation] = []

    def record(self, recommendation: Recommendation) -> Recommendation:
        self.seen.append(recommendation)
        return recommendation.model_copy(update={"status": "final", "signature": "signed"})


class FixedMaps:
    def __init__(self, table: dict[str, tuple[float, str]]) -> None:
        self.table = table
        self.calls: list[tuple[str, float]] = []

    def apply(self, agent: str, confidence: float) -> tuple[float, str] | None:
        self.calls.append((agent, confidence))
        return self.table.get(agent)


def _rec(agent: str = "budget", confidence: float = 0.9) -> Recommendation:
    return Recommendation(kind="budget_estimate", agent=agent, content="x", confidence=confidence)


def test_the_inner_recorder_receives_the_calibrated_recommendation() -> None:
    spy = SpyRecorder()
    maps = FixedMaps({"budget": (0.62, "map-7")})
    final = CalibratingRecorder(spy, maps).record(_rec())
    assert maps.calls == [("budget", 0.9)]
    (seen,) = spy.seen
    assert (seen.confidence, seen.calibrated_confidence, seen.calibration_map_id) == (
        0.9,
        0.62,
        "map-7",
    )
    # What the inner chain returns (signed, final) is what the agent gets back.
    assert final.signature == "signed" and final.calibrated_confidence == 0.62


def test_agents_without_a_map_pass_through_unchanged() -> None:
    spy = SpyRecorder()
    original = _rec(agent="relationships")
    CalibratingRecorder(spy, FixedMaps({"budget": (0.5, "m")})).record(original)
    assert spy.seen == [original]
    assert calibrate(original, FixedMaps({})) is original


def test_create_services_calibrates_before_signing_auditing_and_storing(tmp_path: Path) -> None:
    from llm.providers import register_providers

    register_providers()
    services = create_services(Settings(_env_file=None, data_dir=tmp_path, model="scripted/test"))
    try:
        recorder = services.recommendations
        assert isinstance(recorder, CalibratingRecorder)  # the outermost layer
        assert not isinstance(recorder.inner, CalibratingRecorder)
        engine = services.crm.engine
        CalibrationMaps(engine).add(
            agent="budget", method="platt", parameters={"coef": 0.0, "intercept": 0.0}, n=8
        )
        final = recorder.record(_rec())
        stored = RecommendationLog(engine).get(recommendation_id=final.id)
        assert (stored.confidence, stored.calibrated_confidence) == (0.9, 0.5)
        assert stored.calibration_map_id == final.calibration_map_id is not None
    finally:
        services.close()
