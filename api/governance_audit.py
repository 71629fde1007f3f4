"""Governance, audit side: ledger verification and entries, signed-output verification,
evidence of CRM fields, and a person's data passport (JSON and a plain page)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AuditServicesDep
from api.errors import BODY_ERRORS, ApiError, ErrorMap, call_in_thread, error_responses
from api.permissions import permission
from governance.audit_errors import (
    ContactUnknown,
    EvidenceNotFound,
    InvalidAuditPayload,
    ManifestNotFound,
    RecordNotFound,
    UnknownField,
)
from governance.evidence import (
    EVIDENCE_ENTITIES,
    MAX_REFERENCE,
    EvidenceRecord,
    EvidenceVerification,
)
from governance.ledger import AuditEntry, SignedHead
from governance.ledger_verify import LedgerVerification
from governance.passport import Passport, render_passport_html
from governance.signed_output import SignedManifest, TextVerification

router = APIRouter(prefix="/governance", tags=["governance"])

MAX_TEXT = 200_000


AuditDep = AuditServicesDep

_STATUS: ErrorMap = {
    ManifestNotFound: 404,
    EvidenceNotFound: 404,
    RecordNotFound: 404,
    ContactUnknown: 404,
    UnknownField: 422,
    InvalidAuditPayload: 422,
}


async def _call(function: Any, **kwargs: Any) -> Any:
    return await call_in_thread(function, errors=_STATUS, **kwargs)


def _decode(content_base64: str | None, what: str) -> bytes | None:
    if content_base64 is None:
        return None
    try:
        return base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(422, "invalid_base64", f"{what} is not valid base64") from exc


class PublicHead(SignedHead):
    """The signed head and the public key that verifies it: keep a copy elsewhere to anchor."""

    public_key: str = Field(description="Raw Ed25519 public key, base64.")


class AuditEntryPage(BaseModel):
    """A page of ledger entries in sequence order."""

    total: int
    offset: int
    limit: int
    entries: list[AuditEntry]


class TextToVerify(BaseModel):
    """A text to check against the manifests of generated output."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT)


class EvidenceInput(BaseModel):
    """Evidence for the current value of one CRM field: a reference, or a file (base64)."""

    model_config = ConfigDict(extra="forbid")

    entity: str = Field(description=f"One of {', '.join(EVIDENCE_ENTITIES)}.", max_length=40)
    record_id: str = Field(min_length=1, max_length=64)
    field: str = Field(min_length=1, max_length=64)
    reference: str | None = Field(None, max_length=MAX_REFERENCE)
    content_base64: str | None = Field(None, description="The evidence file's bytes, base64.")
    filename: str | None = Field(None, max_length=255)
    media_type: str | None = Field(None, max_length=120)
    author: str | None = Field(None, max_length=120)


class PresentedEvidence(BaseModel):
    """A copy of the evidence to compare with the attached one (optional)."""

    model_config = ConfigDict(extra="forbid")

    reference: str | None = Field(None, max_length=MAX_REFERENCE)
    content_base64: str | None = None


@router.get(
    "/audit/verify",
    response_model=LedgerVerification,
    summary="Verify the audit ledger",
    dependencies=[permission("audit:read")],
)
async def verify_audit_ledger(audit: AuditDep) -> LedgerVerification:
    """Recompute every entry hash, checkpoint and the signed head; name the first bad entry."""
    result: LedgerVerification = await _call(audit.verify)
    return result


@router.get(
    "/audit/head",
    response_model=PublicHead,
    summary="Get the signed ledger head",
    dependencies=[permission("audit:read")],
)
async def get_audit_head(audit: AuditDep) -> PublicHead:
    """The ledger's length and last hash, signed, with the public key that verifies it."""
    head: SignedHead = await _call(audit.ledger.head)
    public_key = base64.b64encode(audit.key.public_bytes).decode("ascii")
    return PublicHead(**head.model_dump(), public_key=public_key)


@router.get(
    "/audit/entries",
    response_model=AuditEntryPage,
    summary="List audit ledger entries",
    responses=error_responses(422),
    dependencies=[permission("audit:read")],
)
async def list_audit_entries(
    audit: AuditDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    kind: Annotated[
        str | None, Query(max_length=40, description="Only entries of this kind.")
    ] = None,
    actor: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=120,
            description="Only entries by this actor: a user id, or system:<component> for the "
            "system's own work.",
        ),
    ] = None,
) -> AuditEntryPage:
    """Entries in sequence order, each naming its actor: ids and hashes, never personal data.
    ``total`` counts the entries the filters select."""
    entries = await _call(audit.ledger.entries, offset=offset, limit=limit, kind=kind, actor=actor)
    total = await _call(audit.ledger.count, kind=kind, actor=actor)
    return AuditEntryPage(total=total, offset=offset, limit=limit, entries=entries)


