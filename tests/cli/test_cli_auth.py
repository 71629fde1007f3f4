"""``crm-agents auth ...`` in-process with typer's CliRunner, and the demo users seeding
creates: one per role and territory, their passwords in a file only the owner can read."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import profiles
from typer.testing import CliRunner

from cli.main import app
from composition.database import shared_database
from core.settings import get_settings
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from identity.demo_users import PASSWORDS_FILE, seed_demo_users
from identity.passwords import Passwords
from identity.services import open_identity_services
from identity.territories import seed_demo_territories

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder with a migrated database holding the demo's territory tree."""
    data = tmp_path / "data"
    monkeypatch.setenv("CRM_AGENTS_DATA_DIR", str(data))
    get_settings.cache_clear()
    url = get_settings().resolved_database_url
    engine = make_engine(url)
    migrate(url, engine=engine)
    seed_demo_territories(open_identity_services(get_settings(), engine=engine).territories)
    engine.dispose()
    yield data
    get_settings.cache_clear()


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


def test_create_key_prints_the_key_alone_and_it_works(data_dir: Path) -> None:
    result = runner.invoke(
        app, ["auth", "create-key", "chat-ui", "--role", "application", "--expires", "30",
              "--territory", "East"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith("crm_") and "\n" not in key  # stdout holds the key and nothing else
    with shared_database(get_settings()) as database:
        principal = database.identity.api_keys.verify(key)
    assert principal is not None and principal.territories == ("East",)
    listed = runner.invoke(app, ["auth", "list"])
    assert listed.exit_code == 0 and "chat-ui" in listed.stdout
    assert key not in listed.stdout and key.split("_")[2] not in listed.output


def test_revoke_key(data_dir: Path) -> None:
    key = runner.invoke(app, ["auth", "create-key", "script", "--role", "admin"]).stdout.strip()
    key_id = key.split("_")[1]
    revoked = runner.invoke(app, ["auth", "revoke-key", key_id])
    assert revoked.exit_code == 0, revoked.output
    with shared_database(get_settings()) as database:
        assert database.identity.api_keys.verify(key) is None
    assert "revoked" in runner.invoke(app, ["auth", "list"]).stdout


def test_create_user_then_set_password(data_dir: Path) -> None:
    result = runner.invoke(
        app, ["auth", "create-user", "Zhou.Min", "--role", "rep", "--territory", "East",
              "--team", "East China", "--rep", "REP-002"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    password = _last_line(result.stdout)
    with shared_database(get_settings()) as database:
        principal = database.identity.users.sign_in("zhou.min", password)
        assert principal.rep_id == "REP-002" and database.identity.users.any_first_run_passwords()
    chosen = "a password of my own"
    changed = runner.invoke(
        app, ["auth", "set-password", "zhou.min"], input=f"{chosen}\n{chosen}\n"
    )
    assert changed.exit_code == 0, changed.output
    with shared_database(get_settings()) as database:
        assert database.identity.users.sign_in("zhou.min", chosen).name == "zhou.min"
        assert not database.identity.users.any_first_run_passwords()
    listed = runner.invoke(app, ["auth", "list"]).stdout
    assert "zhou.min" in listed and "active" in listed and password not in listed
    (data_dir / "first-run-passwords.txt").write_text("zhou.min\trep\tEast\t...\n")
    again = runner.invoke(app, ["auth", "set-password", "zhou.min"], input=f"{chosen}\n{chosen}\n")
    assert "delete" in again.stderr and "first-run-passwords.txt" in again.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create-user", "wang.lei", "--role", "wizard"], "unknown role 'wizard'"),
        (["create-user", "wang.lei", "--role", "rep", "--territory", "Mars"], "unknown territory"),
        (["create-user", "bad name!", "--role", "rep"], "user name"),
        (["create-key", "k", "--role", "wizard"], "unknown role 'wizard'"),
        (["create-key", "k", "--expires", "0"], "expiry"),
        (["create-key", "k", "--owner", "ghost"], "user 'ghost' not found"),
        (["revoke-key", "nope"], "API key 'nope' not found"),
        (["disable-user", "ghost"], "user 'ghost' not found"),
        (["add-territory", "Pudong", "--parent", "Atlantis"], "territory 'Atlantis' not found"),
    ],
)
def test_bad_input_is_named_and_exits_non_zero(
    data_dir: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["auth", *args])
    assert result.exit_code == 1, result.output
    assert message in " ".join(result.stderr.split()), result.stderr
    assert result.stdout == ""  # nothing that looks like a key or a password


def test_set_password_refuses_a_short_one(data_dir: Path) -> None:
    runner.invoke(app, ["auth", "create-user", "sun.li", "--role", "rep"])
    result = runner.invoke(app, ["auth", "set-password", "sun.li"], input="short\nshort\n")
    assert result.exit_code == 1 and "at least 12" in result.stderr


def test_a_missing_role_is_a_usage_error(data_dir: Path) -> None:
    result = runner.invoke(app, ["auth", "create-user", "wang.lei"])
    assert result.exit_code == 2 and "--role" in result.output


def test_territories_and_disabling(data_dir: Path) -> None:
    assert (
        runner.invoke(app, ["auth", "add-territory", "Shanghai", "--parent", "East"]).exit_code == 0
    )
    runner.invoke(
        app, ["auth", "create-user", "yang.fan", "--role", "rep", "--territory", "Shanghai"]
    )
    assert runner.invoke(app, ["auth", "disable-user", "yang.fan"]).exit_code == 0
    listed = runner.invoke(app, ["auth", "list"]).stdout
    assert "disabled" in listed and "China > Central, East, North, South, West" in listed


def test_seeding_creates_a_user_per_role_and_territory_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    engine = make_engine(url)
    migrate(url, engine=engine)
    seed_demo(engine, seed=7, scale=0.04)
    settings = get_settings().model_copy(update={"data_dir": tmp_path})
    identity = open_identity_services(
        settings, engine=engine, passwords=Passwords.with_parameters(profiles.CHEAPEST)
    )
    report = seed_demo_users(identity, engine, tmp_path)
    names = {seeded.user.name for seeded in report.created}
    assert {"chen.jing", "manager.east", "manager.china", "evaluator", "privacy.officer",
            "admin"} <= names and len(names) == 13  # fmt: skip
    path = tmp_path / PASSWORDS_FILE
    assert report.passwords_file == path and stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = [line.split("\t") for line in path.read_text().splitlines() if not line.startswith("#")]
    passwords = {name: password for name, _roles, _territories, password in lines}
    assert identity.users.sign_in("manager.china", passwords["manager.china"]).territories == (
        "China",
    )
    chen = identity.users.sign_in("chen.jing", passwords["chen.jing"])
    assert chen.rep_id == "REP-001" and chen.team == "East China" and chen.territories == ("East",)
    east = identity.users.sign_in("manager.east", passwords["manager.east"])
    assert east.roles == {"manager"} and east.team == "East China"
    assert identity.users.any_first_run_passwords()
    again = seed_demo_users(identity, engine, tmp_path)
    assert again.created == [] and again.passwords_file is None
    assert len(path.read_text().splitlines()) == len(lines) + 3  # nothing appended
    engine.dispose()


def test_serve_refuses_a_public_address_while_first_run_passwords_remain(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    started: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(kwargs["host"]))
    password = _last_line(
        runner.invoke(app, ["auth", "create-user", "admin", "--role", "admin"]).stdout
    )
    refused = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert refused.exit_code == 1 and "first-run password" in refused.stderr and started == []
    assert runner.invoke(app, ["serve", "--host", "127.0.0.1"]).exit_code == 0
    chosen = "a password of my own"
    runner.invoke(app, ["auth", "set-password", "admin"], input=f"{chosen}\n{chosen}\n")
    public = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert public.exit_code == 0 and "reachable from other machines" in public.stderr
    assert started == ["127.0.0.1", "0.0.0.0"] and password
