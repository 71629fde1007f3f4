"""Passwords of local accounts: argon2id hashes through argon2-cffi, and generated one-time
passwords.

argon2-cffi's defaults are RFC 9106's "low memory" argon2id profile; a stored hash carries its
own parameters, so raising them later only needs :meth:`Passwords.verify`'s rehash: the next
successful sign-in stores a hash with the new parameters. Tests pass a cheaper profile.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from functools import cached_property

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from identity.errors import InvalidIdentityInput

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 accepts any length; a bound keeps a sign-in from costing megabytes


@dataclass(frozen=True)
class Verified:
    """The outcome of checking a password: whether it matched, and a new hash to store when
    the stored one was made with other parameters than today's."""

    ok: bool
    rehashed: str | None = None


@dataclass(frozen=True)
class Passwords:
    """Hashes and checks passwords with one set of argon2id parameters."""

    hasher: PasswordHasher = field(default_factory=PasswordHasher)

    @classmethod
    def with_parameters(cls, parameters: Parameters) -> Passwords:
        """Hashing with ``parameters`` (``argon2.profiles.CHEAPEST`` in tests)."""
        return cls(PasswordHasher.from_parameters(parameters))

    def hash(self, password: str) -> str:
        """The argon2id hash of ``password`` after checking its length."""
        check_password(password)
        return self.hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> Verified:
        """Whether ``password`` matches ``stored_hash`` (``None``: an account without a
        password, which never matches but costs the same time)."""
        if stored_hash is None or len(password) > MAX_LENGTH:
            self._waste_time(password[:MAX_LENGTH])
            return Verified(ok=False)
        try:
            self.hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return Verified(ok=False)
        if self.hasher.check_needs_rehash(stored_hash):
            return Verified(ok=True, rehashed=self.hasher.hash(password))
        return Verified(ok=True)

    @cached_property
    def _decoy_hash(self) -> str:
        # Checked against when a name is unknown, so an unknown name costs as much time as a
        # known one and timing does not tell a guesser which names exist.
        return self.hasher.hash(secrets.token_urlsafe(16))

    def _waste_time(self, password: str) -> None:
        try:
            self.hasher.verify(self._decoy_hash, password)
        except (VerificationError, InvalidHashError):
            pass


def check_password(password: str) -> None:
    """Refuse a password too short to resist guessing or too long to hash cheaply."""
    if len(password) < MIN_LENGTH:
        raise InvalidIdentityInput(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidIdentityInput(f"a password may have at most {MAX_LENGTH} characters")


def generate_password() -> str:
    """A one-time password: 20 URL-safe characters (120 random bits), easy to copy."""
    return secrets.token_urlsafe(15)
