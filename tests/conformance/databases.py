"""The databases the store conformance suite runs on: migrated SQLite files and PostgreSQL
databases, created on first use and removed when the session ends."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import Engine

from crm.db import make_engine, make_write_locking_engine, migrate
from tests.support.postgres import fresh_database


class StoreDatabases:
    """Migrated databases of each backend, created on first use and removed at session end."""

    def __init__(self, tmp_root: Path, cleanup: ExitStack) -> None:
        self._tmp_root = tmp_root
        self._cleanup = cleanup
        self._shared: dict[str, str] = {}
        self._dedicated: dict[tuple[str, str], str] = {}
        self._engines: dict[tuple[str, bool], Engine] = {}
        self._count = 0

    def shared_url(self, backend: str) -> str:
        """The session's database of ``backend``, shared by every test that keeps to its ids."""
        if backend not in self._shared:
            self._shared[backend] = self.fresh_url(backend)
        return self._shared[backend]

    def dedicated_url(self, backend: str, owner: str) -> str:
        """A database of ``backend`` that only ``owner`` uses for the session (a store with
        one state per database, such as the audit ledger's single chain)."""
        if (backend, owner) not in self._dedicated:
            self._dedicated[backend, owner] = self.fresh_url(backend)
        return self._dedicated[backend, owner]

    def fresh_url(self, backend: str) -> str:
        """A new migrated database of ``backend``, removed at session end."""
        self._count += 1
        if backend == "sqlite":
            url = f"sqlite:///{self._tmp_root / f'conformance-{self._count}.db'}"
        else:
            url = self._cleanup.enter_context(fresh_database("crm_conformance"))
        migrate(url)
        return url

    def engine(self, url: str, *, locking: bool = False) -> Engine:
        """The session's engine on ``url``. ``locking``: one whose SQLite transactions take the
        write lock at BEGIN, as the thread and run records and the audit ledger use (they read
        before they write); the other stores keep SQLite's deferred BEGIN, as in the server."""
        if (url, locking) not in self._engines:
            made = make_write_locking_engine(url) if locking else make_engine(url)
            self._cleanup.callback(made.dispose)
            self._engines[url, locking] = made
        return self._engines[url, locking]
