"""Calibration: monthly samples of recommendations, the reviewers' queue and scores, metrics.

Routes stay thin: each calls the calibration store (``eval.calibration``) in a worker thread
and translates its errors into the API's error shape.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.calibration_schemas import BatchRequest
from api.deps import CalibrationStoreDep, PrincipalDep, SettingsDep
from api.errors import BODY_ERRORS, ApiError, call_in_thread, error_responses
from api.own_name import own_user_id
from api.permissions import permission
from api.web import PageUserDep, page_for
from eval.calibration.errors import (
    BatchClosed,
    BatchNotFound,
    EmptyPeriod,
    InvalidSampleSpec,
    ItemNotFound,
    ReviewExists,
    ScoresRejected,
)
from eval.calibration.judge import judge_from_settings
from eval.calibration.measure import BatchReport, batch_report
from eval.calibration.review_context import ItemDetail, item_detail
from eval.calibration.schemas import (
    Batch,
    ImportReport,
    Item,
    Review,
    ReviewerProgress,
    ReviewInput,
    SkipInput,
)

router = APIRouter(prefix="/calibration", tags=["calibration"])

REVIEW_PAGE = (
    FilePath(__file__).resolve().parent.parent / "eval" / "calibration" / "static" / "review.html"
)
SCORES_PATH = re.compile(r"^/calibration/batches/[^/]+/scores$")
SCORES_MEDIA_TYPES = frozenset({"text/csv", "text/plain", "multipart/form-data"})
NON_JSON_BODIES = ((SCORES_PATH, SCORES_MEDIA_TYPES),)
"""Bodies the body guard lets through besides JSON: the scores import reads CSV."""
_SHOWN_ROW_ERRORS = 20


StoreDep = CalibrationStoreDep
# Ids are ours (uuid4) but come from the client: NUL is refused here, as PostgreSQL cannot bind it.
_PRINTABLE = r"^[^\x00]+$"
BatchId = Annotated[str, Path(pattern=_PRINTABLE, max_length=64)]
ItemId = Annotated[str, Path(pattern=_PRINTABLE, max_length=64)]
Reviewer = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=120,
        pattern=_PRINTABLE,
        description="Whose queue or progress: the signed-in user's when left out; someone "
        "else's is refused with 403 (who may manage batches may read anyone's progress).",
    ),
]


_STATUS: dict[type[Exception], int] = {
    BatchNotFound: 404,
    ItemNotFound: 404,
    ReviewExists: 409,
    BatchClosed: 409,
    InvalidSampleSpec: 422,
    EmptyPeriod: 422,
}


def _rejected(exc: ScoresRejected) -> ApiError:
    shown = "; ".join(str(error) for error in exc.errors[:_SHOWN_ROW_ERRORS])
    more = len(exc.errors) - _SHOWN_ROW_ERRORS
    suffix = f"; and {more} more" if more > 0 else ""
    detail = f"{len(exc.errors)} bad row(s), nothing imported: {shown}{suffix}"
    return ApiError(422, exc.code, detail)


async def _call(function: Any, **kwargs: Any) -> Any:
    try:
        return await call_in_thread(function, errors=_STATUS, **kwargs)
    except ScoresRejected as exc:
        raise _rejected(exc) from exc


@router.post(
    "/batches",
    response_model=Batch,
    status_code=201,
    summary="Sample a calibration batch",
    responses=error_responses(*BODY_ERRORS),
    dependencies=[permission("calibration:manage")],
)
async def create_batch(body: BatchRequest, store: StoreDep) -> Batch:
    """Draw a reproducible stratified sample (agent x confidence band) of a period's
    recommendations into a new batch. 422 `empty_period` when the period holds none."""
    try:
        start, end = body.resolved_period(datetime.now().astimezone())
    except InvalidSampleSpec as exc:
        raise ApiError(422, exc.code, str(exc)) from exc
    batch: Batch = await _call(
        store.draw_batch,
        period_start=start,
        period_end=end,
        rate=body.rate,
        seed=body.seed,
        min_per_stratum=body.min_per_stratum,
    )
    return batch


@router.get(
    "/batches",
    response_model=list[Batch],
    summary="List calibration batches",
    responses=error_responses(422),
    dependencies=[permission("calibration:review")],
)
async def list_batches(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[Batch]:
    """Newest first, with each batch's review progress."""
    batches: list[Batch] = await _call(store.list_batches, limit=limit, offset=offset)
    return batches


