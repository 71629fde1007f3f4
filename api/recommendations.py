"""Recommendations: the log of what the agents recommended, and reps' feedback on each.

Each route reads within the caller's account scope, in the query: a recommendation about an
account the caller may not see is 404 like an unknown one, and lists leave it out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import RecommendationLogDep
from api.errors import BODY_ERRORS, call_in_thread, error_responses
from api.own_name import own_user_id
from api.permissions import permission
from api.run_identity import RunActorDep
from core.recommendation import Recommendation
from crm.errors import InvalidQuery, NotFound
from crm.recommendations import Feedback, FeedbackInput

router = APIRouter(prefix="/recommendations", tags=["recommendations"])


LogDep = RecommendationLogDep


class RecommendationWithFeedback(Recommendation):
    """A recommendation and every piece of feedback reps gave on it."""

    feedback: list[Feedback]


async def _call(function: Any, **kwargs: Any) -> Any:
    return await call_in_thread(
        function,
        errors={NotFound: (404, "recommendation_not_found"), InvalidQuery: (422, "invalid_query")},
        **kwargs,
    )


@router.get(
    "",
    response_model=list[Recommendation],
    summary="List recommendations",
    responses=error_responses(422),
    dependencies=[permission("recommendations:read")],
)
async def list_recommendations(
    log: LogDep,
    actor: RunActorDep,
    account_id: str | None = None,
    agent: str | None = None,
    since: Annotated[datetime | None, Query(description="Created at or after (ISO 8601).")] = None,
    until: Annotated[datetime | None, Query(description="Created before (ISO 8601).")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[Recommendation]:
    """Newest first; filter by account, agent and creation time."""
    result: list[Recommendation] = await _call(
        log.search,
        account_id=account_id,
        agent=agent,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
        scope=actor.scope,
    )
    return result


@router.get(
    "/{recommendation_id}",
    response_model=RecommendationWithFeedback,
    summary="Get a recommendation",
    responses=error_responses(404, 422),
    dependencies=[permission("recommendations:read")],
)
async def get_recommendation(
    recommendation_id: str, log: LogDep, actor: RunActorDep
) -> RecommendationWithFeedback:
    """The recommendation with its provenance, versions and reps' feedback."""
    recommendation = await _call(log.get, recommendation_id=recommendation_id, scope=actor.scope)
    feedback = await _call(log.feedback_for, recommendation_id=recommendation_id)
    return RecommendationWithFeedback(**recommendation.model_dump(), feedback=feedback)


@router.post(
    "/{recommendation_id}/feedback",
    response_model=Feedback,
    status_code=201,
    summary="Give feedback on a recommendation",
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("recommendations:feedback")],
)
async def add_feedback(
    recommendation_id: str, body: FeedbackInput, log: LogDep, actor: RunActorDep
) -> Feedback:
    """Accept, reject, or modify (with the corrected text) a recommendation; the feedback's
    author is the signed-in user (an ``author`` naming someone else is a 403)."""
    author = own_user_id(actor.principal, body.author, field="author")
    feedback: Feedback = await _call(
        log.add_feedback,
        recommendation_id=recommendation_id,
        feedback=body.model_copy(update={"author": author}),
        scope=actor.scope,
    )
    return feedback
