"""Typed state of the supervisor graph."""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict  # pydantic builds JSON schemas only from this one on 3.11


def merge_results(
    left: dict[str, dict[str, Any]] | None, right: dict[str, dict[str, Any]] | None
) -> dict[str, dict[str, Any]]:
    """Parallel specialist branches each add their answer; ``None`` starts a new turn afresh."""
    if right is None:
        return {}
    return {**(left or {}), **right}


class SupervisorState(TypedDict, total=False):
    """What flows between the nodes. Everything is JSON-serialisable for checkpoints.

    Input: ``messages`` (the rep's message), or ``account_id`` alone for an event (the
    specialist lead scoring chose for the account runs). ``messages`` accumulate per thread
    with a checkpointer (the conversation memory), and ``subject`` (the account and deal of
    the last answer) lets a follow-up that names no account of its own reach the same one;
    ``route``, ``context`` and ``results`` describe the last turn.
    """

    messages: Annotated[list[AnyMessage], add_messages]
    # The page's selected account ({"account_id": ...}), structured context beside the message:
    # used only when the message names no subject of its own (agents.subjects).
    focus: dict[str, str]
    account_id: str | None
    subject: dict[str, str]
    context: dict[str, str]
    error: str | None
    question: str
    route: dict[str, Any]
    results: Annotated[dict[str, dict[str, Any]], merge_results]
    summary: str
    recommendation: dict[str, Any] | None


class SpecialistTask(TypedDict):
    """What one parallel branch receives: which specialist, the rep's message, and the
    structured input a follow-up carries over (e.g. the conversation's ``account_id``)."""

    specialist: str
    question: str
    context: dict[str, str]
    # Whether this answer opens the reply, so its checked text streams as it is written.
    live: NotRequired[bool]
