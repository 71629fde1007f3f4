"""Generate the labelled cases from a demo CRM and its hidden ground truth, deterministically.

The labels are read from the data the way a careful rep would read it, never from the agents:

- lead scoring: the true buying stage; the score range that stage allows (its base points,
  then at most +15 / -25 for win chance, trend and silence, as ``agents/lead_scoring/scoring``
  documents) and the grades inside that range; the account must be cited;
- budget: the point estimate must fall in the true budget band; the account and its latest
  recorded budget row (a factor source) must be cited;
- relationships: the true decision maker, who must be cited, as must the account;
- next action: an inbound e-mail nobody answered asks for a reply (``send_email``), a missed
  call nobody returned for a call-back task (``create_task``), an open deal closing within two
  weeks for a task on that deal; each such record must be cited;
- technical Q&A: a question per documented topic of a product, citing its document and
  section, and questions the documentation cannot answer;
- supervisor: questions naming a demo account or product, with the specialist they need.

``python -m eval.scenario_suite.generate`` rewrites the checked-in files; a test checks that
they equal this module's output for the default seed.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from agents.budget.forecast import BANDS
from agents.lead_scoring.scoring import GRADES, STAGE_POINTS
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.records import ActivityRecord
from crm.store import CRMStore
from crm.truth import read_ground_truth
from eval.scenario_suite.cases import (
    AGENTS,
    SCENARIOS_DIR,
    NumericRange,
    ScenarioCase,
    dump_cases,
    read_cases,
)
from tools.behaviour import data_clock

SUITE_SEED = 20261125  # the demo's default seed (Settings.seed)
SUITE_SCALE = 0.05  # 11 accounts, every stage: seeds in well under a second
MAX_GAIN, MAX_LOSS = 15, 25  # score points the win chance, trend and silence can add or take
ANSWERS = frozenset({"email_out", "call_answered", "meeting"})
LOOKBACK = timedelta(days=180)
CLOSE_SOON = timedelta(days=14)
# Documented topics and the question a rep would ask about each.
TOPICS = (
    ("Power and battery", "How long does the battery of the {name} last?"),
    ("Warranty and service coverage", "What warranty comes with the {name}?"),
    ("Cleaning and disinfection", "Which cleaning agents may be used on the {name}?"),
    ("Regulatory approvals", "Which regulatory approvals does the {name} hold?"),
    ("Connectivity and data exchange", "How does the {name} connect to the hospital network?"),
    ("Alarms and alerts", "What alarms does the {name} raise?"),
)
UNDOCUMENTED = (
    "Does the flux capacitor support time travel?",
    "What is the resale price of a used submarine periscope?",
    "Can the quantum teleporter beam patients between wards?",
    "How many moon rocks fit in the cargo bay of the lunar rover?",
)
# Questions about a real product that no document answers: the agent must say so rather than
# answer from the nearest section (used by the thorough suite, one pair per product).
UNDOCUMENTED_ABOUT = (
    "What does a used {name} sell for on the second-hand market?",
    "How many {name} units were sold worldwide last year?",
)
SUPERVISOR_TEMPLATES = (
    ("relationships", "Who is the decision maker at {account}?"),
    ("budget", "What budget does {account} have for equipment this year?"),
    ("lead_scoring", "Which buying stage is {account} in, and how hot is the lead?"),
    ("next_action", "What should I do next with {account}?"),
)


def generate_cases(engine: Engine, *, thorough: bool = False) -> dict[str, list[ScenarioCase]]:
    """Every generated case over the CRM in ``engine``, by agent.

    ``thorough`` asks the technical Q&A agent about every documented topic of every product and,
    for each product, two questions its documents do not answer (the checked-in suite takes
    one topic of every third product and four questions about no product at all).
    """
    crm = CRMStore(engine)
    truth = read_ground_truth(engine)
    clock = data_clock(crm)
    accounts = sorted(truth)
    cases: dict[str, list[ScenarioCase]] = {agent: [] for agent in AGENTS}
    for account_id in accounts:
        row = truth[account_id]
        cases["lead_scoring"].append(_lead_case(account_id, row.true_stage))
        cases["budget"].append(_budget_case(crm, account_id, row.true_budget_band))
        cases["relationships"].append(
            _relationships_case(account_id, row.true_decision_maker_contact_id)
        )
        cases["next_action"].append(next_action_case(crm, account_id, clock))
    cases["technical_qa"] = _technical_cases(crm, thorough=thorough)
    cases["supervisor"] = _supervisor_cases(crm, accounts)
    return cases


def generated_suite(engine: Engine, *, agents: Iterable[str] | None = None) -> list[ScenarioCase]:
    """The thorough cases generated over ``engine``'s CRM for ``agents`` (default all), in agent
    order: what :func:`~eval.scenario_suite.cases.load_suite` reads, for a demo of any size."""
    wanted = set(agents) if agents else set(AGENTS)
    generated = generate_cases(engine, thorough=True)
    cases = [case for agent in AGENTS if agent in wanted for case in generated.get(agent, [])]
    # The routing cases are checked in by hand (``routing.jsonl``) and hold for any demo size.
    if "supervisor" in wanted:
        cases += read_cases(SCENARIOS_DIR / "routing.jsonl")
    return cases


def _lead_case(account_id: str, stage: str) -> ScenarioCase:
    base = STAGE_POINTS[stage]
    low, high = max(0, base - MAX_LOSS), min(100, base + MAX_GAIN)
    grades = [g for g, floor in GRADES if _grade_reachable(floor, low, high)]
    return ScenarioCase(
        id=f"lead-{account_id}",
        agent="lead_scoring",
        input={"account_id": account_id},
        cite=[account_id],
        equals={"assessment.stage": stage},
        ranges=[
            NumericRange(
                path="assessment.score", low=low, high=high + 1, label=f"score in the {stage} stage"
            )
        ],
        one_of={"assessment.grade": grades},
        label_source="ground_truth.true_stage",
    )


def _grade_reachable(floor: int, low: int, high: int) -> bool:
    ceiling = min((f for _, f in GRADES if f > floor), default=101) - 1
    return low <= ceiling and high >= floor


def _budget_case(crm: CRMStore, account_id: str, band: str) -> ScenarioCase:
    low, high = next((lo, hi) for name, lo, hi in BANDS if name == band)
    budgets = crm.budgets_for_account(account_id=account_id)
    cite = [account_id] + ([f"{account_id}:{budgets[-1].year}"] if budgets else [])
    return ScenarioCase(
        id=f"budget-{account_id}",
        agent="budget",
        input={"account_id": account_id},
        cite=cite,
        ranges=[
            NumericRange(
                path="analysis.budget.estimate",
                low=low,
                high=None if high == float("inf") else high,
                label=f"true budget band {band}",
            )
        ],
        label_source="ground_truth.true_budget_band",
    )


def _relationships_case(account_id: str, decision_maker: str | None) -> ScenarioCase:
    return ScenarioCase(
        id=f"relationships-{account_id}",
        agent="relationships",
        input={"account_id": account_id},
        cite=[account_id] + ([decision_maker] if decision_maker else []),
        equals={"stakeholder_map.decision_maker": decision_maker},
        label_source="ground_truth.true_decision_maker_contact_id",
    )


def next_action_case(crm: CRMStore, account_id: str, clock: datetime) -> ScenarioCase:
    touches = [
        a
        for a in crm.activities_for_account(
            account_id=account_id,
            since=clock - LOOKBACK,
            kinds=("meeting", "email_in", "email_out", "call_answered", "call_missed"),
            limit=2000,
        )
        if a.occurred_at <= clock and not (a.meta.get("bulk") or a.meta.get("campaign"))
    ]
    kinds: list[str] = []
    cite: list[str] = []
    for kind, action in (("email_in", "send_email"), ("call_missed", "create_task")):
        waiting = _first_unanswered(touches, kind)
        if waiting is not None:
            kinds.append(action)
            cite.append(waiting.id)
    closing = [
        d
        for d in crm.deals_for_account(account_id=account_id)
        if d.outcome == "open"
        and d.created_at <= clock
        and d.close_date is not None
        and d.close_date <= (clock + CLOSE_SOON).date()
    ]
    if closing and len(cite) < 3:  # the plan holds at most three steps, most urgent first
        kinds.append("create_task")
        cite.append(closing[0].id)
    return ScenarioCase(
        id=f"next-{account_id}",
        agent="next_action",
        input={"account_id": account_id},
        cite=cite,
        action_kinds=sorted(set(kinds)),
        label_source="demo_data.activities_and_deals",
    )


def _first_unanswered(touches: list[ActivityRecord], kind: str) -> ActivityRecord | None:
    """The newest ``kind`` touch (newest first list) that no answer followed: nothing of ours
    that reached its contact afterwards (an e-mail, an answered call, a meeting they attended,
    whoever it was booked with) and no reply to it by id."""
    for index, touch in enumerate(touches):
        if touch.kind == kind and not any(_answers(t, touch) for t in touches[:index]):
            return touch
    return None


def _answers(later: ActivityRecord, touch: ActivityRecord) -> bool:
    if later.kind not in ANSWERS:
        return False
    attendees = [str(a) for a in later.meta.get("attendees") or []]
    reached = touch.contact_id is not None and touch.contact_id in [later.contact_id, *attendees]
    return reached or later.meta.get("in_reply_to") == touch.id


def _technical_cases(crm: CRMStore, *, thorough: bool = False) -> list[ScenarioCase]:
    products = {p.id: p for p in crm.list_products()}
    sections = {
        (s.product_id, s.heading): s
        for s in crm.iter_document_sections()
        if s.document_kind == "user_manual" or s.heading in ("Regulatory approvals",)
    }
    if thorough:
        asked = [(p, topic) for p in sorted(products) for topic in TOPICS]
    else:
        asked = [(p, TOPICS[n % len(TOPICS)]) for n, p in enumerate(sorted(products)[::3])]
    cases = []
    for product_id, (heading, template) in asked:
        section = sections.get((product_id, heading))
        if section is None:
            continue
        cases.append(
            ScenarioCase(
                id=f"qa-{product_id}-{heading.split()[0].lower()}",
                agent="technical_qa",
                question=template.format(name=products[product_id].name),
                cite=[section.document_id, section.section_id],
                answered=True,
                label_source="demo_data.document_sections",
            )
        )
    if thorough:
        cases += [
            ScenarioCase(
                id=f"qa-{product_id}-undocumented-{number}",
                agent="technical_qa",
                question=template.format(name=products[product_id].name),
                answered=False,
                label_source="hand",
            )
            for product_id in sorted(products)
            for number, template in enumerate(UNDOCUMENTED_ABOUT, 1)
        ]
    for number, question in enumerate(UNDOCUMENTED, 1):
        cases.append(
            ScenarioCase(
                id=f"qa-undocumented-{number}",
                agent="technical_qa",
                question=question,
                answered=False,
                label_source="hand",
            )
        )
    return cases


def _supervisor_cases(crm: CRMStore, accounts: list[str]) -> list[ScenarioCase]:
    names = {a.id: a.name for a in crm.list_accounts(limit=100_000)}
    cases = []
    for number, account_id in enumerate(accounts):
        route, template = SUPERVISOR_TEMPLATES[number % len(SUPERVISOR_TEMPLATES)]
        cases.append(
            ScenarioCase(
                id=f"supervisor-{account_id}-{route}",
                agent="supervisor",
                question=template.format(account=names[account_id]),
                expected_routes=[route],
                # A plan pauses for the rep's approval before the reply is composed: no citation.
                cite=[] if route == "next_action" else [account_id],
                label_source="demo_data.accounts",
            )
        )
    return cases


@contextmanager
def demo_engine(*, seed: int = SUITE_SEED, scale: float = SUITE_SCALE) -> Iterator[Engine]:
    """A demo CRM seeded in a temporary folder, removed on exit."""
    with tempfile.TemporaryDirectory(prefix="scenario-suite-") as folder:
        url = f"sqlite:///{Path(folder) / 'crm.db'}"
        migrate(url)
        engine = make_engine(url)
        try:
            seed_demo(engine, seed=seed, scale=scale)
            yield engine
        finally:
            engine.dispose()


def suite_texts(*, seed: int = SUITE_SEED, scale: float = SUITE_SCALE) -> dict[str, str]:
    """The JSONL text of every generated file, by file name."""
    with demo_engine(seed=seed, scale=scale) as engine:
        cases = generate_cases(engine)
    return {f"{agent}.jsonl": dump_cases(items) for agent, items in cases.items() if items}


def main(argv: list[str] | None = None) -> int:
    """Rewrite the checked-in scenario files from the default demo."""
    parser = argparse.ArgumentParser(description="Regenerate eval/scenarios/*.jsonl.")
    parser.add_argument("--out", type=Path, default=SCENARIOS_DIR)
    args = parser.parse_args(argv)
    for name, text in suite_texts().items():
        (args.out / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
