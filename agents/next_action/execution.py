"""Approval and execution of gated actions: what a rep's decision means, and what running does.

Running an action never contacts anyone: an approved ``send_email`` is placed in the thread's
``outbox`` (status ``queued``) for a mail integration to pick up, and an approved
``create_task`` or ``update_grade`` is recorded in the thread's ``executed`` list. Only an
explicit ``approve`` or ``edit`` decision runs an action; anything else skips it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from core.recommendation import Action

Decision = Literal["approve", "reject", "edit"]


class Review(BaseModel):
    """A rep's decision on one action, as passed in ``Command(resume=...)``."""

    decision: Decision
    action: dict[str, Any] | None = None
    comment: str | None = None


def read_review(value: Any) -> tuple[Review | None, str | None]:
    """The review in a resume value, or (None, the reason it is not one)."""
    if isinstance(value, str):
        value = {"decision": value}
    try:
        return Review.model_validate(value), None
    except ValidationError as exc:
        return None, f"invalid decision {value!r}: {exc.errors()[0]['msg']}"


def edited_action(original: Action, review: Review) -> Action:
    """The action to run: the original, or for ``edit`` the rep's changes (its kind is kept)."""
    if review.decision != "edit" or not review.action:
        return original
    payload = {**original.payload, **dict(review.action.get("payload") or {})}
    description = str(review.action.get("description") or original.description)
    return original.model_copy(update={"payload": payload, "description": description})


def execute(action: Action, *, index: int) -> dict[str, Any]:
    """The record of running ``action`` (no e-mail leaves the server; see the module doc)."""
    now = datetime.now(UTC).isoformat()
    record = {
        "index": index,
        "kind": action.kind,
        "description": action.description,
        "payload": action.payload,
        "executed_at": now,
    }
    if action.kind == "send_email":
        return {**record, "status": "queued"}
    return {**record, "status": "done"}
