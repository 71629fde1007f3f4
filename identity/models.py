"""Tables of who may sign in and how: ``users``, ``api_keys``, ``sessions``, ``territories``.

Secrets never reach these tables: a password is stored as its argon2id hash, an API key as a
keyed hash (HMAC with a server secret that lives in a file, not in the database), a session
token as its SHA-256. A copy of the database therefore lets nobody sign in.

The tables' migration is ``0012_identity``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.columns import UTCDateTime, json_type
from crm.db import Base

NAME_LENGTH = 120
TERRITORY_LENGTH = 80


class UserRow(Base):
    """A local account: a person who signs in on the pages (or owns API keys)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("failed_sign_ins >= 0", name="failed_sign_ins"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    # None: the account cannot sign in with a password (SSO only, or keys only).
    password_hash: Mapped[str | None] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(json_type())
    team: Mapped[str | None] = mapped_column(String(80))
    territories: Mapped[list[str]] = mapped_column(json_type())
    # The CRM rep this user is (``reps.id``), when they are one; not a foreign key, so users can
    # exist before the CRM holds its reps (an import fills them later).
    rep_id: Mapped[str | None] = mapped_column(String(24))
    # The password was generated (seeding, create-user) and not yet chosen by its owner.
    first_run_password: Mapped[bool] = mapped_column(Boolean)
    failed_sign_ins: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiKeyRow(Base):
    """An API key of an application or a script; ``id`` is its public part."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    owner_user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    territories: Mapped[list[str]] = mapped_column(json_type())
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SessionRow(Base):
    """A signed-in browser session; the cookie holds the token, this row only its hash."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class TerritoryRow(Base):
    """A sales territory and the one above it (``None`` at the top)."""

    __tablename__ = "territories"

    name: Mapped[str] = mapped_column(String(TERRITORY_LENGTH), primary_key=True)
    parent: Mapped[str | None] = mapped_column(
        ForeignKey("territories.name", ondelete="RESTRICT"), index=True
    )
