"""The audit ledger: append-only, hash-chained entries over canonical JSON, with signed heads.

Each entry's hash covers its sequence number, kind, payload, actor (who did it), time and the
previous entry's hash (RFC 8785 canonical JSON, sha256), so editing, deleting, inserting or reordering entries
breaks the chain. The head (count + last hash) is re-signed with Ed25519 on every append, so
dropping or rewriting the newest entries is caught too, and a signed checkpoint is kept at least
every ``checkpoint_every`` entries or ``checkpoint_interval``. Appends are serialised by a row
lock on the head (``BEGIN IMMEDIATE`` on SQLite, ``SELECT ... FOR UPDATE`` on PostgreSQL), so
sequence numbers stay unique with any number of writers and processes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import BaseModel, Field
from sqlalchemy import Engine, Select, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.actor import UNATTRIBUTED, actor_record, current_actor
from crm.db import make_write_locking_engine, session_factory
from governance.audit_errors import InvalidAuditPayload
from governance.audit_models import (
    AuditCheckpointRow,
    AuditEntryRow,
    AuditEntrySubjectRow,
    AuditHeadRow,
)
from governance.canonical import canonical_json, canonical_sha256
from governance.keys import SigningKey
from governance.ledger_payload import normalise_payload, payload_subjects

GENESIS_HASH = "0" * 64
HEAD_ID = 1
CHECKPOINT_EVERY = 1000
CHECKPOINT_INTERVAL = timedelta(minutes=5)


class HeadWitnessLike(Protocol):
    """Where the signed head is copied after each append (see ``ledger_witness``)."""

    def record(self, head: SignedHead) -> None: ...

    def read(self) -> SignedHead | None: ...


class AuditEntry(BaseModel):
    """One ledger entry as stored."""

    seq: int
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    prev_hash: str
    entry_hash: str
    actor: dict[str, Any] | None = Field(
        None,
        description="Who acted: user_id (system:<component> for the system's own work), roles, "
        "via and credential_id. Null only on entries written before entries named their actor.",
    )


class SignedHead(BaseModel):
    """The signed statement of how long the ledger is and how it ends."""

    count: int
    head_hash: str
    signed_at: datetime | None
    key_id: str | None
    signature: str | None


def utc_now() -> datetime:
    return datetime.now(UTC)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def compute_entry_hash(
    *,
    seq: int,
    kind: str,
    payload: Mapping[str, Any],
    created_at: datetime,
    prev_hash: str,
    actor: Mapping[str, Any] | None = None,
) -> str:
    """The hash that chains an entry: canonical JSON of every stored field but the hash.

    The actor is hashed when the entry has one; entries written before entries named their
    actor have none and hash exactly as they did then, so old ledgers still verify.
    """
    hashed: dict[str, Any] = {
        "seq": seq,
        "kind": kind,
        "payload": payload,
        "created_at": _timestamp(created_at),
        "prev_hash": prev_hash,
    }
    if actor is not None:
        hashed["actor"] = actor
    return canonical_sha256(hashed)


def entry_actor(actor: Mapping[str, Any] | None) -> dict[str, Any]:
    """The actor an entry records: the one given, else the surrounding run's, request's or
    command's (``core.actor``), else ``system:unattributed``; checked like a payload."""
    found = actor_record(actor) if actor is not None else current_actor()
    if not found:
        found = {"user_id": UNATTRIBUTED}
    user_id = found.get("user_id")
    if not isinstance(user_id, str) or not 0 < len(user_id) <= 120:
        raise InvalidAuditPayload("actor.user_id must be 1..120 characters")
    return normalise_payload(found)


def head_statement(*, role: str, count: int, head_hash: str, signed_at: datetime) -> bytes:
    """The bytes a head (``role="head"``) or checkpoint (``role="checkpoint"``) signature covers.

    The role keeps a checkpoint's signature from being replayed as the head's after the entries
    following that checkpoint were dropped.
    """
    return canonical_json(
        {
            "ledger": "crm-agents-audit",
            "role": role,
            "count": count,
            "head_hash": head_hash,
            "signed_at": _timestamp(signed_at),
        }
    )


def ledger_engine(url: str) -> Engine:
    """An engine whose SQLite transactions take the write lock at BEGIN, so two appenders never
    both read the same head and then deadlock upgrading their locks."""
    return make_write_locking_engine(url)


