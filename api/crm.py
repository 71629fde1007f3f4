"""CRM reads for the chat page: the reps, account search, an account at a glance, and the record
behind a provenance fact. Read-only; the SQL lives in crm/."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from api.deps import AccountOverviewsDep, ProvenanceRecordsDep
from api.errors import ErrorMap, call_in_thread, error_responses
from api.permissions import permission
from api.run_identity import RunActorDep
from crm.account_overview import AccountOverview, AccountOverviews
from crm.errors import InvalidQuery, NotFound
from crm.provenance import ProvenanceRecords, SourceRecord, UnknownSource
from crm.records import AccountRecord, RepRecord

router = APIRouter(prefix="/crm", tags=["crm"])


async def _scoped_overviews(overviews: AccountOverviewsDep, actor: RunActorDep) -> AccountOverviews:
    """Account overviews within the caller's account scope: an account they may not see is
    404 like an unknown one, and searches leave it out (in the query, not afterwards)."""
    return overviews.scoped(actor.scope)


async def _scoped_records(records: ProvenanceRecordsDep, actor: RunActorDep) -> ProvenanceRecords:
    """The records behind provenance facts, within the caller's account scope."""
    return records.scoped(actor.scope)


OverviewsDep = Annotated[AccountOverviews, Depends(_scoped_overviews)]
RecordsDep = Annotated[ProvenanceRecords, Depends(_scoped_records)]


async def known_rep(overviews: AccountOverviews, user: str | None) -> str | None:
    """``user`` when it is a rep's id (the OpenAI ``user`` field names the rep until sign-in
    exists), else None."""
    if not user or not user.strip():
        return None
    reps = await call_in_thread(overviews.reps, errors={})
    wanted = user.strip().upper()
    return next((rep.id for rep in reps if rep.id.upper() == wanted), None)


async def _call(function: Any, *, not_found: str, **kwargs: Any) -> Any:
    errors: ErrorMap = {
        UnknownSource: 404,
        NotFound: (404, not_found),
        InvalidQuery: (422, "invalid_query"),
    }
    return await call_in_thread(function, errors=errors, **kwargs)


@router.get(
    "/accounts",
    response_model=list[AccountRecord],
    summary="Search accounts",
    responses=error_responses(404, 422),
    dependencies=[permission("crm:read")],
)
async def search_accounts(
    overviews: OverviewsDep,
    q: Annotated[str, Query(max_length=200, description="Part of the name or id.")] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    owner_id: Annotated[
        str | None,
        Query(max_length=24, description="Only the accounts this rep owns, e.g. `REP-003`."),
    ] = None,
) -> list[AccountRecord]:
    """Accounts whose name or id contains ``q`` (any case), by name; all of them when empty.

    404 ``rep_not_found`` when ``owner_id`` names no rep.
    """
    found: list[AccountRecord] = await _call(
        overviews.search, not_found="rep_not_found", text=q, limit=limit, owner_id=owner_id
    )
    return found


@router.get(
    "/reps",
    response_model=list[RepRecord],
    summary="The sales reps",
    dependencies=[permission("crm:read")],
)
async def list_reps(overviews: OverviewsDep) -> list[RepRecord]:
    """Every rep, by id, with their territory (``region``): the owners a client may act for
    (``config.configurable.rep_id``, or the OpenAI ``user`` field) until sign-in exists."""
    reps: list[RepRecord] = await _call(overviews.reps, not_found="rep_not_found")
    return reps


@router.get(
    "/reps/{rep_id}",
    response_model=RepRecord,
    summary="One sales rep",
    responses=error_responses(404, 422),
    dependencies=[permission("crm:read")],
)
async def get_rep(rep_id: str, overviews: OverviewsDep) -> RepRecord:
    """The rep with this id; 404 ``rep_not_found`` for an unknown one."""
    rep: RepRecord = await _call(overviews.rep, not_found="rep_not_found", rep_id=rep_id)
    return rep


@router.get(
    "/accounts/{account_id}",
    response_model=AccountOverview,
    summary="An account at a glance",
    responses=error_responses(404, 422),
    dependencies=[permission("crm:read")],
)
async def get_account_overview(
    account_id: str,
    overviews: OverviewsDep,
    activities: Annotated[int, Query(ge=1, le=100, description="Recent events to list.")] = 10,
) -> AccountOverview:
    """Key facts, open deals, recent behaviour and the latest lead score of the account."""
    overview: AccountOverview = await _call(
        overviews.overview,
        not_found="account_not_found",
        account_id=account_id,
        activity_limit=activities,
    )
    return overview


@router.get(
    "/records/{source}/{record_id}",
    response_model=SourceRecord,
    summary="The record behind a provenance fact",
    responses=error_responses(404, 422),
    dependencies=[permission("crm:read")],
)
async def get_source_record(
    source: Annotated[str, Path(description="The fact's source, e.g. `activities`.")],
    record_id: Annotated[str, Path(description="The fact's record id (URL-encoded).")],
    records: RecordsDep,
) -> SourceRecord:
    """The stored record a recommendation's fact cites; 404 for values an agent computed."""
    record: SourceRecord = await _call(
        records.record, not_found="record_not_found", source=source, record_id=record_id
    )
    return record
