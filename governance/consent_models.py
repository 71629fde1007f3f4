"""The consent table: one append-only row per grant or revocation of one purpose."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.columns import UTCDateTime
from crm.db import Base
from crm.enums import sql_in

AI_PROCESSING = "ai_processing"
MODEL_TRAINING = "model_training"
MARKETING = "marketing"
PURPOSES = (AI_PROCESSING, MODEL_TRAINING, MARKETING)
ACTIONS = ("grant", "revoke")


class ConsentRow(Base):
    """A grant or revocation; the newest row (highest id) per contact and purpose is the status.

    IP address and device fingerprint are kept only as keyed hashes (HMAC-SHA256). No foreign key
    to ``contacts``: an erased person's rows stay, with ``contact_id`` replaced by a keyed hash,
    as proof of what was consented to before.
    """

    __tablename__ = "consent_records"
    __table_args__ = (
        CheckConstraint(sql_in("purpose", PURPOSES), name="purpose"),
        CheckConstraint(sql_in("action", ACTIONS), name="action"),
        Index("ix_consent_records_contact_id_purpose", "contact_id", "purpose", "id"),
    )

    # Monotonic: "latest" is the last appended, even when a record is backdated.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contact_id: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(24))
    action: Mapped[str] = mapped_column(String(8))
    notice_version: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    device_hash: Mapped[str | None] = mapped_column(String(64))
    # Who recorded the change (``core.actor`` user id); None on records from before actors.
    actor_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
