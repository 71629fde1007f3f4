"""The technical Q&A graph: understand -> retrieve -> (draft -> finalise | not in the docs)."""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore

from agents import figures
from agents.checked_stream import checked as checked_model
from agents.checked_stream import written
from agents.conversation import last_human_text
from agents.deps import AgentDeps
from agents.finalise import finalise_recommendation
from agents.prose import Checked, Grounds, ProseGate, check_prose
from agents.technical_qa import grounding, parts
from agents.technical_qa.state import TechnicalQAState
from agents.technical_qa.tooling import TechnicalQATools
from core.recommendation import (
    Fact,
    Recommendation,
    RecommendationRecorder,
    snapshot_sha256,
)
from prompts import load_prompt

GRAPH_ID = "technical_qa"
PROMPT_ID = "technical_qa.answer"

NODE_UNDERSTAND = "understand_question"
NODE_RETRIEVE = "retrieve_documentation"
NODE_DRAFT = "draft_answer"
NODE_FINALISE = "finalise_answer"
NODE_NOT_FOUND = "answer_not_in_docs"

NOT_FOUND_TEXT = "The product documentation does not contain an answer to this question."


def build_technical_qa_graph(
    deps: AgentDeps[TechnicalQATools],
    *,
    checkpointer: BaseCheckpointSaver | None = None,
    store: BaseStore | None = None,
    k: int = 5,
    min_score: float = 0.3,
) -> CompiledStateGraph:
    """Compile the technical Q&A graph over ``deps.tools`` (documentation search) and
    ``deps.model``.

    Every answer's recommendation goes to ``deps.recorder`` (the recommendation log) when given.
    """
    prompt = load_prompt(PROMPT_ID)
    tools, model, recorder = deps.tools, deps.model, deps.recorder
    info = deps.resolved_model_info()

    async def understand_question(state: TechnicalQAState) -> dict[str, Any]:
        question = (state.get("question") or last_human_text(state)).strip()
        products = await asyncio.to_thread(tools.products_mentioned, question)
        return {
            "question": question,
            "product_ids": [p["product_id"] for p in products],
            "product_names": [p["name"] for p in products],
            "parts": [],
        }

    async def retrieve_documentation(state: TechnicalQAState) -> dict[str, Any]:
        question = state["question"]
        product_ids = state.get("product_ids") or None
        asked = parts.split_question(question)
        if len(asked) > 1:  # each part searched and answered on its own (agents.technical_qa.parts)
            passages, evidence, records = await asyncio.to_thread(
                parts.retrieve_parts,
                tools.search_documentation,
                asked,
                product_ids=product_ids,
                product_names=state.get("product_names") or [],
                names_product=lambda part: bool(tools.products_mentioned(part)),
                k=k,
                min_score=min_score,
            )
            return {"passages": passages, "evidence": evidence, "parts": records}
        passages = await asyncio.to_thread(
            tools.search_documentation, question, product_ids=product_ids, k=k
        )
        names = [p.get("product_name", "") for p in passages]
        evidence = grounding.relevant_passages(
            passages, grounding.terms(question, ignore=names), min_score=min_score
        )
        return {"passages": passages, "evidence": evidence}

    def has_evidence(state: TechnicalQAState) -> str:
        return NODE_DRAFT if state.get("evidence") else NODE_NOT_FOUND

    async def draft_answer(state: TechnicalQAState) -> dict[str, Any]:
        sources = "\n".join(
            f"[{i}] ({p['document_title']}, {p['heading']}) {p['text']}"
            for i, p in enumerate(state["evidence"], start=1)
        )
        # Streamed sentence by sentence, each once it passed the checks the answer gets below.
        gate = ProseGate(_grounds(state["question"], state["evidence"]))
        reply = await checked_model(model, gate).ainvoke(
            prompt.messages(sources=sources, question=state["question"])
        )
        return {"draft": written(reply)}

    def finalise_answer(state: TechnicalQAState) -> dict[str, Any]:
        question, evidence = state["question"], state["evidence"]
        q_terms = grounding.terms(question, ignore=[p.get("product_name", "") for p in evidence])
        best = grounding.best_evidence(q_terms, evidence)
        draft = state.get("draft", "").strip()
        stated = figures.numbers(best.sentence) if best else []
        cited = evidence[best.passage_index] if best else evidence[0]
        quote = best.sentence if best else cited["text"]
        fallback = f'The documentation states: "{quote}" [{evidence.index(cited) + 1}]'
        checked = check_prose(draft, _grounds(question, evidence), fallback)
        if checked.status == "passed" and stated and not any(f in draft for f in stated):
            # A draft that leaves out the figure the best passage states does not answer.
            # Its sentences were streamed and stand; the documentation's own words follow.
            problem = "leaves out the figure the documentation states"
            text = f"{checked.text}\n\n{fallback}"
            checked = Checked(text, "partial", (problem,), draft, checked.shown)
        grounded = checked.status == "passed"
        body = checked.text
        confidence = grounding.answer_confidence(
            top_score=cited["score"],
            overlap=best.overlap if best else 0,
            question_terms=len(q_terms),
            grounded=grounded,
        )
        records = state.get("parts") or []
        if records:  # several parts: each answered, quoted from the documentation, or uncovered
            body = parts.complete_answer(body, records, evidence)
            confidence = parts.parts_confidence(records, grounded=grounded)
        content = f"{body}\n\nSources:\n" + _sources_block(evidence)
        recommendation = Recommendation(
            kind="technical_answer",
            agent=GRAPH_ID,
            subject={"product_id": cited["product_id"]} if cited.get("product_id") else {},
            content=content,
            confidence=confidence,
            # Whole passages: the draft is checked against them, so every figure it may state
            # must be in the provenance, not only the best sentence.
            provenance=[_fact(p, p["text"]) for p in evidence],
            # The question is what a judge model checks the answer against.
            data={"question": question, "prose": checked.record, **_parts_data(records)},
            model=info,
            prompt=prompt.info,
            input_sha256=_input_hash(question, state.get("passages", [])),
        )
        return _reply(content, recommendation, recorder)

    def answer_not_in_docs(state: TechnicalQAState) -> dict[str, Any]:
        question = state["question"]
        passages = state.get("passages", [])
        content = NOT_FOUND_TEXT
        if passages:
            nearest = ", ".join(
                sorted({f"{p['document_title']} ({p['heading']})" for p in passages[:3]})
            )
            content += f" The closest sections searched were: {nearest}."
        recommendation = Recommendation(
            kind="technical_answer",
            agent=GRAPH_ID,
            content=content,
            # Confidence that the documentation lacks the answer: high when nothing came close.
            confidence=round(1.0 - max([p["score"] for p in passages] or [0.0]) * 0.5, 3),
            provenance=[_fact(p, p["text"][:200]) for p in passages[:3]],
            data={"question": question, **_parts_data(state.get("parts") or [])},
            model=None,
            prompt=None,
            input_sha256=_input_hash(question, passages),
        )
        return _reply(content, recommendation, recorder)

    graph = StateGraph(TechnicalQAState)
    graph.add_node(NODE_UNDERSTAND, understand_question)
    graph.add_node(NODE_RETRIEVE, retrieve_documentation)
    graph.add_node(NODE_DRAFT, draft_answer)
    graph.add_node(NODE_FINALISE, finalise_answer)
    graph.add_node(NODE_NOT_FOUND, answer_not_in_docs)
    graph.add_edge(START, NODE_UNDERSTAND)
    graph.add_edge(NODE_UNDERSTAND, NODE_RETRIEVE)
    graph.add_conditional_edges(NODE_RETRIEVE, has_evidence, [NODE_DRAFT, NODE_NOT_FOUND])
    graph.add_edge(NODE_DRAFT, NODE_FINALISE)
    graph.add_edge(NODE_FINALISE, END)
    graph.add_edge(NODE_NOT_FOUND, END)
    return graph.compile(checkpointer=checkpointer, store=store, name=GRAPH_ID)


