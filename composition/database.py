"""The process's one database: one engine per URL, migrated once, and the stores every part of
the process shares over it (audit, consent, recommendations, calibration, read models)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from core.settings import Settings
from crm.account_overview import AccountOverviews
from crm.db import make_engine, migrate, write_locking
from crm.provenance import ProvenanceRecords
from crm.recommendations import RecommendationLog
from eval.calibration.store import CalibrationStore
from governance.audit_services import AuditServices, open_audit_services
from governance.consent import ConsentLedger, load_consent_key
from identity.services import IdentityServices, open_identity_services

# One engine serves every worker thread (anyio lends at most 40 at once): it gets the room the
# five engines it replaced had between them, so a thread waits on the database, not the pool.
_POOL_OPTIONS = {"pool_size": 10, "max_overflow": 30}


def _pool_options(url: str) -> dict[str, int]:
    parsed = make_url(url)
    in_memory = parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")
    return {} if in_memory else dict(_POOL_OPTIONS)  # an in-memory database has one connection


@dataclass(frozen=True)
class SharedDatabase:
    """The engine of the configured database and the stores built once over it.

    ``engine`` is the only engine (one pool) the process opens on the URL. ``write_locking`` is
    a view of it whose SQLite transactions begin ``IMMEDIATE``: the thread and run records and
    the audit ledger read before they write. Both are disposed together by :meth:`close`.
    """

    url: str
    engine: Engine
    write_locking: Engine
    audit: AuditServices
    consent: ConsentLedger
    recommendations: RecommendationLog
    calibration: CalibrationStore
    account_overviews: AccountOverviews
    provenance: ProvenanceRecords
    identity: IdentityServices

    def close(self) -> None:
        """Close every connection of the engine (the audit services hold no other)."""
        self.engine.dispose()


def open_shared_database(settings: Settings) -> SharedDatabase:
    """Open the engine, migrate the schema on it once, and build the shared stores.

    Blocking (migrations, the signing key's file): the server calls it in a worker thread.
    """
    url = settings.resolved_database_url
    engine = make_engine(url, **_pool_options(url))
    try:
        migrate(url, engine=engine)
        locking = write_locking(engine)
        return SharedDatabase(
            url=url,
            engine=engine,
            write_locking=locking,
            audit=open_audit_services(settings, engine=locking),
            consent=ConsentLedger(
                engine, key=load_consent_key(settings.resolved_governance_key_dir)
            ),
            recommendations=RecommendationLog(engine),
            calibration=CalibrationStore(engine),
            account_overviews=AccountOverviews(engine),
            provenance=ProvenanceRecords(engine),
            identity=open_identity_services(settings, engine=engine),
        )
    except BaseException:
        engine.dispose()
        raise


@contextmanager
def shared_database(settings: Settings) -> Iterator[SharedDatabase]:
    """:func:`open_shared_database`, closed on exit: the database part of the composition root
    for a CLI command that needs no runtime, memory or model."""
    database = open_shared_database(settings)
    try:
        yield database
    finally:
        database.close()
