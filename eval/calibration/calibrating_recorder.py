"""Calibrating recorder: puts the human-calibrated confidence on each recommendation it records.

It wraps the recorder chain (signing, audit, the recommendation log) as its outermost layer,
so that what is signed, audited and stored already carries the calibrated confidence and the
id of the map that produced it. Agents with no calibration map yet pass through unchanged.
"""

from __future__ import annotations

import logging
from typing import Protocol

from core.recommendation import Recommendation, RecommendationRecorder

logger = logging.getLogger(__name__)


class CalibrationMapSource(Protocol):
    """Where current maps come from (``crm.calibration_maps.CalibrationMaps``)."""

    def apply(self, agent: str, confidence: float) -> tuple[float, str] | None: ...


class CalibratingRecorder:
    """A :class:`~core.recommendation.RecommendationRecorder` that calibrates, then delegates."""

    def __init__(self, inner: RecommendationRecorder, maps: CalibrationMapSource) -> None:
        self.inner = inner
        self.maps = maps

    def record(self, recommendation: Recommendation) -> Recommendation:
        """Record ``recommendation`` with its calibrated confidence (when its agent has a map)."""
        return self.inner.record(calibrate(recommendation, self.maps))


def calibrate(recommendation: Recommendation, maps: CalibrationMapSource) -> Recommendation:
    """``recommendation`` with ``calibrated_confidence`` and ``calibration_map_id`` set.

    The raw ``confidence`` is kept as the agent gave it; without a map the recommendation is
    returned as is.
    """
    applied = maps.apply(recommendation.agent, recommendation.confidence)
    if applied is None:
        return recommendation
    calibrated, map_id = applied
    logger.debug("calibrated %s: %.3f -> %.3f (map %s)", recommendation.agent,
                 recommendation.confidence, calibrated, map_id)  # fmt: skip
    return recommendation.model_copy(
        update={"calibrated_confidence": calibrated, "calibration_map_id": map_id}
    )
