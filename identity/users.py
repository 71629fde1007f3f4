"""Local accounts: create, sign in (with lockout after repeated failures), change passwords,
list and disable.

A sign-in that names an unknown user or a wrong password fails with the same error after the
same work, so neither the message nor the time tells a guesser which names exist. After
``max_failures`` failures in a row the account refuses every password, right or wrong, for
``lockout`` (the counter goes up in SQL, so concurrent guesses all count).
"""

from __future__ import annotations

import builtins
import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from crm.db import session_factory
from identity.errors import (
    AccountDisabled,
    AccountLocked,
    IdentityNotFound,
    InvalidIdentityInput,
    NameTaken,
    SignInFailed,
)
from identity.models import NAME_LENGTH, UserRow
from identity.passwords import Passwords, generate_password
from identity.principal import ROLES, Principal, Role, Via
from identity.territories import Territories

# Sign-in names: what people type; lower case so "Chen.Jing" and "chen.jing" are one account.
_NAME = re.compile(rf"^[a-z0-9][a-z0-9._@\-]{{0,{NAME_LENGTH - 1}}}$")
# Applications authenticate with API keys, never as a person.
USER_ROLES: tuple[Role, ...] = tuple(role for role in ROLES if role != "application")


class User(BaseModel):
    """A local account as the directory shows it: never its password hash."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: str
    name: str
    display_name: str | None
    roles: tuple[Role, ...]
    team: str | None
    territories: tuple[str, ...]
    rep_id: str | None
    first_run_password: bool
    failed_sign_ins: int
    locked_until: datetime | None
    disabled: bool
    created_at: datetime


class UserFields(Protocol):
    """What a principal is made of: a ``users`` row, a :class:`User`, or a Core result row."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def roles(self) -> Sequence[str]: ...
    @property
    def team(self) -> str | None: ...
    @property
    def territories(self) -> Sequence[str]: ...
    @property
    def rep_id(self) -> str | None: ...
    @property
    def display_name(self) -> str | None: ...


def principal_of(user: UserFields, *, via: Via, credential_id: str | None) -> Principal:
    """The principal a signed-in user acts as."""
    return Principal(
        user_id=user.id,
        name=user.name,
        roles=frozenset(check_roles(user.roles, allowed=ROLES)),
        via=via,
        team=user.team,
        territories=tuple(user.territories),
        rep_id=user.rep_id,
        credential_id=credential_id,
        display_name=user.display_name,
    )


def check_roles(roles: Iterable[str], *, allowed: tuple[Role, ...] = USER_ROLES) -> list[Role]:
    """``roles`` without duplicates, after checking each is one of ``allowed``."""
    checked: list[Role] = []
    for role in roles:
        if role not in allowed:
            raise InvalidIdentityInput(f"unknown role {role!r}; roles: {', '.join(allowed)}")
        if role not in checked:
            checked.append(role)
    if not checked:
        raise InvalidIdentityInput(f"at least one role is needed; roles: {', '.join(allowed)}")
    return checked


class CreatedUser(NamedTuple):
    """A new account, with its generated one-time password when none was given (shown once)."""

    user: User
    one_time_password: str | None


