"""Local accounts, API keys and sessions: hashing, expiry, revocation, lockout."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from core.settings import Settings
from identity.api_keys import SECRET_FILE, ApiKeys, load_api_key_secret
from identity.errors import (
    AccountDisabled,
    AccountLocked,
    IdentityNotFound,
    InvalidIdentityInput,
    NameTaken,
    SignInFailed,
)
from identity.models import ApiKeyRow, SessionRow, UserRow
from identity.passwords import Passwords
from identity.services import IdentityServices

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def _stored(engine: Engine, model: type, **where: object) -> object:
    from crm.db import session_factory

    with session_factory(engine)() as session:
        return session.scalars(select(model).filter_by(**where)).one()


# -- passwords -------------------------------------------------------------------------------


def test_passwords_are_argon2id_and_rehashed_when_parameters_change() -> None:
    from argon2 import profiles

    cheap = Passwords.with_parameters(profiles.CHEAPEST)
    stored = cheap.hash(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert cheap.verify(stored, PASSWORD).ok and cheap.verify(stored, PASSWORD).rehashed is None
    assert not cheap.verify(stored, PASSWORD + "!").ok
    assert not cheap.verify(None, PASSWORD).ok
    assert not cheap.verify("not a hash", PASSWORD).ok
    stronger = Passwords.with_parameters(profiles.RFC_9106_LOW_MEMORY)
    upgraded = stronger.verify(stored, PASSWORD)
    assert upgraded.ok and upgraded.rehashed and "m=65536" in upgraded.rehashed
    with pytest.raises(InvalidIdentityInput, match="at least 12"):
        cheap.hash("short")


# -- users -----------------------------------------------------------------------------------


def test_create_user_generates_a_one_time_password(
    identity: IdentityServices, identity_engine: Engine
) -> None:
    users = identity.users
    created = users.create_user("Chen.Jing", ["rep"], team="East China", territories=["East"],
                                rep_id="REP-001")  # fmt: skip
    assert created.one_time_password and len(created.one_time_password) >= 20
    assert created.user.name == "chen.jing" and created.user.first_run_password
    row = _stored(identity_engine, UserRow, name="chen.jing")
    assert created.one_time_password not in str(row.password_hash)  # type: ignore[attr-defined]
    assert users.any_first_run_passwords()
    principal = users.sign_in("chen.jing", created.one_time_password)
    assert principal.roles == {"rep"} and principal.rep_id == "REP-001"
    assert principal.territories == ("East",) and principal.team == "East China"
    users.set_password("chen.jing", PASSWORD)
    assert not users.any_first_run_passwords()
    assert users.sign_in("CHEN.JING", PASSWORD).user_id == created.user.id


@pytest.mark.parametrize(
    ("name", "roles", "territories", "error", "message"),
    [
        ("bad name!", ["rep"], [], InvalidIdentityInput, "user name"),
        ("wang.lei", ["wizard"], [], InvalidIdentityInput, "unknown role 'wizard'"),
        ("wang.lei", ["application"], [], InvalidIdentityInput, "unknown role 'application'"),
        ("wang.lei", [], [], InvalidIdentityInput, "at least one role"),
        ("wang.lei", ["manager"], ["Mars"], InvalidIdentityInput, "unknown territory 'Mars'"),
    ],
)
def test_create_user_refuses_bad_input(
    identity: IdentityServices,
    name: str,
    roles: list[str],
    territories: list[str],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        identity.users.create_user(name, roles, territories=territories)
    assert identity.users.list() == []


def test_names_are_unique(identity: IdentityServices) -> None:
    identity.users.create_user("admin", ["admin"], password=PASSWORD)
    with pytest.raises(NameTaken, match="exists already"):
        identity.users.create_user("Admin", ["admin"])


def test_unknown_user_and_wrong_password_fail_alike(identity: IdentityServices) -> None:
    identity.users.create_user("zhou.min", ["rep"], password=PASSWORD)
    with pytest.raises(SignInFailed) as unknown:
        identity.users.sign_in("nobody", PASSWORD)
    with pytest.raises(SignInFailed) as wrong:
        identity.users.sign_in("zhou.min", "wrong password here")
    assert str(unknown.value) == str(wrong.value)


def test_lockout_after_repeated_failures_then_unlock(identity: IdentityServices) -> None:
    users = identity.users  # the fixture's settings lock after 3 failures for 15 minutes
    users.create_user("wang.lei", ["rep"], password=PASSWORD)
    for _ in range(3):
        with pytest.raises(SignInFailed):
            users.sign_in("wang.lei", "not the password", now=T0)
    with pytest.raises(AccountLocked, match="try again after 2026-12-01T09:15:00") as locked:
        users.sign_in("wang.lei", PASSWORD, now=T0 + timedelta(minutes=1))
    assert locked.value.until == T0 + timedelta(minutes=15)
    # After the lock the right password works again and the count starts over.
    assert users.sign_in("wang.lei", PASSWORD, now=T0 + timedelta(minutes=16)).name == "wang.lei"
    assert users.get("wang.lei").failed_sign_ins == 0


def test_a_success_resets_the_failure_count(identity: IdentityServices) -> None:
    users = identity.users
    users.create_user("zhao.yan", ["rep"], password=PASSWORD)
    for _ in range(2):
        with pytest.raises(SignInFailed):
            users.sign_in("zhao.yan", "not the password", now=T0)
    users.sign_in("zhao.yan", PASSWORD, now=T0)
    with pytest.raises(SignInFailed):
        users.sign_in("zhao.yan", "not the password", now=T0)
    assert users.sign_in("zhao.yan", PASSWORD, now=T0).name == "zhao.yan"


def test_disabled_accounts_cannot_sign_in(identity: IdentityServices) -> None:
    identity.users.create_user("sun.li", ["rep"], password=PASSWORD)
    identity.users.disable("sun.li")
    with pytest.raises(AccountDisabled):
        identity.users.sign_in("sun.li", PASSWORD)
    with pytest.raises(SignInFailed):  # a guesser is not told the account is disabled
        identity.users.sign_in("sun.li", "not the password")
    with pytest.raises(IdentityNotFound):
        identity.users.disable("nobody")


# -- API keys --------------------------------------------------------------------------------


def test_key_is_shown_once_and_stored_as_a_keyed_hash(
    identity: IdentityServices, identity_engine: Engine, identity_settings: Settings
) -> None:
    created = identity.api_keys.create("chat front end", "application", territories=["East"])
    key_id, plaintext = created.record.id, created.plaintext
    assert plaintext.startswith(f"crm_{key_id}_")
    row = _stored(identity_engine, ApiKeyRow, id=key_id)
    assert plaintext not in str(vars(row)) and len(row.key_hash) == 64  # type: ignore[attr-defined]
    principal = identity.api_keys.verify(plaintext)
    assert principal is not None
    assert principal.roles == {"application"} and principal.via == "api_key"
    assert principal.credential_id == key_id and principal.territories == ("East",)
    # The hash is keyed: the same key under another server secret does not verify.
    other = ApiKeys(identity_engine, b"x" * 32, territories=identity.territories)
    assert other.verify(plaintext) is None
    secret_file = identity_settings.resolved_governance_key_dir / SECRET_FILE
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert [key.id for key in identity.api_keys.list()] == [key_id]


def test_malformed_unknown_and_tampered_keys_are_refused(identity: IdentityServices) -> None:
    plaintext = identity.api_keys.create("script", "admin").plaintext
    key_id = plaintext.split("_")[1]
    for presented in ("", "crm_", "Bearer x", f"crm_{key_id}_" + "A" * 43,
                      "crm_000000000000_" + plaintext.split("_", 2)[2], plaintext + "x"):  # fmt: skip
        assert identity.api_keys.verify(presented) is None, presented


def test_expired_and_revoked_keys_stop_working(identity: IdentityServices) -> None:
    keys = identity.api_keys
    expiring = keys.create("nightly export", "admin", expires_days=1, now=T0)
    assert keys.verify(expiring.plaintext, now=T0 + timedelta(hours=23)) is not None
    assert keys.verify(expiring.plaintext, now=T0 + timedelta(days=1)) is None
    revoked = keys.create("old integration", "application")
    assert keys.verify(revoked.plaintext) is not None
    first = keys.revoke(revoked.record.id)
    assert first.revoked_at is not None and keys.verify(revoked.plaintext) is None
    assert keys.revoke(revoked.record.id).revoked_at == first.revoked_at
    with pytest.raises(IdentityNotFound, match="API key 'nope' not found"):
        keys.revoke("nope")


def test_key_of_an_owner_acts_for_the_owner(identity: IdentityServices) -> None:
    owner = identity.users.create_user("liu.yang", ["rep"], team="South and Central China",
                                       territories=["Central"], rep_id="REP-006").user  # fmt: skip
    created = identity.api_keys.create("liu's script", "rep", owner="liu.yang")
    principal = identity.api_keys.verify(created.plaintext)
    assert principal is not None and principal.user_id == owner.id
    assert principal.rep_id == "REP-006" and principal.territories == ("Central",)
    identity.users.disable("liu.yang")
    assert identity.api_keys.verify(created.plaintext) is None


def test_last_use_is_written_at_most_once_a_minute(
    identity: IdentityServices, identity_engine: Engine
) -> None:
    plaintext = identity.api_keys.create("poller", "application").plaintext
    key_id = plaintext.split("_")[1]
    identity.api_keys.verify(plaintext, now=T0)
    identity.api_keys.verify(plaintext, now=T0 + timedelta(seconds=30))
    assert _stored(identity_engine, ApiKeyRow, id=key_id).last_used_at == T0  # type: ignore[attr-defined]
    identity.api_keys.verify(plaintext, now=T0 + timedelta(minutes=2))
    last = _stored(identity_engine, ApiKeyRow, id=key_id).last_used_at  # type: ignore[attr-defined]
    assert last == T0 + timedelta(minutes=2)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"role": "wizard"}, "unknown role 'wizard'"),
        ({"role": "admin", "expires_days": 0}, "expiry"),
        ({"role": "admin", "expires_days": 100_000}, "expiry"),
        ({"role": "admin", "territories": ["Mars"]}, "unknown territory"),
        ({"role": "admin", "name": " "}, "key name"),
    ],
)
def test_create_key_refuses_bad_input(
    identity: IdentityServices, options: dict, message: str
) -> None:
    options = {"name": "k", **options}
    with pytest.raises(InvalidIdentityInput, match=message):
        identity.api_keys.create(options.pop("name"), options.pop("role"), **options)
    with pytest.raises(IdentityNotFound, match="user 'ghost'"):
        identity.api_keys.create("k", "rep", owner="ghost")
    assert identity.api_keys.list() == []


def test_the_secret_is_created_once(tmp_path: Path) -> None:
    first = load_api_key_secret(tmp_path / "keys")
    assert load_api_key_secret(tmp_path / "keys") == first and len(first) == 32
    (tmp_path / "short").mkdir()
    (tmp_path / "short" / SECRET_FILE).write_bytes(b"abc")
    with pytest.raises(ValueError, match="needs 32"):
        load_api_key_secret(tmp_path / "short")


# -- sessions --------------------------------------------------------------------------------


def test_sessions_store_only_a_hash_and_expire(
    identity: IdentityServices, identity_engine: Engine
) -> None:
    identity.users.create_user("huang.tao", ["rep"], territories=["South"], password=PASSWORD)
    principal = identity.users.sign_in("huang.tao", PASSWORD)
    token, csrf = identity.sessions.create(principal, now=T0)
    row = _stored(identity_engine, SessionRow, user_id=principal.user_id)
    assert token not in str(vars(row))
    found = identity.sessions.lookup(token, now=T0 + timedelta(hours=11))
    assert found is not None
    assert found[0].user_id == principal.user_id and found[1] == csrf
    assert found[0].via == "session" and token not in str(found[0].credential_id)
    assert identity.sessions.lookup(token, now=T0 + timedelta(hours=12)) is None  # 12 h default
    assert identity.sessions.lookup("not a token", now=T0) is None
    assert identity.sessions.lookup("", now=T0) is None


def test_sign_out_and_disabling_end_sessions(identity: IdentityServices) -> None:
    identity.users.create_user("yang.fan", ["rep"], password=PASSWORD)
    principal = identity.users.sign_in("yang.fan", PASSWORD)
    first, _ = identity.sessions.create(principal)
    second, _ = identity.sessions.create(principal)
    assert identity.sessions.revoke(first) and not identity.sessions.revoke(first)
    assert identity.sessions.lookup(first) is None and identity.sessions.lookup(second)
    identity.users.disable("yang.fan")
    assert identity.sessions.lookup(second) is None
    assert identity.sessions.revoke_all(principal.user_id) == 1


def test_sign_in_survives_other_writes_during_the_password_check(
    identity: IdentityServices, identity_engine: Engine
) -> None:
    """Checking a password takes half a second with the real parameters and other requests
    write meanwhile: the sign-in still succeeds and resets its failure count."""
    users = identity.users
    users.create_user("chen.jing", ["rep"], password=PASSWORD)
    for _ in range(2):
        with pytest.raises(SignInFailed):
            users.sign_in("chen.jing", "not the password")
    real_verify = Passwords.verify

    def verify_while_others_write(self: Passwords, stored: str | None, password: str) -> object:
        identity.users.create_user(
            f"other-{len(identity.users.list())}", ["rep"], password=PASSWORD
        )
        return real_verify(self, stored, password)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Passwords, "verify", verify_while_others_write)
        assert users.sign_in("chen.jing", PASSWORD).name == "chen.jing"
    assert users.get("chen.jing").failed_sign_ins == 0


def test_created_values_unpack_as_pairs(identity: IdentityServices) -> None:
    user, password = identity.users.create_user("admin", ["admin"])
    record, key = identity.api_keys.create("k", "admin", owner=user.name)
    assert password and record.owner_user_id == user.id and key.startswith("crm_")
