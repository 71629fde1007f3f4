"""Finalising a recommendation: the one step every agent's last node goes through.

It lives in agents/ (not graphs/) because agents sit below graphs and every agent needs it.
The recorder is the recommendation log today; signing and auditing wrap the same recorder.
"""

from __future__ import annotations

from typing import Any

from core.recommendation import Recommendation, RecommendationRecorder


def finalise_recommendation(
    recommendation: Recommendation, recorder: RecommendationRecorder | None
) -> dict[str, Any]:
    """Mark ``recommendation`` final, record it, and return it as JSON for the graph state."""
    if recorder is None:
        final = recommendation.model_copy(update={"status": "final"})
    else:
        final = recorder.record(recommendation)
    return final.model_dump(mode="json")
