"""Typed state of the lead scoring graph."""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict  # pydantic builds JSON schemas only from this one on 3.11


class LeadScoringState(TypedDict, total=False):
    """What flows between the nodes. Everything is JSON-serialisable for checkpoints.

    Input: ``account_id`` or ``contact_id`` (or a message naming one), optional ``as_of``
    (ISO time; default the CRM's newest activity) and ``narrate`` (default true; false skips
    the model and answers with the deterministic summary alone). A portfolio question ("which
    of my accounts are hottest", "what changed in my territory", "stale deals") is answered
    across the accounts of the run's rep (``config["configurable"]["rep_id"]``) instead;
    ``portfolio`` holds which answer it asked for.
    """

    messages: Annotated[list[AnyMessage], add_messages]
    account_id: str | None
    contact_id: str | None
    as_of: str | None
    # The page's selected account ({"account_id": ...}), structured context beside the message:
    # used only when the message names no subject of its own (agents.subjects).
    focus: dict[str, str]
    narrate: bool
    portfolio: str | None
    subject: dict[str, str]
    features: dict[str, Any]
    # What consent withheld from the behaviour read (agents.withheld); None when nothing was.
    withheld: dict[str, Any] | None
    assessment: dict[str, Any]
    draft: str
    recommendation: dict[str, Any] | None
