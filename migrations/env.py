"""Alembic environment: targets ``crm.db.Base.metadata`` with every model module imported."""

from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy.engine import Connection

from crm.db import Base, make_engine

# Each layer that adds tables to Base appends its models module here.
MODEL_MODULES: tuple[str, ...] = (
    "crm.models",
    "crm.recommendations",
    "crm.lead_scores",
    "runtime.models",
    "governance.consent_models",
    "governance.audit_models",
    "eval.calibration.models",
    "crm.calibration_maps",
    "crm.actions",
    "identity.models",
)

for module_name in MODEL_MODULES:
    importlib.import_module(module_name)

config = context.config
target_metadata = Base.metadata


def _configure(**options: object) -> None:
    # Batch mode lets later revisions ALTER tables on SQLite by copy-and-move.
    context.configure(
        target_metadata=target_metadata, render_as_batch=True, compare_type=True, **options
    )


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (``alembic upgrade --sql``)."""
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a given connection, or on a new engine for the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no sqlalchemy.url configured for the migrations")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