def _parts_data(records: list[dict[str, Any]]) -> dict[str, Any]:
    """``{"parts": [{"question", "answered"}, ...]}`` for a question of several parts, else {}."""
    if not records:
        return {}
    return {"parts": [{"question": r["question"], "answered": r["answered"]} for r in records]}


def _sources_block(passages: list[dict[str, Any]]) -> str:
    return "\n".join(
        f'[{i}] {p["document_title"]}, section "{p["heading"]}", page {p["page"]}'
        f" ({p['document_id']}, chunk {p['chunk_id']})"
        for i, p in enumerate(passages, start=1)
    )


def _fact(passage: dict[str, Any], value: str) -> Fact:
    return Fact(
        source="product_docs",
        record_id=passage["chunk_id"],
        field=f"{passage['document_id']}#{passage['heading']}",
        value=value,
    )


def _input_hash(question: str, passages: list[dict[str, Any]]) -> str:
    return snapshot_sha256(
        {"question": question, "passages": [[p["chunk_id"], p["text"]] for p in passages]}
    )


def _reply(
    content: str, recommendation: Recommendation, recorder: RecommendationRecorder | None
) -> dict[str, Any]:
    message = AIMessage(content=content, additional_kwargs={"recommendation_id": recommendation.id})
    return {
        "messages": [message],
        "recommendation": finalise_recommendation(recommendation, recorder),
    }


def _grounds(question: str, evidence: list[dict[str, Any]]) -> Grounds:
    """What an answer may rest on: the passages as the model saw them, and the products named."""
    sources = [
        f"{p.get('document_title', '')} {p.get('heading', '')} {p.get('product_name', '')} {p['text']}"
        for p in evidence
    ]
    names = [p.get("product_name", "") for p in evidence]
    return Grounds.of(sources, names=names, question=question)
