"""Single sign-on: a company's identity provider signs a token, this server checks it offline.

The token is a JWT signed with the provider's private key; the server holds only the public
keys (a JWKS file, or a URL when the operator configures one) and checks the signature, the
validity window, the issuer and the audience before trusting any claim in it. The claims then
become a ``Principal`` through a mapping the operator configures (which claim is the user id,
the roles, the team...), documented in docs/SSO_AND_CUSTOM_AUTH.md.

Only asymmetric algorithms are accepted: with a shared-secret algorithm (HS256) anyone holding
the published key set could sign tokens, and "none" means no signature at all.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import jwt
from jwt import PyJWK, PyJWKClient, PyJWKSet

from identity.principal import ROLES, Principal, Role

if TYPE_CHECKING:
    from core.settings import Settings

# Signature algorithms a token may use. Both are asymmetric: the key set is public.
ALLOWED_ALGORITHMS: tuple[str, ...] = ("RS256", "ES256")
# Key types that can verify those algorithms; an "oct" (shared secret) key is never used.
_VERIFYING_KEY_TYPES = frozenset({"RSA", "EC"})
# How long keys fetched from a URL are reused before asking the provider again.
_URL_KEYS_LIFESPAN_SECONDS = 300.0


class SSOTokenError(Exception):
    """A token that cannot be trusted, or a key set that cannot be used; ``code`` is stable.

    The message names the problem (expired, wrong audience, unknown key id...) so that the
    person integrating their identity provider can fix it from the 401 alone.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SSOConfigurationError(ValueError):
    """The SSO settings are incomplete or contradictory; the server refuses to start."""


@dataclass(frozen=True)
class ClaimMapping:
    """Which claims say who the user is. Defaults follow OpenID Connect where it has a name."""

    user: str = "sub"
    name: str = "preferred_username"
    roles: str = "roles"
    team: str = "team"
    territories: str = "territories"
    rep_id: str = "rep_id"


class _KeySource(Protocol):
    def key_for(self, kid: str | None) -> PyJWK: ...


class JWKSFileKeys:
    """Public keys from a JWKS file, read again when the file changes (key rotation)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._keys: list[PyJWK] = []
        self._load()

    def _load(self) -> None:
        try:
            stat = self._path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp == self._stamp:
                return
            document = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SSOTokenError(
                "jwks_unavailable", f"the SSO key set {self._path} cannot be read: {error}"
            ) from error
        if not isinstance(document, dict):
            raise SSOTokenError(
                "jwks_unavailable", f"the SSO key set {self._path} is not a JWKS object"
            )
        try:
            key_set = PyJWKSet.from_dict(document)
        except jwt.PyJWKSetError as error:
            raise SSOTokenError(
                "jwks_unavailable", f"the SSO key set {self._path} is unusable: {error}"
            ) from error
        self._keys = _verifying_keys(key_set, source=str(self._path))
        self._stamp = stamp

    def key_for(self, kid: str | None) -> PyJWK:
        with self._lock:
            self._load()
            keys = self._keys
        if kid is None:
            # Providers with a single key often leave kid out; with several it is ambiguous.
            if len(keys) == 1:
                return keys[0]
            raise SSOTokenError(
                "missing_key_id",
                f"the token names no key id (kid) and the key set holds {len(keys)} keys",
            )
        for key in keys:
            if key.key_id == kid:
                return key
        raise SSOTokenError("unknown_key_id", f"no key with id {kid!r} in the SSO key set")


class JWKSURLKeys:
    """Public keys fetched from the provider's JWKS URL; only used when the operator sets one."""

    def __init__(self, url: str) -> None:
        self._client = PyJWKClient(url, cache_jwk_set=True, lifespan=_URL_KEYS_LIFESPAN_SECONDS)
        self._url = url

    def key_for(self, kid: str | None) -> PyJWK:
        if kid is None:
            raise SSOTokenError("missing_key_id", "the token names no key id (kid)")
        try:
            key = self._client.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as error:
            raise SSOTokenError(
                "jwks_unavailable", f"the SSO key set at {self._url} cannot be fetched: {error}"
            ) from error
        except jwt.PyJWKClientError as error:
            raise SSOTokenError(
                "unknown_key_id", f"no key with id {kid!r} in the SSO key set at {self._url}"
            ) from error
        except jwt.PyJWKSetError as error:
            raise SSOTokenError(
                "jwks_unavailable", f"the SSO key set is unusable: {error}"
            ) from error
        _verifying_keys([key], source=self._url)
        return key


