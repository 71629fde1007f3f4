"""The drafted follow-up: the facts the model may use, the template fallback, and the check.

The model drafts the e-mail (or the talk track when no e-mail is proposed) from the facts; a
draft that fails the prose checks (:mod:`agents.prose`: figures, ids and names, repetition,
language, unfinished text, a contract said to be signed when no deal is won) or names a
capitalised word the facts do not contain is replaced whole by the deterministic template
draft, so nothing unsourced reaches a customer. A letter is never half model, half template.
"""

from __future__ import annotations

import re

from agents.figures import ungrounded_numbers
from agents.next_action.history import AccountHistory
from agents.next_action.planning import NextStep, count_facts
from agents.prose import Checked, Grounds, check_prose, no_prose
from core.recommendation import Action, Fact

_ID = re.compile(r"\b[A-Z]{2,6}-\d+\b")
_WORD = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][a-z]{2,}\b", re.MULTILINE)
# Words that may be capitalised in a letter without naming anyone or anything.
COMMON = frozenset(
    {
        "Hello",
        "Dear",
        "Thanks",
        "Thank",
        "Best",
        "Regards",
        "Kind",
        "Many",
        "Please",
        "Looking",
        "Following",
        "Could",
        "Would",
        "Let",
        "Happy",
        "Hope",
        "Just",
        "Re",
        "Subject",
        "I",
    }
)


def facts_text(history: AccountHistory, steps: list[NextStep], contact_id: str | None) -> str:
    """The facts the draft may use, one a line."""
    person = history.people.get(contact_id or "")
    lines = [f"Account: {history.account_name}", f"Buying stage: {history.stage}"]
    if person:
        lines.append(f"Recipient: {person.name}, {person.title}")
    for deal in history.open_deals:
        lines.append(f"Open deal: {deal.name} (stage {deal.stage})")
    if history.last_meeting:
        subject = history.last_meeting.subject or "a meeting"
        lines.append(f"Last meeting: {history.last_meeting.occurred_at.date()} ({subject})")
    for step in steps:
        lines.append(f"Next step: {step.title}. Why: {step.why}")
    return "\n".join(lines)


def context_facts(history: AccountHistory, contact_id: str | None) -> list[Fact]:
    """The records behind :func:`facts_text` beyond the steps' own: the provenance of what the
    draft may state (the account, the recipient, the open deals, the last meeting)."""
    facts = [
        Fact(
            source="accounts",
            record_id=history.account_id,
            field="name",
            value=history.account_name,
        )
    ]
    person = history.people.get(contact_id or "")
    if person:
        facts.append(
            Fact(source="contacts", record_id=person.contact_id, field="title", value=person.title)
        )
    for deal in history.open_deals:
        facts.append(Fact(source="deals", record_id=deal.deal_id, field="name", value=deal.name))
    meeting = history.last_meeting
    if meeting:
        facts.append(
            Fact(
                source="activities",
                record_id=meeting.activity_id,
                field="subject",
                value=meeting.subject,
                as_of=meeting.occurred_at,
            )
        )
    return facts


def plan_provenance(
    history: AccountHistory, steps: list[NextStep], contact_id: str | None
) -> list[Fact]:
    """The steps' records, then those behind the draft's facts; each record field once."""
    seen: set[tuple[str, str, str]] = set()
    kept = []
    facts = [f for s in steps for f in s.provenance] + context_facts(history, contact_id)
    for fact in facts + count_facts(history):
        if (key := (fact.source, fact.record_id, fact.field)) not in seen:
            seen.add(key)
            kept.append(fact)
    return kept


def template_draft(history: AccountHistory, steps: list[NextStep], contact_id: str | None) -> str:
    """A plain follow-up built only from the facts."""
    person = history.people.get(contact_id or "")
    greeting = f"Dear {person.name}," if person else f"Dear team at {history.account_name},"
    body = [greeting, ""]
    first = steps[0] if steps else None
    if first is not None and first.action.payload.get("in_reply_to"):
        body.append("Thank you for your message, and apologies for the slow reply.")
    else:
        body.append(f"I wanted to follow up on our conversations with {history.account_name}.")
    for deal in history.open_deals[:1]:
        body.append(f"I would welcome a short meeting to review the next steps on {deal.name}.")
    if not history.open_deals:
        body.append("Would a short call next week suit you to discuss your plans?")
    body += ["", "Best regards"]
    return "\n".join(body)


def draft_is_grounded(draft: str, facts: str) -> bool:
    """True when every figure, id and capitalised name in ``draft`` is in ``facts``."""
    if not draft.strip():
        return False
    if ungrounded_numbers(draft, [facts]):
        return False
    known = facts.lower()
    if any(token.lower() not in known for token in _ID.findall(draft)):
        return False
    names = (w for w in _WORD.findall(draft) if w not in COMMON)
    return all(name.lower() in known for name in names)


def with_body(action: Action, text: str) -> Action:
    """``action`` with the draft as its e-mail body (other kinds unchanged)."""
    if action.kind != "send_email":
        return action
    return action.model_copy(update={"payload": {**action.payload, "body": text}})


def checked_draft(
    draft: str,
    history: AccountHistory,
    *,
    facts: str,
    provenance: list[Fact],
    fallback: str,
    question: str = "",
) -> Checked:
    """The model's draft when it passes every check, else ``fallback`` (the template) whole."""
    if not draft.strip():
        return no_prose(fallback)
    names = [history.account_name, *(p.name for p in history.people.values())]
    names += [d.name for d in history.open_deals]
    grounds = Grounds.of([*provenance, facts], names=names, question=question)
    checked = check_prose(draft, grounds, fallback)
    if checked.status != "passed":
        return Checked(fallback, "replaced", checked.problems, draft)
    if not draft_is_grounded(draft, facts):
        problem = "uses an id or a capitalised name the facts do not hold"
        return Checked(fallback, "replaced", (problem,), draft)
    if reader_named_again(draft):
        problem = "names its reader again after the greeting (writes about them, or signs as them)"
        return Checked(fallback, "replaced", (problem,), draft)
    return checked


_GREETING = re.compile(r"^\s*(?:Dear|Hello|Hi)\s+([^,\n]+?)\s*,", re.MULTILINE)


def reader_named_again(draft: str) -> bool:
    """Whether a letter names the person it greets anywhere after the greeting: a letter to
    Minfang Lin does not tell her about "the call made to Minfang Lin", nor sign as her."""
    greeting = _GREETING.search(draft)
    if greeting is None:
        return False
    name = greeting.group(1).strip()
    return len(name) > 2 and name.lower() in draft[greeting.end() :].lower()
