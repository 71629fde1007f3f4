"""A simulated reviewer panel: senior reps scoring a batch from the demo's hidden ground truth.

Each reviewer sees the truth through their own habits: a strict one calls some right answers
wrong, a lenient one lets some wrong answers pass, and each has a bias on the 1-5 quality scale
plus noise. Some items get a second reviewer, so inter-reviewer agreement can be measured. An item the
truth says nothing about is skipped, as a reviewer without the knowledge would.

What counts as right, per agent (``crm.truth`` and the demo month's labelled cases,
``eval.calibration.demo_month``, read by evaluation code only):

- lead scoring: the inferred buying stage is the true stage;
- budget: the band of the budget estimate is the true budget band (the true band inside the
  estimate's range scores higher than a miss, but is still not "correct");
- relationships: the named decision maker is the true one;
- technical Q&A: the answer cites the documented section the question is about, or says the
  documentation does not cover a question it does not cover (the scenario suite's labels); the
  reviewer marks the cited chunks of that section as the relevant sources, and names the
  section when it was not retrieved, which is what context precision and recall compare;
- next action: the plan proposes the actions the account's unanswered e-mails, missed calls and
  closing deals ask for as of the moment it was made, citing them;
- supervisor: the reply went to the right specialist, cites the account, and every answer it
  composed is right by its own agent's rule.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel

from core.recommendation import Recommendation
from crm.enums import TRUE_STAGES
from crm.records import GroundTruthRecord
from eval.calibration.schemas import Item, ReviewInput, SkipInput
from eval.calibration.store import CalibrationStore
from eval.scenario_suite.cases import ScenarioCase
from eval.scenario_suite.runner import CaseResult, score_state

PANEL_SOURCE = "panel"
SCORE_NOISE = 0.6  # standard deviation of a reviewer's quality score around the truth
# The quality a reviewer gives an item they misjudge: a wrong answer they let pass, a right one
# they call wrong.
MISJUDGED: dict[bool, float] = {True: 3.9, False: 2.3}


@dataclass(frozen=True)
class SimulatedReviewer:
    """One reviewer's habits."""

    name: str
    strictness: float  # chance of calling a right recommendation wrong
    leniency: float  # chance of calling a wrong recommendation right
    score_bias: float  # added to the quality score before rounding


DEFAULT_PANEL: tuple[SimulatedReviewer, ...] = (
    SimulatedReviewer("li.wei@demo.example", strictness=0.04, leniency=0.10, score_bias=0.3),
    SimulatedReviewer("chen.jing@demo.example", strictness=0.10, leniency=0.05, score_bias=-0.4),
    SimulatedReviewer("zhang.min@demo.example", strictness=0.06, leniency=0.15, score_bias=0.0),
    SimulatedReviewer("wang.fang@demo.example", strictness=0.08, leniency=0.08, score_bias=-0.2),
)


@dataclass(frozen=True)
class Verdict:
    """What the truth says of a recommendation: right or not, how good, and the correction."""

    correct: bool
    quality: float  # 1-5 before a reviewer's bias and noise
    correction: str | None = None
    relevant_sources: list[str] | None = None  # what supports the right answer (Q&A)


def _lead_scoring(rec: Recommendation, truth: GroundTruthRecord) -> Verdict | None:
    stage = (rec.data.get("lead_score") or {}).get("stage")
    if stage is None:
        return None
    if stage == truth.true_stage:
        return Verdict(True, 4.6)
    near = (
        stage in TRUE_STAGES
        and truth.true_stage in TRUE_STAGES
        and abs(TRUE_STAGES.index(stage) - TRUE_STAGES.index(truth.true_stage)) == 1
    )
    return Verdict(False, 2.6 if near else 1.5, f"The account is in the {truth.true_stage} stage.")


def _budget(rec: Recommendation, truth: GroundTruthRecord) -> Verdict | None:
    budget = (rec.data.get("budget_recommendation") or {}).get("budget") or {}
    if not budget.get("band"):
        return None
    if budget["band"] == truth.true_budget_band:
        return Verdict(True, 4.5)
    inside = truth.true_budget_band in (budget.get("bands") or [])
    correction = f"The account's budget is in the {truth.true_budget_band} band."
    return Verdict(False, 3.0 if inside else 1.6, correction)


def _relationships(rec: Recommendation, truth: GroundTruthRecord) -> Verdict | None:
    picked = (rec.data.get("stakeholder_map") or {}).get("decision_maker")
    expected = truth.true_decision_maker_contact_id
    if expected is None:
        return None
    if picked == expected:
        return Verdict(True, 4.5)
    return Verdict(False, 1.7, f"The decision maker is {expected}.")


JUDGES: dict[str, Callable[[Recommendation, GroundTruthRecord], Verdict | None]] = {
    "lead_scoring": _lead_scoring,
    "budget": _budget,
    "relationships": _relationships,
}
CASE_JUDGED = ("technical_qa", "next_action", "supervisor")


@dataclass(frozen=True)
class Labels:
    """What the panel knows besides the accounts' truth: the labelled case each recommendation
    answers, and the recommendations a supervisor reply was composed of, by id."""

    cases: Mapping[str, ScenarioCase] = field(default_factory=dict)
    recommendations: Mapping[str, Recommendation] = field(default_factory=dict)


def _case_failures(rec: Recommendation, case: ScenarioCase) -> list[str]:
    """The scenario suite's verdict on the recommendation, read from its record alone."""
    state = {"recommendation": rec.model_dump(mode="json"), "route": rec.data.get("route") or {}}
    result = CaseResult(case_id=case.id, agent=case.agent)
    score_state(case, state, result)
    return result.failures


def _sections(ids: Sequence[str]) -> set[str]:
    return {i.split("#")[0] for i in ids}


