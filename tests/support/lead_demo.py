"""A small seeded demo CRM for the lead scoring tests (no memory, no embeddings)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from crm.db import make_engine, migrate
from crm.demo import seed_demo


def seeded_engine(folder: Path, *, seed: int = 20261125, scale: float = 0.1) -> Engine:
    """A migrated SQLite database in ``folder`` holding the demo at ``scale``."""
    url = f"sqlite:///{folder / 'crm.db'}"
    migrate(url)
    engine = make_engine(url)
    seed_demo(engine, seed=seed, scale=scale)
    return engine
