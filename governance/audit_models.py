"""Tables of the audit ledger, the signed-output manifests and the evidence of CRM fields.

None of them holds personal data in plain text: ids, hashes, signatures, and (for evidence)
the file the user attached on purpose.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm.columns import UTCDateTime, json_type
from crm.db import Base


class AuditEntryRow(Base):
    """One ledger entry; ``entry_hash`` chains it to the entry before (``prev_hash``)."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_kind_seq", "kind", "seq"),
        Index("ix_audit_entries_actor_id_seq", "actor_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(json_type())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    # Who acted (``core.actor``), part of the hashed entry; None only on entries written before
    # entries named their actor. ``actor_id`` repeats its user id for filtering.
    actor: Mapped[dict[str, Any] | None] = mapped_column(json_type(), nullable=True)
    actor_id: Mapped[str | None] = mapped_column(String(120), nullable=True)


class AuditEntrySubjectRow(Base):
    """Which contacts an entry concerns (derived from its payload; the passport's index)."""

    __tablename__ = "audit_entry_subjects"

    seq: Mapped[int] = mapped_column(ForeignKey("audit_entries.seq"), primary_key=True)
    contact_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class AuditCheckpointRow(Base):
    """A signed statement "the ledger had ``seq`` entries ending in ``head_hash``"."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    head_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(128))


class AuditHeadRow(Base):
    """The one row (id 1) holding the signed head, re-signed on every append; also the lock
    that serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    key_id: Mapped[str | None] = mapped_column(String(16))
    signature: Mapped[str | None] = mapped_column(String(128))
    last_checkpoint_seq: Mapped[int] = mapped_column(Integer)
    last_checkpoint_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TextManifestRow(Base):
    """The signed manifest of one generated text, found by the hash of its normalised text."""

    __tablename__ = "text_manifests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    raw_sha256: Mapped[str] = mapped_column(String(64))
    recommendation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    manifest: Mapped[dict[str, Any]] = mapped_column(json_type())
    signature: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FieldEvidenceRow(Base):
    """Evidence (a file or a reference) bound to the value of one CRM field, signed."""

    __tablename__ = "field_evidence"
    __table_args__ = (Index("ix_field_evidence_target", "entity", "record_id", "field"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(64))
    value_sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12))
    evidence_sha256: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(255))
    media_type: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int | None] = mapped_column(Integer)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    author: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(128))
