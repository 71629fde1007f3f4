"""``GET /governance/fairness``: the budget agent replayed with only the region changed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query

from api.deps import FairnessInputsDep
from api.errors import error_responses
from api.permissions import permission
from eval.fairness import scan_fairness
from eval.fairness_models import FairnessReport

router = APIRouter(prefix="/governance", tags=["governance"])

DEFAULT_SAMPLE = 100
MAX_SAMPLE = 1000  # about a second per ten deals: a request stays under a couple of minutes


@router.get(
    "/fairness",
    response_model=FairnessReport,
    summary="Scan the budget agent for regional price bias",
    responses=error_responses(422, 503),
    dependencies=[permission("fairness:read")],
)
async def fairness_scan(
    inputs: FairnessInputsDep,
    sample: Annotated[
        int, Query(ge=1, le=MAX_SAMPLE, description="Deals to replay into every region.")
    ] = DEFAULT_SAMPLE,
    seed: Annotated[int, Query(ge=0, description="Seed of the sample and the bootstrap.")] = 0,
    as_of: Annotated[
        date | None, Query(description="Price as of this date (ISO 8601; default today).")
    ] = None,
) -> FairnessReport:
    """Approval rates (four-fifths rule), within-band price ratios with confidence intervals and
    counterfactual price changes per region; regions with under 30 deals are insufficient data.
    docs/fairness.md explains the method."""
    when = as_of or datetime.now(UTC).date()
    # Minutes of CPU-bound replays: in a worker thread, never on the event loop.
    report: FairnessReport = await anyio.to_thread.run_sync(
        lambda: scan_fairness(inputs.crm, inputs.pricing, sample=sample, seed=seed, as_of=when)
    )
    return report