@router.get(
    "/batches/{batch_id}",
    response_model=Batch,
    summary="Get a calibration batch",
    responses=error_responses(404, 422),
    dependencies=[permission("calibration:review")],
)
async def get_batch(batch_id: BatchId, store: StoreDep) -> Batch:
    """The batch, its strata and how far its review has got."""
    batch: Batch = await _call(store.get_batch, batch_id=batch_id)
    return batch


@router.post(
    "/batches/{batch_id}/close",
    response_model=Batch,
    summary="Close a calibration batch",
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("calibration:manage")],
)
async def close_batch(batch_id: BatchId, store: StoreDep) -> Batch:
    """Scores become final: the batch leaves every queue and further reviews, skips and imports
    answer 409 `batch_closed`. Closing a closed batch changes nothing."""
    batch: Batch = await _call(store.close_batch, batch_id=batch_id)
    return batch


@router.get(
    "/batches/{batch_id}/queue",
    response_model=list[Item],
    summary="A reviewer's queue",
    responses=error_responses(404, 422),
    dependencies=[permission("calibration:review")],
)
async def review_queue(
    batch_id: BatchId,
    store: StoreDep,
    principal: PrincipalDep,
    reviewer: Reviewer = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 10,
) -> list[Item]:
    """The next items, in queue order, that the signed-in reviewer has neither scored nor
    skipped."""
    items: list[Item] = await _call(
        store.next_items,
        batch_id=batch_id,
        reviewer=own_user_id(principal, reviewer, field="reviewer"),
        limit=limit,
    )
    return items


@router.get(
    "/batches/{batch_id}/progress",
    response_model=ReviewerProgress,
    summary="A reviewer's progress",
    responses=error_responses(404, 422),
    dependencies=[permission("calibration:review")],
)
async def reviewer_progress(
    batch_id: BatchId, store: StoreDep, principal: PrincipalDep, reviewer: Reviewer = None
) -> ReviewerProgress:
    """How many of the batch's items the signed-in reviewer (or, for a manager, the one named)
    scored and skipped, and how many are left in their queue; others' scores do not count."""
    who = own_user_id(principal, reviewer, field="reviewer", others_need="calibration:manage")
    progress: ReviewerProgress = await _call(
        store.reviewer_progress, batch_id=batch_id, reviewer=who
    )
    return progress


@router.get(
    "/batches/{batch_id}/items/{item_id}",
    response_model=ItemDetail,
    summary="Get a calibration item",
    responses=error_responses(404, 422),
    dependencies=[permission("calibration:review")],
)
async def get_item(batch_id: BatchId, item_id: ItemId, store: StoreDep) -> ItemDetail:
    """The item's recommendation (with its provenance), its reviews, and the account context."""
    detail: ItemDetail = await _call(
        item_detail, store=store, engine=store.engine, batch_id=batch_id, item_id=item_id
    )
    return detail


@router.post(
    "/batches/{batch_id}/items/{item_id}/reviews",
    response_model=Review,
    status_code=201,
    summary="Score a calibration item",
    responses=error_responses(404, 409, *BODY_ERRORS),
    dependencies=[permission("calibration:review")],
)
async def add_review(
    batch_id: BatchId, item_id: ItemId, body: ReviewInput, store: StoreDep, principal: PrincipalDep
) -> Review:
    """A 1-5 quality score, correct or not, and optionally the corrected answer and a comment,
    by the signed-in reviewer. Each reviewer scores an item once (409 `review_exists`); a score
    replaces their skip."""
    mine = body.model_copy(
        update={"reviewer": own_user_id(principal, body.reviewer, field="reviewer")}
    )
    review: Review = await _call(store.add_review, item_id=item_id, review=mine, batch_id=batch_id)
    return review


