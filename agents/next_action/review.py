"""What a rep sees before deciding on an action, and who decided.

The interrupt value carries everything needed to judge the action on its own, because a
client may show it before (or without) the recommendation card: the step's title and
reasoning, the records it rests on, the full draft for an e-mail, the plan's confidence, and
what consent withheld from the plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from core.actor import actor_of_run_config, current_actor
from core.recommendation import Action

DECISIONS = ["approve", "reject", "edit"]


def review_request(
    recommendation: Mapping[str, Any],
    *,
    index: int,
    action: Action,
    steps: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The ``interrupt()`` value for action ``index`` of ``recommendation``.

    ``steps`` are the plan's steps as stored in the state (one per action, same order); the
    ones recorded in the recommendation's data win, as that is what was signed.
    """
    data = recommendation.get("data") or {}
    plan = data.get("next_action") or {}
    recorded = plan.get("steps") or steps
    step = recorded[index] if index < len(recorded) else {}
    sources = list(step.get("provenance") or []) or list(recommendation.get("provenance") or [])
    request: dict[str, Any] = {
        "recommendation_id": recommendation.get("id"),
        "index": index,
        "action": action.model_dump(mode="json"),
        "question": f"Approve this action? {action.description}",
        "decisions": list(DECISIONS),
        "step": {"title": step.get("title") or action.description, "why": step.get("why") or ""},
        "sources": sources,
        "confidence": recommendation.get("confidence"),
        "subject": dict(recommendation.get("subject") or {}),
    }
    if action.kind == "send_email":
        request["draft"] = str(action.payload.get("body") or plan.get("draft") or "")
    for key in ("withheld", "prose"):
        if data.get(key):
            request[key] = data[key]
    return request


def reviewer_of(config: Mapping[str, Any] | None) -> str | None:
    """Who decided: the signed-in user the run acts for (the one who resumed it), never a
    name the resume value carries; in a run no user started, its rep (``configurable.rep_id``)
    or the actor of the work around it (a CLI command), else nobody."""
    signed_in = actor_of_run_config(config)
    if signed_in is not None:
        return str(signed_in["user_id"])[:120]
    configurable = (config or {}).get("configurable") or {}
    rep = configurable.get("rep_id") or (current_actor() or {}).get("user_id")
    return str(rep)[:120] if rep else None
