"""Typed state of the budget graph."""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict  # pydantic builds JSON schemas only from this one on 3.11


class LineInput(TypedDict):
    """A product and how many units of it to price."""

    product_id: str
    quantity: int


class BudgetState(TypedDict, total=False):
    """What flows between the nodes. Everything is JSON-serialisable for checkpoints.

    Input: ``messages`` (a rep's question) and/or ``deal_id``, or ``account_id`` with ``lines``;
    ``as_of`` (ISO date, default today) and ``region`` (fairness review only: price as if the
    account were in that region) are optional.
    """

    messages: Annotated[list[AnyMessage], add_messages]
    # The page's selected account ({"account_id": ...}), structured context beside the message:
    # used only when the message names no subject of its own (agents.subjects).
    focus: dict[str, str]
    question: str
    deal_id: str | None
    account_id: str | None
    lines: list[LineInput]
    region: str | None
    as_of: str | None
    request: dict[str, Any] | None
    problem: dict[str, str] | None
    evidence: dict[str, Any] | None
    # What consent withheld from the evidence reads (agents.withheld); None when nothing was.
    withheld: dict[str, Any] | None
    analysis: dict[str, Any] | None
    draft: str
    draft_failure: str | None
    recommendation: dict[str, Any] | None