@router.post(
    "/batches/{batch_id}/items/{item_id}/skip",
    response_model=Review,
    status_code=201,
    summary="Skip a calibration item",
    responses=error_responses(404, 409, *BODY_ERRORS),
    dependencies=[permission("calibration:review")],
)
async def skip_item(
    batch_id: BatchId, item_id: ItemId, body: SkipInput, store: StoreDep, principal: PrincipalDep
) -> Review:
    """The signed-in reviewer passes on the item; it leaves their queue. 409 when they already
    scored it."""
    mine = body.model_copy(
        update={"reviewer": own_user_id(principal, body.reviewer, field="reviewer")}
    )
    review: Review = await _call(store.skip, item_id=item_id, skip=mine, batch_id=batch_id)
    return review


async def _scores_text(request: Request) -> tuple[str, str]:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type == "multipart/form-data":
        form = await request.form()
        uploads = [value for value in form.values() if isinstance(value, UploadFile)]
        if len(uploads) != 1:
            raise ApiError(422, "invalid_request", "send exactly one CSV file in the form")
        raw, name = await uploads[0].read(), uploads[0].filename or "scores.csv"
    elif media_type in SCORES_MEDIA_TYPES:
        raw, name = await request.body(), "scores.csv"
    else:
        raise ApiError(
            415, "unsupported_media_type", "send the scores as text/csv or multipart/form-data"
        )
    try:
        return raw.decode("utf-8"), name
    except UnicodeDecodeError as exc:
        raise ApiError(
            422, "invalid_request", f"the scores file is not UTF-8 text ({exc.reason})"
        ) from exc


@router.post(
    "/batches/{batch_id}/scores",
    response_model=ImportReport,
    status_code=201,
    summary="Import scores from CSV",
    responses=error_responses(404, 409, *BODY_ERRORS),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
            },
        }
    },
    dependencies=[permission("calibration:manage")],
)
async def import_scores(batch_id: BatchId, request: Request, store: StoreDep) -> ImportReport:
    """Scores from a CSV file (columns in docs/calibration.md). Every row is checked first; any
    bad row means 422 `scores_rejected` naming each bad line and why, and nothing is written."""
    text, name = await _scores_text(request)
    report: ImportReport = await _call(
        store.import_scores, batch_id=batch_id, text=text, file_name=name
    )
    return report


@router.get(
    "/batches/{batch_id}/metrics",
    response_model=BatchReport,
    summary="Calibration metrics of a batch",
    responses=error_responses(404, 422),
    dependencies=[permission("calibration:review")],
)
async def get_metrics(
    batch_id: BatchId,
    store: StoreDep,
    settings: SettingsDep,
    resamples: Annotated[int, Query(ge=100, le=10000, description="Bootstrap resamples.")] = 1000,
) -> BatchReport:
    """Agreement, inter-reviewer agreement, calibration, Q&A metrics (the LLM-judged ones when
    ``CRM_AGENTS_JUDGE_MODEL`` is set), overall and per agent, with each metric's drift
    against earlier months."""

    def measure() -> BatchReport:
        judge = judge_from_settings(settings)  # loads the judge's embedding model once
        return batch_report(store, batch_id=batch_id, resamples=resamples, judge=judge)

    report: BatchReport = await _call(measure)
    return report


@router.get("/review", include_in_schema=False)
async def review_page(user: PageUserDep, request: Request) -> Response:
    """The reviewers' page (the sign-in page first, without a session); it talks to the
    routes above."""
    return page_for(user, request, REVIEW_PAGE)
