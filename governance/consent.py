"""The consent ledger: per contact and purpose, append-only grants and revocations.

The status of a (contact, purpose) pair is its newest record; a contact without any record for
a purpose has not consented to it (privacy by default). Nothing is cached: every check reads
the table, so a revocation counts from the very next call.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import partialmethod
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, select, update

from core.actor import current_actor
from crm import models as m
from crm.db import session_factory
from crm.errors import NotFound
from governance.consent_models import ACTIONS, AI_PROCESSING, PURPOSES, ConsentRow

__all__ = [
    "AI_PROCESSING",
    "PURPOSES",
    "ConsentChecker",
    "ConsentLedger",
    "ConsentRecord",
    "InvalidConsent",
    "load_consent_key",
]

logger = logging.getLogger(__name__)

KEY_FILE = "consent_hmac.key"
ERASED_PREFIX = "erased:"
_NOTICE_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,39}$")
_SOURCE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,39}$")
_IN_CHUNK = 500  # ids per IN (...) list

Action = Literal["grant", "revoke"]


class InvalidConsent(ValueError):
    """A grant or revocation with a bad purpose, notice version or source (named)."""

    code = "invalid_consent"


class ConsentRecord(BaseModel):
    """One grant or revocation as stored; the IP address and device appear only hashed."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    contact_id: str
    purpose: str
    action: Action
    notice_version: str
    source: str
    recorded_at: datetime
    ip_hash: str | None = None
    device_hash: str | None = None
    actor_id: str | None = Field(
        None, description="Who recorded it (a user id); null on records from before actors."
    )


class ConsentChecker(Protocol):
    """What the point-of-use gate asks; :class:`ConsentLedger` answers it from the table."""

    def allowed(self, contact_id: str, purpose: str) -> bool: ...

    def contacts_without(self, purpose: str, contact_ids: Iterable[str]) -> set[str]: ...


def load_consent_key(key_dir: Path) -> bytes:
    """The HMAC key in ``key_dir``, created (32 random bytes, file mode 0600) on first use.

    A fully written temporary file is hard-linked into place, so two processes starting
    together end up with one key and neither reads a half-written file.
    """
    path = key_dir / KEY_FILE
    if not path.exists():
        key_dir.mkdir(parents=True, exist_ok=True)
        temporary = key_dir / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
            logger.info("created the consent hashing key %s", path)
        except FileExistsError:
            pass  # another process won: use theirs
        finally:
            temporary.unlink()
    key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if len(key) < 16:
        raise ValueError(f"the consent hashing key {path} is too short")
    return key