def _verifying_keys(keys: PyJWKSet | Sequence[PyJWK], *, source: str) -> list[PyJWK]:
    """The keys of a set that may verify a token: asymmetric, for signing, an allowed algorithm."""
    usable = [
        key
        for key in keys
        if key.key_type in _VERIFYING_KEY_TYPES
        and key.public_key_use in ("sig", None)
        and key.algorithm_name in ALLOWED_ALGORITHMS
    ]
    if not usable:
        raise SSOTokenError(
            "jwks_unavailable",
            f"the SSO key set {source} holds no RSA or EC signing key for "
            f"{' or '.join(ALLOWED_ALGORITHMS)}",
        )
    return usable


class SSOVerifier:
    """Checks an SSO token and returns who it names, or raises ``SSOTokenError`` saying why not."""

    def __init__(
        self,
        *,
        keys: _KeySource,
        issuer: str,
        audience: str,
        mapping: ClaimMapping | None = None,
        leeway_seconds: int = 30,
    ) -> None:
        if not issuer or not audience:
            raise SSOConfigurationError("SSO needs both an issuer and an audience to check")
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._mapping = mapping or ClaimMapping()
        self._leeway = leeway_seconds

    def claims(self, token: str) -> dict[str, object]:
        """The token's claims once signature, validity window, issuer and audience hold."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError as error:
            raise SSOTokenError("malformed_token", f"the token is not a JWT: {error}") from error
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise SSOTokenError(
                "algorithm_not_allowed",
                f"the token is signed with {algorithm!r}; only "
                f"{', '.join(ALLOWED_ALGORITHMS)} are accepted",
            )
        kid = header.get("kid")
        key = self._keys.key_for(kid if isinstance(kid, str) else None)
        try:
            claims: dict[str, object] = jwt.decode(
                token,
                key=key,
                algorithms=[str(algorithm)],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise _token_error(error, audience=self._audience, issuer=self._issuer) from error
        return claims

    def verify(self, token: str) -> Principal:
        """The principal an SSO token names (``via="sso"``)."""
        return principal_from_claims(self.claims(token), self._mapping)


def _token_error(error: jwt.PyJWTError, *, audience: str, issuer: str) -> SSOTokenError:
    """Our error for PyJWT's, worded for the person setting up their identity provider."""
    if isinstance(error, jwt.ExpiredSignatureError):
        return SSOTokenError("token_expired", "the token has expired (exp is in the past)")
    if isinstance(error, jwt.ImmatureSignatureError):
        return SSOTokenError("token_not_yet_valid", f"the token is not valid yet: {error}")
    if isinstance(error, jwt.InvalidAudienceError):
        return SSOTokenError("wrong_audience", f"the token is not for audience {audience!r}")
    if isinstance(error, jwt.InvalidIssuerError):
        return SSOTokenError("wrong_issuer", f"the token was not issued by {issuer!r}")
    if isinstance(error, jwt.MissingRequiredClaimError):
        return SSOTokenError("missing_claim", f"the token lacks the {error.claim!r} claim")
    if isinstance(error, jwt.InvalidSignatureError):
        return SSOTokenError("bad_signature", "the token's signature does not match its key")
    if isinstance(error, jwt.InvalidAlgorithmError):
        return SSOTokenError("algorithm_not_allowed", f"the token's algorithm is refused: {error}")
    return SSOTokenError("invalid_token", f"the token is invalid: {error}")


