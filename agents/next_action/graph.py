"""The next best action graph.

resolve_subject -> load_history -> plan_steps -> draft_message -> finalise_plan
    -> review_action (interrupt) -> execute_action -> review_action ... -> END;
side exit: explain_unresolved. Gated actions run only after an explicit approval.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.constants import TAG_NOSTREAM
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore
from langgraph.types import interrupt

from agents.checked_stream import stream_text
from agents.conversation import earlier_messages, focus_of, last_human_text, text_of
from agents.deps import AgentDeps
from agents.finalise import finalise_recommendation
from agents.next_action.drafting import (
    checked_draft,
    facts_text,
    plan_provenance,
    template_draft,
    with_body,
)
from agents.next_action.execution import (
    edited_action,
    read_review,
    record_rejection,
    write_back,
)
from agents.next_action.history import AccountHistory, load_history
from agents.next_action.planning import (
    NextStep,
    plan_confidence,
    plan_context,
    plan_steps,
    primary_contact,
)
from agents.next_action.review import review_request, reviewer_of
from agents.next_action.state import NextActionState
from agents.next_action.tooling import NextActionTools
from agents.prose import split_sentences
from agents.subjects import UnknownRecord
from agents.subjects import resolve_subject as resolve_request_subject
from agents.withheld import CONVERSATION_KINDS, note_withheld
from core.recommendation import (
    Action,
    Recommendation,
    snapshot_sha256,
)
from crm.actions import ActionNotPerformed
from crm.errors import NotFound
from prompts import load_prompt

GRAPH_ID = "next_action"
PROMPT_ID = "next_action.draft"
KIND = "next_action"

NODE_RESOLVE = "resolve_subject"
NODE_HISTORY = "load_history"
NODE_PLAN = "plan_steps"
NODE_DRAFT = "draft_message"
NODE_FINALISE = "finalise_plan"
NODE_REVIEW = "review_action"
NODE_EXECUTE = "execute_action"
NODE_UNRESOLVED = "explain_unresolved"

RUN_START: dict[str, Any] = {
    "error": None,
    "history": None,
    "steps": [],
    "draft": "",
    "input_sha256": "",
    "recommendation": None,
    "pending": [],
    "current": None,
    "outbox": [],
    "executed": [],
    "skipped": [],
}
INPUTS_CONSUMED: dict[str, Any] = {
    "account_id": None, "deal_id": None, "as_of": None, "focus": {}
}  # fmt: skip


def build_next_action_graph(
    deps: AgentDeps[NextActionTools],
    *,
    checkpointer: BaseCheckpointSaver | None = None,
    store: BaseStore | None = None,
) -> CompiledStateGraph:
    """Compile the next best action graph over ``deps.tools`` (its ``crm`` store and ``actions``
    writer; ``tools.agent_services.AgentServices`` has both) and ``deps.model`` (drafts only)."""
    prompt = load_prompt(PROMPT_ID)
    # Approved actions are written through the services' action writer; stand-in tools
    # without one (``actions`` is None) only record them in the state.
    writer = deps.tools.actions
    tools, model, recorder = deps.tools, deps.model, deps.recorder
    info = deps.resolved_model_info()

    async def resolve_subject(state: NextActionState) -> dict[str, Any]:
        raw_as_of = state.get("as_of")
        try:
            as_of = datetime.fromisoformat(str(raw_as_of).strip()) if raw_as_of else None
        except ValueError:
            return _error(
                "invalid_as_of", f"as_of must be an ISO 8601 date or time, got {raw_as_of!r}"
            )
        deal_id = (state.get("deal_id") or "").strip() or None
        account_id = (state.get("account_id") or "").strip() or None
        try:
            if deal_id:
                deal = await asyncio.to_thread(tools.crm.get_deal, deal_id=deal_id)
                if account_id and account_id != deal.account_id:
                    return _error(
                        "deal_not_of_account",
                        f"Deal {deal_id!r} belongs to {deal.account_id}, not {account_id!r}.",
                    )
                account_id = deal.account_id
            elif account_id:
                await asyncio.to_thread(tools.crm.get_account, account_id=account_id)
        except NotFound:
            what = f"deal with id {deal_id!r}" if deal_id else f"account with id {account_id!r}"
            return _error("unknown_subject", f"No {what} exists in the CRM.")
        if not account_id:
            # Named, "that hospital" / "this deal" in a thread, or the page's selected account.
            try:
                subject = await asyncio.to_thread(
                    resolve_request_subject,
                    tools.crm,
                    last_human_text(state),
                    earlier=earlier_messages(state),
                    focus=focus_of(state),
                )
            except UnknownRecord as unknown:
                return _error("unknown_subject", str(unknown))
            if subject.account_id is None:
                return _error(
                    "no_account_named",
                    "Which account or deal should I plan for? Name it by its id or name.",
                )
            account_id, deal_id = subject.account_id, subject.deal_id
        return {
            **RUN_START,
            "account_id": account_id,
            "deal_id": deal_id,
            # A date or time without an offset is read as UTC, as the CRM stores times.
            "as_of": _utc(as_of).isoformat() if as_of else None,
        }

    def is_resolved(state: NextActionState) -> str:
        return NODE_UNRESOLVED if state.get("error") else NODE_HISTORY

    async def load_account_history(state: NextActionState) -> dict[str, Any]:
        raw_as_of = state.get("as_of")
        as_of = datetime.fromisoformat(raw_as_of) if raw_as_of else None
        history = await asyncio.to_thread(
            load_history,
            tools.crm,
            account_id=str(state["account_id"]),
            deal_id=state.get("deal_id"),
            as_of=as_of,
        )
        return {"history": history.model_dump(mode="json")}

    def plan_next_steps(state: NextActionState) -> dict[str, Any]:
        history = AccountHistory.model_validate(state["history"])
        steps = plan_steps(history)
        return {
            "steps": [s.model_dump(mode="json") for s in steps],
            "input_sha256": snapshot_sha256(
                {"history": state["history"], "deal": state.get("deal_id")}
            ),
        }

    async def draft_message(state: NextActionState) -> dict[str, Any]:
        history, steps = _loaded(state)
        facts = facts_text(history, steps, primary_contact(history, steps))
        # The plan opens the answer whatever the model writes: it streams now. The draft is
        # checked whole when the answer is made, so none of it streams.
        plan = "\n".join(_plan_lines(history, steps))
        await stream_text(split_sentences(plan), about=last_human_text(state))
        reply = await model.ainvoke(
            prompt.messages(facts=facts, form=_form(steps)), {"tags": [TAG_NOSTREAM]}
        )
        return {"draft": text_of(reply).strip()}

    def finalise_plan(state: NextActionState) -> dict[str, Any]:
        history, steps = _loaded(state)
        contact_id = primary_contact(history, steps)
        facts = facts_text(history, steps, contact_id)
        checked = checked_draft(
            state.get("draft", ""),
            history,
            facts=facts,
            provenance=plan_provenance(history, steps, contact_id),
            fallback=template_draft(history, steps, contact_id),
            question=last_human_text(state),
        )
        drafted, text = checked.kept, checked.text
        actions = [with_body(s.action, text) for s in steps]
        content = "\n".join([*_plan_lines(history, steps), text])
        recommendation = Recommendation(
            kind=KIND,
            agent=GRAPH_ID,
            subject=_subject(history, state.get("deal_id"), contact_id),
            content=content,
            confidence=plan_confidence(history, steps),
            provenance=plan_provenance(history, steps, contact_id),
            actions=actions,
            data={
                KIND: {
                    "steps": [s.model_dump(mode="json") for s in steps],
                    "draft": text,
                    "drafted_by_model": drafted,
                },
                "prose": checked.record,
            },
            model=info if drafted else None,
            prompt=prompt.info if drafted else None,
            input_sha256=state.get("input_sha256"),
        )
        # Said, never hidden: what consent withheld, in the answer, and at a lower confidence.
        # Only withheld conversations cost confidence: the plan rests on them, not on the web
        # visits and downloads the buying stage also read.
        recommendation = note_withheld(
            recommendation,
            history.withheld,
            used=history.conversations_read,
            costed=CONVERSATION_KINDS,
        )
        message = AIMessage(
            content=recommendation.content,
            additional_kwargs={"recommendation_id": recommendation.id},
        )
        return {
            "messages": [message],
            "recommendation": finalise_recommendation(recommendation, recorder),
            "pending": [i for i, a in enumerate(actions) if a.requires_approval],
            **INPUTS_CONSUMED,
        }

    def has_pending(state: NextActionState) -> str:
        return NODE_REVIEW if state.get("pending") else END

    def review_action(state: NextActionState, config: RunnableConfig) -> dict[str, Any]:
        index, rest = state["pending"][0], state["pending"][1:]
        recommendation = state["recommendation"] or {}
        action = Action.model_validate(recommendation["actions"][index])
        # The step's reasoning, sources and full draft travel with the pause, so the rep
        # judges the action where they decide on it.
        answer = interrupt(
            review_request(
                recommendation, index=index, action=action, steps=state.get("steps") or []
            )
        )
        review, problem = read_review(answer)
        reviewer = reviewer_of(config)
        if review is None or review.decision == "reject":
            record_rejection(
                writer, recommendation=recommendation, index=index, action=action, reviewer=reviewer
            )
            reason = problem or (review.comment if review else None) or "rejected"
            skipped = {"index": index, "kind": action.kind, "reason": reason, "reviewer": reviewer}
            return _skip(state, rest, skipped)
        chosen = edited_action(action, review)
        return {
            "pending": rest,
            "current": {
                "index": index,
                "action": chosen.model_dump(mode="json"),
                "decision": review.decision,
                "reviewer": reviewer,
            },
        }

    def after_review(state: NextActionState) -> str:
        if state.get("current"):
            return NODE_EXECUTE
        return NODE_REVIEW if state.get("pending") else END

    def execute_action(state: NextActionState) -> dict[str, Any]:
        current = state["current"] or {}
        action = Action.model_validate(current["action"])
        try:
            record = write_back(
                writer,
                recommendation=state["recommendation"] or {},
                index=current["index"],
                action=action,
                decision=current["decision"],
                reviewer=current.get("reviewer"),
            )
        except ActionNotPerformed as error:  # e.g. an edit naming another account's contact
            reason = f"not performed: {error}"
            skipped = {"index": current["index"], "kind": action.kind, "reason": reason}
            return _skip(state, state.get("pending", []), skipped)
        if record["kind"] == "send_email":
            return {"outbox": [*state.get("outbox", []), record], "current": None}
        return {"executed": [*state.get("executed", []), record], "current": None}

    def explain_unresolved(state: NextActionState) -> dict[str, Any]:
        error = state.get("error") or {}
        # No account means no record to cite: a message, and deliberately no recommendation.
        return {
            "messages": [AIMessage(content=error.get("detail", "No account to plan for."))],
            "recommendation": None,
            **INPUTS_CONSUMED,
        }

    graph = StateGraph(NextActionState)
    graph.add_node(NODE_RESOLVE, resolve_subject)
    graph.add_node(NODE_HISTORY, load_account_history)
    graph.add_node(NODE_PLAN, plan_next_steps)
    graph.add_node(NODE_DRAFT, draft_message)
    graph.add_node(NODE_FINALISE, finalise_plan)
    graph.add_node(NODE_REVIEW, review_action)
    graph.add_node(NODE_EXECUTE, execute_action)
    graph.add_node(NODE_UNRESOLVED, explain_unresolved)
    graph.add_edge(START, NODE_RESOLVE)
    graph.add_conditional_edges(NODE_RESOLVE, is_resolved, [NODE_HISTORY, NODE_UNRESOLVED])
    graph.add_edge(NODE_HISTORY, NODE_PLAN)
    graph.add_edge(NODE_PLAN, NODE_DRAFT)
    graph.add_edge(NODE_DRAFT, NODE_FINALISE)
    graph.add_conditional_edges(NODE_FINALISE, has_pending, [NODE_REVIEW, END])
    graph.add_conditional_edges(NODE_REVIEW, after_review, [NODE_EXECUTE, NODE_REVIEW, END])
    graph.add_conditional_edges(NODE_EXECUTE, has_pending, [NODE_REVIEW, END])
    graph.add_edge(NODE_UNRESOLVED, END)
    return graph.compile(checkpointer=checkpointer, store=store, name=GRAPH_ID)


def _loaded(state: NextActionState) -> tuple[AccountHistory, list[NextStep]]:
    history = AccountHistory.model_validate(state["history"])
    return history, [NextStep.model_validate(s) for s in state.get("steps", [])]


def _skip(state: NextActionState, rest: list[int], skipped: dict[str, Any]) -> dict[str, Any]:
    return {"pending": rest, "current": None, "skipped": [*state.get("skipped", []), skipped]}


def _plan_lines(history: AccountHistory, steps: list[NextStep]) -> list[str]:
    """The answer up to its draft: the steps and why, what the plan rests on, the draft's title."""
    lines = [f"Next steps for {history.account_name} (stage: {history.stage}):"]
    lines += [f"{i}. {s.title}. Why: {s.why}" for i, s in enumerate(steps, 1)]
    lines += ["", *plan_context(history)]
    return [*lines, "", f"Draft {_form(steps)}:"]


def _form(steps: list[NextStep]) -> str:
    return "e-mail" if any(s.action.kind == "send_email" for s in steps) else "talk track"


def _subject(
    history: AccountHistory, deal_id: str | None, contact_id: str | None
) -> dict[str, str]:
    subject = {"account_id": history.account_id}
    subject |= {k: v for k, v in (("deal_id", deal_id), ("contact_id", contact_id)) if v}
    return subject


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _error(code: str, detail: str) -> dict[str, Any]:
    return {**RUN_START, "error": {"code": code, "detail": detail}}
