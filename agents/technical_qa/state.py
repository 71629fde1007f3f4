"""Typed state of the technical Q&A graph."""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict  # pydantic builds JSON schemas only from this one on 3.11


class TechnicalQAState(TypedDict, total=False):
    """What flows between the nodes. Everything is JSON-serialisable for checkpoints."""

    messages: Annotated[list[AnyMessage], add_messages]
    # The page's selected account ({"account_id": ...}), structured context beside the message:
    # used only when the message names no subject of its own (agents.subjects).
    focus: dict[str, str]
    question: str
    product_ids: list[str]
    product_names: list[str]
    # A question of several parts: one record per part (question, answered, best sentence, ...).
    parts: list[dict[str, Any]]
    passages: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    draft: str
    recommendation: dict[str, Any] | None
