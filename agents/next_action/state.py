"""Typed state of the next best action graph."""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict  # pydantic builds JSON schemas only from this one on 3.11


class NextActionState(TypedDict, total=False):
    """What flows between the nodes. Everything is JSON-serialisable for checkpoints.

    Input: ``account_id`` or ``deal_id`` (or a message naming the account), optionally
    ``as_of`` (ISO 8601; default the data's clock). The run pauses at ``review_action`` for
    each gated action; resume with ``Command(resume={"decision": "approve"|"reject"|"edit",
    "action": {...}})``; the decision is recorded as the signed-in user's who resumed the run.
    Approved actions are written to the CRM
    (tasks, e-mail outbox, lead grades) once per recommendation and action index; ``outbox``
    (queued e-mails), ``executed`` and ``skipped`` say what became of them in this thread.
    """

    messages: Annotated[list[AnyMessage], add_messages]
    # The page's selected account ({"account_id": ...}), structured context beside the message:
    # used only when the message names no subject of its own (agents.subjects).
    focus: dict[str, str]
    account_id: str | None
    deal_id: str | None
    as_of: str | None
    history: dict[str, Any] | None
    steps: list[dict[str, Any]]
    input_sha256: str
    draft: str
    recommendation: dict[str, Any] | None
    pending: list[int]
    current: dict[str, Any] | None
    outbox: list[dict[str, Any]]
    executed: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    error: dict[str, str] | None
