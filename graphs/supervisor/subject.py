"""What a conversation is about across turns, and which specialist an account's event activates.

Follow-ups: a rep who asked about an account and then writes "and its budget?" or "what about
that hospital's relationships?" names no account. The supervisor keeps the subject of the last
answer (its recommendation's account and deal) in the thread's state, and hands it to the
account-level specialists when a new message names none of its own; a message that names
nothing and refers to nothing earlier goes to the page's selected account (the run's
``focus``). The resolution itself is ``agents.subjects``, shared with the specialists.

Events: a run started with an ``account_id`` and no message (``POST /events`` scored the
account and chose a specialist) goes to the specialist lead scoring chose: the decision stored
by event intake (``crm.lead_scores``) when there is one, else the same deterministic
assessment computed now.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from agents.subjects import UnknownRecord, resolve_subject
from graphs.supervisor.message_router import RouteDecision
from graphs.supervisor.tooling import SupervisorTools

_IDS = re.compile(r"\b(?:ACC|DEAL)-\d+\b", re.IGNORECASE)
# Specialists that take an account (and the budget agent a deal) as structured input.
ACCOUNT_SPECIALISTS = frozenset({"budget", "relationships", "lead_scoring", "next_action"})
SUBJECT_KEYS = ("account_id", "deal_id")


def names_a_subject(text: str, tools: SupervisorTools | None) -> bool:
    """Whether ``text`` names an account or deal (by id, or an account by its name)."""
    if _IDS.search(text):
        return True
    return bool(tools.accounts_mentioned(text)) if tools is not None else False


def follow_up_context(
    tools: SupervisorTools | None,
    question: str,
    *,
    earlier: Sequence[Any] = (),
    focus: Mapping[str, str] | None = None,
    conversation: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The account (and deal) to hand the specialists when ``question`` names none of its own.

    Resolved by ``agents.subjects``: "that hospital" or a bare follow-up is the conversation's
    subject, a message naming nothing is about the page's ``focus``; a question that names its
    subject, or asks across the rep's accounts, carries nothing (the specialists read it).
    """
    if tools is None:  # a supervisor without tools (tests): only the carried subject
        if not question or names_a_subject(question, tools):
            return {}
        return dict(conversation or {})
    try:
        subject = resolve_subject(
            tools.crm, question, earlier=earlier, focus=focus, conversation=conversation
        )
    except UnknownRecord:
        return {}  # the specialists say which id is unknown
    return subject.ids() if subject.via in ("thread", "focus") else {}


def reply_route(
    decision: RouteDecision,
    previous: Mapping[str, Mapping[str, Any]],
    signals: Mapping[str, list[str]],
) -> RouteDecision:
    """``decision``, unless the last turn's specialist asked the rep a question ("which of these
    open deals?") and this message, with no signal of its own ("the largest one"), answers it:
    then the message goes back to that specialist."""
    asked = [name for name, result in previous.items() if result.get("asked")]
    if not asked or signals:
        return decision
    return RouteDecision(
        routes=asked, scores=decision.scores, margin=decision.margin, signals={}, method="reply"
    )


def carried_input(specialist: str, subject: Mapping[str, str]) -> dict[str, str]:
    """The structured input a follow-up hands ``specialist`` from the conversation's subject."""
    if specialist not in ACCOUNT_SPECIALISTS or not subject.get("account_id"):
        return {}
    carried = {"account_id": subject["account_id"]}
    if specialist == "budget" and subject.get("deal_id"):
        carried = {"deal_id": subject["deal_id"]}  # the deal names its account
    return carried


def subject_after(
    recommendation: Mapping[str, Any] | None, previous: Mapping[str, str] | None
) -> dict[str, str]:
    """The conversation's subject after a turn: the answer's account (and deal), else as before."""
    subject = (recommendation or {}).get("subject") or {}
    found = {key: str(subject[key]) for key in SUBJECT_KEYS if subject.get(key)}
    if not found:
        return dict(previous or {})
    if "deal_id" not in found and (previous or {}).get("account_id") == found.get("account_id"):
        found |= {k: v for k, v in (previous or {}).items() if k == "deal_id"}
    return found


def event_route(tools: SupervisorTools, account_id: str) -> tuple[RouteDecision, str]:
    """The specialist lead scoring chose for ``account_id``, and its reason.

    Raises ``crm.errors.NotFound`` for an unknown account.
    """
    from agents.lead_scoring import assess_lead, win_model_for
    from tools.behaviour import account_behaviour, data_clock

    crm = tools.crm
    crm.get_account(account_id=account_id)
    stored = tools.lead_scores.latest(account_id=account_id)
    if stored is not None:
        route = dict(stored.assessment.get("route") or {})
        agent, rule = stored.route, str(route.get("rule", "stored"))
        reason = str(route.get("reason", ""))
    else:
        features = account_behaviour(crm, account_id=account_id, as_of=data_clock(crm))
        chosen = assess_lead(features, win_model_for(crm)).route
        agent, rule, reason = chosen.agent, chosen.rule, chosen.reason
    decision = RouteDecision(
        routes=[agent], scores={agent: 1.0}, margin=1.0, signals={"event": [rule]}, method="event"
    )
    return decision, reason