@router.post(
    "/verify-text",
    response_model=TextVerification,
    summary="Verify a generated text",
    responses=error_responses(*BODY_ERRORS),
    dependencies=[permission("audit:read")],
)
async def verify_text(body: TextToVerify, audit: AuditDep) -> TextVerification:
    """Whether the text is ours, unmodified (up to Unicode normalisation and surrounding
    whitespace), and which signed manifest it maps to."""
    result: TextVerification = await _call(audit.signed_output.verify_text, text=body.text)
    return result


@router.get(
    "/manifests/{manifest_id}",
    response_model=SignedManifest,
    summary="Get a signed-output manifest",
    responses=error_responses(404, 422),
    dependencies=[permission("audit:read")],
)
async def get_manifest(manifest_id: str, audit: AuditDep) -> SignedManifest:
    """The manifest (model, prompt, input hash, recommendation) with its signature checked."""
    result: SignedManifest = await _call(audit.signed_output.get, manifest_id=manifest_id)
    return result


@router.post(
    "/evidence",
    response_model=EvidenceRecord,
    status_code=201,
    summary="Attach evidence to a CRM field value",
    responses=error_responses(404, *BODY_ERRORS),
    # Evidence backs a person's data (a signed form, a correction): the privacy officer's work.
    dependencies=[permission("consent:write")],
)
async def attach_evidence(body: EvidenceInput, audit: AuditDep) -> EvidenceRecord:
    """Bind a reference or a file to the field's current value; its sha256 is signed."""
    result: EvidenceRecord = await _call(
        audit.evidence.attach,
        entity=body.entity,
        record_id=body.record_id,
        field=body.field,
        reference=body.reference,
        content=_decode(body.content_base64, "content_base64"),
        filename=body.filename,
        media_type=body.media_type,
        author=body.author,
    )
    return result


@router.get(
    "/evidence",
    response_model=list[EvidenceRecord],
    summary="List evidence of a CRM record",
    responses=error_responses(422),
    dependencies=[permission("audit:read")],
)
async def list_evidence(
    audit: AuditDep,
    entity: Annotated[str, Query(max_length=40)],
    record_id: Annotated[str, Query(max_length=64)],
    field: Annotated[str | None, Query(max_length=64)] = None,
) -> list[EvidenceRecord]:
    """Evidence attached to a record, or to one of its fields, oldest first."""
    result: list[EvidenceRecord] = await _call(
        audit.evidence.list_for, entity=entity, record_id=record_id, field=field
    )
    return result


@router.get(
    "/evidence/{evidence_id}",
    response_model=EvidenceRecord,
    summary="Get evidence",
    responses=error_responses(404, 422),
    dependencies=[permission("audit:read")],
)
async def get_evidence(evidence_id: str, audit: AuditDep) -> EvidenceRecord:
    result: EvidenceRecord = await _call(audit.evidence.get, evidence_id=evidence_id)
    return result


@router.post(
    "/evidence/{evidence_id}/verify",
    response_model=EvidenceVerification,
    summary="Verify evidence",
    responses=error_responses(404, *BODY_ERRORS),
    dependencies=[permission("audit:read")],
)
async def verify_evidence(
    evidence_id: str, audit: AuditDep, body: PresentedEvidence | None = None
) -> EvidenceVerification:
    """Check the stored evidence, its signature and the field's value; compare a presented copy."""
    presented = body or PresentedEvidence()
    result: EvidenceVerification = await _call(
        audit.evidence.verify,
        evidence_id=evidence_id,
        reference=presented.reference,
        content=_decode(presented.content_base64, "content_base64"),
    )
    return result


@router.get(
    "/subjects/{contact_id}/passport",
    response_model=Passport,
    summary="Get a person's data passport",
    responses=error_responses(404, 422),
    dependencies=[permission("subjects:export")],
)
async def get_passport(contact_id: str, audit: AuditDep) -> Passport:
    """Which agents and models used which of the person's data, when and for what."""
    result: Passport = await _call(audit.passport, contact_id=contact_id)
    return result


@router.get(
    "/subjects/{contact_id}/passport.html",
    summary="Show a person's data passport",
    # The page is HTML; its errors stay JSON like every other error of the API.
    responses={
        200: {
            "description": "The passport page.",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
        **error_responses(404, 422),
    },
    dependencies=[permission("subjects:export")],
)
async def show_passport(contact_id: str, audit: AuditDep) -> HTMLResponse:
    """The data passport as a plain page (no scripts, no external assets)."""
    passport: Passport = await _call(audit.passport, contact_id=contact_id)
    return HTMLResponse(render_passport_html(passport))
