"""A month of the six agents' work on the demo CRM, each recommendation labelled for the panel.

Every account gets ``runs`` seeded moments in the month. At each moment the account-level
agents (lead scoring, budget, relationships, next action) run on the account, the supervisor
answers a rep's question about it, and technical Q&A answers a product question, so all six
agents fill the recommendation log.

The questions and the labels come from the scenario suite's generator (``eval/scenario_suite``),
read from the demo data and its hidden ground truth, never from the agents: a technical Q&A
answer is right when it cites the documented section (or says the documentation does not cover
an undocumented question); a plan is right when it proposes the actions the account's open
e-mails, missed calls and closing deals ask for *as of the moment it was made*; a supervisor
reply is right when it chose the right specialist and that specialist's answer is right.
Lead scoring, budget and relationships are judged against the ground truth directly
(``eval.calibration.panel``).
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from core.recommendation import Recommendation, RecommendationRecorder
from crm.store import CRMStore
from eval.scenario_suite.cases import ScenarioCase

# The plan labels as of a moment: the suite's own rule, so both judge plans alike.
from eval.scenario_suite.generate import (
    SUPERVISOR_TEMPLATES,
    generate_cases,
    next_action_case,
)
from tools.run_scope import NO_USER

ACCOUNT_AGENTS: tuple[str, ...] = ("lead_scoring", "budget", "relationships", "next_action")
QUESTION_AGENTS: tuple[str, ...] = ("technical_qa", "supervisor")
SIX_AGENTS: tuple[str, ...] = (*ACCOUNT_AGENTS[:3], "technical_qa", "next_action", "supervisor")
DEMO_NAMESPACE = uuid.UUID("5b0f1f5e-8f5d-4c0b-9a57-6f1e2c7d9a10")
DEMO_REVIEWER = "calibration-demo"  # who "decides" the plans a supervisor run pauses on
RUN_CONCURRENCY = 2
# A supervisor run also runs its specialist: asking at every other moment keeps the month's
# cost near the other agents' while giving it as many reviewed items as the sample needs.
SUPERVISOR_EVERY = 2


@dataclass(frozen=True)
class Run:
    """One graph run of the month: which agent, when, and with what input and labels."""

    agent: str
    moment: datetime
    input: dict[str, Any]
    case: ScenarioCase | None = None


@dataclass
class MonthLabels:
    """What the panel knows of the month beyond the accounts' ground truth.

    ``cases``: recommendation id -> the labelled case it is scored against; ``recommendations``:
    every recommendation of the month by id (a supervisor reply is judged with its children).
    """

    cases: dict[str, ScenarioCase] = field(default_factory=dict)
    recommendations: dict[str, Recommendation] = field(default_factory=dict)


class DatedRecorder:
    """Stamps each recommendation with the simulated moment it was made, labels it, records it.

    The demo compresses a month of work into seconds; the log must still show it spread over
    the month, or the month's sample would be empty. The moment and the run's case are context
    variables, so runs executing concurrently each stamp their own. The id is derived from the
    moment, agent and subject (the log is fresh, so they are unique), making the demo
    reproducible. ``label`` gives a recommendation's case (see :func:`case_for`).
    """

    def __init__(
        self,
        inner: RecommendationRecorder,
        *,
        label: Callable[[Recommendation, datetime, ScenarioCase | None], ScenarioCase | None]
        | None = None,
    ) -> None:
        self.inner = inner
        self.label = label
        self.labels = MonthLabels()
        self.moment: ContextVar[datetime | None] = ContextVar("demo_moment", default=None)
        self.case: ContextVar[ScenarioCase | None] = ContextVar("demo_case", default=None)

    def record(self, recommendation: Recommendation) -> Recommendation:
        moment = self.moment.get()
        if moment is not None:
            # A stable id too, so the same seed samples the same batch on every run.
            key = f"{moment.isoformat()}:{recommendation.agent}:{sorted(recommendation.subject.items())}"
            recommendation = recommendation.model_copy(
                update={"created_at": moment, "id": str(uuid.uuid5(DEMO_NAMESPACE, key))}
            )
        recorded = self.inner.record(recommendation)
        self.labels.recommendations[recorded.id] = recorded
        if self.label is not None and moment is not None:
            case = self.label(recorded, moment, self.case.get())
            if case is not None:
                self.labels.cases[recorded.id] = case
        return recorded


def month_moments(
    account_ids: Sequence[str], *, start: datetime, end: datetime, runs: int, seed: int
) -> list[tuple[datetime, str]]:
    """``runs`` seeded moments inside ``[start, end)`` per account, in time order."""
    rng = random.Random(f"moments:{seed}")
    span = (end - start).total_seconds()
    moments = [
        (start + timedelta(seconds=int(rng.random() * span)), account_id)
        for account_id in account_ids
        for _ in range(runs)
    ]
    return sorted(moments)


def plan_runs(
    crm: CRMStore, moments: Sequence[tuple[datetime, str]], *, agents: Sequence[str]
) -> list[Run]:
    """The month's runs of ``agents``: account agents on the account; the supervisor asked a
    rep's question about the account at every other moment (the scenario suite's templates, in
    turn); technical Q&A asked the suite's product questions in turn."""
    names = {a.id: a.name for a in crm.list_accounts(limit=100_000)}
    qa = generate_cases(crm.engine)["technical_qa"]
    runs: list[Run] = []
    for number, (moment, account_id) in enumerate(moments):
        for offset, agent in enumerate(agents):
            at = moment + timedelta(seconds=offset)
            if agent in ACCOUNT_AGENTS:
                data = {"account_id": account_id, "as_of": at.isoformat(), "narrate": False}
                runs.append(Run(agent, at, data))
            elif agent == "technical_qa" and qa:
                case = qa[number % len(qa)]
                runs.append(Run(agent, at, case.graph_input(), case))
            elif agent == "supervisor" and number % SUPERVISOR_EVERY == 0:
                case = supervisor_case(account_id, names[account_id], number // SUPERVISOR_EVERY)
                runs.append(Run(agent, at, case.graph_input(), case))
    return runs


def supervisor_case(account_id: str, name: str, number: int) -> ScenarioCase:
    """A rep's question about the account and the specialist it needs (as the suite labels it)."""
    route, template = SUPERVISOR_TEMPLATES[number % len(SUPERVISOR_TEMPLATES)]
    return ScenarioCase(
        id=f"calibration-supervisor-{account_id}-{number}",
        agent="supervisor",
        question=template.format(account=name),
        expected_routes=[route],
        cite=[account_id],
        label_source="demo_data.accounts",
    )


def case_for(crm: CRMStore) -> Callable[[Recommendation, datetime, ScenarioCase | None], Any]:
    """The labeller of :class:`DatedRecorder`: a run's own case for its agent's answer, and a
    plan's labels read from the account's records as of the moment the plan was made."""

    def label(
        recommendation: Recommendation, moment: datetime, case: ScenarioCase | None
    ) -> ScenarioCase | None:
        if case is not None and recommendation.agent == case.agent:
            return case
        account_id = recommendation.subject.get("account_id")
        if recommendation.agent == "next_action" and account_id:
            return next_action_case(crm, account_id, moment)
        return None

    return label


async def run_month(
    graphs: Mapping[str, Any],
    dated: DatedRecorder,
    runs: Sequence[Run],
    *,
    advance: Callable[[int], None],
    concurrency: int = RUN_CONCURRENCY,
) -> int:
    """Run every run; returns how many ended with a recommendation.

    A few runs go at once: most of a run's time is spent in worker threads reading SQLite,
    which overlap. A supervisor run that pauses on a plan's approval is resumed with a
    rejection (nothing is sent), as a rep would decide, so its reply is composed and recorded.
    """
    slots = asyncio.Semaphore(concurrency)

    async def one(number: int, run: Run) -> bool:
        async with slots:
            dated.moment.set(run.moment)  # this task's own context
            dated.case.set(run.case)
            graph = graphs[run.agent]
            configurable = {"thread_id": f"demo-{number}", "rep_id": DEMO_REVIEWER}
            config = {"configurable": {**configurable, **NO_USER["configurable"]}}
            state = await graph.ainvoke(run.input, config)
            while run.agent == "supervisor" and state.get("__interrupt__"):
                resume = {"decision": "reject", "reviewer": DEMO_REVIEWER}
                state = await graph.ainvoke(Command(resume=resume), config)
            advance(1)
            return state.get("recommendation") is not None

    return sum(await asyncio.gather(*(one(n, run) for n, run in enumerate(runs))))


def build_graphs(services: Any, agents: Sequence[str]) -> dict[str, Any]:
    """The registered graphs of ``agents`` over ``services``, each with an in-memory
    checkpointer (a plan pauses for approval; the pause needs somewhere to wait)."""
    from graphs.registry import registered_graphs

    specs = registered_graphs()
    return {agent: specs[agent].build(services=services, checkpointer=InMemorySaver())
            for agent in agents}  # fmt: skip
