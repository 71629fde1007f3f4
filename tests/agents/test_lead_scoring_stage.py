"""Stage rules, score, grade, routing and confidence; accuracy against the hidden truth."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from agents.lead_scoring import assess_lead, infer_stage
from agents.lead_scoring.next_specialist import route_lead
from agents.lead_scoring.scoring import grade_for
from agents.lead_scoring.win_model import HAND_RULE
from eval.lead_scoring import evaluate_stages
from tests.support.lead_demo import seeded_engine
from tools.behaviour import BehaviourFeatures, Feature

NOW = datetime(2026, 11, 1, tzinfo=UTC)
ACTIVE = {"days_since_inbound": 1, "history_days": 300, "web_visits_90d": 40}


def made(**values: float) -> BehaviourFeatures:
    merged = {**ACTIVE, **values}
    return BehaviourFeatures(
        subject={"account_id": "ACC-0001"},
        as_of=NOW,
        features={
            name: Feature(name, float(v), name, record_ids=(f"EVT-{i:06d}",) if v else ())
            for i, (name, v) in enumerate(merged.items())
        },
    )


EVALUATING = {
    "product_page_visits_90d": 60,
    "shortlist_share_90d": 0.95,
    "product_focus_90d": 0.8,
    "meetings_90d": 3,
    "emails_in_90d": 4,
    "downloads_90d": 6,
}


@pytest.mark.parametrize(
    ("values", "stage"),
    [
        ({"days_since_inbound": 200, "tenders_90d": 1}, "dormant"),
        ({"tenders_90d": 1, "commercial_page_visits_90d": 9}, "purchase"),
        ({"accepted_quotes_90d": 1}, "purchase"),
        ({"commercial_page_visits_90d": 5, "deal_quotes_90d": 2}, "negotiation"),
        ({"open_deal_stage": 4}, "negotiation"),
        (EVALUATING, "evaluation"),
        # meetings and e-mails without a shortlist: still research
        ({"meetings_90d": 2, "emails_in_90d": 3, "product_focus_90d": 0.7}, "research"),
        ({"downloads_90d": 2}, "research"),
        ({"product_focus_90d": 0.1}, "awareness"),
        ({"web_visits_90d": 0, "history_days": 0, "days_since_inbound": 0}, "awareness"),
    ],
)
def test_each_stage_has_its_rule(values: dict[str, float], stage: str) -> None:
    assert infer_stage(made(**values)).stage == stage


def test_agreement_is_lower_when_the_next_stage_is_half_there() -> None:
    clear = infer_stage(made(downloads_90d=3, product_focus_90d=0.6, emails_in_90d=1))
    pushed = infer_stage(
        made(downloads_90d=3, product_focus_90d=0.6, emails_in_90d=3)  # one evaluation signal
    )
    assert clear.stage == pushed.stage == "research"
    assert clear.agreement == 1.0 and pushed.agreement < clear.agreement
    assert [s.feature for s in pushed.pressure] == ["emails_in_90d"]


def test_grades_and_score_parts() -> None:
    assert [grade_for(s) for s in (100, 80, 79, 60, 40, 39, 0)] == [
        "S",
        "S",
        "A",
        "A",
        "B",
        "C",
        "C",
    ]
    assessment = assess_lead(made(**EVALUATING), HAND_RULE)
    parts = {p.name: p.points for p in assessment.score.parts}
    assert parts["stage"] == 60 and assessment.score.score == max(0, min(100, sum(parts.values())))
    assert 0.0 <= assessment.score.confidence <= 1.0
    assert assessment.score.grade == grade_for(assessment.score.score)


@pytest.mark.parametrize(
    ("stage", "values", "agent", "rule"),
    [
        ("dormant", {"days_since_inbound": 300}, "next_action", "dormant_reengage"),
        ("negotiation", {"quotes_90d": 2}, "budget", "commercial_talks"),
        (
            "evaluation",
            {"downloads_90d": 5, "contacts_engaged_90d": 9},
            "technical_qa",
            "technical_study",
        ),
        (
            "evaluation",
            {"downloads_90d": 1, "contacts_engaged_90d": 9},
            "relationships",
            "buying_committee",
        ),
        ("awareness", {}, "next_action", "default"),
    ],
)
def test_routes(stage: str, values: dict[str, float], agent: str, rule: str) -> None:
    route, _ = route_lead(made(**values), stage)
    assert (route.agent, route.rule) == (agent, rule)


def test_secondary_routes_and_every_stated_number_is_a_fact() -> None:
    features = made(**EVALUATING, contacts_engaged_90d=8, technical_page_visits_90d=30)
    assessment = assess_lead(features, HAND_RULE)
    assert assessment.route.agent == "technical_qa"
    assert [r.agent for r in assessment.secondary] == ["relationships"]
    rec = assessment.recommendation()
    assert rec.agent == "lead_scoring" and rec.subject == {"account_id": "ACC-0001"}
    assert rec.data["lead_score"]["route"]["agent"] == "technical_qa"
    values = {str(f.value) for f in rec.provenance}
    stated = re.findall(r"(?<![\w.])[+-]?\d+(?:\.\d+)?", rec.content.split(":", 1)[1])
    assert stated and all(n.lstrip("+") in values for n in stated), (stated, values)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = seeded_engine(tmp_path_factory.mktemp("stages"), scale=0.2)
    yield engine
    engine.dispose()


def test_stage_accuracy_against_the_hidden_truth(demo: Engine) -> None:
    report = evaluate_stages(demo)
    assert report.accounts == 44
    assert report.accuracy >= 0.9, report.mistakes
    assert report.win_model["kind"] == "logistic_regression"
    right = sum(report.confidence_right) / len(report.confidence_right)
    assert right > 0.8
