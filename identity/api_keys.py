"""API keys for applications and scripts: shown once, stored as a keyed hash.

A key reads ``crm_<id>_<secret>``: ``id`` is public (it names the key in lists, logs and the
audit ledger); the whole key is stored only as HMAC-SHA256 under a server secret kept in a
0600 file beside the governance keys, so a copy of the database alone can neither use a key
nor test guesses against the hashes offline.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, bindparam, select, update

from crm.db import session_factory
from governance.keys import create_secret_file
from identity.errors import IdentityNotFound, InvalidIdentityInput
from identity.models import NAME_LENGTH, ApiKeyRow, UserRow
from identity.principal import ROLES, Principal, Role
from identity.territories import Territories
from identity.users import check_roles

SECRET_FILE = "api_keys_hmac.key"
PREFIX = "crm"
_KEY = re.compile(r"^crm_([0-9a-f]{12})_([A-Za-z0-9_\-]{43})$")
# Writing "last used" on every request would turn each read into a write; once a minute says
# enough about whether a key is still in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_EXPIRY_DAYS = 3650

# A key with what its owner (if any) contributes to its principal, by the key's public id.
_VERIFY = (
    select(
        ApiKeyRow.id,
        ApiKeyRow.name,
        ApiKeyRow.role,
        ApiKeyRow.territories,
        ApiKeyRow.key_hash,
        ApiKeyRow.expires_at,
        ApiKeyRow.revoked_at,
        ApiKeyRow.last_used_at,
        UserRow.id.label("owner_id"),
        UserRow.disabled.label("owner_disabled"),
        UserRow.team.label("owner_team"),
        UserRow.territories.label("owner_territories"),
        UserRow.rep_id.label("owner_rep_id"),
        UserRow.display_name.label("owner_display_name"),
    )
    .outerjoin(UserRow, UserRow.id == ApiKeyRow.owner_user_id)
    .where(ApiKeyRow.id == bindparam("key_id"))
)


def load_api_key_secret(key_dir: Path) -> bytes:
    """The server secret API keys are hashed with, created (32 random bytes, 0600) on first
    use. Losing it invalidates every key; it never leaves the key folder."""
    path = key_dir / SECRET_FILE
    if not path.exists():
        create_secret_file(path, secrets.token_bytes(32))
    secret = path.read_bytes()
    if len(secret) < 32:
        raise ValueError(f"{path} holds {len(secret)} bytes; an API key secret needs 32")
    return secret


class ApiKey(BaseModel):
    """An API key as lists show it: never the key or its hash."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: str
    name: str
    owner_user_id: str | None
    role: Role
    territories: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class CreatedKey(NamedTuple):
    """A new key's record and the key itself, which is shown this once and never again."""

    record: ApiKey
    plaintext: str


class ApiKeys:
    """The ``api_keys`` table and the check of a presented key."""

    def __init__(
        self, engine: Engine, secret: bytes, *, territories: Territories | None = None
    ) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)
        self._secret = secret
        self._territories = territories or Territories(engine)

    def _hash(self, plaintext: str) -> str:
        return hmac.new(self._secret, plaintext.encode("ascii"), hashlib.sha256).hexdigest()

    def create(
        self,
        name: str,
        role: str,
        *,
        owner: str | None = None,
        territories: Iterable[str] = (),
        expires_days: float | None = None,
        now: datetime | None = None,
    ) -> CreatedKey:
        """A new key for ``role`` (optionally owned by the user ``owner``, a user id or name,
        limited to ``territories`` and expiring after ``expires_days``)."""
        name = name.strip()
        if not 0 < len(name) <= NAME_LENGTH:
            raise InvalidIdentityInput(f"a key name needs 1-{NAME_LENGTH} characters")
        (checked_role,) = check_roles([role], allowed=ROLES)
        known = self._territories.require_known(territories)
        if expires_days is not None and not 0 < expires_days <= MAX_EXPIRY_DAYS:
            raise InvalidIdentityInput(
                f"expiry must be more than 0 and at most {MAX_EXPIRY_DAYS} days"
            )
        now = now or datetime.now(UTC)
        key_id = secrets.token_hex(6)
        plaintext = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
        owner_id = None
        if owner is not None:
            with self._sessions() as session:
                owner_id = session.scalar(
                    select(UserRow.id).where(
                        (UserRow.id == owner) | (UserRow.name == owner.strip().lower())
                    )
                )
            if owner_id is None:
                raise IdentityNotFound("user", owner)
        row = ApiKeyRow(
            id=key_id,
            name=name,
            owner_user_id=owner_id,
            role=checked_role,
            territories=list(known),
            key_hash=self._hash(plaintext),
            created_at=now,
            expires_at=None if expires_days is None else now + timedelta(days=expires_days),
            revoked_at=None,
            last_used_at=None,
        )
        with self._sessions.begin() as session:
            session.add(row)
        return CreatedKey(ApiKey.model_validate(row), plaintext)

    def verify(self, plaintext: str, *, now: datetime | None = None) -> Principal | None:
        """The principal a presented key acts as; ``None`` for a malformed, unknown, revoked or
        expired key, or one whose owner is disabled (the caller answers 401 alike)."""
        match = _KEY.match(plaintext)
        if match is None:
            return None
        now = now or datetime.now(UTC)
        # Core rather than ORM objects: this runs on every request a key makes (~4x faster).
        with self._engine.connect() as connection:
            key = connection.execute(_VERIFY, {"key_id": match.group(1)}).first()
        if key is None or not hmac.compare_digest(key.key_hash, self._hash(plaintext)):
            return None
        if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
            return None
        if key.owner_id is not None and key.owner_disabled:
            return None
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
            with self._engine.begin() as connection:
                connection.execute(
                    update(ApiKeyRow).where(ApiKeyRow.id == key.id).values(last_used_at=now)
                )
        return Principal(
            user_id=key.owner_id if key.owner_id is not None else f"key:{key.id}",
            name=key.name,
            roles=frozenset(check_roles([key.role], allowed=ROLES)),
            via="api_key",
            team=key.owner_team,
            # A key without territories of its own is limited to its owner's.
            territories=tuple(key.territories or key.owner_territories or ()),
            rep_id=key.owner_rep_id,
            credential_id=key.id,
            display_name=key.owner_display_name,
        )

    def revoke(self, key_id: str, *, now: datetime | None = None) -> ApiKey:
        """Stop ``key_id`` from working; revoking a revoked key keeps its first revocation."""
        with self._sessions.begin() as session:
            # A write first (the transaction never reads a stale snapshot); revoking twice
            # keeps the first time.
            session.execute(
                update(ApiKeyRow)
                .where(ApiKeyRow.id == key_id, ApiKeyRow.revoked_at.is_(None))
                .values(revoked_at=now or datetime.now(UTC))
            )
            row = session.get(ApiKeyRow, key_id)
            if row is None:
                raise IdentityNotFound("API key", key_id)
            return ApiKey.model_validate(row)

    def list(self) -> builtins.list[ApiKey]:
        """Every key, newest first, revoked ones included (they say when they were revoked)."""
        with self._sessions() as session:
            rows = session.scalars(
                select(ApiKeyRow).order_by(ApiKeyRow.created_at.desc(), ApiKeyRow.id)
            ).all()
            return [ApiKey.model_validate(row) for row in rows]
