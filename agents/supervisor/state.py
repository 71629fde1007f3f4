"""Typed state of the supervisor graph."""

from __future__ import annotations

from typing import Annotated, Any

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

    Input: ``messages`` (the rep's message). ``messages`` accumulate per thread with a
    checkpointer (the conversation memory); ``route`` and ``results`` describe the last turn.
    """

    messages: Annotated[list[AnyMessage], add_messages]
    question: str
    route: dict[str, Any]
    results: Annotated[dict[str, dict[str, Any]], merge_results]
    summary: str
    recommendation: dict[str, Any] | None


class SpecialistTask(TypedDict):
    """What one parallel branch receives: which specialist, and the rep's message."""

    specialist: str
    question: str
