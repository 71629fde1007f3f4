"""The supervisor graph: route -> specialists in parallel (Send) -> compose and finalise.

A message is routed by the example router (below); an ``account_id`` without a message (an
event) goes to the specialist lead scoring chose (``subject.event_route``); a follow-up naming
no account reaches the conversation's subject (``subject.carried_input``). An unknown event
account goes straight to compose_reply, which then says so.

Routing is the example router (embeddings + cheap signals), so it works with the embedded
135M model or none; a capable configured model (anything but ``local/`` and ``scripted/``)
is asked to route instead, and its answer is used only when it names known specialists.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.constants import TAG_NOSTREAM
from langgraph.errors import GraphBubbleUp
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore
from langgraph.types import Send

from agents.conversation import earlier_messages, focus_of, last_human_text, text_of
from agents.deps import AgentDeps
from agents.finalise import finalise_recommendation
from agents.subjects import CLARIFYING_CODES
from core.recommendation import ModelInfo
from crm.errors import NotFound
from graphs.supervisor import compose
from graphs.supervisor.message_router import Embed, ExampleRouter, RouteDecision
from graphs.supervisor.relay import FailedAfterStreaming, relay_rest, run_relayed
from graphs.supervisor.state import SpecialistTask, SupervisorState
from graphs.supervisor.subject import (
    carried_input,
    event_route,
    follow_up_context,
    reply_route,
    subject_after,
)
from graphs.supervisor.tooling import SupervisorTools
from prompts import load_prompt

GRAPH_ID = "supervisor"
ROUTE_PROMPT_ID = "supervisor.route"
SUMMARY_PROMPT_ID = "supervisor.summary"

NODE_ROUTE = "route_message"
NODE_SPECIALIST = "run_specialist"
NODE_COMPOSE = "compose_reply"

EMBEDDED_MODEL_PREFIXES = ("local/", "scripted/")

log = logging.getLogger(__name__)
# The supervisor's own model calls (routing, summary) are not part of its streamed reply.
_QUIET: RunnableConfig = {"tags": [TAG_NOSTREAM]}
_NO_ROUTE: dict[str, Any] = {
    "routes": [],
    "scores": {},
    "margin": 0.0,
    "signals": {},
    "method": "none",
}


def is_capable(info: ModelInfo) -> bool:
    """Whether the configured model is trusted to route and summarise (not the embedded one)."""
    return not info.name.startswith(EMBEDDED_MODEL_PREFIXES)


def build_supervisor_graph(
    deps: AgentDeps[SupervisorTools | None],
    *,
    specialists: Mapping[str, CompiledStateGraph],
    checkpointer: BaseCheckpointSaver | None = None,
    store: BaseStore | None = None,
    embed: Embed | None = None,
    router: ExampleRouter | None = None,
) -> CompiledStateGraph:
    """Compile the supervisor over compiled ``specialists`` (graph id -> graph).

    ``deps.tools`` None (tests) routes by the message alone: no product signal, no follow-up
    subject but the one carried, no events. ``embed`` defaults to the memory's MiniLM
    embedding function; ``router`` overrides the whole router (tests). The composite
    recommendation goes to ``deps.recorder`` when given.
    """
    tools, model, recorder = deps.tools, deps.model, deps.recorder
    if not specialists:
        raise ValueError("the supervisor needs at least one specialist")
    if embed is None:
        from memory import MiniLMEmbeddingFunction  # loads torch: only when actually used

        embed = MiniLMEmbeddingFunction()
    router = router or ExampleRouter(
        embed=embed,
        labels=specialists,
        products_mentioned=tools.products_mentioned if tools is not None else None,
    )
    info = deps.resolved_model_info()
    capable = is_capable(info)
    route_prompt, summary_prompt = load_prompt(ROUTE_PROMPT_ID), load_prompt(SUMMARY_PROMPT_ID)

    async def route_message(state: SupervisorState) -> dict[str, Any]:
        question = last_human_text(state).strip()
        account_id = str(state.get("account_id") or "").strip()
        turn: dict[str, Any] = {
            "results": None, "summary": "", "error": None, "account_id": None, "focus": {}
        }  # fmt: skip
        if account_id and not question:  # an event: the specialist lead scoring chose
            if tools is None:  # nothing to read the account's scores from
                raise ValueError("a supervisor built without tools cannot route an event")
            try:
                decision, reason = await asyncio.to_thread(event_route, tools, account_id)
            except NotFound:
                error = f"No account with id {account_id!r} exists in the CRM."
                return {**turn, "question": "", "route": _NO_ROUTE, "error": error}
            question = f"Lead scoring activated this for {account_id}: {reason}."
            context = {"account_id": account_id}
        else:
            decision = await asyncio.to_thread(router.route, question or "help")
            if capable and question:
                decision = await _model_route(question, decision)
            decision = reply_route(decision, state.get("results") or {}, router.signals(question))
            # A follow-up naming no account of its own is about the conversation's subject, a
            # message naming nothing at all about the page's selected account (agents.subjects).
            context = await asyncio.to_thread(
                follow_up_context,
                tools,
                question,
                earlier=earlier_messages(state),
                focus=focus_of(state),
                conversation=state.get("subject") or {},
            )
        return {**turn, "question": question, "route": decision.as_dict(), "context": context}

    async def _model_route(question: str, fallback: RouteDecision) -> RouteDecision:
        listing = "\n".join(f"- {name}: {compose.title_of(name)}" for name in router.labels)
        try:
            reply = await model.ainvoke(
                route_prompt.messages(specialists=listing, question=question), _QUIET
            )
        except Exception as error:  # any provider failure falls back to k-NN
            log.warning("model routing failed, using the example router: %s", error)
            return fallback
        named = [n.strip().strip(".").lower() for n in text_of(reply).replace("\n", ",").split(",")]
        routes = list(dict.fromkeys(n for n in named if n in router.labels))
        if not routes:
            return fallback
        return RouteDecision(
            routes=routes,
            scores=fallback.scores,
            margin=fallback.margin,
            signals=fallback.signals,
            method="model",
        )

    def dispatch(state: SupervisorState) -> list[Send] | str:
        if state.get("error"):
            return NODE_COMPOSE
        question, context = state.get("question", ""), state.get("context") or {}
        routes = state["route"]["routes"]
        # The reply starts with the first route's answer unless a summary goes before it.
        summarised = capable and len(routes) > 1
        return [
            Send(
                NODE_SPECIALIST,
                SpecialistTask(
                    specialist=name,
                    question=question,
                    context=carried_input(name, context),
                    live=index == 0 and not summarised,
                ),
            )
            for index, name in enumerate(routes)
        ]

    async def run_specialist(state: SpecialistTask) -> dict[str, Any]:
        task = state  # LangGraph's node protocol calls its input "state"; here it is one branch
        name = task["specialist"]
        graph_input = {
            "messages": [HumanMessage(content=task["question"])],
            **task.get("context", {}),
        }
        streamed, heading = "", compose.section_heading(name)
        try:
            if task.get("live"):
                out, streamed = await run_relayed(
                    specialists[name], graph_input, heading=heading, about=task["question"]
                )
            else:
                out = await specialists[name].ainvoke(graph_input)
        except GraphBubbleUp:  # an approval interrupt pauses the supervisor too; never swallow it
            raise
        except FailedAfterStreaming as failed:  # what was streamed stands; the failure follows
            log.warning("specialist %s failed: %s", name, failed)
            content = f"{failed.shown}\n\n{compose.FAILED_TEXT.format(error=failed)}"
            return {"results": {name: {"content": content, "streamed": heading + failed.shown}}}
        except Exception as error:  # one failing specialist must not sink the others
            log.warning("specialist %s failed: %s", name, error)
            return {"results": {name: {"error": f"{type(error).__name__}: {error}"}}}
        messages = out.get("messages") or []
        content = text_of(messages[-1]) if messages else ""
        result = {"content": content, "recommendation": out.get("recommendation")}
        if (out.get("problem") or {}).get("code") in CLARIFYING_CODES:
            result["asked"] = True  # a question back: the rep's next message answers it
        return {"results": {name: {**result, "streamed": streamed}}}

    async def compose_reply(state: SupervisorState) -> dict[str, Any]:
        if state.get("error"):
            return {"messages": [AIMessage(content=state["error"])], "recommendation": None}
        route, results = state["route"], state.get("results") or {}
        question = state.get("question", "")
        summary, checked = "", None
        if capable and len(route["routes"]) > 1 and any(r.get("content") for r in results.values()):
            answers = compose.compose_content(route["routes"], results)
            try:
                reply = await model.ainvoke(
                    summary_prompt.messages(question=question, answers=answers), _QUIET
                )
                checked = compose.checked_summary(text_of(reply), results, question=question)
                summary = checked.text
            except Exception as error:  # the summary is optional
                log.warning("summary failed: %s", error)
        content = compose.compose_content(route["routes"], results, summary)
        streamed = "".join(r.get("streamed") or "" for r in results.values())
        await relay_rest(content, streamed, about=question)
        used_model = bool(summary) or route.get("method") == "model"
        recommendation = compose.composite_recommendation(
            question=question,
            route=route,
            results=results,
            content=content,
            model=info if used_model else None,
            prompt=(summary_prompt.info if summary else route_prompt.info) if used_model else None,
            prose=compose.prose_record(checked, route["routes"], results),
        )
        subject = subject_after(recommendation.model_dump(mode="json"), state.get("subject"))
        if not recommendation.data["children"]:
            # No specialist answered with a recommendation: nothing to cite, so none is made.
            return {"messages": [AIMessage(content=content)], "summary": summary,
                    "recommendation": None, "subject": subject}  # fmt: skip
        final = finalise_recommendation(recommendation, recorder)
        message = AIMessage(content=content, additional_kwargs={"recommendation_id": final["id"]})
        return {
            "messages": [message],
            "summary": summary,
            "recommendation": final,
            "subject": subject,
        }

    graph = StateGraph(SupervisorState)
    graph.add_node(NODE_ROUTE, route_message)
    # Named as LangGraph infers it from the hint: each branch gets its Send payload.
    graph.add_node(NODE_SPECIALIST, run_specialist, input_schema=SpecialistTask)
    graph.add_node(NODE_COMPOSE, compose_reply)
    graph.add_edge(START, NODE_ROUTE)
    graph.add_conditional_edges(NODE_ROUTE, dispatch, [NODE_SPECIALIST, NODE_COMPOSE])
    graph.add_edge(NODE_SPECIALIST, NODE_COMPOSE)
    graph.add_edge(NODE_COMPOSE, END)
    return graph.compile(checkpointer=checkpointer, store=store, name=GRAPH_ID)
