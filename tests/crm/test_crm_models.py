"""Schema: migrations create every table the models declare, and the constraints hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, delete, inspect, select, text
from sqlalchemy.exc import IntegrityError

from crm import make_engine, migrate, session_factory
from crm import models as m
from crm.db import Base

CRM_TABLES = {
    "reps",
    "accounts",
    "account_budgets",
    "contacts",
    "products",
    "deals",
    "deal_products",
    "activities",
    "product_documents",
    "document_sections",
    "price_book_entries",
    "quotes",
    "ground_truth",
}
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _account(**overrides: object) -> m.Account:
    values: dict[str, object] = {
        "id": "ACC-0001",
        "name": "Ruijin Hospital",
        "industry": "hospital",
        "hospital_type": "university",
        "beds": 2000,
        "city": "Shanghai",
        "region": "East",
        "tier": "strategic",
        "created_at": NOW,
    }
    values.update(overrides)
    return m.Account(**values)


def _contact(contact_id: str, **overrides: object) -> m.Contact:
    values: dict[str, object] = {
        "id": contact_id,
        "account_id": "ACC-0001",
        "first_name": "Wei",
        "last_name": "Wang",
        "title": "President",
        "department": "Administration",
        "seniority": "executive",
        "created_at": NOW,
    }
    values.update(overrides)
    return m.Contact(**values)


def _deal(**overrides: object) -> m.Deal:
    values: dict[str, object] = {
        "id": "DEAL-0001",
        "account_id": "ACC-0001",
        "name": "Ruijin - CT",
        "stage": "proposal",
        "amount": Decimal("100.00"),
        "currency": "CNY",
        "region": "East",
        "outcome": "open",
        "created_at": NOW,
    }
    values.update(overrides)
    return m.Deal(**values)


def test_migrate_creates_every_crm_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert CRM_TABLES <= tables
    assert "alembic_version" in tables


def _crm_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Only the CRM layer's tables: other layers' revisions are checked by their own tests."""
    if type_ == "table":
        return name in CRM_TABLES
    table = getattr(obj, "table", None)
    return table is None or table.name in CRM_TABLES


def _owner_fk(obj: object, type_: str) -> bool:
    """``accounts.owner_id``'s foreign key. On SQLite the migration adds it with ALTER TABLE ADD
    COLUMN (never by copying the table), as a column constraint whose name reflection cannot
    read, so its name cannot be compared there."""
    table = getattr(obj, "table", None)
    columns = [c.name for c in getattr(obj, "columns", [])]
    return (
        type_ == "foreign_key_constraint"
        and table is not None
        and (table.name == "accounts" and columns == ["owner_id"])
    )


