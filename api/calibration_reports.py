"""Calibration reports: a batch's self-contained HTML report, or its JSON summary.

The report is rendered on request (matplotlib and Jinja2, in a worker thread, never on the
event loop), so it always shows the batch's current reviews and maps.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from api.calibration import StoreDep
from api.errors import ApiError, error_responses
from api.permissions import permission
from crm.calibration_maps import CalibrationMaps
from eval.calibration.errors import BatchNotFound
from eval.calibration.report import render_html, summary_json
from eval.calibration.report_summary import build_summary
from eval.calibration.store import CalibrationStore

router = APIRouter(prefix="/calibration", tags=["calibration"])

ReportFormat = Literal["html", "json"]


def _render(store: CalibrationStore, batch_id: str, form: ReportFormat) -> str:
    summary = build_summary(store, CalibrationMaps(store.engine), batch_id=batch_id)
    return render_html(summary) if form == "html" else summary_json(summary)


@router.get(
    "/batches/{batch_id}/report",
    summary="Get a batch's calibration report",
    response_model=None,
    responses={
        200: {
            "description": "The HTML report, or with `format=json` the JSON summary.",
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            },
        },
        **error_responses(404, 422),
    },
    dependencies=[permission("calibration:review")],
)
async def get_batch_report(
    batch_id: str,
    store: StoreDep,
    form: Annotated[
        ReportFormat,
        Query(alias="format", description="`html` (the report page) or `json` (its summary)."),
    ] = "html",
) -> Response:
    """Reliability diagram, score distributions, per-agent figures, maps fitted and drift."""
    try:
        body: Any = await anyio.to_thread.run_sync(_render, store, batch_id, form)
    except BatchNotFound as exc:
        raise ApiError(404, exc.code, str(exc)) from exc
    if form == "json":
        return Response(body, media_type="application/json")
    return HTMLResponse(body)
