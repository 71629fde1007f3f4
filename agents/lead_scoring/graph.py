"""The lead scoring graph: identify -> read behaviour -> assess -> (narrate ->) finalise.

Stage, score, grade, route and confidence are computed by code (``assessment.assess_lead``);
the model only narrates them, and a narration that fails the prose checks (:mod:`agents.prose`)
is dropped, from its first failing sentence on, in favour of the deterministic summary.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore

from agents.checked_stream import checked as checked_model
from agents.checked_stream import written
from agents.conversation import (
    earlier_messages,
    focus_of,
    is_portfolio_question,
    last_human_text,
    rep_id,
)
from agents.deps import AgentDeps
from agents.finalise import finalise_recommendation
from agents.lead_scoring.assessment import LeadAssessment, assess_lead
from agents.lead_scoring.portfolio import portfolio_kind
from agents.lead_scoring.portfolio_answer import portfolio_reply
from agents.lead_scoring.state import LeadScoringState
from agents.lead_scoring.tooling import LeadScoringTools
from agents.lead_scoring.win_model import win_model_for
from agents.prose import Grounds, ProseGate, check_prose
from agents.subjects import UnknownRecord, resolve_subject
from agents.withheld import note_withheld, read_counting
from core.recommendation import Recommendation
from crm.errors import NotFound
from crm.reader import CRMSource
from governance.consent_gate import ConsentWithheld
from prompts import load_prompt
from tools.behaviour import BehaviourFeatures, account_behaviour, contact_behaviour

GRAPH_ID = "lead_scoring"
PROMPT_ID = "lead_scoring.explain"

NODE_IDENTIFY = "identify_subject"
NODE_READ = "read_behaviour"
NODE_ASSESS = "assess_lead"
NODE_NARRATE = "narrate_assessment"
NODE_FINALISE = "finalise_assessment"
NODE_NO_SUBJECT = "ask_for_subject"
NODE_PORTFOLIO = "answer_portfolio"

_ACCOUNT_ID = re.compile(r"\bACC-\d+\b", re.IGNORECASE)
_CONTACT_ID = re.compile(r"\bCON-\d+\b", re.IGNORECASE)


def build_lead_scoring_graph(
    deps: AgentDeps[LeadScoringTools],
    *,
    checkpointer: BaseCheckpointSaver | None = None,
    store: BaseStore | None = None,
) -> CompiledStateGraph:
    """Compile the lead scoring graph over ``deps.tools.crm`` and ``deps.model`` (narration
    only).

    Every assessment's recommendation goes to ``deps.recorder`` (the recommendation log) when
    given.
    """
    prompt = load_prompt(PROMPT_ID)
    tools, model, recorder = deps.tools, deps.model, deps.recorder
    info = deps.resolved_model_info()

    async def identify_subject(state: LeadScoringState) -> dict[str, Any]:
        text = last_human_text(state)
        kind = portfolio_kind(text, portfolio=is_portfolio_question(text))
        if kind is not None:  # across the rep's accounts: no one account is the subject
            return {"subject": {}, "portfolio": kind, "draft": ""}
        subject, problem = await asyncio.to_thread(_identify, tools.crm, state)
        if problem:
            return {"subject": {}, "draft": problem, "portfolio": None}
        return {"subject": subject, "portfolio": None}

    def has_subject(state: LeadScoringState) -> str:
        if state.get("portfolio"):
            return NODE_PORTFOLIO
        return NODE_READ if state.get("subject") else NODE_NO_SUBJECT

    async def answer_portfolio(state: LeadScoringState, config: RunnableConfig) -> dict[str, Any]:
        reply, answer = await asyncio.to_thread(
            portfolio_reply, tools.crm, str(state.get("portfolio")), rep_id=rep_id(config)
        )
        if answer is None:
            return {"messages": [AIMessage(content=reply)], "recommendation": None}
        message = AIMessage(content=reply, additional_kwargs={"recommendation_id": answer.id})
        return {"messages": [message], "recommendation": finalise_recommendation(answer, recorder)}

    async def read_behaviour(state: LeadScoringState) -> dict[str, Any]:
        subject = state["subject"]
        as_of = _as_of(state.get("as_of"))
        if "contact_id" in subject:
            features, withheld = await read_counting(
                contact_behaviour, tools.crm, contact_id=subject["contact_id"], as_of=as_of
            )
        else:
            features, withheld = await read_counting(
                account_behaviour, tools.crm, account_id=subject["account_id"], as_of=as_of
            )
        return {"features": features.as_dict(), "withheld": withheld}

    async def assess(state: LeadScoringState) -> dict[str, Any]:
        assessment = await asyncio.to_thread(_assess, tools.crm, state["features"])
        return {
            "assessment": assessment.as_dict(),
            # Said, never hidden: what consent withheld, at a lower confidence.
            "recommendation": note_withheld(
                assessment.recommendation(), state.get("withheld")
            ).model_dump(mode="json"),
        }

    def wants_narration(state: LeadScoringState) -> str:
        return NODE_NARRATE if state.get("narrate", True) else NODE_FINALISE

    async def narrate_assessment(state: LeadScoringState) -> dict[str, Any]:
        draft = Recommendation.model_validate(state["recommendation"])
        # Streamed sentence by sentence, each once it passed the checks the narration gets below.
        gate = ProseGate(_grounds(draft, state))
        reply = await checked_model(model, gate).ainvoke(
            prompt.messages(summary=draft.content, facts=_facts_text(draft))
        )
        return {"draft": written(reply).strip()}

    def finalise_assessment(state: LeadScoringState) -> dict[str, Any]:
        draft = Recommendation.model_validate(state["recommendation"])
        grounds = _grounds(draft, state)
        checked = check_prose(state.get("draft", ""), grounds, draft.content, follows=True)
        data = {**draft.data, "prose": checked.record}
        if checked.kept:
            final = draft.model_copy(
                update={
                    "content": checked.text,
                    "model": info,
                    "prompt": prompt.info,
                    "data": data,
                }
            )
        else:
            # No narration, or one that failed its checks: the summary alone.
            final = draft.model_copy(update={"data": data})
        message = AIMessage(
            content=final.content, additional_kwargs={"recommendation_id": final.id}
        )
        return {"messages": [message], "recommendation": finalise_recommendation(final, recorder)}

    def ask_for_subject(state: LeadScoringState) -> dict[str, Any]:
        text = state.get("draft") or (
            "Which account or contact should I score? Give an account id (ACC-...), a contact"
            " id (CON-...) or the account's name."
        )
        return {"messages": [AIMessage(content=text)], "recommendation": None}

    graph = StateGraph(LeadScoringState)
    graph.add_node(NODE_IDENTIFY, identify_subject)
    graph.add_node(NODE_READ, read_behaviour)
    graph.add_node(NODE_ASSESS, assess)
    graph.add_node(NODE_NARRATE, narrate_assessment)
    graph.add_node(NODE_FINALISE, finalise_assessment)
    graph.add_node(NODE_NO_SUBJECT, ask_for_subject)
    graph.add_node(NODE_PORTFOLIO, answer_portfolio)
    graph.add_edge(START, NODE_IDENTIFY)
    graph.add_conditional_edges(
        NODE_IDENTIFY, has_subject, [NODE_READ, NODE_NO_SUBJECT, NODE_PORTFOLIO]
    )
    graph.add_edge(NODE_READ, NODE_ASSESS)
    graph.add_conditional_edges(NODE_ASSESS, wants_narration, [NODE_NARRATE, NODE_FINALISE])
    graph.add_edge(NODE_NARRATE, NODE_FINALISE)
    graph.add_edge(NODE_FINALISE, END)
    graph.add_edge(NODE_NO_SUBJECT, END)
    graph.add_edge(NODE_PORTFOLIO, END)
    return graph.compile(checkpointer=checkpointer, store=store, name=GRAPH_ID)


def _assess(crm: CRMSource, features: dict[str, Any]) -> LeadAssessment:
    return assess_lead(BehaviourFeatures.from_dict(features), win_model_for(crm))


def _identify(crm: CRMSource, state: LeadScoringState) -> tuple[dict[str, str], str | None]:
    """(subject, None), or ({}, what is wrong) when no known account or contact is named."""
    if state.get("as_of") is not None:
        try:
            _as_of(state.get("as_of"))
        except ValueError as exc:
            return {}, str(exc)
    contact_id, account_id = state.get("contact_id"), state.get("account_id")
    if not contact_id and not account_id:
        text = last_human_text(state)
        contact_match, account_match = _CONTACT_ID.search(text), _ACCOUNT_ID.search(text)
        contact_id = contact_match.group(0).upper() if contact_match else None
        account_id = account_match.group(0).upper() if account_match else _named(crm, state, text)
    try:
        if contact_id:
            contact = crm.get_contact(contact_id=contact_id)
            return {"account_id": contact.account_id, "contact_id": contact.id}, None
        if account_id:
            return {"account_id": crm.get_account(account_id=account_id).id}, None
    except ConsentWithheld as exc:
        return {}, (
            f"I cannot use the data of contact {exc.record_id!r}: they have not consented to"
            " AI processing."
        )
    except NotFound as exc:
        return {}, f"There is no {exc.entity} {exc.record_id!r} in the CRM."
    return {}, None


def _named(crm: CRMSource, state: LeadScoringState, text: str) -> str | None:
    """The account named in ``text``, referred to in the thread ("that hospital"), or the page's
    selected account when the message names none (``agents.subjects``)."""
    try:
        subject = resolve_subject(crm, text, earlier=earlier_messages(state), focus=focus_of(state))
    except UnknownRecord as unknown:
        return unknown.record_id  # reported as unknown by the caller's look-up
    return subject.account_id


def _as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"as_of must be an ISO 8601 time, got {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _grounds(draft: Recommendation, state: LeadScoringState) -> Grounds:
    """What a narration of ``draft`` may rest on."""
    return Grounds.of(
        [*draft.provenance, draft.content, _facts_text(draft)], question=last_human_text(state)
    )


def _facts_text(recommendation: Recommendation) -> str:
    return "\n".join(
        f"- {fact.field} = {fact.value} ({fact.source} {fact.record_id})"
        for fact in recommendation.provenance
    )