def test_migrations_match_the_models(engine: Engine) -> None:
    """A model changed without a new revision shows up here as a difference."""
    sqlite = engine.dialect.name == "sqlite"

    def include(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
        if sqlite and _owner_fk(obj, type_):
            return False
        return _crm_object(obj, name, type_, reflected, other)

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_migrate_twice_is_a_no_op(backend: str, databases: object) -> None:
    url, engine = databases.migrated(backend)  # type: ignore[attr-defined]
    migrate(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_sqlite_engine_creates_folder_and_enforces_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "crm.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert path.parent.is_dir()
    engine.dispose()


def test_postgres_urls_use_psycopg3() -> None:
    for url in (
        "postgresql://u@localhost/db",
        "postgres://u@localhost/db",
        "postgresql+psycopg://u@localhost/db",
    ):
        assert make_engine(url).url.drivername == "postgresql+psycopg"


def test_datetimes_come_back_aware_and_in_utc(engine: Engine) -> None:
    beijing = timezone(timedelta(hours=8))
    with session_factory(engine)() as session, session.begin():
        session.add(_account(created_at=datetime(2026, 5, 1, 8, 0, tzinfo=beijing)))
        session.add(_contact("CON-00001", created_at=datetime(2026, 5, 1, 0, 0)))  # naive = UTC
    with session_factory(engine)() as session:
        account = session.get(m.Account, "ACC-0001")
        contact = session.get(m.Contact, "CON-00001")
        assert account is not None and contact is not None
        assert account.created_at == datetime(2026, 5, 1, 0, 0, tzinfo=UTC)
        assert account.created_at.tzinfo is not None
        assert contact.created_at == datetime(2026, 5, 1, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("make", "label"),
    [
        (lambda: _account(industry="pharmacy"), "industry outside the vocabulary"),
        (lambda: _account(tier="gold"), "tier outside the vocabulary"),
        (lambda: _account(beds=-1), "negative beds"),
        (lambda: _account(name=None), "missing name"),
    ],
)
def test_account_constraints(engine: Engine, make: object, label: str) -> None:
    with session_factory(engine)() as session:
        session.add(make())  # type: ignore[operator]
        with pytest.raises(IntegrityError):
            session.commit()


@pytest.mark.parametrize(
    "deal",
    [
        {"amount": Decimal("-1.00")},
        {"stage": "closed_won", "outcome": "lost"},
        {"stage": "negotiation", "outcome": "won"},
        {"stage": "closed_lost", "outcome": "open"},
        {"stage": "signed"},
    ],
    ids=["negative-amount", "won-stage-lost", "open-stage-won", "lost-stage-open", "bad-stage"],
)
def test_deal_constraints(engine: Engine, deal: dict[str, object]) -> None:
    with session_factory(engine)() as session:
        session.add(_account())
        session.commit()
        session.add(_deal(**deal))
        with pytest.raises(IntegrityError):
            session.commit()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with session_factory(engine)() as session:
        session.add(_contact("CON-00001", account_id="ACC-9999"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_deleting_an_account_cascades_and_a_boss_leaves_no_dangling_report(
    engine: Engine,
) -> None:
    sessions = session_factory(engine)
    with sessions() as session, session.begin():
        session.add(_account())
        session.flush()
        session.add(_contact("CON-00001"))
        session.flush()
        session.add(_contact("CON-00002", reports_to="CON-00001", seniority="director"))
        session.add(_deal())
        session.add(
            m.AccountBudget(account_id="ACC-0001", year=2025, amount=Decimal(5), currency="CNY")
        )
    with sessions() as session, session.begin():
        session.execute(delete(m.Contact).where(m.Contact.id == "CON-00001"))
    with sessions() as session:
        assert session.get(m.Contact, "CON-00002").reports_to is None  # type: ignore[union-attr]
    with sessions() as session, session.begin():
        session.execute(delete(m.Account).where(m.Account.id == "ACC-0001"))
    with sessions() as session:
        for model in (m.Contact, m.Deal, m.AccountBudget):
            assert session.scalars(select(model)).all() == []


def test_budget_year_is_unique_per_account(engine: Engine) -> None:
    with session_factory(engine)() as session:
        session.add(_account())
        session.commit()
        for _ in range(2):
            session.add(
                m.AccountBudget(account_id="ACC-0001", year=2025, amount=Decimal(1), currency="CNY")
            )
        with pytest.raises(IntegrityError):
            session.commit()


def test_price_floor_cannot_exceed_list(engine: Engine) -> None:
    with session_factory(engine)() as session:
        session.add(
            m.Product(
                id="PRD-001",
                sku="X-1",
                name="X",
                category="c",
                manufacturer="m",
                description="",
                specs={"a": 1},
                currency="CNY",
            )
        )
        session.commit()
        session.add(
            m.PriceBookEntry(
                id="PBE-0001",
                product_id="PRD-001",
                list_price=Decimal(10),
                floor_price=Decimal(11),
                currency="CNY",
                max_discount_pct=5.0,
                discount_policy="",
                valid_from=date(2026, 1, 1),
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()


def test_json_columns_round_trip(engine: Engine) -> None:
    specs = {"weight_kg": 4.2, "modes": ["VC", "PC"], "nested": {"ok": True}}
    with session_factory(engine)() as session, session.begin():
        session.add(
            m.Product(
                id="PRD-001",
                sku="X-1",
                name="X",
                category="c",
                manufacturer="m",
                description="",
                specs=specs,
                currency="CNY",
            )
        )
    with session_factory(engine)() as session:
        assert session.get(m.Product, "PRD-001").specs == specs  # type: ignore[union-attr]