def _technical_qa(rec: Recommendation, case: ScenarioCase) -> Verdict:
    failures = _case_failures(rec, case)
    if not case.answered:
        return Verdict(not failures, 4.4 if not failures else 1.4,
                       "The documentation does not cover this question.")  # fmt: skip
    wanted = _sections(case.cite)
    cited = [f.record_id for f in rec.provenance if f.record_id.split("#")[0] in wanted]
    # The reviewer ticks the cited chunks of the right section and names it when none was cited.
    relevant = cited or sorted(s for s in wanted if s.startswith("SEC-"))
    if not failures:
        return Verdict(True, 4.3, relevant_sources=relevant)
    section = ", ".join(sorted(wanted))
    return Verdict(False, 2.4 if cited else 1.5, f"The answer is in {section}.", relevant)


def _next_action(rec: Recommendation, case: ScenarioCase) -> Verdict:
    failures = _case_failures(rec, case)
    if not failures:
        return Verdict(True, 4.4)
    return Verdict(False, 2.0, "The plan misses: " + "; ".join(failures) + ".")


def _supervisor(
    rec: Recommendation, case: ScenarioCase, truth: Mapping[str, GroundTruthRecord], labels: Labels
) -> Verdict | None:
    failures = _case_failures(rec, case)
    if failures:
        needed = ", ".join(case.expected_routes or [])
        return Verdict(False, 1.5, f"The question needed the {needed} specialist.")
    listed = rec.data.get("children") or []
    if not listed:  # routed right, but the specialist gave no answer: the rep got nothing
        return Verdict(False, 1.3, "No answer was given; the specialist failed.")
    children = [labels.recommendations.get(c.get("id", "")) for c in listed]
    verdicts = [recommendation_verdict(c, truth, labels) for c in children if c is not None]
    if len(verdicts) < len(listed) or any(v is None for v in verdicts):
        return None  # routed right, but what it composed cannot be judged
    judged = [v for v in verdicts if v is not None]
    correct = all(v.correct for v in judged)
    quality = min(v.quality for v in judged)
    correction = next((v.correction for v in judged if not v.correct), None)
    return Verdict(correct, quality, correction)


def recommendation_verdict(
    rec: Recommendation, truth: Mapping[str, GroundTruthRecord], labels: Labels | None = None
) -> Verdict | None:
    """The truth's verdict on a recommendation, or None when it says nothing about it."""
    labels = labels or Labels()
    if rec.agent in CASE_JUDGED:
        case = labels.cases.get(rec.id)
        if case is None:
            return None
        if rec.agent == "technical_qa":
            return _technical_qa(rec, case)
        if rec.agent == "next_action":
            return _next_action(rec, case)
        return _supervisor(rec, case, truth, labels)
    judge = JUDGES.get(rec.agent)
    account = truth.get(rec.subject.get("account_id") or "")
    if judge is None or account is None:
        return None
    return judge(rec, account)


def true_verdict(
    item: Item, truth: Mapping[str, GroundTruthRecord], labels: Labels | None = None
) -> Verdict | None:
    """The truth's verdict on an item, or None when it says nothing about it."""
    return recommendation_verdict(item.recommendation, truth, labels)


class PanelReport(BaseModel):
    """What the panel did to a batch."""

    batch_id: str
    reviews: int
    skips: int
    items_with_two_reviewers: int
    reviewers: list[str]


def _review(reviewer: SimulatedReviewer, verdict: Verdict, rng: random.Random) -> ReviewInput:
    flip = reviewer.strictness if verdict.correct else reviewer.leniency
    says_correct = verdict.correct != (rng.random() < flip)
    # A reviewer who misjudges an item scores what they believe, not what is true: a right
    # answer they call wrong does not get a 4.6 (which made score and verdict contradict).
    believed = verdict.quality if says_correct == verdict.correct else MISJUDGED[says_correct]
    score = round(believed + reviewer.score_bias + rng.gauss(0.0, SCORE_NOISE))
    return ReviewInput(
        reviewer=reviewer.name,
        score=min(5, max(1, score)),
        correct=says_correct,
        corrected_answer=None if says_correct else verdict.correction,
        relevant_sources=verdict.relevant_sources,
    )


def review_batch(
    store: CalibrationStore,
    *,
    batch_id: str,
    truth: Mapping[str, GroundTruthRecord],
    labels: Labels | None = None,
    panel: Sequence[SimulatedReviewer] = DEFAULT_PANEL,
    second_opinion_share: float = 0.3,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> PanelReport:
    """Have the panel review every item of the batch (seeded: the same seed, the same reviews)."""
    if len(panel) < 2:
        raise ValueError("a panel needs at least two reviewers")
    rng = random.Random(f"panel:{seed}")  # items come in queue order: same sample, same reviews
    reviews = skips = doubled = 0
    for item in store.items_with_reviews(batch_id=batch_id):
        chosen = rng.sample(list(panel), 2 if rng.random() < second_opinion_share else 1)
        verdict = true_verdict(item, truth, labels)
        for reviewer in chosen:
            if verdict is None:
                skip = SkipInput(reviewer=reviewer.name, comment="Cannot judge this one.")
                store.skip(item_id=item.id, skip=skip, source=PANEL_SOURCE)
                skips += 1
            else:
                review = _review(reviewer, verdict, rng)
                store.add_review(item_id=item.id, review=review, source=PANEL_SOURCE)
                reviews += 1
        doubled += len(chosen) == 2 and verdict is not None
        if progress is not None:
            progress(1)
    return PanelReport(
        batch_id=batch_id,
        reviews=reviews,
        skips=skips,
        items_with_two_reviewers=doubled,
        reviewers=[reviewer.name for reviewer in panel],
    )
