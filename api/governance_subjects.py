"""Data subject rights: a person's consent, the export of everything held about them, erasure."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, IPvAnyAddress

from api.deps import ConsentLedgerDep, PrincipalDep, SubjectRightsDep
from api.errors import BODY_ERRORS, ApiError, error_responses
from api.permissions import permission
from crm.errors import NotFound
from governance.consent import PURPOSES, ConsentRecord, InvalidConsent
from governance.subject_rights import ErasureReceipt, SubjectExport, SubjectRights

router = APIRouter(prefix="/governance/subjects", tags=["governance"])

ContactId = Annotated[str, Path(min_length=1, max_length=24, description="The contact's id.")]
Purpose = Literal["ai_processing", "model_training", "marketing"]


RightsDep = SubjectRightsDep
LedgerDep = ConsentLedgerDep


class ConsentInput(BaseModel):
    """A grant or revocation as the person gave it; IP and device are stored only hashed."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["grant", "revoke"]
    purpose: Purpose
    notice_version: str = Field(
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$",
        description="Version of the privacy notice the person saw, e.g. '2026-11'.",
    )
    source: str = Field(
        "api",
        min_length=1,
        max_length=40,
        pattern=r"^[a-z0-9][a-z0-9_\-]*$",
        description="Where it was given: 'web_form', 'email', 'phone', 'api'...",
    )
    ip_address: IPvAnyAddress | None = Field(None, description="The person's IP (hashed).")
    device_fingerprint: str | None = Field(
        None, min_length=1, max_length=500, description="The person's device (hashed)."
    )


class ConsentView(BaseModel):
    """Whether the person consents to each purpose now, and every record behind it."""

    contact_id: str
    status: dict[str, bool]
    history: list[ConsentRecord]


async def _blocking(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return await anyio.to_thread.run_sync(lambda: function(*args, **kwargs))
    except NotFound as exc:
        raise ApiError(404, "contact_not_found", str(exc)) from exc
    except InvalidConsent as exc:
        raise ApiError(422, exc.code, str(exc)) from exc


async def _subject(rights: SubjectRights, contact_id: str) -> None:
    try:
        await rights.subject(contact_id)
    except NotFound as exc:
        raise ApiError(404, "contact_not_found", str(exc)) from exc


@router.get(
    "/{contact_id}/consent",
    response_model=ConsentView,
    summary="Read a person's consent",
    responses=error_responses(404, 422),
    dependencies=[permission("subjects:export")],
)
async def read_consent(contact_id: ContactId, rights: RightsDep, ledger: LedgerDep) -> ConsentView:
    """Current status per purpose (no record means no consent) and the full history."""
    await _subject(rights, contact_id)
    history: list[ConsentRecord] = await _blocking(ledger.history, contact_id)
    status = {purpose: False for purpose in PURPOSES}
    for record in history:
        status[record.purpose] = record.action == "grant"
    return ConsentView(contact_id=contact_id, status=status, history=history)


@router.post(
    "/{contact_id}/consent",
    response_model=ConsentRecord,
    status_code=201,
    summary="Record a grant or revocation",
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("consent:write")],
)
async def record_consent(
    contact_id: ContactId, body: ConsentInput, ledger: LedgerDep, principal: PrincipalDep
) -> ConsentRecord:
    """Append a grant or revocation, recorded as the signed-in user's; a revocation counts from
    the very next agent request."""
    record: ConsentRecord = await _blocking(
        ledger.record,
        body.action,
        contact_id=contact_id,
        purpose=body.purpose,
        notice_version=body.notice_version,
        source=body.source,
        ip_address=str(body.ip_address) if body.ip_address is not None else None,
        device_fingerprint=body.device_fingerprint,
        actor=principal.actor(),
    )
    return record


@router.get(
    "/{contact_id}/export",
    response_model=SubjectExport,
    summary="Export everything held about a person",
    responses=error_responses(404, 422, 503),
    dependencies=[permission("subjects:export")],
)
async def export_subject(
    contact_id: ContactId, rights: RightsDep, principal: PrincipalDep
) -> SubjectExport:
    """CRM rows, activities, lead scores, memory chunks, threads and checkpoints, store items,
    recommendations and feedback, consent history and calibration data, by store. The ledger
    records who exported it."""
    try:
        return await rights.export(contact_id, actor=principal.actor())
    except NotFound as exc:
        raise ApiError(404, "contact_not_found", str(exc)) from exc


@router.delete(
    "/{contact_id}",
    response_model=ErasureReceipt,
    summary="Erase a person from every store",
    responses=error_responses(404, 422),
    dependencies=[permission("subjects:erase")],
)
async def erase_subject(
    contact_id: ContactId, rights: RightsDep, principal: PrincipalDep
) -> ErasureReceipt:
    """Erase the person everywhere and say what was removed where. ``complete: false`` names
    the stores that failed; the contact is kept then, so the same request can be repeated."""
    try:
        return await rights.erase(contact_id, actor=principal.actor())
    except NotFound as exc:
        raise ApiError(404, "contact_not_found", str(exc)) from exc
