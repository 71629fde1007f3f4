"""Precise exceptions of the CRM layer; translated to HTTP or CLI messages only at the edges."""

from __future__ import annotations

from dataclasses import dataclass


class CRMError(Exception):
    """Base class of every error raised by the crm package."""

    code = "crm_error"


class NotFound(CRMError):
    """An id that names no record of that entity."""

    code = "not_found"

    def __init__(self, entity: str, record_id: str) -> None:
        super().__init__(f"{entity} {record_id!r} not found")
        self.entity = entity
        self.record_id = record_id


class InvalidQuery(CRMError, ValueError):
    """A store call with arguments out of range (a negative limit, say)."""

    code = "invalid_query"


class AlreadySeeded(CRMError):
    """The demo generator refuses to write into a database that already holds accounts."""

    code = "already_seeded"

    def __init__(self, accounts: int | str) -> None:
        # An int is the number of accounts found; callers with more context pass a message.
        if isinstance(accounts, int):
            super().__init__(f"the database already holds {accounts} accounts; refusing to seed")
        else:
            super().__init__(accounts)
        self.accounts = accounts


@dataclass(frozen=True)
class RowError:
    """One problem with one row of an import file; ``line`` is the physical line (1-based)."""

    file: str
    line: int
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


class ImportFailed(CRMError):
    """An import found bad rows; nothing was written. ``errors`` lists every one of them."""

    code = "import_failed"

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = list(errors)
        shown = "; ".join(str(error) for error in self.errors[:5])
        more = f" (and {len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} bad row(s): {shown}{more}")


class UnknownEntity(CRMError):
    """An import file whose entity cannot be told from its name, or an unsupported entity."""

    code = "unknown_entity"

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown entity {name!r}; expected one of {', '.join(known)}")
        self.name = name
        self.known = known


class SchemaMissing(CRMError):
    """The database has not been migrated: a table the operation needs does not exist."""

    code = "schema_missing"

    def __init__(self, table: str) -> None:
        super().__init__(f"table {table!r} does not exist; run crm.db.migrate(url) first")
        self.table = table
