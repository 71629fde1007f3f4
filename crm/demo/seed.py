"""Write the demo dataset into a migrated database, in bulk and in one transaction."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, insert, inspect, select, update

from crm import models as m
from crm.db import session_factory
from crm.demo._reps import CITY_OWNER, rep_rows
from crm.demo.generate import DemoData, generate_demo
from crm.errors import AlreadySeeded, SchemaMissing

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
CHUNK = 5000
MODELS: dict[str, type[m.Base]] = {
    "products": m.Product,
    "product_documents": m.ProductDocument,
    "document_sections": m.DocumentSection,
    "price_book_entries": m.PriceBookEntry,
    "reps": m.Rep,
    "accounts": m.Account,
    "account_budgets": m.AccountBudget,
    "contacts": m.Contact,
    "deals": m.Deal,
    "deal_products": m.DealProduct,
    "quotes": m.Quote,
    "activities": m.Activity,
    "ground_truth": m.GroundTruth,
}


@dataclass(frozen=True)
class SeedReport:
    """What seeding wrote: rows per table, and how long it took."""

    seed: int
    scale: float
    counts: dict[str, int]
    seconds: float


def _account_count(engine: Engine) -> int:
    if not inspect(engine).has_table(m.Account.__tablename__):
        raise SchemaMissing(m.Account.__tablename__)
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(m.Account)) or 0


def is_seeded(engine: Engine) -> bool:
    """True when the database already holds accounts (demo or not)."""
    return _account_count(engine) > 0


def _default_catalogue(seed: int) -> Sequence[Any]:
    from crm.demo.catalogue import build_catalogue

    return build_catalogue(seed)


def seed_demo(
    engine: Engine,
    *,
    seed: int,
    scale: float = 1.0,
    progress: Progress | None = None,
    catalogue: Sequence[Any] | None = None,
) -> SeedReport:
    """Generate the demo dataset for ``seed`` and insert it; refuse if accounts exist.

    ``catalogue`` replaces ``crm.demo.catalogue.build_catalogue(seed)`` (tests pass a small one).
    The schema must exist already (``crm.db.migrate``).
    """
    started = time.perf_counter()
    existing = _account_count(engine)
    if existing:
        raise AlreadySeeded(existing)
    products = catalogue if catalogue is not None else _default_catalogue(seed)
    data = generate_demo(seed=seed, scale=scale, catalogue=products)
    _insert(engine, data, progress)
    seconds = time.perf_counter() - started
    logger.info("seeded demo data (seed %s, scale %s) in %.1f s", seed, scale, seconds)
    return SeedReport(seed=seed, scale=scale, counts=data.counts(), seconds=seconds)


def _insert(engine: Engine, data: DemoData, progress: Progress | None) -> None:
    with session_factory(engine)() as session, session.begin():
        for table, rows in data.tables.items():
            model = MODELS[table]
            for start in range(0, len(rows), CHUNK):
                session.execute(insert(model), rows[start : start + CHUNK])
                if progress is not None:
                    progress(table, min(start + CHUNK, len(rows)), len(rows))
            if not rows and progress is not None:
                progress(table, 0, 0)


def assign_demo_owners(engine: Engine) -> int:
    """Give the demo's reps to a database seeded before accounts had owners; how many changed.

    Adds the demo reps that are missing and sets the owner of every account without one whose
    city is a demo city, by territory as a new seed would. Accounts that already have an owner,
    or lie outside the demo's cities, are left alone; running it twice changes nothing.
    """
    with session_factory(engine)() as session, session.begin():
        unowned = session.execute(
            select(m.Account.id, m.Account.city).where(m.Account.owner_id.is_(None))
        ).all()
        by_owner: dict[str, list[str]] = {}
        for account_id, city in unowned:
            if city in CITY_OWNER:
                by_owner.setdefault(CITY_OWNER[city], []).append(account_id)
        if not by_owner:
            return 0
        known = set(session.scalars(select(m.Rep.id)).all())
        missing = [row for row in rep_rows() if row["id"] not in known]
        if missing:
            session.execute(insert(m.Rep), missing)
        for owner, account_ids in by_owner.items():
            session.execute(
                update(m.Account).where(m.Account.id.in_(account_ids)).values(owner_id=owner)
            )
        changed = sum(len(ids) for ids in by_owner.values())
    if changed:
        logger.info("assigned owners to %d demo accounts", changed)
    return changed
