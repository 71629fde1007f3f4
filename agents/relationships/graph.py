"""The relationship mapping graph.

resolve_account -> load_contacts -> search_account_notes -> map_stakeholders
    -> (draft_explanation ->) finalise_map; side exits: explain_unresolved, answer_no_contacts.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.constants import TAG_NOSTREAM
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore

from agents.checked_stream import stream_text
from agents.conversation import earlier_messages, focus_of, last_human_text, text_of
from agents.deps import AgentDeps
from agents.finalise import finalise_recommendation
from agents.prose import Checked, Grounds, check_prose, no_prose, split_sentences
from agents.relationships import narrative
from agents.relationships.grounding import draft_is_grounded
from agents.relationships.inputs import parse_as_of
from agents.relationships.lexicon import lexicon_fingerprint
from agents.relationships.mapping import build_stakeholder_map, notes_from
from agents.relationships.models import StakeholderMap
from agents.relationships.state import RelationshipsState
from agents.relationships.tooling import RelationshipsTools
from agents.subjects import UnknownRecord, resolve_subject
from agents.withheld import merge_withheld, note_withheld, read_counting
from core.recommendation import (
    Action,
    Fact,
    Recommendation,
    RecommendationRecorder,
    snapshot_sha256,
)
from memory import MemoryUnavailable
from prompts import load_prompt
from tools.stakeholders import (
    AccountRef,
    ContactActivity,
    Interaction,
    NoteHit,
    StakeholderContact,
)

GRAPH_ID = "relationships"
PROMPT_ID = "relationships.explain"
KIND = "stakeholder_map"

NODE_RESOLVE = "resolve_account"
NODE_CONTACTS = "load_contacts"
NODE_NOTES = "search_account_notes"
NODE_MAP = "map_stakeholders"
NODE_DRAFT = "draft_explanation"
NODE_FINALISE = "finalise_map"
NODE_UNRESOLVED = "explain_unresolved"
NODE_NO_CONTACTS = "answer_no_contacts"

# Memory queries for notes that say who signs off and who objects (notes kept outside the CRM).
NOTE_QUERIES = (
    "final decision, sign-off, approval and budget holder for the purchase",
    "objection, concern, price above expectation, competitor offered less",
)
RECENT = timedelta(days=365)
# A thread keeps its state between runs: each run starts from these, and its inputs are consumed
# when it ends, so a follow-up message on the thread is read afresh, not as the last account.
RUN_START: dict[str, Any] = {
    "error": None,
    "warnings": [],
    "draft": "",
    "note_hits": [],
    "contacts": [],
    "withheld": None,
    "input_sha256": "",
}
INPUTS_CONSUMED: dict[str, Any] = {"account_id": None, "as_of": None, "focus": {}}


def build_relationships_graph(
    deps: AgentDeps[RelationshipsTools],
    *,
    checkpointer: BaseCheckpointSaver | None = None,
    store: BaseStore | None = None,
    notes_k: int = 5,
) -> CompiledStateGraph:
    """Compile the relationship mapping graph over ``deps.tools`` (CRM and memory) and
    ``deps.model``.

    Every map's recommendation goes to ``deps.recorder`` (the recommendation log) when given.
    """
    prompt = load_prompt(PROMPT_ID)
    tools, model, recorder = deps.tools, deps.model, deps.recorder
    info = deps.resolved_model_info()

    async def resolve_account(state: RelationshipsState) -> dict[str, Any]:
        as_of = parse_as_of(state.get("as_of"))
        if as_of is None:
            return _error(
                "invalid_as_of",
                f"as_of must be an ISO 8601 date or time, got {state.get('as_of')!r}",
            )
        wanted = (state.get("account_id") or "").strip()
        if wanted:
            account = await asyncio.to_thread(tools.find_account, wanted)
            if account is None:
                return _error(
                    "unknown_account", f"No account with id {wanted!r} exists in the CRM."
                )
        else:
            # "X", "that hospital" in a thread, or the page's selected account (agents.subjects).
            found = await asyncio.to_thread(resolve_account_of, tools, state)
            if found is None:
                return _error(
                    "no_account_named",
                    "Which account should I map? Name it by its id or its full name.",
                )
            account = found
        return {
            **RUN_START,
            "account": account.model_dump(),
            "account_id": account.account_id,
            "as_of": as_of.isoformat(),
        }

    def is_resolved(state: RelationshipsState) -> str:
        return NODE_UNRESOLVED if state.get("error") else NODE_CONTACTS

    async def load_contacts(state: RelationshipsState) -> dict[str, Any]:
        contacts, withheld = await read_counting(tools.contacts, _account_id(state))
        return {"contacts": [c.model_dump() for c in contacts], "withheld": withheld}

    def has_contacts(state: RelationshipsState) -> str:
        return NODE_NOTES if state.get("contacts") else NODE_NO_CONTACTS

    async def search_account_notes(state: RelationshipsState) -> dict[str, Any]:
        hits: dict[str, NoteHit] = {}
        try:
            for query in NOTE_QUERIES:
                found = await asyncio.to_thread(
                    tools.search_notes, _account_id(state), query, k=notes_k
                )
                for hit in found:
                    hits.setdefault(hit.chunk_id, hit)
        except MemoryUnavailable as exc:  # the CRM alone still gives a map; say what is missing
            return {
                "note_hits": [],
                "warnings": [f"account notes in memory were not searched: {exc}"],
            }
        as_of = _as_of(state)
        kept = [h for h in hits.values() if h.occurred_at is None or h.occurred_at <= as_of]
        return {"note_hits": [h.model_dump(mode="json") for h in kept]}

    async def map_stakeholders(state: RelationshipsState) -> dict[str, Any]:
        account_id, as_of = _account_id(state), _as_of(state)
        contacts = [StakeholderContact.model_validate(c) for c in state["contacts"]]
        hits = [NoteHit.model_validate(h) for h in state.get("note_hits", [])]

        def read() -> tuple[list[Interaction], dict[str, ContactActivity]]:
            items = tools.interactions(account_id, until=as_of)
            activity = tools.contact_activity(
                account_id, recent_since=as_of - RECENT, interactions=items
            )
            return items, activity

        (interactions, activity), withheld = await read_counting(read)
        account = AccountRef.model_validate(state["account"])
        stakeholders = build_stakeholder_map(
            account, contacts, activity, notes_from(interactions, hits), as_of=as_of
        )
        snapshot = {
            "account": state["account"],
            "as_of": state["as_of"],
            "contacts": state["contacts"],
            "interactions": [[i.activity_id, i.kind, i.occurred_at, i.body] for i in interactions],
            "note_hits": [[h.chunk_id, h.text] for h in hits],
            "lexicon": lexicon_fingerprint(),
        }
        return {
            "stakeholder_map": stakeholders.model_dump(mode="json"),
            "withheld": merge_withheld([state.get("withheld"), withheld]),
            "input_sha256": snapshot_sha256(snapshot),
        }

    def needs_explanation(state: RelationshipsState) -> str:
        return (
            NODE_DRAFT if (state.get("stakeholder_map") or {}).get("engage_next") else NODE_FINALISE
        )

    async def draft_explanation(state: RelationshipsState) -> dict[str, Any]:
        stakeholders = StakeholderMap.model_validate(state["stakeholder_map"])
        facts = "\n".join(narrative.summary_lines(stakeholders, withheld=state.get("withheld")))
        # The map's lines open the answer whatever the model writes: they stream now. The
        # explanation is checked whole when the answer is made, so none of it streams.
        await stream_text(split_sentences(facts.rstrip()), about=last_human_text(state))
        reply = await model.ainvoke(prompt.messages(facts=facts), {"tags": [TAG_NOSTREAM]})
        return {"draft": text_of(reply)}

    def finalise_map(state: RelationshipsState) -> dict[str, Any]:
        stakeholders = StakeholderMap.model_validate(state["stakeholder_map"])
        facts = narrative.facts_for(stakeholders)
        lines = narrative.summary_lines(stakeholders, withheld=state.get("withheld"))
        checked = _checked_explanation(state, stakeholders, lines, facts)
        explained = checked.kept
        if explained:
            lines.append(f"In short: {checked.text}")
        lines += [f"Note: {warning}" for warning in state.get("warnings", [])]
        content = "\n".join(lines)
        recommendation = Recommendation(
            kind=KIND,
            agent=GRAPH_ID,
            subject=_subject(stakeholders),
            content=content,
            confidence=stakeholders.confidence,
            provenance=facts,
            actions=narrative.actions_for(stakeholders),
            data={KIND: stakeholders.model_dump(mode="json"), "prose": checked.record},
            model=info if explained else None,
            prompt=prompt.info if explained else None,
            input_sha256=state.get("input_sha256"),
        )
        recommendation = note_withheld(recommendation, state.get("withheld"))
        return _reply(recommendation.content, recommendation, stakeholders, recorder)

    def answer_no_contacts(state: RelationshipsState) -> dict[str, Any]:
        account = AccountRef.model_validate(state["account"])
        stakeholders = StakeholderMap(
            account_id=account.account_id,
            account_name=account.name,
            as_of=_as_of(state),
            confidence=0.05,
        )
        withheld = state.get("withheld")
        if withheld and withheld.get("people"):  # they exist: never say there is nobody
            content = (
                f"{account.name} has no contacts whose data I may use, so there is no"
                " stakeholder map. Ask them to consent to AI processing, or map the account"
                " by hand."
            )
        else:
            content = (
                f"{account.name} has no contacts in the CRM, so there is no stakeholder map"
                " yet. Find out who runs the purchase (equipment, procurement and the clinical"
                " department that would use the product) and add them as contacts."
            )
        recommendation = Recommendation(
            kind=KIND,
            agent=GRAPH_ID,
            subject={"account_id": account.account_id},
            content=content,
            confidence=0.05,  # nothing to go on: the map is empty, not wrong
            provenance=[
                Fact(
                    source="accounts",
                    record_id=account.account_id,
                    field="name",
                    value=account.name,
                )
            ],
            actions=[
                Action(
                    kind="create_task",
                    description=f"Identify the stakeholders of {account.name} and add them as contacts.",
                    payload={"account_id": account.account_id},
                )
            ],
            data={KIND: stakeholders.model_dump(mode="json")},
            input_sha256=snapshot_sha256({"account": state["account"], "contacts": []}),
        )
        recommendation = note_withheld(recommendation, withheld)
        return _reply(recommendation.content, recommendation, stakeholders, recorder)

    def explain_unresolved(state: RelationshipsState) -> dict[str, Any]:
        error = state.get("error") or {}
        # No account means no record to cite: a message, and deliberately no recommendation.
        return {
            "messages": [AIMessage(content=error.get("detail", "No account to map."))],
            "account": None,
            "recommendation": None,
            "stakeholder_map": None,
            **INPUTS_CONSUMED,
        }

    graph = StateGraph(RelationshipsState)
    graph.add_node(NODE_RESOLVE, resolve_account)
    graph.add_node(NODE_CONTACTS, load_contacts)
    graph.add_node(NODE_NOTES, search_account_notes)
    graph.add_node(NODE_MAP, map_stakeholders)
    graph.add_node(NODE_DRAFT, draft_explanation)
    graph.add_node(NODE_FINALISE, finalise_map)
    graph.add_node(NODE_NO_CONTACTS, answer_no_contacts)
    graph.add_node(NODE_UNRESOLVED, explain_unresolved)
    graph.add_edge(START, NODE_RESOLVE)
    graph.add_conditional_edges(NODE_RESOLVE, is_resolved, [NODE_CONTACTS, NODE_UNRESOLVED])
    graph.add_conditional_edges(NODE_CONTACTS, has_contacts, [NODE_NOTES, NODE_NO_CONTACTS])
    graph.add_edge(NODE_NOTES, NODE_MAP)
    graph.add_conditional_edges(NODE_MAP, needs_explanation, [NODE_DRAFT, NODE_FINALISE])
    graph.add_edge(NODE_DRAFT, NODE_FINALISE)
    graph.add_edge(NODE_FINALISE, END)
    graph.add_edge(NODE_NO_CONTACTS, END)
    graph.add_edge(NODE_UNRESOLVED, END)
    return graph.compile(checkpointer=checkpointer, store=store, name=GRAPH_ID)


def resolve_account_of(tools: RelationshipsTools, state: RelationshipsState) -> AccountRef | None:
    """The account the newest message means, named or referred to (``agents.subjects``)."""
    text = last_human_text(state)
    crm = tools.crm
    if crm is None:  # stand-in tools without a CRM: names in the message only
        found = tools.accounts_mentioned(text)
        return found[0] if found else None
    try:
        subject = resolve_subject(crm, text, earlier=earlier_messages(state), focus=focus_of(state))
    except UnknownRecord:
        return None
    return tools.find_account(subject.account_id) if subject.account_id else None


def _account_id(state: RelationshipsState) -> str:
    """The account resolved for this run (set by resolve_account before any node reads it)."""
    return str(state["account_id"])


def _as_of(state: RelationshipsState) -> datetime:
    return datetime.fromisoformat(str(state["as_of"]))


def _error(code: str, detail: str) -> dict[str, Any]:
    return {**RUN_START, "error": {"code": code, "detail": detail}}


def _subject(stakeholders: StakeholderMap) -> dict[str, str]:
    subject = {"account_id": stakeholders.account_id}
    if stakeholders.engage_next:
        subject["contact_id"] = stakeholders.engage_next[0].contact_id
    return subject


def _reply(
    content: str,
    recommendation: Recommendation,
    stakeholders: StakeholderMap,
    recorder: RecommendationRecorder | None,
) -> dict[str, Any]:
    message = AIMessage(content=content, additional_kwargs={"recommendation_id": recommendation.id})
    return {
        "messages": [message],
        "recommendation": finalise_recommendation(recommendation, recorder),
        "stakeholder_map": stakeholders.model_dump(mode="json"),
        **INPUTS_CONSUMED,
    }


def _checked_explanation(
    state: RelationshipsState, stakeholders: StakeholderMap, lines: list[str], facts: list[Fact]
) -> Checked:
    """The model's short explanation, when it passes the prose checks and invents no word.

    The map's lines are complete without it, so a failing explanation is dropped whole.
    """
    draft = state.get("draft", "").strip()
    if not stakeholders.engage_next or not draft:
        return no_prose("")
    grounds = Grounds.of(
        [*facts, *lines],
        names=[s.name for s in stakeholders.nodes] + [stakeholders.account_name],
        question=last_human_text(state),
    )
    checked = check_prose(draft, grounds, "")
    if checked.status != "passed":
        return Checked("", "replaced", checked.problems, draft)
    if not draft_is_grounded(
        draft,
        first_name=stakeholders.engage_next[0].name,
        facts_text="\n".join(lines),
        facts=facts,
    ):
        problem = "names someone else first, runs long, or uses words the facts do not hold"
        return Checked("", "replaced", (problem,), draft)
    return checked
