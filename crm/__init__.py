"""CRM domain: SQLAlchemy models, the read store, importers and the demo dataset generator."""

from crm.db import Base, make_engine, migrate, session_factory
from crm.errors import (
    AlreadySeeded,
    CRMError,
    ImportFailed,
    InvalidQuery,
    NotFound,
    RowError,
    SchemaMissing,
    UnknownEntity,
)
from crm.importers import ImportReport, import_file
from crm.store import CRMStore

__all__ = [
    "AlreadySeeded",
    "Base",
    "CRMError",
    "CRMStore",
    "ImportFailed",
    "ImportReport",
    "InvalidQuery",
    "NotFound",
    "RowError",
    "SchemaMissing",
    "UnknownEntity",
    "import_file",
    "make_engine",
    "migrate",
    "session_factory",
]
