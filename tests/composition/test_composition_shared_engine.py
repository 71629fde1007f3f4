"""One engine, two ways to begin on SQLite: the write-locking view (records, audit ledger) takes
the write lock at BEGIN; the CRM stores keep pysqlite's deferred BEGIN before the first write,
on the same pool and the same connections."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event, text

from crm.db import make_engine, write_locking


def test_the_write_locking_view_shares_the_pool_and_begins_immediate(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'one.db'}")
    locking = write_locking(engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        assert locking.pool is engine.pool
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
        with locking.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
        with engine.begin() as connection:
            connection.execute(text("SELECT x FROM t"))
            # A plain read holds no lock: pysqlite begins only before the first write.
            assert not connection.connection.dbapi_connection.in_transaction
            connection.execute(text("INSERT INTO t VALUES (2)"))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 2
        assert statements.count("BEGIN IMMEDIATE") == 1
    finally:
        engine.dispose()
