"""The simulated panel's verdicts on technical Q&A, next action and supervisor recommendations.

These agents are judged from the scenario suite's labelled cases (the demo month keeps which
case each recommendation answers); lead scoring, budget and relationships from the accounts'
ground truth.
"""

from __future__ import annotations

from typing import Any

from agents.technical_qa.graph import NOT_FOUND_TEXT
from core.recommendation import Action, Fact, Recommendation
from crm.records import GroundTruthRecord
from eval.calibration.panel import Labels, recommendation_verdict
from eval.scenario_suite.cases import ScenarioCase

TRUTH = {
    "ACC-0001": GroundTruthRecord(
        account_id="ACC-0001",
        true_stage="evaluation",
        true_budget_band="1-5M",
        true_decision_maker_contact_id="CON-00011",
    )
}


def _rec(
    agent: str, rec_id: str, *, facts: list[tuple[str, str, str]], **extra: Any
) -> Recommendation:
    return Recommendation(
        id=rec_id,
        kind=f"{agent}_result",
        agent=agent,
        content=extra.pop("content", "An answer."),
        confidence=0.7,
        subject=extra.pop("subject", {"account_id": "ACC-0001"}),
        provenance=[Fact(source=s, record_id=r, field=f, value="v") for s, r, f in facts],
        **extra,
    )


QA_CASE = ScenarioCase(
    id="qa-PRD-001-power",
    agent="technical_qa",
    question="How long does the battery of the P1 last?",
    cite=["DOC-0001", "SEC-00007"],
    answered=True,
)


def test_a_qa_answer_is_right_when_it_cites_the_documented_section() -> None:
    right = _rec("technical_qa", "qa-1", facts=[("product_docs", "SEC-00007#0", "DOC-0001#Power"),
                                               ("product_docs", "SEC-00003#1", "DOC-0001#Intro")])  # fmt: skip
    verdict = recommendation_verdict(right, TRUTH, Labels(cases={"qa-1": QA_CASE}))
    assert verdict is not None and verdict.correct
    assert verdict.relevant_sources == ["SEC-00007#0"]  # the cited chunk of that section

    wrong = _rec("technical_qa", "qa-2", facts=[("product_docs", "SEC-00003#1", "DOC-0002#Intro")])
    verdict = recommendation_verdict(wrong, TRUTH, Labels(cases={"qa-2": QA_CASE}))
    assert verdict is not None and not verdict.correct
    # Not cited: the reviewer names the section, so context recall sees the miss.
    assert verdict.relevant_sources == ["SEC-00007"] and "SEC-00007" in (verdict.correction or "")


def test_saying_an_undocumented_question_is_not_covered_is_right() -> None:
    case = ScenarioCase(id="qa-undocumented-1", agent="technical_qa", question="Flux?",
                        answered=False)  # fmt: skip
    said = _rec("technical_qa", "qa-3", facts=[], content=NOT_FOUND_TEXT, subject={})
    invented = _rec("technical_qa", "qa-4", facts=[], content="It does.", subject={})
    labels = Labels(cases={"qa-3": case, "qa-4": case})
    assert recommendation_verdict(said, TRUTH, labels).correct  # type: ignore[union-attr]
    assert not recommendation_verdict(invented, TRUTH, labels).correct  # type: ignore[union-attr]


def test_a_plan_is_right_when_it_proposes_what_the_records_ask_for() -> None:
    case = ScenarioCase(id="next-ACC-0001", agent="next_action", input={"account_id": "ACC-0001"},
                        cite=["EVT-000042"], action_kinds=["send_email"])  # fmt: skip
    reply = Action(kind="send_email", description="Answer the e-mail")
    right = _rec(
        "next_action", "na-1", facts=[("activities", "EVT-000042", "body")], actions=[reply]
    )
    wrong = _rec("next_action", "na-2", facts=[("accounts", "ACC-0001", "name")])
    labels = Labels(cases={"na-1": case, "na-2": case})
    assert recommendation_verdict(right, TRUTH, labels).correct  # type: ignore[union-attr]
    verdict = recommendation_verdict(wrong, TRUTH, labels)
    assert verdict is not None and not verdict.correct
    assert "send_email" in (verdict.correction or "") and "EVT-000042" in (verdict.correction or "")


def _budget(rec_id: str, band: str) -> Recommendation:
    data = {"budget_recommendation": {"budget": {"band": band, "bands": [band]}}}
    return _rec("budget", rec_id, facts=[("accounts", "ACC-0001", "id")], data=data)


def _composite(rec_id: str, routes: list[str], children: list[Recommendation]) -> Recommendation:
    data = {"route": {"routes": routes, "margin": 0.5},
            "children": [{"agent": c.agent, "id": c.id, "kind": c.kind} for c in children]}  # fmt: skip
    return _rec("supervisor", rec_id, facts=[("accounts", "ACC-0001", "id")], data=data)


def test_a_supervisor_reply_is_right_when_routed_right_and_its_answer_is_right() -> None:
    case = ScenarioCase(id="sup-1", agent="supervisor", question="What budget does X have?",
                        expected_routes=["budget"], cite=["ACC-0001"])  # fmt: skip
    good, bad = _budget("b-good", "1-5M"), _budget("b-bad", "5-20M")
    replies = {
        "right": _composite("s-right", ["budget"], [good]),
        "wrong answer": _composite("s-wrong", ["budget"], [bad]),
        "misrouted": _composite("s-misrouted", ["relationships"], []),
        "nothing composed": _composite("s-empty", ["budget"], []),
    }
    labels = Labels(
        cases={reply.id: case for reply in replies.values()},
        recommendations={r.id: r for r in (good, bad, *replies.values())},
    )
    verdicts = {name: recommendation_verdict(r, TRUTH, labels) for name, r in replies.items()}
    assert {name: v.correct for name, v in verdicts.items() if v} == {
        "right": True,
        "wrong answer": False,
        "misrouted": False,
        "nothing composed": False,
    }
    assert "budget" in (verdicts["misrouted"].correction or "")  # type: ignore[union-attr]


def test_a_recommendation_without_labels_is_not_judged() -> None:
    unlabelled = _rec("technical_qa", "qa-9", facts=[("product_docs", "SEC-00007#0", "x")])
    assert recommendation_verdict(unlabelled, TRUTH, Labels()) is None
    assert recommendation_verdict(unlabelled, TRUTH) is None
