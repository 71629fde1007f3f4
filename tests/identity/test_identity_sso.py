"""SSO tokens: verified offline against a JWKS file, every way a token can fail is named."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from core.settings import Settings
from identity.sso import (
    ClaimMapping,
    JWKSFileKeys,
    SSOConfigurationError,
    SSOTokenError,
    SSOVerifier,
    sso_verifier_from_settings,
)

ISSUER = "https://sso.example.com/realms/sales"
AUDIENCE = "crm-agents"


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return _rsa_key()


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _jwk(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, kid: str) -> dict[str, Any]:
    if isinstance(key, rsa.RSAPrivateKey):
        public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        public["alg"] = "RS256"
    else:
        public = json.loads(ECAlgorithm.to_jwk(key.public_key()))
        public["alg"] = "ES256"
    jwk: dict[str, Any] = public | {"kid": kid, "use": "sig"}
    return jwk


@pytest.fixture()
def jwks_file(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey
) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [_jwk(rsa_key, "rsa-1"), _jwk(ec_key, "ec-1")]}))
    return path


@pytest.fixture()
def verifier(jwks_file: Path) -> SSOVerifier:
    return SSOVerifier(keys=JWKSFileKeys(jwks_file), issuer=ISSUER, audience=AUDIENCE)


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "u-1042",
        "preferred_username": "li.na",
        "name": "Li Na",
        "roles": ["rep", "offline_access"],
        "team": "east-1",
        "territories": ["East", "Shanghai"],
        "rep_id": "rep-07",
        "jti": "tok-1",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def _sign(key: Any, kid: str | None = "rsa-1", algorithm: str = "RS256", **claims: Any) -> str:
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(_claims(**claims), key, algorithm=algorithm, headers=headers)


def _rejection(verifier: SSOVerifier, token: str) -> SSOTokenError:
    with pytest.raises(SSOTokenError) as caught:
        verifier.verify(token)
    return caught.value


def test_rs256_token_maps_claims_to_principal(verifier: SSOVerifier, rsa_key: Any) -> None:
    principal = verifier.verify(_sign(rsa_key))
    assert principal.user_id == "u-1042"
    assert principal.name == "li.na"
    assert principal.display_name == "Li Na"
    assert principal.roles == frozenset({"rep"})
    assert principal.via == "sso"
    assert principal.team == "east-1"
    assert principal.territories == ("East", "Shanghai")
    assert principal.rep_id == "rep-07"
    assert principal.credential_id == "tok-1"
    assert principal.extra["dropped_roles"] == ["offline_access"]


def test_es256_token_is_accepted(verifier: SSOVerifier, ec_key: Any) -> None:
    principal = verifier.verify(_sign(ec_key, kid="ec-1", algorithm="ES256", roles="manager"))
    assert principal.roles == frozenset({"manager"})


def test_configured_claim_names_and_nested_roles(jwks_file: Path, rsa_key: Any) -> None:
    mapping = ClaimMapping(user="email", name="email", roles="realm_access.roles", team="dept")
    verifier = SSOVerifier(
        keys=JWKSFileKeys(jwks_file), issuer=ISSUER, audience=AUDIENCE, mapping=mapping
    )
    token = _sign(
        rsa_key,
        email="li.na@example.com",
        roles=None,
        realm_access={"roles": ["manager", "uma_authorization"]},
        dept="Hospitals East",
    )
    principal = verifier.verify(token)
    assert principal.user_id == "li.na@example.com"
    assert principal.roles == frozenset({"manager"})
    assert principal.team == "Hospitals East"


def test_single_key_set_accepts_token_without_kid(tmp_path: Path, rsa_key: Any) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"keys": [_jwk(rsa_key, "only")]}))
    verifier = SSOVerifier(keys=JWKSFileKeys(path), issuer=ISSUER, audience=AUDIENCE)
    assert verifier.verify(_sign(rsa_key, kid=None)).user_id == "u-1042"


def test_rotated_key_file_is_read_again(tmp_path: Path, rsa_key: Any) -> None:
    path = tmp_path / "rotating.json"
    path.write_text(json.dumps({"keys": [_jwk(rsa_key, "old")]}))
    verifier = SSOVerifier(keys=JWKSFileKeys(path), issuer=ISSUER, audience=AUDIENCE)
    new_key = _rsa_key()
    assert _rejection(verifier, _sign(new_key, kid="new")).code == "unknown_key_id"
    path.write_text(json.dumps({"keys": [_jwk(rsa_key, "old"), _jwk(new_key, "new")]}))
    assert verifier.verify(_sign(new_key, kid="new")).user_id == "u-1042"


@pytest.mark.parametrize(
    ("claims", "code", "words"),
    [
        ({"exp": int(time.time()) - 3600}, "token_expired", "expired"),
        ({"nbf": int(time.time()) + 3600}, "token_not_yet_valid", "not valid yet"),
        ({"aud": "another-app"}, "wrong_audience", "audience"),
        ({"iss": "https://evil.example.com"}, "wrong_issuer", "issued by"),
        ({"exp": None}, "missing_claim", "'exp'"),
        ({"aud": None}, "missing_claim", "'aud'"),
        ({"sub": None}, "missing_claim", "user id"),
        ({"roles": ["superuser", "offline_access"]}, "no_known_role", "no role"),
        ({"roles": None}, "no_known_role", "no role"),
    ],
)
def test_claim_rejections_name_the_problem(
    verifier: SSOVerifier, rsa_key: Any, claims: dict[str, Any], code: str, words: str
) -> None:
    error = _rejection(verifier, _sign(rsa_key, **claims))
    assert error.code == code
    assert words in str(error)


def test_signature_by_another_key_is_rejected(verifier: SSOVerifier) -> None:
    forged = _sign(_rsa_key(), kid="rsa-1")
    error = _rejection(verifier, forged)
    assert (error.code, str(error)) == ("bad_signature", error.message)
    assert "signature" in error.message


def test_tampered_payload_is_rejected(verifier: SSOVerifier, rsa_key: Any) -> None:
    # A rep's genuine token with its payload swapped for one that says admin.
    header, _, signature = _sign(rsa_key).split(".")
    admin_payload = _sign(rsa_key, roles=["admin"]).split(".")[1]
    assert _rejection(verifier, f"{header}.{admin_payload}.{signature}").code == "bad_signature"


def test_unknown_key_id_is_rejected(verifier: SSOVerifier, rsa_key: Any) -> None:
    error = _rejection(verifier, _sign(rsa_key, kid="rsa-2"))
    assert error.code == "unknown_key_id"
    assert "'rsa-2'" in str(error)


def test_missing_kid_with_several_keys_is_rejected(verifier: SSOVerifier, rsa_key: Any) -> None:
    assert _rejection(verifier, _sign(rsa_key, kid=None)).code == "missing_key_id"


def test_unsigned_token_is_rejected(verifier: SSOVerifier) -> None:
    token = jwt.encode(_claims(), "", algorithm="none", headers={"kid": "rsa-1"})
    error = _rejection(verifier, token)
    assert error.code == "algorithm_not_allowed"
    assert "'none'" in str(error)


def test_hs256_signed_with_the_public_key_is_rejected(
    verifier: SSOVerifier, jwks_file: Path
) -> None:
    # The classic confusion attack: the public key set is public, so an HMAC "signature"
    # made with it proves nothing.
    public_jwk = json.dumps(json.loads(jwks_file.read_text())["keys"][0]).encode()
    header = {"kid": "rsa-1", "alg": "HS256", "typ": "JWT"}
    segments = [
        jwt.utils.base64url_encode(json.dumps(header).encode()),
        jwt.utils.base64url_encode(json.dumps(_claims()).encode()),
    ]
    signing_input = b".".join(segments)
    signature = hmac.new(public_jwk, signing_input, hashlib.sha256).digest()
    token = b".".join([*segments, jwt.utils.base64url_encode(signature)]).decode()
    assert _rejection(verifier, token).code == "algorithm_not_allowed"


def test_algorithm_must_match_the_key(verifier: SSOVerifier, ec_key: Any) -> None:
    # An ES256 token naming the RSA key's id: the key is bound to RS256.
    assert _rejection(verifier, _sign(ec_key, kid="rsa-1", algorithm="ES256")).code == (
        "algorithm_not_allowed"
    )


def test_garbage_is_a_malformed_token(verifier: SSOVerifier) -> None:
    assert _rejection(verifier, "not-a-jwt").code == "malformed_token"


def test_symmetric_keys_in_the_set_are_never_used(tmp_path: Path) -> None:
    path = tmp_path / "oct.json"
    path.write_text(json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "s"}]}))
    with pytest.raises(SSOTokenError, match="no RSA or EC signing key"):
        JWKSFileKeys(path)


def test_unreadable_key_set_is_named(tmp_path: Path) -> None:
    with pytest.raises(SSOTokenError, match="cannot be read") as caught:
        JWKSFileKeys(tmp_path / "missing.json")
    assert caught.value.code == "jwks_unavailable"
    (tmp_path / "bad.json").write_text('{"keys": 3}')
    with pytest.raises(SSOTokenError, match="unusable"):
        JWKSFileKeys(tmp_path / "bad.json")


def test_settings_build_the_verifier(jwks_file: Path, rsa_key: Any) -> None:
    settings = Settings(
        sso_jwks_path=jwks_file,
        sso_issuer=ISSUER,
        sso_audience=AUDIENCE,
        sso_name_claim="email",
        sso_territories_claim="regions",
    )
    verifier = sso_verifier_from_settings(settings)
    assert verifier is not None
    principal = verifier.verify(_sign(rsa_key, email="li@example.com", regions="East,North"))
    assert principal.name == "li@example.com"
    assert principal.territories == ("East", "North")


def test_sso_is_off_without_a_key_set() -> None:
    assert sso_verifier_from_settings(Settings()) is None


@pytest.mark.parametrize("missing", ["sso_issuer", "sso_audience"])
def test_key_set_without_issuer_or_audience_refuses_to_start(jwks_file: Path, missing: str) -> None:
    values: dict[str, Any] = {
        "sso_jwks_path": jwks_file,
        "sso_issuer": ISSUER,
        "sso_audience": AUDIENCE,
    }
    values[missing] = None
    with pytest.raises(SSOConfigurationError, match="ISSUER and CRM_AGENTS_SSO_AUDIENCE"):
        sso_verifier_from_settings(Settings(**values))


def test_unusable_key_file_refuses_to_start(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text('{"keys": []}')
    settings = Settings(sso_jwks_path=path, sso_issuer=ISSUER, sso_audience=AUDIENCE)
    with pytest.raises(SSOConfigurationError, match="unusable"):
        sso_verifier_from_settings(settings)


@pytest.fixture()
def jwks_url(jwks_file: Path) -> Iterator[str]:
    """The key set served over HTTP on the loopback interface, as an identity provider would."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(jwks_file.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/{jwks_file.name}"
    finally:
        server.shutdown()
        server.server_close()


