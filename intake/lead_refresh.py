"""Lead scores computed outside a conversation: one account's score row, or every account's.

The deterministic part of the lead scoring agent (``assess_lead``, no model) scores an account
from its behaviour as of the data's clock. Event intake uses :func:`score_row` for the accounts
its events touch; seeding the demo uses :func:`score_unscored_accounts` so that every account
has a score from the start. Both read through the store they are given: a
``ConsentGatedCRM`` leaves out the people who have not consented to AI processing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from agents.lead_scoring import assess_lead, win_model_for
from crm.lead_scores import LeadScoreStore
from crm.reader import CRMSource
from crm.records import ActivityRecord
from tools.behaviour import account_behaviour, data_clock

Progress = Callable[[str, int, int], None]
STAGE = "lead scores"
_BATCH = 50  # scores written per transaction while seeding


def score_row(
    crm: CRMSource,
    account_id: str,
    *,
    clock: datetime,
    event_ids: Sequence[str] = (),
    extra: Sequence[ActivityRecord] = (),
) -> dict[str, Any]:
    """A ``lead_scores`` row for the account as of ``clock``; ``extra`` are unsaved events."""
    features = account_behaviour(crm, account_id=account_id, as_of=clock, extra=extra)
    assessment = assess_lead(features, win_model_for(crm))
    recommendation = assessment.recommendation().model_copy(update={"status": "final"})
    return {
        "id": str(uuid.uuid4()),
        "account_id": account_id,
        "contact_id": None,
        "stage": assessment.stage.stage,
        "score": assessment.score.score,
        "grade": assessment.score.grade,
        "route": assessment.route.agent,
        "confidence": assessment.score.confidence,
        "as_of": clock,
        "created_at": datetime.now(UTC),
        "event_ids": list(event_ids),
        "recommendation_id": recommendation.id,
        "assessment": assessment.as_dict(),
        "recommendation": recommendation.model_dump(mode="json"),
    }


def score_unscored_accounts(
    crm: CRMSource, scores: LeadScoreStore, *, progress: Progress | None = None
) -> int:
    """Score every account that has no lead score yet, as of the data's clock; how many.

    The scores go to the ``lead_scores`` table only, not to the recommendation log: they are
    the starting point of each account's history, not advice a rep asked for.
    """
    done = scores.scored_accounts()
    todo = [a.id for a in crm.list_accounts(limit=1_000_000) if a.id not in done]
    if not todo:
        return 0
    clock = data_clock(crm)
    for start in range(0, len(todo), _BATCH):
        batch = todo[start : start + _BATCH]
        scores.record_scores([score_row(crm, account_id, clock=clock) for account_id in batch])
        if progress is not None:
            progress(STAGE, start + len(batch), len(todo))
    return len(todo)