class UserDirectory:
    """The ``users`` table: accounts, their passwords and their sign-in failures."""

    def __init__(
        self,
        engine: Engine,
        *,
        territories: Territories | None = None,
        passwords: Passwords | None = None,
        max_failures: int = 5,
        lockout: timedelta = timedelta(minutes=15),
    ) -> None:
        self._sessions = session_factory(engine)
        self._territories = territories or Territories(engine)
        self._passwords = passwords or Passwords()
        self._max_failures = max_failures
        self._lockout = lockout

    def create_user(
        self,
        name: str,
        roles: Iterable[str],
        *,
        team: str | None = None,
        territories: Iterable[str] = (),
        rep_id: str | None = None,
        password: str | None = None,
        display_name: str | None = None,
    ) -> CreatedUser:
        """Add an account. Without ``password`` one is generated, returned once, and marked
        first-run: its owner should choose their own (the server refuses to listen beyond
        this machine while any first-run password remains)."""
        name = name.strip().lower()
        if not _NAME.match(name):
            raise InvalidIdentityInput(
                f"user name {name!r} must be 1-{NAME_LENGTH} letters, digits or ._@- "
                "and start with a letter or digit"
            )
        checked_roles = check_roles(roles)
        known = self._territories.require_known(territories)
        one_time = generate_password() if password is None else None
        row = UserRow(
            id=str(uuid.uuid4()),
            name=name,
            display_name=display_name,
            password_hash=self._passwords.hash(password or one_time or ""),
            roles=list(checked_roles),
            team=team or None,
            territories=list(known),
            rep_id=rep_id or None,
            first_run_password=one_time is not None,
            failed_sign_ins=0,
            locked_until=None,
            disabled=False,
            created_at=datetime.now(UTC),
        )
        try:
            with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError:  # the unique name: checked by the database, so races lose too
            raise NameTaken(f"user {name!r} exists already") from None
        return CreatedUser(User.model_validate(row), one_time)

    def get(self, name: str) -> User:
        """The account called ``name``."""
        with self._sessions() as session:
            row = session.scalar(select(UserRow).where(UserRow.name == name.strip().lower()))
        if row is None:
            raise IdentityNotFound("user", name)
        return User.model_validate(row)

    def get_by_id(self, user_id: str) -> User | None:
        """The account with id ``user_id``, if any."""
        with self._sessions() as session:
            row = session.get(UserRow, user_id)
            return None if row is None else User.model_validate(row)

    def list(self) -> builtins.list[User]:
        """Every account, by name."""
        with self._sessions() as session:
            rows = session.scalars(select(UserRow).order_by(UserRow.name)).all()
            return [User.model_validate(row) for row in rows]

    def sign_in(self, name: str, password: str, *, now: datetime | None = None) -> Principal:
        """The principal of ``name`` when ``password`` is theirs; :class:`SignInFailed`,
        :class:`AccountLocked` or :class:`AccountDisabled` otherwise."""
        now = now or datetime.now(UTC)
        # Read, check the password holding no connection (the check takes half a second; a
        # burst of sign-ins must not drain the pool), then write only what changed, in a short
        # transaction of its own.
        with self._sessions() as session:
            row = session.scalar(select(UserRow).where(UserRow.name == name.strip().lower()))
        if row is None:
            self._passwords.verify(None, password)
            raise SignInFailed()
        if row.locked_until is not None and row.locked_until > now:
            raise AccountLocked(row.locked_until)
        verified = self._passwords.verify(row.password_hash, password)
        if not verified.ok:
            self._count_failure(row.id, now=now)
            raise SignInFailed()
        if row.disabled:
            raise AccountDisabled()
        changes: dict[str, object] = {}
        if row.failed_sign_ins or row.locked_until is not None:
            changes.update(failed_sign_ins=0, locked_until=None)
        if verified.rehashed is not None:
            changes["password_hash"] = verified.rehashed
        if changes:
            with self._sessions.begin() as session:
                session.execute(update(UserRow).where(UserRow.id == row.id).values(**changes))
        return principal_of(row, via="session", credential_id=None)

    def _count_failure(self, user_id: str, *, now: datetime) -> None:
        with self._sessions.begin() as session:
            failures = session.scalar(
                update(UserRow)
                .where(UserRow.id == user_id)
                .values(failed_sign_ins=UserRow.failed_sign_ins + 1)
                .returning(UserRow.failed_sign_ins)
            )
            if failures is not None and failures >= self._max_failures:
                # The lock starts over with a clean count: after it, a few more tries are allowed.
                session.execute(
                    update(UserRow)
                    .where(UserRow.id == user_id)
                    .values(failed_sign_ins=0, locked_until=now + self._lockout)
                )

    def set_password(self, name: str, password: str) -> User:
        """Give ``name`` a password its owner chose: no longer first-run, and unlocked."""
        password_hash = self._passwords.hash(password)
        return self._change(name, password_hash=password_hash, first_run_password=False,
                            failed_sign_ins=0, locked_until=None)  # fmt: skip

    def disable(self, name: str) -> User:
        """Stop ``name`` from signing in (their sessions and keys stop working too)."""
        return self._change(name, disabled=True)

    def _change(self, name: str, **values: object) -> User:
        # One UPDATE (a write first, so the transaction never reads a stale snapshot), then
        # the account as it now stands.
        with self._sessions.begin() as session:
            changed = session.scalar(
                update(UserRow)
                .where(UserRow.name == name.strip().lower())
                .values(**values)
                .returning(UserRow.id)
            )
        if changed is None:
            raise IdentityNotFound("user", name)
        user = self.get_by_id(changed)
        if user is None:  # deleted in between: as absent as if it never existed
            raise IdentityNotFound("user", name)
        return user

    def territories_by_user(self) -> dict[str, tuple[str, ...]]:
        """User id -> the user's territories (for managers' view of their reports' threads)."""
        with self._sessions() as session:
            rows = session.execute(select(UserRow.id, UserRow.territories)).all()
        return {user_id: tuple(theirs) for user_id, theirs in rows}

    def any_first_run_passwords(self) -> bool:
        """Whether an enabled account still has a generated password nobody replaced."""
        with self._sessions() as session:
            found = session.scalar(
                select(UserRow.id)
                .where(UserRow.first_run_password.is_(True), UserRow.disabled.is_(False))
                .limit(1)
            )
        return found is not None
