"""Precise errors of the identity package; the API and the CLI translate them at the edges
(sign-in failures to 401, locked accounts to 429 or 423, bad input to 4xx naming the field)."""

from __future__ import annotations

from datetime import datetime


class IdentityError(Exception):
    """Base class of every error raised by the identity package."""

    code = "identity_error"


class InvalidIdentityInput(IdentityError, ValueError):
    """A user, key or territory with a bad name, role, territory or expiry (named)."""

    code = "invalid_identity_input"


class NameTaken(IdentityError, ValueError):
    """A user or territory name that exists already."""

    code = "name_taken"


class IdentityNotFound(IdentityError, LookupError):
    """No user, API key or territory of that name or id."""

    code = "not_found"

    def __init__(self, entity: str, name: str) -> None:
        super().__init__(f"{entity} {name!r} not found")
        self.entity = entity
        self.name = name


class SignInFailed(IdentityError):
    """Unknown name or wrong password: one message for both, so a guesser learns neither."""

    code = "sign_in_failed"

    def __init__(self) -> None:
        super().__init__("unknown user name or wrong password")


class AccountLocked(IdentityError):
    """Too many failed sign-ins in a row: no password is checked until ``until``."""

    code = "account_locked"

    def __init__(self, until: datetime) -> None:
        super().__init__(
            f"too many failed sign-ins: try again after {until.isoformat(timespec='seconds')}"
        )
        self.until = until


class AccountDisabled(IdentityError):
    """The account was disabled by an administrator (told only after a correct password)."""

    code = "account_disabled"

    def __init__(self) -> None:
        super().__init__("this account is disabled; ask an administrator")
