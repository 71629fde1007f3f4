"""Evidence-bound CRM fields: a file or a reference attached to the value a person entered.

The evidence's sha256, the sha256 of the field's value at the time, and who attached it are
signed with the governance key. Verification recomputes the stored evidence's hash, checks the
signature, says whether the field still holds the attested value, and compares a presented copy.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python
from sqlalchemy import Engine, Table, select

import crm.models  # noqa: F401 - registers the CRM tables evidence can point at
from crm.db import Base, session_factory
from governance.audit_errors import EvidenceNotFound, RecordNotFound, UnknownField
from governance.audit_models import FieldEvidenceRow
from governance.canonical import canonical_json, canonical_sha256, sha256_hex
from governance.keys import SigningKey

# Tables whose fields people enter by hand; evidence can be attached to their fields.
EVIDENCE_ENTITIES = ("accounts", "account_budgets", "contacts", "deals", "quotes", "activities")
MAX_REFERENCE = 2000


class EvidenceRecord(BaseModel):
    """Evidence as stored (without the file's bytes)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    entity: str
    record_id: str
    field: str
    value_sha256: str
    kind: Literal["file", "reference"]
    evidence_sha256: str
    reference: str | None = None
    filename: str | None = None
    media_type: str | None = None
    size: int | None = None
    author: str | None = None
    created_at: datetime
    key_id: str
    signature: str


class EvidenceVerification(BaseModel):
    """What still holds of a piece of evidence."""

    evidence_id: str
    ok: bool = Field(
        description="Signature valid, evidence intact, field value unchanged, presented copy equal."
    )
    signature_valid: bool
    evidence_intact: bool = Field(description="The stored evidence hashes to its signed sha256.")
    value_unchanged: bool | None = Field(
        description="The field still holds the attested value (null: the record is gone)."
    )
    presented_matches: bool | None = Field(
        None, description="A presented copy of the evidence equals it (null: none presented)."
    )
    reason: str


def _statement(row: FieldEvidenceRow) -> bytes:
    return canonical_json(
        {
            "id": row.id,
            "entity": row.entity,
            "record_id": row.record_id,
            "field": row.field,
            "value_sha256": row.value_sha256,
            "kind": row.kind,
            "evidence_sha256": row.evidence_sha256,
            "author": row.author,
            "created_at": row.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "key_id": row.key_id,
        }
    )


def _table(entity: str, field: str) -> Table:
    if entity not in EVIDENCE_ENTITIES:
        raise UnknownField(f"entity must be one of {', '.join(EVIDENCE_ENTITIES)}, not {entity!r}")
    table = Base.metadata.tables[entity]
    if field == "id" or field not in table.c:
        raise UnknownField(f"{entity} has no field {field!r} that can carry evidence")
    return table


def value_sha256(value: Any) -> str:
    """sha256 of a field value in canonical JSON (decimals and times as their text)."""
    return canonical_sha256({"value": to_jsonable_python(value)})


def _evidence_bytes(*, reference: str | None, content: bytes | None) -> bytes:
    return content if content is not None else (reference or "").encode("utf-8")


class FieldEvidence:
    """Attaches, lists and verifies evidence of CRM field values."""

    def __init__(self, engine: Engine, key: SigningKey) -> None:
        self.key = key
        self._sessions = session_factory(engine)

    def _current_value(self, entity: str, record_id: str, field: str) -> tuple[bool, Any]:
        table = _table(entity, field)
        with self._sessions() as session:
            row = session.execute(select(table.c[field]).where(table.c.id == record_id)).first()
        return (row is not None, row[0] if row is not None else None)

    def attach(
        self,
        *,
        entity: str,
        record_id: str,
        field: str,
        reference: str | None = None,
        content: bytes | None = None,
        filename: str | None = None,
        media_type: str | None = None,
        author: str | None = None,
    ) -> EvidenceRecord:
        """Bind a reference or a file (exactly one) to the current value of a field."""
        if (reference is None) == (content is None):
            raise UnknownField("give exactly one of a reference or a file")
        if reference is not None and not (0 < len(reference.strip()) <= MAX_REFERENCE):
            raise UnknownField(f"a reference must be 1..{MAX_REFERENCE} characters")
        if content is not None and not content:
            raise UnknownField("the evidence file is empty")
        exists, value = self._current_value(entity, record_id, field)
        if not exists:
            raise RecordNotFound(f"{entity} {record_id!r} not found")
        evidence = _evidence_bytes(reference=reference, content=content)
        row = FieldEvidenceRow(
            id=str(uuid.uuid4()),
            entity=entity,
            record_id=record_id,
            field=field,
            value_sha256=value_sha256(value),
            kind="file" if content is not None else "reference",
            evidence_sha256=sha256_hex(evidence),
            reference=reference,
            filename=filename,
            media_type=media_type,
            size=len(content) if content is not None else None,
            content=content,
            author=author,
            created_at=datetime.now(UTC),
            key_id=self.key.key_id,
            signature="",
        )
        row.signature = self.key.sign(_statement(row))
        with self._sessions() as session:
            session.add(row)
            session.commit()
            return EvidenceRecord.model_validate(row)

    def _row(self, evidence_id: str) -> FieldEvidenceRow:
        with self._sessions() as session:
            row = session.get(FieldEvidenceRow, evidence_id)
            if row is None:
                raise EvidenceNotFound(evidence_id)
            return row

    def get(self, *, evidence_id: str) -> EvidenceRecord:
        return EvidenceRecord.model_validate(self._row(evidence_id))

    def list_for(
        self, *, entity: str, record_id: str, field: str | None = None
    ) -> list[EvidenceRecord]:
        """Evidence attached to a record (or one of its fields), oldest first."""
        stmt = select(FieldEvidenceRow).where(
            FieldEvidenceRow.entity == entity, FieldEvidenceRow.record_id == record_id
        )
        if field is not None:
            stmt = stmt.where(FieldEvidenceRow.field == field)
        with self._sessions() as session:
            rows = session.scalars(stmt.order_by(FieldEvidenceRow.created_at, FieldEvidenceRow.id))
            return [EvidenceRecord.model_validate(r) for r in rows]

    def verify(
        self, *, evidence_id: str, reference: str | None = None, content: bytes | None = None
    ) -> EvidenceVerification:
        """Check the stored evidence, its signature and the field; compare a presented copy."""
        row = self._row(evidence_id)
        signature_valid = self.key.verify(_statement(row), row.signature)
        stored = _evidence_bytes(reference=row.reference, content=row.content)
        intact = sha256_hex(stored) == row.evidence_sha256
        exists, value = self._current_value(row.entity, row.record_id, row.field)
        unchanged = value_sha256(value) == row.value_sha256 if exists else None
        presented = None
        if reference is not None or content is not None:
            copy = _evidence_bytes(reference=reference, content=content)
            presented = sha256_hex(copy) == row.evidence_sha256
        problems = []
        if not signature_valid:
            problems.append("the evidence record's signature does not verify")
        if not intact:
            problems.append("the stored evidence changed since it was attached")
        if unchanged is False:
            problems.append("the field no longer holds the value the evidence was attached to")
        if unchanged is None:
            problems.append("the record no longer exists")
        if presented is False:
            problems.append("the presented evidence differs from the attached evidence")
        return EvidenceVerification(
            evidence_id=row.id,
            ok=not problems,
            signature_valid=signature_valid,
            evidence_intact=intact,
            value_unchanged=unchanged,
            presented_matches=presented,
            reason="; ".join(problems) or "evidence intact, signed, and bound to the current value",
        )