def claim(claims: Mapping[str, object], name: str) -> object:
    """A claim by name; a dotted name (``realm_access.roles``) reaches into nested claims.

    A claim whose own name has dots (``https://example.com/roles``) is found first as is.
    """
    if name in claims:
        return claims[name]
    value: object = claims
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _strings(value: object) -> tuple[str, ...]:
    """A claim holding one string, space/comma separated strings, or a list of strings."""
    if isinstance(value, str):
        return tuple(part for part in value.replace(",", " ").split() if part)
    if isinstance(value, Sequence):
        return tuple(item for item in value if isinstance(item, str) and item)
    return ()


def known_roles(names: Sequence[str]) -> frozenset[Role]:
    """The names among ``names`` that are roles of this server; others are dropped."""
    return frozenset(role for role in ROLES if role in names)


def principal_from_claims(claims: Mapping[str, object], mapping: ClaimMapping) -> Principal:
    """The principal verified claims name, through the configured mapping."""
    user_id = claim(claims, mapping.user)
    if not isinstance(user_id, str) or not user_id:
        raise SSOTokenError(
            "missing_claim", f"the token has no user id in its {mapping.user!r} claim"
        )
    offered = _strings(claim(claims, mapping.roles))
    roles = known_roles(offered)
    if not roles:
        raise SSOTokenError(
            "no_known_role",
            f"the token's {mapping.roles!r} claim holds no role this server knows "
            f"(got {list(offered)}; known: {', '.join(ROLES)})",
        )
    name = claim(claims, mapping.name)
    team = claim(claims, mapping.team)
    rep_id = claim(claims, mapping.rep_id)
    display_name = claims.get("name")
    jti = claims.get("jti")
    return Principal(
        user_id=user_id,
        name=name if isinstance(name, str) and name else user_id,
        roles=roles,
        via="sso",
        team=team if isinstance(team, str) and team else None,
        territories=_strings(claim(claims, mapping.territories)),
        rep_id=rep_id if isinstance(rep_id, str) and rep_id else None,
        credential_id=jti if isinstance(jti, str) and jti else None,
        display_name=display_name if isinstance(display_name, str) else None,
        extra={"issuer": claims.get("iss"), "dropped_roles": sorted(set(offered) - roles)},
    )


def sso_verifier_from_settings(settings: Settings) -> SSOVerifier | None:
    """The verifier the settings describe, or None when SSO is off (no key set configured)."""
    if settings.sso_jwks_path is None and not settings.sso_jwks_url:
        return None
    if not settings.sso_issuer or not settings.sso_audience:
        raise SSOConfigurationError(
            "SSO is configured with a key set but CRM_AGENTS_SSO_ISSUER and "
            "CRM_AGENTS_SSO_AUDIENCE must both be set: a token is trusted only for this issuer "
            "and this audience"
        )
    keys: _KeySource
    if settings.sso_jwks_path is not None:
        try:
            keys = JWKSFileKeys(settings.sso_jwks_path)
        except SSOTokenError as error:
            raise SSOConfigurationError(error.message) from error
    else:
        try:
            keys = JWKSURLKeys(str(settings.sso_jwks_url))
        except jwt.PyJWKClientError as error:
            raise SSOConfigurationError(f"CRM_AGENTS_SSO_JWKS_URL: {error}") from error
    return SSOVerifier(
        keys=keys,
        issuer=settings.sso_issuer,
        audience=settings.sso_audience,
        mapping=ClaimMapping(
            user=settings.sso_user_claim,
            name=settings.sso_name_claim,
            roles=settings.sso_roles_claim,
            team=settings.sso_team_claim,
            territories=settings.sso_territories_claim,
            rep_id=settings.sso_rep_claim,
        ),
        leeway_seconds=settings.sso_leeway_seconds,
    )
