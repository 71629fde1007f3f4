"""The 0-100 lead score, its grade, and the confidence of the whole assessment.

The score is a sum of named parts, each shown with its points:

- the stage's base points (how close the stage is to a purchase);
- the win probability of the engagement (``win_model``), +-10 points around 50 %;
- the trend of the customer's activity (last 30 days against the 60 before), +-5 points;
- a recency penalty of one point per week of silence, at most 10 (not for dormant accounts,
  whose base already says so).

Grades: S from 80, A from 60, B from 40, C below.

Confidence comes from evidence, never from a model: how well the stage's signals agree
(``StageCall.agreement``) and how much data there is (history length and recent activity),
with a small discount when the win probability came from the hand rule instead of a model
fitted on this CRM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agents.lead_scoring.stage import StageCall
from agents.lead_scoring.win_model import WinModel
from tools.behaviour import BehaviourFeatures

STAGE_POINTS = {
    "dormant": 5,
    "awareness": 20,
    "research": 40,
    "evaluation": 60,
    "negotiation": 75,
    "purchase": 90,
}
GRADES: tuple[tuple[str, int], ...] = (("S", 80), ("A", 60), ("B", 40), ("C", 0))
WIN_POINTS = 20  # points per unit of win probability around 0.5: +-10
TREND_POINTS = 5
MAX_SILENCE_POINTS = 10
# Data coverage saturates at half a year of history and 20 customer actions in 90 days.
FULL_HISTORY_DAYS = 180
FULL_RECENT_ACTIONS = 20
_INBOUND_90D = (
    "web_visits_90d",
    "downloads_90d",
    "emails_in_90d",
    "calls_answered_90d",
    "meetings_90d",
    "tenders_90d",
)


@dataclass(frozen=True)
class ScorePart:
    """One named contribution to the score."""

    name: str
    points: int
    basis: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "points": self.points, "basis": self.basis}


@dataclass(frozen=True)
class LeadScore:
    """Score, grade, the parts they add up from, the win probability and the confidence."""

    score: int
    grade: str
    parts: tuple[ScorePart, ...]
    win_probability: float
    confidence: float
    coverage: float


def grade_for(score: int) -> str:
    """S, A, B or C."""
    return next(grade for grade, floor in GRADES if score >= floor)


def coverage_of(features: BehaviourFeatures, stage: str) -> float:
    """How much data the assessment stands on, from 0 to 1."""
    history = min(1.0, features.value("history_days") / FULL_HISTORY_DAYS)
    if stage == "dormant":
        return round(history, 3)  # silence is the evidence: only the history length matters
    recent = min(1.0, sum(features.value(name) for name in _INBOUND_90D) / FULL_RECENT_ACTIONS)
    return round(0.5 * history + 0.5 * recent, 3)


def score_lead(features: BehaviourFeatures, call: StageCall, win_model: WinModel) -> LeadScore:
    """Score and grade the lead, and say how sure the assessment is."""
    p_win = win_model.probability(win_model.inputs(features))
    trend = features.value("inbound_trend")
    silent_days = int(features.value("days_since_inbound"))
    parts = [
        ScorePart("stage", STAGE_POINTS[call.stage], f"buying stage {call.stage}"),
        ScorePart(
            "win_probability",
            round(WIN_POINTS * (p_win - 0.5)),
            f"win probability {p_win:.0%} ({win_model.kind.replace('_', ' ')})",
        ),
        ScorePart("trend", round(TREND_POINTS * trend), f"activity trend {trend:+.2f}"),
    ]
    if call.stage != "dormant":
        parts.append(
            ScorePart(
                "silence",
                -min(MAX_SILENCE_POINTS, silent_days // 7),
                f"{silent_days} days since the customer's last action",
            )
        )
    score = max(0, min(100, sum(part.points for part in parts)))
    coverage = coverage_of(features, call.stage)
    model_factor = 1.0 if win_model.kind == "logistic_regression" else 0.9
    confidence = (0.1 + 0.85 * (0.65 * call.agreement + 0.35 * coverage)) * model_factor
    return LeadScore(
        score=score,
        grade=grade_for(score),
        parts=tuple(parts),
        win_probability=round(p_win, 3),
        confidence=round(min(max(confidence, 0.0), 1.0), 3),
        coverage=coverage,
    )
