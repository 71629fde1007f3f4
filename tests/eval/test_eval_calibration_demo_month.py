"""The demo month plans runs of all six agents and labels what they record for the panel.

The whole cycle runs in ``tests/cli/test_cli_calibrate_demo.py`` (slow); these check the plan and
the labelling on a small demo CRM without running the graphs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from core.recommendation import Recommendation
from crm.store import CRMStore
from eval.calibration.demo_month import (
    SIX_AGENTS,
    SUPERVISOR_EVERY,
    DatedRecorder,
    case_for,
    month_moments,
    plan_runs,
)
from eval.scenario_suite.generate import SUPERVISOR_TEMPLATES, demo_engine

OCTOBER, NOVEMBER = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def crm() -> Iterator[CRMStore]:
    with demo_engine(seed=20261125, scale=0.05) as engine:
        yield CRMStore(engine)


def test_every_agent_runs_in_the_month(crm: CRMStore) -> None:
    accounts = sorted(a.id for a in crm.list_accounts(limit=1000))
    moments = month_moments(accounts, start=OCTOBER, end=NOVEMBER, runs=2, seed=3)
    runs = plan_runs(crm, moments, agents=SIX_AGENTS)
    per_agent = Counter(run.agent for run in runs)
    assert set(per_agent) == set(SIX_AGENTS) == {
        "lead_scoring", "technical_qa", "budget", "relationships", "next_action", "supervisor"
    }  # fmt: skip
    for agent in ("lead_scoring", "budget", "relationships", "next_action", "technical_qa"):
        assert per_agent[agent] == len(moments), agent
    assert per_agent["supervisor"] == -(-len(moments) // SUPERVISOR_EVERY)
    for run in runs:
        assert OCTOBER <= run.moment < NOVEMBER + timedelta(minutes=1)
        if run.agent in ("lead_scoring", "budget", "relationships", "next_action"):
            assert run.input["as_of"] == run.moment.isoformat() and run.case is None
        else:  # a question, with the case its answer is judged against
            assert run.case is not None and run.case.agent == run.agent
            assert run.input["messages"][0]["content"] == run.case.question
    # The supervisor is asked every kind of question, each needing its own specialist.
    routes = Counter(r.case.expected_routes[0] for r in runs if r.agent == "supervisor" and r.case)
    assert set(routes) == {route for route, _ in SUPERVISOR_TEMPLATES}
    # Technical Q&A asks documented and undocumented questions.
    answered = {r.case.answered for r in runs if r.agent == "technical_qa" and r.case}
    assert answered == {True, False}


class _Log:
    def __init__(self) -> None:
        self.recorded: list[Recommendation] = []

    def record(self, recommendation: Recommendation) -> Recommendation:
        self.recorded.append(recommendation)
        return recommendation


def test_recorded_answers_are_stamped_and_labelled(crm: CRMStore) -> None:
    accounts = sorted(a.id for a in crm.list_accounts(limit=1000))
    moments = month_moments(accounts[:2], start=OCTOBER, end=NOVEMBER, runs=1, seed=3)
    runs = plan_runs(crm, moments, agents=SIX_AGENTS)
    dated = DatedRecorder(_Log(), label=case_for(crm))
    question = next(r for r in runs if r.agent == "supervisor")
    dated.moment.set(question.moment)
    dated.case.set(question.case)
    # A supervisor run records its specialist's answer, then its own reply.
    account = question.case.cite[0]  # type: ignore[union-attr]
    child = dated.record(Recommendation(kind="plan", agent="next_action", content="p",
                                        confidence=0.5, subject={"account_id": account}))  # fmt: skip
    reply = dated.record(Recommendation(kind="composite_answer", agent="supervisor", content="r",
                                        confidence=0.5, subject={"account_id": account}))  # fmt: skip
    assert child.created_at == reply.created_at == question.moment and child.id != reply.id
    assert dated.labels.cases[reply.id] is question.case
    plan_case = dated.labels.cases[child.id]  # read from the records as of the moment
    assert plan_case.agent == "next_action" and plan_case.input == {"account_id": account}
    assert set(dated.labels.recommendations) == {child.id, reply.id}
    # Lead scoring, budget and relationships are judged from the ground truth: no case.
    scored = dated.record(Recommendation(kind="lead_score", agent="lead_scoring", content="s",
                                         confidence=0.5, subject={"account_id": account}))  # fmt: skip
    assert scored.id not in dated.labels.cases
