"""An account's recent history, read from the CRM store: what the next steps are computed from.

Everything here is a plain read (no model): open deals, the latest conversations, inbound
e-mails nobody answered, missed calls nobody returned, the last meeting, and the buying stage
lead scoring infers from the same behaviour features (``tools.behaviour``). Read through the
consent gate, the history also counts what consent withheld (``withheld``), so the plan can
say what it could not see instead of claiming it is not there.

An inbound e-mail is answered by anything after it that reached the sender (an e-mail of
ours, an answered call, a meeting they attended) or that replies to it by id
(``meta.in_reply_to``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from agents.lead_scoring import infer_stage
from crm.reader import CRMReader
from crm.records import ActivityRecord
from governance.consent_tally import collect_withheld
from tools.behaviour import account_behaviour, data_clock

PERSON_KINDS = ("meeting", "email_in", "email_out", "call_answered", "call_missed")
# A reply from us, or a conversation, closes an inbound e-mail or a missed call.
ANSWERS = frozenset({"email_out", "call_answered", "meeting"})
LOOKBACK = timedelta(days=180)
MAX_ACTIVITIES = 2000


class Touch(BaseModel):
    """One conversation with the account (a meeting, e-mail or call)."""

    activity_id: str
    kind: str
    occurred_at: datetime
    contact_id: str | None
    contact_name: str | None
    subject: str | None
    # Everyone it was with as the records we may use show them (its contact, the attendees).
    people: list[str] = Field(default_factory=list)
    in_reply_to: str | None = None


class OpenDeal(BaseModel):
    deal_id: str
    name: str
    stage: str
    amount: str
    currency: str
    close_date: str | None
    primary_contact_id: str | None


class Person(BaseModel):
    contact_id: str
    name: str
    title: str
    email: str | None


class AccountHistory(BaseModel):
    """What the planner needs about one account (optionally one of its deals), as of a time."""

    account_id: str
    account_name: str
    as_of: datetime
    stage: str
    stage_signals: list[str]
    people: dict[str, Person]
    open_deals: list[OpenDeal]
    recent: list[Touch]  # newest first
    unanswered_emails: list[Touch]
    missed_calls: list[Touch]
    last_meeting: Touch | None
    last_two_way: Touch | None
    # Conversations read (meetings, e-mails, calls) and what consent withheld from the reads
    # (``agents.withheld`` shape; None when nothing was).
    conversations_read: int = 0
    withheld: dict[str, Any] | None = None


def load_history(
    crm: CRMReader, *, account_id: str, deal_id: str | None = None, as_of: datetime | None = None
) -> AccountHistory:
    """Read the account's history. Raises ``crm.errors.NotFound`` for an unknown account."""
    with collect_withheld() as tally:
        history = _read(crm, account_id=account_id, deal_id=deal_id, as_of=as_of)
    return history.model_copy(update={"withheld": tally.as_data()})


def _read(
    crm: CRMReader, *, account_id: str, deal_id: str | None, as_of: datetime | None
) -> AccountHistory:
    account = crm.get_account(account_id=account_id)
    when = as_of or data_clock(crm)
    people = {
        c.id: Person(contact_id=c.id, name=c.full_name, title=c.title, email=c.email)
        for c in crm.contacts_for_account(account_id=account_id)
    }
    records = crm.activities_for_account(
        account_id=account_id, since=when - LOOKBACK, kinds=PERSON_KINDS, limit=MAX_ACTIVITIES
    )
    touches = [_touch(a, people) for a in records if a.occurred_at <= when and not _bulk(a)]
    deals = [
        d
        for d in crm.deals_for_account(account_id=account_id)
        if d.outcome == "open"
        and d.created_at <= when  # a deal opened after ``as_of`` was not there yet
        and (deal_id is None or d.id == deal_id)
    ]
    stage = infer_stage(account_behaviour(crm, account_id=account_id, as_of=when))
    return AccountHistory(
        account_id=account.id,
        account_name=account.name,
        as_of=when,
        stage=stage.stage,
        stage_signals=[s.name for s in stage.held],
        people=people,
        open_deals=[
            OpenDeal(
                deal_id=d.id,
                name=d.name,
                stage=d.stage,
                amount=str(d.amount),
                currency=d.currency,
                close_date=d.close_date.isoformat() if d.close_date else None,
                primary_contact_id=d.primary_contact_id,
            )
            for d in deals
        ],
        recent=touches[:10],
        unanswered_emails=_unanswered(touches, "email_in"),
        missed_calls=_unanswered(touches, "call_missed"),
        last_meeting=next((t for t in touches if t.kind == "meeting"), None),
        last_two_way=next(
            (t for t in touches if t.kind in ("meeting", "email_in", "call_answered")), None
        ),
        conversations_read=len(touches),
    )


def _unanswered(touches: list[Touch], kind: str) -> list[Touch]:
    """``kind`` touches nothing of ours answered after them (newest first)."""
    found = []
    for index, touch in enumerate(touches):
        if touch.kind != kind:
            continue
        later = touches[:index]  # newest first: everything before it happened after it
        if not any(_answers(t, touch) for t in later):
            found.append(touch)
    return found


def _answers(later: Touch, touch: Touch) -> bool:
    """Whether ``later`` answers ``touch``: it reached the person, or replied to it by id.

    Subjects do not tell threads apart: several people write "RE: <product> technical
    questions", and an answer to one of them is not an answer to the others."""
    if later.kind not in ANSWERS:
        return False
    reached = bool(touch.contact_id) and touch.contact_id in later.people
    return reached or later.in_reply_to == touch.activity_id


def _bulk(record: ActivityRecord) -> bool:
    return bool(record.meta.get("bulk") or record.meta.get("campaign"))


def _touch(record: ActivityRecord, people: dict[str, Person]) -> Touch:
    person = people.get(record.contact_id or "")
    attendees = record.meta.get("attendees") or []
    with_ = [record.contact_id] if record.contact_id else []
    with_ += [str(a) for a in attendees if isinstance(a, str) and str(a) not in with_]
    reply_to = record.meta.get("in_reply_to")
    return Touch(
        activity_id=record.id,
        kind=record.kind,
        occurred_at=record.occurred_at,
        contact_id=record.contact_id,
        contact_name=person.name if person else None,
        subject=record.subject,
        people=with_,
        in_reply_to=str(reply_to) if reply_to else None,
    )
