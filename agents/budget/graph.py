"""The budget graph: understand -> gather -> estimate -> explain -> finalise (or: unresolved).

Prices, ranges, the budget estimate and the confidence are computed in code from CRM data; the
language model only explains them, and its explanation is dropped (from its first failing
sentence on) when it fails the prose checks of :mod:`agents.prose`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore

from agents.budget.analysis import Analysis, analyse
from agents.budget.evidence import BudgetTools, Evidence, gather_evidence
from agents.budget.explanation import judge, model_failure
from agents.budget.render import factor_list, key_factors, summary
from agents.budget.request import BudgetRequest, RequestProblem, resolve_request
from agents.budget.state import BudgetState
from agents.checked_stream import checked as checked_model
from agents.checked_stream import written
from agents.conversation import earlier_messages, last_human_text
from agents.deps import AgentDeps
from agents.finalise import finalise_recommendation as finalise
from agents.prose import Grounds, ProseGate
from agents.subjects import CLARIFYING_CODES
from agents.withheld import CONVERSATION_KINDS, note_withheld, read_counting, restricted
from core.recommendation import (
    Action,
    Recommendation,
    snapshot_sha256,
)
from prompts import load_prompt

logger = logging.getLogger(__name__)

GRAPH_ID = "budget"
PROMPT_ID = "budget.explain"
KIND = "budget_recommendation"

NODE_UNDERSTAND = "understand_request"
NODE_GATHER = "gather_evidence"
NODE_ESTIMATE = "estimate_budget"
NODE_DRAFT = "draft_explanation"
NODE_FINALISE = "finalise_recommendation"
NODE_UNRESOLVED = "answer_unresolved"

# Three sentences fit in this; a small model that rambles is cut off instead of taking minutes.
EXPLANATION_MAX_TOKENS = 200

# Problems answered with a question back to the rep rather than a refusal.
CLARIFYING = CLARIFYING_CODES

# Structured inputs are used once: the thread's next message must not inherit them.
INPUTS_CONSUMED: dict[str, Any] = {
    "question": "",
    "focus": {},
    "deal_id": None,
    "account_id": None,
    "lines": [],
    "region": None,
    "as_of": None,
}


def build_budget_graph(
    deps: AgentDeps[BudgetTools],
    *,
    checkpointer: BaseCheckpointSaver | None = None,
    store: BaseStore | None = None,
) -> CompiledStateGraph:
    """Compile the budget graph over ``deps.tools`` (``tools.pricing.PricingTools``) and
    ``deps.model``.

    Every recommendation goes to ``deps.recorder`` (the recommendation log) when one is given.
    """
    prompt = load_prompt(PROMPT_ID)
    tools, model, recorder = deps.tools, deps.model, deps.recorder
    info = deps.resolved_model_info()
    explainer = model.bind(max_tokens=EXPLANATION_MAX_TOKENS)

    async def understand_request(state: BudgetState) -> dict[str, Any]:
        question = (state.get("question") or last_human_text(state)).strip()
        try:
            request = await asyncio.to_thread(
                resolve_request, state, question, tools, earlier=earlier_messages(state)
            )
        except RequestProblem as problem:
            return {
                "question": question,
                "request": None,
                "problem": {"code": problem.code, "detail": problem.detail},
            }
        return {"question": question, "request": request.model_dump(mode="json"), "problem": None}

    def is_resolved(state: BudgetState) -> str:
        return NODE_UNRESOLVED if state.get("problem") else NODE_GATHER

    async def gather(state: BudgetState) -> dict[str, Any]:
        request = BudgetRequest.model_validate(state["request"])
        evidence, withheld = await read_counting(gather_evidence, tools, request)
        # The figures rest on the account's notes and e-mails (stated budgets), not on whom
        # comparable deals name: only withheld conversations are the budget's to say.
        withheld = restricted(withheld, *CONVERSATION_KINDS)
        return {"evidence": evidence.model_dump(mode="json"), "withheld": withheld}

    async def estimate_budget(state: BudgetState) -> dict[str, Any]:
        evidence = Evidence.model_validate(state["evidence"])
        analysis = await asyncio.to_thread(analyse, evidence)
        return {
            "analysis": analysis.model_dump(mode="json", exclude={"lines": {"__all__": {"peers"}}})
        }

    async def draft_explanation(state: BudgetState) -> dict[str, Any]:
        analysis = Analysis.model_validate(state["analysis"])
        messages = prompt.messages(summary=summary(analysis), factors=key_factors(analysis))
        # Streamed sentence by sentence, each once it passed the checks the explanation gets
        # when the recommendation is made.
        gate = ProseGate(_grounds(analysis, state.get("question", "")))
        try:
            reply = await checked_model(explainer, gate).ainvoke(messages)
        except Exception as exc:  # only run-time model failures are absorbed; the rest re-raised
            failure = model_failure(exc)
            if failure is None:
                raise
            logger.warning("budget explanation dropped, the model failed: %s", exc)
            return {"draft": "", "draft_failure": failure}
        return {"draft": written(reply), "draft_failure": None}

    def finalise_recommendation(state: BudgetState) -> dict[str, Any]:
        analysis = Analysis.model_validate(state["analysis"])
        provenance = analysis.provenance
        body = summary(analysis) + "\n\n" + factor_list(analysis)
        grounds = _grounds(analysis, state.get("question", ""))
        checked, status = judge(
            state.get("draft", ""), grounds, body, failure=state.get("draft_failure")
        )
        content = checked.text
        subject = {"account_id": analysis.account_id}
        if analysis.deal_id:
            subject["deal_id"] = analysis.deal_id
        recommendation = Recommendation(
            kind=KIND,
            agent=GRAPH_ID,
            subject=subject,
            content=content,
            confidence=analysis.confidence,
            provenance=provenance,
            actions=_actions(analysis),
            data={KIND: {**_data(analysis), "explanation": status}, "prose": checked.record},
            model=info,
            prompt=prompt.info,
            input_sha256=snapshot_sha256(
                {"request": state.get("request"), "evidence": state.get("evidence")}
            ),
        )
        recommendation = note_withheld(recommendation, state.get("withheld"), used=len(provenance))
        message = AIMessage(
            content=recommendation.content,
            additional_kwargs={"recommendation_id": recommendation.id},
        )
        return {
            "messages": [message],
            "recommendation": finalise(recommendation, recorder),
            **INPUTS_CONSUMED,
        }

    def answer_unresolved(state: BudgetState) -> dict[str, Any]:
        problem = state.get("problem") or {}
        detail = problem.get("detail", "nothing to price")
        # A question back to the rep ("which of these deals?") is the whole answer.
        content = (
            detail
            if problem.get("code") in CLARIFYING
            else f"I cannot estimate a budget for this request: {detail}"
        )
        # Nothing resolved means no record to cite: a message, and deliberately no recommendation.
        message = AIMessage(content=content, additional_kwargs={"problem": problem})
        return {"messages": [message], "recommendation": None, **INPUTS_CONSUMED}

    graph = StateGraph(BudgetState)
    graph.add_node(NODE_UNDERSTAND, understand_request)
    graph.add_node(NODE_GATHER, gather)
    graph.add_node(NODE_ESTIMATE, estimate_budget)
    graph.add_node(NODE_DRAFT, draft_explanation)
    graph.add_node(NODE_FINALISE, finalise_recommendation)
    graph.add_node(NODE_UNRESOLVED, answer_unresolved)
    graph.add_edge(START, NODE_UNDERSTAND)
    graph.add_conditional_edges(NODE_UNDERSTAND, is_resolved, [NODE_GATHER, NODE_UNRESOLVED])
    graph.add_edge(NODE_GATHER, NODE_ESTIMATE)
    graph.add_edge(NODE_ESTIMATE, NODE_DRAFT)
    graph.add_edge(NODE_DRAFT, NODE_FINALISE)
    graph.add_edge(NODE_FINALISE, END)
    graph.add_edge(NODE_UNRESOLVED, END)
    return graph.compile(checkpointer=checkpointer, store=store, name=GRAPH_ID)


def _grounds(analysis: Analysis, question: str) -> Grounds:
    """What an explanation of ``analysis`` may rest on."""
    return Grounds.of(
        [*analysis.provenance, summary(analysis), key_factors(analysis), factor_list(analysis)],
        question=question,
    )


def _actions(analysis: Analysis) -> list[Action]:
    target = analysis.factor("deal.total_target")
    if analysis.deal_id is None or target is None:
        return []
    return [
        Action(
            kind="update_deal_amount",
            description=f"Set the amount of {analysis.deal_id} to the target goods total.",
            payload={"deal_id": analysis.deal_id, "amount": target.value, "currency": "CNY"},
            requires_approval=True,
        )
    ]


def _data(analysis: Analysis) -> dict[str, Any]:
    """The structured result: factors (for a fairness replay), lines and budget, as JSON."""
    dumped = analysis.model_dump(
        mode="json", exclude={"lines": {"__all__": {"peers"}}, "support": True}
    )
    return {
        "region": dumped["region"],
        "factors": dumped["factors"],
        "lines": dumped["lines"],
        "budget": dumped["budget"],
    }