class AuditLedger:
    """The ledger over one database; implements :class:`core.audit.AuditSink`."""

    def __init__(
        self,
        engine: Engine,
        key: SigningKey,
        *,
        checkpoint_every: int = CHECKPOINT_EVERY,
        checkpoint_interval: timedelta = CHECKPOINT_INTERVAL,
        clock: Callable[[], datetime] = utc_now,
        witness: HeadWitnessLike | None = None,
    ) -> None:
        self.engine = engine
        self.key = key
        self.checkpoint_every = checkpoint_every
        self.checkpoint_interval = checkpoint_interval
        self._clock = clock
        self._sessions = session_factory(engine)
        # One append at a time per process; the head's row lock orders the processes.
        self._lock = threading.Lock()
        self.witness = witness

    def append(
        self, kind: str, payload: Mapping[str, Any], *, actor: Mapping[str, Any] | None = None
    ) -> AuditEntry:
        """Append one entry; ``payload["contact_ids"]`` names the contacts it concerns and
        ``actor`` who acted (default: the actor of the surrounding work, ``core.actor``)."""
        if not kind or len(kind) > 40:
            raise InvalidAuditPayload("kind must be 1..40 characters")
        plain = normalise_payload(payload)
        subjects = payload_subjects(plain)
        recorded = entry_actor(actor)
        with self._lock:
            entry, head = self._append(kind, plain, subjects, recorded)
            if self.witness is not None:
                self.witness.record(head)
        return entry

    def _append(
        self, kind: str, plain: dict[str, Any], subjects: list[str], actor: dict[str, Any] | None
    ) -> tuple[AuditEntry, SignedHead]:
        with self._sessions() as session, session.begin():
            head = self._locked_head(session)
            seq = head.count + 1
            created_at = self._clock().astimezone(UTC)
            entry_hash = compute_entry_hash(
                seq=seq,
                kind=kind,
                payload=plain,
                created_at=created_at,
                prev_hash=head.head_hash,
                actor=actor,
            )
            row = AuditEntryRow(
                seq=seq,
                kind=kind,
                payload=plain,
                created_at=created_at,
                prev_hash=head.head_hash,
                entry_hash=entry_hash,
                actor=actor,
                actor_id=actor["user_id"] if actor is not None else None,
            )
            session.add(row)
            session.flush()
            session.add_all(AuditEntrySubjectRow(seq=seq, contact_id=c) for c in subjects)
            signature = self.key.sign(
                head_statement(role="head", count=seq, head_hash=entry_hash, signed_at=created_at)
            )
            if self._checkpoint_due(head, seq, created_at):
                checkpoint = head_statement(
                    role="checkpoint", count=seq, head_hash=entry_hash, signed_at=created_at
                )
                session.add(
                    AuditCheckpointRow(
                        seq=seq,
                        head_hash=entry_hash,
                        signed_at=created_at,
                        key_id=self.key.key_id,
                        signature=self.key.sign(checkpoint),
                    )
                )
                head.last_checkpoint_seq = seq
                head.last_checkpoint_at = created_at
            head.count = seq
            head.head_hash = entry_hash
            head.signed_at = created_at
            head.key_id = self.key.key_id
            head.signature = signature
            entry = AuditEntry.model_validate(row, from_attributes=True)
            signed = SignedHead.model_validate(head, from_attributes=True)
        return entry, signed

    def _checkpoint_due(self, head: AuditHeadRow, seq: int, now: datetime) -> bool:
        if head.last_checkpoint_at is None:
            return True
        return (
            seq - head.last_checkpoint_seq >= self.checkpoint_every
            or now - head.last_checkpoint_at >= self.checkpoint_interval
        )

    def _locked_head(self, session: Session) -> AuditHeadRow:
        locked = select(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID).with_for_update()
        head = session.scalars(locked).one_or_none()
        if head is not None:
            return head
        # The first append: create the head; a writer that races us here creates nothing.
        values = {"id": HEAD_ID, "count": 0, "head_hash": GENESIS_HASH, "last_checkpoint_seq": 0}
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(AuditHeadRow).values(**values).on_conflict_do_nothing())
        return session.scalars(locked).one()

    def head(self) -> SignedHead:
        """The signed head as stored (count 0 and the genesis hash for an empty ledger)."""
        with self._sessions() as session:
            row = session.get(AuditHeadRow, HEAD_ID)
            if row is None:
                return SignedHead(
                    count=0, head_hash=GENESIS_HASH, signed_at=None, key_id=None, signature=None
                )
            return SignedHead.model_validate(row, from_attributes=True)

    def count(self, *, kind: str | None = None, actor: str | None = None) -> int:
        """How many entries there are (of ``kind``, by the actor whose user id is ``actor``)."""
        stmt = _filtered(select(func.count()).select_from(AuditEntryRow), kind, actor)
        with self._sessions() as session:
            return int(session.scalar(stmt) or 0)

    def entries(
        self,
        *,
        offset: int = 0,
        limit: int = 100,
        kind: str | None = None,
        actor: str | None = None,
    ) -> list[AuditEntry]:
        """Entries in sequence order, optionally of one kind and by one actor (a user id)."""
        stmt = _filtered(select(AuditEntryRow), kind, actor).order_by(AuditEntryRow.seq)
        with self._sessions() as session:
            rows = session.scalars(stmt.offset(offset).limit(limit)).all()
            return [AuditEntry.model_validate(r, from_attributes=True) for r in rows]

    def entries_for_contact(self, *, contact_id: str) -> list[AuditEntry]:
        """Entries whose payload names ``contact_id`` among its contacts, in sequence order."""
        stmt = (
            select(AuditEntryRow)
            .join(AuditEntrySubjectRow, AuditEntrySubjectRow.seq == AuditEntryRow.seq)
            .where(AuditEntrySubjectRow.contact_id == contact_id)
            .order_by(AuditEntryRow.seq)
        )
        with self._sessions() as session:
            return [
                AuditEntry.model_validate(r, from_attributes=True) for r in session.scalars(stmt)
            ]

    def entries_about(self, *, kind: str, key: str, values: set[str]) -> list[AuditEntry]:
        """Entries of ``kind`` whose ``payload[key]`` is one of ``values`` (e.g. the decisions
        on a person's recommendations)."""
        if not values:
            return []
        found: list[AuditEntry] = []
        with self._sessions() as session:
            rows = session.scalars(
                select(AuditEntryRow).where(AuditEntryRow.kind == kind).order_by(AuditEntryRow.seq)
            )
            for row in rows:
                if str(row.payload.get(key)) in values:
                    found.append(AuditEntry.model_validate(row, from_attributes=True))
        return found


def _filtered(stmt: Select[Any], kind: str | None, actor: str | None) -> Select[Any]:
    """``stmt`` narrowed in SQL to entries of ``kind`` and by ``actor`` (indexed columns)."""
    if kind is not None:
        stmt = stmt.where(AuditEntryRow.kind == kind)
    if actor is not None:
        stmt = stmt.where(AuditEntryRow.actor_id == actor)
    return stmt