def test_key_set_url_is_fetched_through_pyjwkclient(jwks_url: str, rsa_key: Any) -> None:
    settings = Settings(sso_jwks_url=jwks_url, sso_issuer=ISSUER, sso_audience=AUDIENCE)
    verifier = sso_verifier_from_settings(settings)
    assert verifier is not None
    assert verifier.verify(_sign(rsa_key)).user_id == "u-1042"
    assert _rejection(verifier, _sign(rsa_key, kid="rsa-9")).code == "unknown_key_id"
    assert _rejection(verifier, _sign(rsa_key, kid=None)).code == "missing_key_id"


def test_unreachable_key_set_url_is_named(rsa_key: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{closed_port}/jwks.json"
    settings = Settings(sso_jwks_url=url, sso_issuer=ISSUER, sso_audience=AUDIENCE)
    verifier = sso_verifier_from_settings(settings)
    assert verifier is not None
    error = _rejection(verifier, _sign(rsa_key))
    assert error.code == "jwks_unavailable"
    assert "cannot be fetched" in error.message


def test_key_set_url_must_be_http(tmp_path: Path) -> None:
    settings = Settings(
        sso_jwks_url=(tmp_path / "jwks.json").as_uri(), sso_issuer=ISSUER, sso_audience=AUDIENCE
    )
    with pytest.raises(SSOConfigurationError, match="http"):
        sso_verifier_from_settings(settings)
