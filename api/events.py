"""``POST /events``: behaviour events in, the account's lead score and routing decision out.

The body is one event object or an array of them (at most ``MAX_BATCH``). Each is validated
(kind, ids, timestamp) and named by its place (``events[2].kind``) when wrong; the whole batch
is rejected if any event is. Ids are idempotent: posting an id again with the same body is a
duplicate (200, nothing written); with a different body a 409. Scoring is deterministic: no
language model is called on this path.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Body, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from api.deps import EventIntakeDep, PrincipalDep
from api.errors import BODY_ERRORS, ApiError, describe_validation_errors, error_responses
from api.permissions import permission
from core.actor import acting_as
from crm.enums import ActivityKind
from crm.lead_scores import LeadScoreRecord
from intake.errors import EventConflict, InvalidEvents
from intake.event_intake import IntakeResult

router = APIRouter(tags=["events"])

MAX_BATCH = 1000
FUTURE_SKEW = timedelta(minutes=5)  # clocks differ a little; events from the future do not
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)

Id = Annotated[str, Field(min_length=1, max_length=24, pattern=r"^\S+$")]


class EventIn(BaseModel):
    """A behaviour event: what the customer (or we) did, when, and about what."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: Id = Field(description="The event's id, unique across the CRM; re-posting it is safe.")
    account_id: Id
    kind: ActivityKind
    occurred_at: AwareDatetime = Field(description="ISO 8601 with a UTC offset, e.g. ...Z.")
    contact_id: Id | None = None
    product_id: Id | None = None
    url: Annotated[str, Field(max_length=300)] | None = None
    subject: Annotated[str, Field(max_length=300)] | None = None
    body: Annotated[str, Field(max_length=100_000)] | None = None
    duration_s: Annotated[int, Field(ge=0)] | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("occurred_at")
    @classmethod
    def _sane_time(cls, value: datetime) -> datetime:
        if value > datetime.now(UTC) + FUTURE_SKEW:
            raise ValueError("is in the future")
        if value < EARLIEST:
            raise ValueError(f"is before {EARLIEST.date().isoformat()}")
        return value.astimezone(UTC)

    def columns(self) -> dict[str, Any]:
        """The activity's columns, as the intake stores them."""
        values = self.model_dump(exclude={"metadata"})
        values["meta"] = dict(self.metadata)
        return values


class RouteOut(BaseModel):
    agent: str
    rule: str
    reason: str


class ScoreOut(BaseModel):
    """An account's stored score and routing decision."""

    score_id: str
    account_id: str
    contact_id: str | None
    stage: str
    score: int
    grade: str
    confidence: float
    route: RouteOut
    secondary_routes: list[str]
    as_of: datetime
    created_at: datetime
    event_ids: list[str]
    recommendation_id: str
    recommendation: dict[str, Any]

    @classmethod
    def of(cls, record: LeadScoreRecord) -> ScoreOut:
        assessment = record.assessment
        return cls(
            score_id=record.id,
            account_id=record.account_id,
            contact_id=record.contact_id,
            stage=record.stage,
            score=record.score,
            grade=record.grade,
            confidence=record.confidence,
            route=RouteOut(**{k: assessment["route"][k] for k in ("agent", "rule", "reason")}),
            secondary_routes=[r["agent"] for r in assessment.get("secondary_routes", [])],
            as_of=record.as_of,
            created_at=record.created_at,
            event_ids=record.event_ids,
            recommendation_id=record.recommendation_id,
            recommendation=record.recommendation,
        )


class EventOut(BaseModel):
    event_id: str
    account_id: str
    status: str = Field(description="created, or duplicate (already stored, nothing written)")


class EventsOut(BaseModel):
    """Each posted event's fate, in posted order, and the score of each account touched."""

    events: list[EventOut]
    scores: list[ScoreOut]


def parse_events(payload: Any) -> list[EventIn]:
    """Validate a single event or a batch; 422 naming every problem by its place."""
    single = isinstance(payload, dict)
    if single:
        items = [payload]
    elif isinstance(payload, list):
        items = payload
    else:
        raise ApiError(422, "invalid_event", "body must be an event object or an array of events")
    if not items:
        raise ApiError(422, "invalid_event", "the array holds no events")
    if len(items) > MAX_BATCH:
        raise ApiError(
            422, "invalid_event", f"at most {MAX_BATCH} events per request, got {len(items)}"
        )
    events, problems = [], []
    first_seen: dict[str, int] = {}
    for index, item in enumerate(items):
        where = "event" if single else f"events[{index}]"
        try:
            event = EventIn.model_validate(item)
        except ValidationError as exc:
            _, detail = describe_validation_errors(
                [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
            )
            problems += [
                f"{where}.{p}" if not p.startswith("request body") else f"{where}: {p}"
                for p in detail.split("; ")
            ]
            continue
        if event.id in first_seen:
            problems.append(f"{where}.id: {event.id!r} repeats events[{first_seen[event.id]}]")
        first_seen.setdefault(event.id, index)
        events.append(event)
    if problems:
        raise ApiError(422, "invalid_event", "; ".join(problems))
    return events


@router.post(
    "/events",
    response_model=EventsOut,
    status_code=201,
    summary="Post behaviour events; get each account's score and routing decision",
    responses={
        200: {"description": "Every event was a duplicate; nothing was written."},
        **error_responses(409, 503, *BODY_ERRORS),
    },
    dependencies=[permission("events:write")],
)
async def post_events(
    response: Response,
    intake: EventIntakeDep,
    principal: PrincipalDep,
    payload: Annotated[Any, Body(description="One event, or an array of events.")],
) -> EventsOut:
    """Store new events, score and route their accounts, and return the stored decisions;
    the ledger records the scores as made for the caller (the key that posted the events)."""
    events = parse_events(payload)
    single = isinstance(payload, dict)
    try:
        with acting_as(principal.actor()):
            result: IntakeResult = await anyio.to_thread.run_sync(
                intake.ingest, [event.columns() for event in events]
            )
    except InvalidEvents as exc:
        detail = str(exc).replace("events[0].", "event.") if single else str(exc)
        raise ApiError(422, exc.code, detail) from exc
    except EventConflict as exc:
        raise ApiError(409, exc.code, str(exc)) from exc
    if not result.created:
        response.status_code = 200
    return EventsOut(
        events=[
            EventOut(event_id=e.event_id, account_id=e.account_id, status=e.status)
            for e in result.events
        ],
        scores=[ScoreOut.of(score) for score in result.scores],
    )
