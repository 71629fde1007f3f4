"""Approval and execution of gated actions: what a rep's decision means, and what running does.

Running an action never contacts anyone. With an action writer (``tools.actions``, the
services' ``actions``) an approved ``create_task`` becomes a CRM task, a ``send_email`` an
e-mail queued in the outbox table for a mail integration to pick up, an ``update_grade`` the
account's lead grade; each decision, rejections included, is stored once per recommendation
and action index, so a resumed run never writes twice. The thread's ``outbox`` and
``executed`` lists mirror what ran. Only an explicit ``approve`` or ``edit`` decision runs an
action; anything else skips it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from core.recommendation import Action
from tools.actions import ActionWriter

Decision = Literal["approve", "reject", "edit"]


class Review(BaseModel):
    """A rep's decision on one action, as passed in ``Command(resume=...)``."""

    decision: Decision
    action: dict[str, Any] | None = None
    comment: str | None = None
    # No ``reviewer``: who decided is the signed-in user the resuming run acts for
    # (``review.reviewer_of``); a name sent in the resume value is ignored.


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


def write_back(
    writer: ActionWriter | None,
    *,
    recommendation: dict[str, Any],
    index: int,
    action: Action,
    decision: str,
    reviewer: str | None,
) -> dict[str, Any]:
    """Run an approved action: write its effect through ``writer`` (when there is one) and
    return its record. Raises ``crm.actions.ActionNotPerformed`` when it cannot be written."""
    record = {**execute(action, index=index), "decision": decision, "reviewer": reviewer}
    if writer is None:
        return record
    done = writer.perform(
        recommendation_id=str(recommendation["id"]),
        index=index,
        action=action,
        decision=decision,
        reviewer=reviewer,
        account_id=(recommendation.get("subject") or {}).get("account_id"),
    )
    return {
        **record,
        "decision_id": done.id,
        "effect_table": done.effect_table,
        "effect_id": done.effect_id,
    }


def record_rejection(
    writer: ActionWriter | None,
    *,
    recommendation: dict[str, Any],
    index: int,
    action: Action,
    reviewer: str | None,
) -> None:
    """Store that ``action`` was rejected (so the decision is audited once); writes nothing else."""
    if writer is not None:
        writer.decline(
            recommendation_id=str(recommendation["id"]),
            index=index,
            action=action,
            reviewer=reviewer,
            account_id=(recommendation.get("subject") or {}).get("account_id"),
        )
