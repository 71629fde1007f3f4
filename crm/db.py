"""Engine, session factory, declarative Base and schema migration for every backend."""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Engine, MetaData, Numeric, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from crm.columns import json_type

logger = logging.getLogger(__name__)

# The Alembic folder sits next to the package at the top of the project, not under the cwd.
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# Stable constraint names: Alembic batch mode on SQLite and later revisions refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base shared by every SQLAlchemy model of the project."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        Decimal: Numeric(14, 2),
        dict[str, Any]: json_type(),
    }


def _normalise_url(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        # psycopg 3 is the driver we ship; SQLAlchemy's bare "postgresql" means psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _is_file_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def make_engine(url: str, **engine_options: Any) -> Engine:
    """An engine for a SQLite or PostgreSQL URL, with the pragmas and driver we rely on."""
    parsed = _normalise_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine_options.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **engine_options)

    if _is_file_sqlite(parsed):
        Path(str(parsed.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
    connect_args = dict(engine_options.pop("connect_args", {}))
    # Worker threads of the server share the engine's connections.
    connect_args.setdefault("check_same_thread", False)
    engine = create_engine(parsed, connect_args=connect_args, **engine_options)
    wal = _is_file_sqlite(parsed)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if wal:
            # WAL lets readers proceed while a writer commits; NORMAL is durable enough in WAL.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    _choose_begin(engine)
    return engine


# The execution option that makes a SQLite transaction begin IMMEDIATE (see write_locking).
WRITE_LOCK_OPTION = "crm_agents_begin_immediate"


def write_locking(engine: Engine) -> Engine:
    """A view of ``engine`` (the same pool, the same connections) whose SQLite transactions
    take the write lock at BEGIN (``BEGIN IMMEDIATE``); other databases ignore the option.

    In WAL mode a transaction that reads and then writes fails at once with "database is
    locked" when another connection committed in between (its snapshot is stale). Writers that
    read first (claiming a thread for a run, appending to the audit ledger's head) begin
    ``IMMEDIATE`` through this view instead, so they wait on the busy timeout and never both
    read the same row. The CRM stores keep pysqlite's own deferred BEGIN on the same engine.
    """
    return engine.execution_options(**{WRITE_LOCK_OPTION: True})


def make_write_locking_engine(url: str) -> Engine:
    """:func:`write_locking` over a new :func:`make_engine` (tools and tests that need no
    shared engine; a process opens its one engine in ``composition``)."""
    return write_locking(make_engine(url))


def _choose_begin(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        # No transaction is open at BEGIN, so switching pysqlite's mode here commits nothing.
        if connection.get_execution_options().get(WRITE_LOCK_OPTION):
            # pysqlite must not issue its own deferred BEGIN: this one takes the lock up front.
            if dbapi_connection.isolation_level is not None:
                dbapi_connection.isolation_level = None
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif dbapi_connection.isolation_level is None:
            # Back to pysqlite's default: a deferred BEGIN before the first write.
            dbapi_connection.isolation_level = ""


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine`` that keep loaded values usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def migrate(url: str, *, engine: Engine | None = None) -> None:
    """Bring the database at ``url`` to the newest schema (Alembic ``upgrade heads``), on one
    of ``engine``'s connections when given (the process's shared engine), else on a short-lived
    engine of its own."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolates '%': URLs with escaped characters must survive it.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    logger.info("migrating %s", _normalise_url(url).render_as_string(hide_password=True))
    if engine is None:
        # "heads": revisions written in parallel may branch; every branch is applied.
        command.upgrade(config, "heads")
        return
    with engine.connect() as connection:
        config.attributes["connection"] = connection  # migrations/env.py runs on it
        command.upgrade(config, "heads")
