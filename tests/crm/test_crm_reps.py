"""Sales reps and account owners: the demo assigns them by territory, the importer takes them,
the store filters by them, and a database from before reps existed upgrades with its data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, Table, func, insert, select

from crm import CRMStore, ImportFailed, import_file
from crm import models as m
from crm.db import MIGRATIONS_DIR, make_engine, migrate, session_factory
from crm.demo import assign_demo_owners
from crm.demo._reps import CITY_OWNER, REPS
from crm.errors import NotFound


def test_the_demo_gives_every_account_an_owner_of_its_territory(seeded: Engine) -> None:
    store = CRMStore(seeded)
    reps = {rep.id: rep for rep in store.list_reps()}
    assert sorted(reps) == sorted(rep[0] for rep in REPS)
    assert all(rep.email and rep.email.endswith(".example") for rep in reps.values())
    accounts = store.list_accounts(limit=10_000)
    assert accounts and all(a.owner_id in reps for a in accounts)
    assert all(reps[a.owner_id].region == a.region for a in accounts if a.owner_id)
    assert all(a.owner_id == CITY_OWNER[a.city] for a in accounts)


def test_accounts_filter_by_owner_and_reps_are_read_by_id(seeded: Engine) -> None:
    store = CRMStore(seeded)
    everyone = store.list_accounts(limit=10_000)
    owner = everyone[0].owner_id
    assert owner is not None
    mine = store.list_accounts(limit=10_000, owner_id=owner)
    assert {a.id for a in mine} == {a.id for a in everyone if a.owner_id == owner}
    found = store.find_accounts(text="", limit=1000, owner_id=owner)
    assert {a.id for a in found} == {a.id for a in mine}
    assert store.get_rep(rep_id=owner).id == owner
    with pytest.raises(NotFound):
        store.get_rep(rep_id="REP-999")


def test_the_importer_takes_reps_and_account_owners(engine: Engine, tmp_path: Path) -> None:
    reps = tmp_path / "reps.csv"
    reps.write_text(
        "id,name,name_zh,email,region,team\nREP-101,Ma Li,,ma.li@example.test,East,East China\n",
        encoding="utf-8",
    )
    accounts = tmp_path / "accounts.csv"
    header = "id,name,industry,hospital_type,beds,city,region,tier,created_at,owner_id\n"
    accounts.write_text(
        header + "ACC-0001,Ruijin Hospital,hospital,university,2100,Shanghai,East,strategic,,"
        "REP-999\n",
        encoding="utf-8",
    )
    import_file(engine, reps)
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, accounts)
    assert any(e.field == "owner_id" and "REP-999" in e.reason for e in failed.value.errors)
    accounts.write_text(accounts.read_text().replace("REP-999", "REP-101"), encoding="utf-8")
    import_file(engine, accounts)
    assert CRMStore(engine).get_account(account_id="ACC-0001").owner_id == "REP-101"


CREATED = datetime(2024, 1, 5, 8, tzinfo=UTC)


def _alembic(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    return config


def test_a_database_from_before_reps_upgrades_and_keeps_its_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = _alembic(url)
    heads = ScriptDirectory.from_config(config).get_heads()
    for head in heads:
        if head != "0011_crm_reps":
            command.upgrade(config, head)  # every revision but the reps': an older database
    engine = make_engine(url)
    old = MetaData()
    accounts = Table("accounts", old, autoload_with=engine)
    contacts = Table("contacts", old, autoload_with=engine)
    assert "owner_id" not in accounts.c
    with engine.begin() as connection:
        connection.execute(
            insert(accounts),
            [
                {"id": "ACC-0001", "name": "Ruijin Hospital", "industry": "hospital",
                 "city": "Shanghai", "region": "East", "tier": "strategic",
                 "created_at": CREATED},
                {"id": "ACC-0002", "name": "Elsewhere Clinic", "industry": "clinic",
                 "city": "Lhasa", "region": "West", "tier": "standard",
                 "created_at": CREATED},
            ],
        )  # fmt: skip
        connection.execute(
            insert(contacts),
            [{"id": "CON-00001", "account_id": "ACC-0001", "first_name": "Wei",
              "last_name": "Wang", "title": "President", "department": "Administration",
              "seniority": "executive", "created_at": CREATED}],
        )  # fmt: skip

    migrate(url)  # what the server and every command do at start

    store = CRMStore(engine)
    assert [a.owner_id for a in store.list_accounts()] == [None, None]
    assert store.contacts_for_account(account_id="ACC-0001")  # nothing cascaded away
    assert assign_demo_owners(engine) == 1  # Shanghai is a demo city, Lhasa is not
    assert store.get_account(account_id="ACC-0001").owner_id == CITY_OWNER["Shanghai"]
    assert store.get_account(account_id="ACC-0002").owner_id is None
    assert assign_demo_owners(engine) == 0
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(m.Rep)) == len(REPS)

    command.downgrade(config, "0011_crm_reps-1")  # and back, keeping the accounts
    migrate(url)
    assert len(store.list_accounts()) == 2
    engine.dispose()