class ConsentLedger:
    """Appends consent records and answers whether a contact consented to a purpose."""

    def __init__(self, engine: Engine, *, key: bytes | None = None) -> None:
        """``key`` hashes IP addresses, devices and erased ids; checks need none."""
        self.engine = engine
        self._sessions = session_factory(engine)
        self._key = key

    def keyed_hash(self, value: str) -> str:
        """HMAC-SHA256 of ``value`` under the ledger's key, hex (what is stored instead of it)."""
        if self._key is None:
            raise RuntimeError("this consent ledger was opened without its hashing key")
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    # -- writing --------------------------------------------------------------------------

    def record(
        self,
        action: Action,
        *,
        contact_id: str,
        purpose: str,
        notice_version: str,
        source: str,
        ip_address: str | None = None,
        device_fingerprint: str | None = None,
        recorded_at: datetime | None = None,
        actor: Mapping[str, Any] | None = None,
    ) -> ConsentRecord:
        """Append a grant or revocation of ``purpose`` under ``notice_version``; effective at
        once. ``actor`` is who recorded it (default: the actor of the surrounding work,
        ``core.actor``). Raises ``InvalidConsent`` for bad values and ``NotFound`` for an
        unknown contact."""
        recorder = actor if actor is not None else current_actor()
        _check(action=action, purpose=purpose, notice_version=notice_version, source=source)
        row = ConsentRow(
            contact_id=contact_id,
            purpose=purpose,
            action=action,
            notice_version=notice_version,
            source=source,
            recorded_at=recorded_at or datetime.now(UTC),
            ip_hash=self.keyed_hash(ip_address) if ip_address else None,
            device_hash=self.keyed_hash(device_fingerprint) if device_fingerprint else None,
            actor_id=str(recorder["user_id"])[:120] if recorder else None,
        )
        with self._sessions() as session:
            if session.get(m.Contact, contact_id) is None:
                raise NotFound("contact", contact_id)
            session.add(row)
            session.commit()
            return ConsentRecord.model_validate(row)

    # ``grant(contact_id=..., purpose=..., notice_version=..., source=..., ...)`` and the same
    # for ``revoke``: :meth:`record` with the action filled in.
    grant = partialmethod(record, "grant")
    revoke = partialmethod(record, "revoke")

    def record_many(self, records: Iterable[dict[str, object]]) -> int:
        """Append many records in one transaction (the demo seed); each dict holds the keyword
        arguments of :meth:`grant` plus ``action``. Raw IPs and devices are hashed here too."""
        rows = []
        for record in records:
            values = dict(record)
            action = str(values.pop("action"))
            ip_address = values.pop("ip_address", None)
            device = values.pop("device_fingerprint", None)
            values["recorded_at"] = values.get("recorded_at") or datetime.now(UTC)
            _check(
                action=action,
                purpose=str(values["purpose"]),
                notice_version=str(values["notice_version"]),
                source=str(values["source"]),
            )
            rows.append(
                ConsentRow(
                    action=action,
                    ip_hash=self.keyed_hash(str(ip_address)) if ip_address else None,
                    device_hash=self.keyed_hash(str(device)) if device else None,
                    **values,
                )
            )
        with self._sessions() as session:
            session.add_all(rows)
            session.commit()
        return len(rows)

    def pseudonymise(self, *, contact_id: str) -> int:
        """Replace the contact id of their records by a keyed hash (erasure); how many rows.

        The records stay as proof of what was consented to, but name no one: only someone
        holding the key and the old id can find them again.
        """
        with self._sessions() as session:
            result = session.execute(
                update(ConsentRow)
                .where(ConsentRow.contact_id == contact_id)
                .values(contact_id=self.erased_id(contact_id))
            )
            session.commit()
            return int(getattr(result, "rowcount", 0) or 0)

    def erased_id(self, contact_id: str) -> str:
        """What an erased contact's records carry instead of their id."""
        return ERASED_PREFIX + self.keyed_hash(contact_id)[:48]

    # -- reading --------------------------------------------------------------------------

    def history(self, contact_id: str) -> list[ConsentRecord]:
        """Every record of the contact, oldest first."""
        stmt = select(ConsentRow).where(ConsentRow.contact_id == contact_id).order_by(ConsentRow.id)
        with self._sessions() as session:
            return [ConsentRecord.model_validate(row) for row in session.scalars(stmt)]

    def status(self, contact_id: str) -> dict[str, bool]:
        """Whether the contact consents to each purpose now (no record: False)."""
        latest: dict[str, str] = {}
        for record in self.history(contact_id):
            latest[record.purpose] = record.action
        return {purpose: latest.get(purpose) == "grant" for purpose in PURPOSES}

    def allowed(self, contact_id: str, purpose: str) -> bool:
        """Whether the contact's newest record for ``purpose`` is a grant."""
        return not self.contacts_without(purpose, [contact_id])

    def contacts_without(self, purpose: str, contact_ids: Iterable[str]) -> set[str]:
        """The ids among ``contact_ids`` whose newest record for ``purpose`` is not a grant
        (revoked, or never granted)."""
        _check(action="grant", purpose=purpose, notice_version="v", source="check")
        wanted = sorted(set(contact_ids))
        latest: dict[str, str] = {}
        with self._sessions() as session:
            for start in range(0, len(wanted), _IN_CHUNK):
                stmt = (
                    select(ConsentRow.contact_id, ConsentRow.action)
                    .where(
                        ConsentRow.purpose == purpose,
                        ConsentRow.contact_id.in_(wanted[start : start + _IN_CHUNK]),
                    )
                    .order_by(ConsentRow.id)
                )
                for contact_id, action in session.execute(stmt):
                    latest[contact_id] = action
        return {contact_id for contact_id in wanted if latest.get(contact_id) != "grant"}

    def contacts_with(self, purpose: str) -> set[str]:
        """Every contact whose newest record for ``purpose`` is a grant."""
        _check(action="grant", purpose=purpose, notice_version="v", source="check")
        latest: dict[str, str] = {}
        stmt = (
            select(ConsentRow.contact_id, ConsentRow.action)
            .where(ConsentRow.purpose == purpose)
            .order_by(ConsentRow.id)
        )
        with self._sessions() as session:
            for contact_id, action in session.execute(stmt):
                latest[contact_id] = action
        return {contact_id for contact_id, action in latest.items() if action == "grant"}


def _check(*, action: str, purpose: str, notice_version: str, source: str) -> None:
    if action not in ACTIONS:
        raise InvalidConsent(f"action must be one of {', '.join(ACTIONS)}, got {action!r}")
    if purpose not in PURPOSES:
        raise InvalidConsent(f"purpose must be one of {', '.join(PURPOSES)}, got {purpose!r}")
    if not _NOTICE_VERSION.match(notice_version or ""):
        raise InvalidConsent(
            "notice_version must be 1-40 letters, digits, '.', '_' or '-' (e.g. '2026-11' or "
            f"'v3'), got {notice_version!r}"
        )
    if not _SOURCE.match(source or ""):
        raise InvalidConsent(
            f"source must be 1-40 lower-case letters, digits, '_' or '-', got {source!r}"
        )
