"""Typed state of the relationship mapping graph."""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict  # pydantic builds JSON schemas only from this one on 3.11


class RelationshipsState(TypedDict, total=False):
    """What flows between the nodes. Everything is JSON-serialisable for checkpoints.

    Input: ``account_id`` (or a message naming the account by id or name) and optionally
    ``as_of`` (ISO 8601; default now) to map the account as it stood on that date. A run
    consumes its inputs (they are None when it ends; ``account`` and ``stakeholder_map`` say
    what was mapped), so the next message on the thread is read afresh.
    """

    messages: Annotated[list[AnyMessage], add_messages]
    # The page's selected account ({"account_id": ...}), structured context beside the message:
    # used only when the message names no subject of its own (agents.subjects).
    focus: dict[str, str]
    account_id: str | None
    as_of: str | None
    account: dict[str, Any] | None
    contacts: list[dict[str, Any]]
    note_hits: list[dict[str, Any]]
    warnings: list[str]
    stakeholder_map: dict[str, Any] | None
    # What consent withheld from this run's reads (agents.withheld); None when nothing was.
    withheld: dict[str, Any] | None
    input_sha256: str
    draft: str
    recommendation: dict[str, Any] | None
    error: dict[str, str] | None
