"""Sign-in sessions of the pages: a random token in an HttpOnly cookie, a CSRF token the page
sends back with every state-changing request, and an expiry.

Only the SHA-256 of the token is stored (the token has 256 random bits, so an unkeyed hash
is enough: nobody can guess their way back to it), so the table alone signs nobody in. A
lookup reads the user again, so a disabled account or a changed role takes effect at the
next request, not at the next sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, bindparam, delete, select

from crm.db import session_factory
from identity.models import SessionRow, UserRow
from identity.principal import Principal
from identity.users import principal_of

# The session's CSRF token and expiry with its user, by the token's hash.
_LOOKUP = (
    select(SessionRow.csrf_token, SessionRow.expires_at, *UserRow.__table__.columns)
    .join(UserRow, UserRow.id == SessionRow.user_id)
    .where(SessionRow.token_hash == bindparam("token_hash"))
)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def session_id(token: str) -> str:
    """What the ledger records as the session used: a prefix of the token's hash, never the
    token."""
    return f"session:{_token_hash(token)[:16]}"


class Sessions:
    """The ``sessions`` table."""

    def __init__(self, engine: Engine, *, lifetime: timedelta = timedelta(hours=12)) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)
        self._lifetime = lifetime

    def create(self, principal: Principal, *, now: datetime | None = None) -> tuple[str, str]:
        """A new session of ``principal``'s user: ``(token, csrf_token)``, both shown once."""
        now = now or datetime.now(UTC)
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        with self._sessions() as session:
            # Expired sessions of this user go as a new one starts: the table stays small
            # without a sweeper.
            session.execute(
                delete(SessionRow).where(
                    SessionRow.user_id == principal.user_id, SessionRow.expires_at <= now
                )
            )
            session.add(
                SessionRow(
                    token_hash=_token_hash(token),
                    user_id=principal.user_id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=now + self._lifetime,
                )
            )
            session.commit()
        return token, csrf

    def lookup(self, token: str, *, now: datetime | None = None) -> tuple[Principal, str] | None:
        """The principal and CSRF token of a live session; ``None`` for an unknown or expired
        token or a disabled user."""
        if not token or len(token) > 256:
            return None
        now = now or datetime.now(UTC)
        # Core rather than ORM objects: this runs on every request a page makes.
        with self._engine.connect() as connection:
            found = connection.execute(_LOOKUP, {"token_hash": _token_hash(token)}).first()
        if found is None or found.expires_at <= now or found.disabled:
            return None
        return principal_of(found, via="session", credential_id=session_id(token)), found.csrf_token

    def revoke(self, token: str) -> bool:
        """End a session (sign-out); whether there was one."""
        with self._sessions() as session:
            result = session.execute(
                delete(SessionRow).where(SessionRow.token_hash == _token_hash(token))
            )
            session.commit()
        return bool(getattr(result, "rowcount", 0))

    def revoke_all(self, user_id: str) -> int:
        """End every session of a user (password changed, account disabled); how many."""
        with self._sessions() as session:
            result = session.execute(delete(SessionRow).where(SessionRow.user_id == user_id))
            session.commit()
        return int(getattr(result, "rowcount", 0))
