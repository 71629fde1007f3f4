"""A canary person seeded into every store, for the data subject rights tests.

Zephyrine Quockenbush (CON-77777, a name no generator produces) at ACC-7777, with a colleague
who must survive her erasure untouched. ``seed_canary_crm`` fills the SQL stores (CRM rows,
activities, a lead score, recommendations with feedback, consent records); the memory, a
thread and a store item are added by the tests through the real APIs.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from langchain_core.messages import AIMessage, AnyMessage
from langgraph.graph import END, START, StateGraph, add_messages
from sqlalchemy import Engine
from typing_extensions import TypedDict

from core.recommendation import Fact, Recommendation
from crm import models as m
from crm.actions import ActionDecisionRow, OutboxEmailRow, TaskRow
from crm.db import session_factory
from crm.lead_scores import LeadScoreRow
from crm.recommendations import FeedbackInput, RecommendationLog
from eval.calibration.models import CalibrationBatchRow, CalibrationItemRow, CalibrationReviewRow
from governance.audit_models import FieldEvidenceRow
from governance.consent import AI_PROCESSING, ConsentLedger
from graphs.registry import GraphSpec
from memory import Memory
from tests.support.consent import TEST_KEY

ACCOUNT = "ACC-7777"
CANARY, COLLEAGUE = "CON-77777", "CON-77778"
NAME, EMAIL, PHONE = (
    "Zephyrine Quockenbush",
    "zephyrine.q@canary-hospital.example",
    "+86 21 5550 7777",
)
TRACES = (CANARY, NAME, EMAIL, PHONE)
NOW = datetime(2026, 10, 1, tzinfo=UTC)
OWN_ACTIVITIES = ("EVT-770001", "EVT-770002")  # hers: deleted
SHARED_ACTIVITY = "EVT-770003"  # the colleague's meeting she attended: redacted, kept
BATCH, CALIBRATION_ITEM = (
    "33333333-3333-4333-8333-333333333333",
    "44444444-4444-4444-8444-444444444444",
)
ABOUT_HER, ABOUT_ACCOUNT = (
    "11111111-1111-4111-8111-111111111111",
    "22222222-2222-4222-8222-222222222222",
)


def seed_canary_crm(engine: Engine) -> dict[str, Any]:
    """The canary and her traces in the SQL stores; returns the ids to look for."""
    with session_factory(engine)() as session:
        session.add(
            m.Account(id=ACCOUNT, name="Canary Test Hospital", industry="hospital", city="Wuxi",
                      region="East", tier="standard", created_at=NOW)
        )  # fmt: skip
        session.flush()
        session.add_all(
            [
                m.Contact(id=CANARY, account_id=ACCOUNT, first_name="Zephyrine",
                          last_name="Quockenbush", title="Head of Radiology",
                          department="Radiology", seniority="director", email=EMAIL,
                          phone=PHONE, created_at=NOW),
                m.Contact(id=COLLEAGUE, account_id=ACCOUNT, first_name="Olaf", last_name="Other",
                          title="Buyer", department="Procurement", seniority="manager",
                          reports_to=CANARY, email="olaf@canary-hospital.example", created_at=NOW),
            ]
        )  # fmt: skip
        session.flush()
        session.add_all(
            [
                m.Activity(id="EVT-770001", account_id=ACCOUNT, contact_id=CANARY,
                           kind="email_in", occurred_at=NOW, subject="CT upgrade",
                           body=f"Please call me on {PHONE}. {NAME}", meta={}),
                m.Activity(id="EVT-770002", account_id=ACCOUNT, contact_id=CANARY,
                           kind="web_visit", occurred_at=NOW, url="https://example.com/ct",
                           meta={}),
                m.Activity(id=SHARED_ACTIVITY, account_id=ACCOUNT, contact_id=COLLEAGUE,
                           kind="meeting", occurred_at=NOW, subject="Budget meeting",
                           body=f"Olaf Other and {NAME} reviewed the budget.",
                           meta={"attendees": [COLLEAGUE, CANARY]}),
                m.Activity(id="EVT-770004", account_id=ACCOUNT, contact_id=COLLEAGUE,
                           kind="email_in", occurred_at=NOW, subject="Delivery",
                           body="Olaf asks about delivery dates.", meta={}),
            ]
        )  # fmt: skip
        session.add(
            LeadScoreRow(
                id=str(uuid.uuid4()), account_id=ACCOUNT, contact_id=CANARY, stage="research",
                score=55, grade="B", route="technical_qa", confidence=0.6, as_of=NOW,
                created_at=NOW, event_ids=["EVT-770001"], recommendation_id=ABOUT_HER,
                assessment={"contact": NAME}, recommendation={"subject": {"contact_id": CANARY}},
            )
        )  # fmt: skip
        session.commit()
    log = RecommendationLog(engine)
    log.record(
        Recommendation(id=ABOUT_HER, kind="lead_score", agent="lead_scoring",
                       subject={"account_id": ACCOUNT, "contact_id": CANARY},
                       content=f"{NAME} is researching a CT upgrade.", confidence=0.6,
                       provenance=[Fact(source="contacts", record_id=CANARY, field="email",
                                        value=EMAIL)])
    )  # fmt: skip
    log.record(
        Recommendation(id=ABOUT_ACCOUNT, kind="stakeholder_map", agent="relationships",
                       subject={"account_id": ACCOUNT},
                       content=f"Engage {NAME} before Olaf Other.", confidence=0.5)
    )  # fmt: skip
    _seed_calibration(engine)
    _seed_actions(engine)
    own = log.add_feedback(recommendation_id=ABOUT_HER,
                           feedback=FeedbackInput(verdict="accept", author="rep-1"))  # fmt: skip
    mention = log.add_feedback(
        recommendation_id=ABOUT_ACCOUNT,
        feedback=FeedbackInput(verdict="reject", comment=f"{NAME} left the committee."),
    )
    ledger = ConsentLedger(engine, key=TEST_KEY)
    for action in ("grant", "revoke", "grant"):
        getattr(ledger, action)(
            contact_id=CANARY, purpose=AI_PROCESSING, notice_version="2026-06", source="web_form",
            ip_address="203.0.113.77", device_fingerprint="canary-phone",
        )  # fmt: skip
    ledger.grant(contact_id=COLLEAGUE, purpose=AI_PROCESSING, notice_version="2026-06",
                 source="web_form")  # fmt: skip
    return {"feedback": [own.id, mention.id]}


# What approved actions and evidence leave behind: her task and queued e-mail (deleted), a
# colleague's task naming her (redacted), evidence on her e-mail field (deleted).
OWN_TASK, COLLEAGUE_TASK, EMAIL_OUT, EVIDENCE = "TASK-77-1", "TASK-77-2", "MAIL-77-1", "EVD-77-1"


def _seed_actions(engine: Engine) -> None:
    def decision(index: int, kind: str) -> ActionDecisionRow:
        return ActionDecisionRow(
            id=f"DEC-77-{index}", recommendation_id=ABOUT_ACCOUNT, action_index=index, kind=kind,
            decision="approve", reviewer="rep-1", payload_sha256="0" * 64, account_id=ACCOUNT,
            decided_at=NOW,
        )  # fmt: skip

    with session_factory(engine)() as session, session.begin():
        session.add_all([decision(0, "create_task"), decision(1, "create_task"),
                         decision(2, "send_email")])  # fmt: skip
        session.flush()
        session.add_all(
            [
                TaskRow(id=OWN_TASK, account_id=ACCOUNT, contact_id=CANARY, title="Call her back",
                        status="open", decision_id="DEC-77-0", created_at=NOW),
                TaskRow(id=COLLEAGUE_TASK, account_id=ACCOUNT, contact_id=COLLEAGUE,
                        title=f"Ask Olaf whether {NAME} approved", status="open",
                        decision_id="DEC-77-1", created_at=NOW),
                OutboxEmailRow(id=EMAIL_OUT, account_id=ACCOUNT, contact_id=CANARY,
                               subject="CT upgrade", body=f"Dear {NAME}, ...", status="queued",
                               decision_id="DEC-77-2", created_at=NOW),
                FieldEvidenceRow(id=EVIDENCE, entity="contacts", record_id=CANARY, field="email",
                                 value_sha256="1" * 64, kind="reference", evidence_sha256="2" * 64,
                                 reference=f"signed form of {NAME}", author="rep-1",
                                 created_at=NOW, key_id="k", signature="s"),
            ]
        )  # fmt: skip


def _seed_calibration(engine: Engine) -> None:
    """A monthly sample holding the recommendation about her, reviewed by a senior rep."""
    snapshot = RecommendationLog(engine).get(recommendation_id=ABOUT_HER).model_dump(mode="json")
    with session_factory(engine)() as session:
        session.add(
            CalibrationBatchRow(id=BATCH, period_start=NOW, period_end=NOW, seed=1, rate=0.05,
                                min_per_stratum=1, population=2, created_at=NOW, status="open")
        )  # fmt: skip
        session.flush()
        session.add(
            CalibrationItemRow(id=CALIBRATION_ITEM, batch_id=BATCH, recommendation_id=ABOUT_HER,
                               agent="lead_scoring", confidence=0.6, confidence_band=3,
                               stratum="lead_scoring/3", position=0, account_id=ACCOUNT,
                               contact_id=CANARY, snapshot=snapshot)
        )  # fmt: skip
        session.flush()
        session.add(
            CalibrationReviewRow(id=str(uuid.uuid4()), item_id=CALIBRATION_ITEM,
                                 reviewer="senior-rep", score=4, correct=True, created_at=NOW)
        )  # fmt: skip
        session.commit()


@dataclass
class CanaryServices:
    """What the echo graph reaches, plus the memory the subject holders read."""

    memory: Memory
    reply: str = f"Noted: {NAME} prefers e-mail."
    closed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        self.closed = True


class EchoState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]


def _build_echo(*, services: CanaryServices, checkpointer: Any = None, store: Any = None) -> Any:
    async def respond(state: EchoState) -> dict[str, Any]:
        return {"messages": [AIMessage(content=services.reply)]}  # read per run: tests change it

    graph = StateGraph(EchoState)
    graph.add_node("respond", respond)
    graph.add_edge(START, "respond")
    graph.add_edge("respond", END)
    return graph.compile(checkpointer=checkpointer, store=store)


ECHO = GraphSpec(
    graph_id="echo", title="Echo", description="Answers one line.", factory=_build_echo
)
