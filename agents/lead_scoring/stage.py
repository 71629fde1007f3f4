"""Buying-stage inference: transparent rules over behaviour features.

Each stage has named signals (a feature against a threshold). Stages are tried from the most
advanced down; the first whose signals reach its quorum is the stage. Dormant comes first:
a customer silent for half a year is dormant whatever it did before. Awareness is what is left.

Agreement measures how well the evidence supports the call: the share of the stage's signals
that hold (against the number that makes a clear case), lowered when the next stage up is
half-supported too (the account may be moving on). It feeds the confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tools.behaviour import BehaviourFeatures

STAGES: tuple[str, ...] = (
    "awareness",
    "research",
    "evaluation",
    "negotiation",
    "purchase",
    "dormant",
)
DORMANT_AFTER_DAYS = 180
MIN_PRODUCT_VISITS_FOR_SHORTLIST = 10


@dataclass(frozen=True)
class Signal:
    """``feature >= threshold`` (or ``<=``), optionally only when a gate feature is large enough."""

    name: str
    feature: str
    threshold: float
    at_most: bool = False
    gate: tuple[str, float] | None = None
    weight: int = 1

    def holds(self, features: BehaviourFeatures) -> bool:
        if self.gate is not None and features.value(self.gate[0]) < self.gate[1]:
            return False
        value = features.value(self.feature)
        return value <= self.threshold if self.at_most else value >= self.threshold

    def describe(self) -> str:
        op = "<=" if self.at_most else ">="
        text = f"{self.feature} {op} {self.threshold:g}"
        return f"{text} (with {self.gate[0]} >= {self.gate[1]:g})" if self.gate else text


@dataclass(frozen=True)
class StageRule:
    """A stage, its signals, the weight that must hold, and the weight that makes a clear case."""

    stage: str
    signals: tuple[Signal, ...]
    quorum: int
    clear: int


RULES: tuple[StageRule, ...] = (
    StageRule(
        "dormant",
        (Signal("silent for half a year", "days_since_inbound", DORMANT_AFTER_DAYS),),
        quorum=1,
        clear=1,
    ),
    StageRule(
        "purchase",
        (
            Signal("tender announced", "tenders_90d", 1),
            Signal("quote accepted", "accepted_quotes_90d", 1),
        ),
        quorum=1,
        clear=1,
    ),
    StageRule(
        "negotiation",
        (
            Signal("commercial pages visited", "commercial_page_visits_90d", 3),
            Signal("quotes on an open deal", "deal_quotes_90d", 1),
            Signal("deal in negotiation", "open_deal_stage", 4),
        ),
        quorum=1,
        clear=2,
    ),
    StageRule(
        "evaluation",
        (
            Signal(
                "browsing narrowed to a shortlist",
                "shortlist_share_90d",
                0.85,
                gate=("product_page_visits_90d", MIN_PRODUCT_VISITS_FOR_SHORTLIST),
                weight=2,  # a shortlist is the mark of evaluation; the rest only corroborate
            ),
            # A meeting corroborates a shortlist; on its own it is research as often as not.
            Signal("met while shortlisting", "meetings_90d", 1, gate=("shortlist_share_90d", 0.85)),
            Signal("several meetings", "meetings_90d", 2),
            Signal("customer e-mails", "emails_in_90d", 3),
            Signal("deal at proposal", "open_deal_stage", 3),
        ),
        quorum=3,
        clear=4,
    ),
    StageRule(
        "research",
        (
            Signal("browsing is about products", "product_focus_90d", 0.35),
            Signal("documents downloaded", "downloads_90d", 2),
            Signal("customer e-mails", "emails_in_90d", 1),
            Signal(
                "product pages visited", "product_page_visits_90d", MIN_PRODUCT_VISITS_FOR_SHORTLIST
            ),
        ),
        quorum=1,
        clear=2,
    ),
    StageRule(
        "awareness",
        (
            Signal("site visited", "web_visits_90d", 1),
            Signal("little product interest", "product_focus_90d", 0.35, at_most=True),
        ),
        quorum=0,
        clear=2,
    ),
)
_BY_STAGE = {rule.stage: rule for rule in RULES}
# The stage an account would move to next, for the "half-way there" check.
_NEXT = {
    "awareness": "research",
    "research": "evaluation",
    "evaluation": "negotiation",
    "negotiation": "purchase",
}


@dataclass(frozen=True)
class StageCall:
    """The inferred stage, the signals behind it, and how strongly they agree."""

    stage: str
    held: tuple[Signal, ...]
    missed: tuple[Signal, ...]
    agreement: float
    pressure: tuple[Signal, ...] = ()  # signals of the next stage that already hold

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "signals": [s.name for s in self.held],
            "held": [s.describe() for s in self.held],
            "missed": [s.describe() for s in self.missed],
            "next_stage_signals": [s.describe() for s in self.pressure],
            "agreement": self.agreement,
        }


def infer_stage(features: BehaviourFeatures) -> StageCall:
    """The buying stage of the subject behind ``features``."""
    for rule in RULES:
        held = tuple(s for s in rule.signals if s.holds(features))
        if _weight(held) >= rule.quorum:
            return _call(rule, held, features)
    raise AssertionError("the awareness rule has quorum 0 and always matches")


def _call(rule: StageRule, held: tuple[Signal, ...], features: BehaviourFeatures) -> StageCall:
    support = min(1.0, _weight(held) / rule.clear)
    pressure: tuple[Signal, ...] = ()
    upper = _BY_STAGE.get(_NEXT.get(rule.stage, ""))
    if upper is not None:
        pressure = tuple(s for s in upper.signals if s.holds(features))
        # Half the next stage's quorum already met: the call may be a step behind.
        support *= 1.0 - 0.4 * min(1.0, _weight(pressure) / max(upper.quorum, 1))
    missed = tuple(s for s in rule.signals if s not in held)
    return StageCall(rule.stage, held, missed, round(support, 3), pressure)


def _weight(signals: tuple[Signal, ...]) -> int:
    return sum(s.weight for s in signals)
