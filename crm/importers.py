"""Import CSV / JSON / JSON Lines files of CRM entities, all rows or none.

Every row is validated (crm.schemas), foreign keys are resolved against the database and the
file itself, and every problem is collected as a RowError before anything is written. One bad
row means nothing is committed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from crm import models as m
from crm import schemas as s
from crm._readers import ParsedFile, read_rows
from crm.db import session_factory
from crm.errors import ImportFailed, RowError, UnknownEntity

logger = logging.getLogger(__name__)

_CHUNK = 1000


@dataclass(frozen=True)
class EntitySpec:
    """How one entity's rows map onto its table and what they must refer to."""

    model: type[m.Base]
    row: type[s.ImportRow]
    key: tuple[str, ...] = ("id",)
    unique: tuple[tuple[str, ...], ...] = ()  # other unique column sets
    foreign_keys: dict[str, type[m.Base]] = field(default_factory=dict)
    renames: dict[str, str] = field(default_factory=dict)  # row field -> model attribute


ENTITIES: dict[str, EntitySpec] = {
    "reps": EntitySpec(m.Rep, s.RepRow),
    "accounts": EntitySpec(m.Account, s.AccountRow, foreign_keys={"owner_id": m.Rep}),
    "account_budgets": EntitySpec(
        m.AccountBudget,
        s.BudgetRow,
        key=("account_id", "year"),
        foreign_keys={"account_id": m.Account},
    ),
    "contacts": EntitySpec(
        m.Contact, s.ContactRow, foreign_keys={"account_id": m.Account, "reports_to": m.Contact}
    ),
    "products": EntitySpec(m.Product, s.ProductRow, unique=(("sku",),)),
    "price_book": EntitySpec(
        m.PriceBookEntry,
        s.PriceBookRow,
        unique=(("product_id", "valid_from"),),
        foreign_keys={"product_id": m.Product},
    ),
    "deals": EntitySpec(
        m.Deal,
        s.DealRow,
        foreign_keys={"account_id": m.Account, "primary_contact_id": m.Contact},
    ),
    "deal_products": EntitySpec(
        m.DealProduct,
        s.DealProductRow,
        key=("deal_id", "product_id"),
        foreign_keys={"deal_id": m.Deal, "product_id": m.Product},
    ),
    "activities": EntitySpec(
        m.Activity,
        s.ActivityRow,
        renames={"metadata": "meta"},
        foreign_keys={"account_id": m.Account, "contact_id": m.Contact, "product_id": m.Product},
    ),
    "quotes": EntitySpec(
        m.Quote,
        s.QuoteRow,
        foreign_keys={"account_id": m.Account, "deal_id": m.Deal, "product_id": m.Product},
    ),
}
_ALIASES = {
    "price_book_entries": "price_book",
    "pricebook": "price_book",
    "budgets": "account_budgets",
    "events": "activities",
    "sales_reps": "reps",
    "owners": "reps",
}


@dataclass(frozen=True)
class ImportReport:
    """What an import wrote."""

    entity: str
    inserted: int
    file: str = ""


def entity_for_path(path: Path) -> str:
    """The entity a file holds, told by its name: ``accounts.csv`` -> ``accounts``."""
    stem = path.name.split(".")[0].lower().replace("-", "_").replace(" ", "_")
    name = _ALIASES.get(stem, stem)
    if name not in ENTITIES:
        raise UnknownEntity(path.name, sorted(ENTITIES))
    return name


def import_file(engine: Engine, path: str | Path, entity: str | None = None) -> ImportReport:
    """Validate and insert every row of ``path`` in one transaction; raise ImportFailed if any is bad."""
    path = Path(path)
    name = entity or entity_for_path(path)
    name = _ALIASES.get(name, name)
    if name not in ENTITIES:
        raise UnknownEntity(name, sorted(ENTITIES))
    spec = ENTITIES[name]
    parsed = read_rows(path)
    errors = list(parsed.errors)
    _check_header(path.name, parsed, spec, errors)
    valid = _validate_rows(path.name, spec, parsed, errors)
    with session_factory(engine)() as session:
        _check_keys(session, path.name, spec, valid, errors)
        _check_foreign_keys(session, path.name, spec, valid, errors)
        if errors:
            raise ImportFailed(sorted(errors, key=lambda e: (e.line, e.field or "")))
        values = [_to_values(spec, row) for _, row in valid]
        try:
            _insert(session, spec, values)
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
            raise ImportFailed(
                [RowError(path.name, 0, None, f"rejected by the database: {reason}")]
            ) from exc
    logger.info("imported %d %s from %s", len(values), name, path.name)
    return ImportReport(entity=name, inserted=len(values), file=str(path))


def _required(spec: EntitySpec) -> set[str]:
    return {name for name, info in spec.row.model_fields.items() if info.is_required()}


def _check_header(file: str, parsed: ParsedFile, spec: EntitySpec, errors: list[RowError]) -> None:
    if parsed.header is None:
        return
    fields = set(spec.row.model_fields)
    for column in parsed.header:
        if column and column not in fields:
            errors.append(RowError(file, 1, column, f"unknown column {column!r}"))
    # A whole missing column is reported once on the header rather than on every row.
    for column in sorted(_required(spec) - set(parsed.header)):
        errors.append(RowError(file, 1, column, f"missing required column {column!r}"))


def _validate_rows(
    file: str, spec: EntitySpec, parsed: ParsedFile, errors: list[RowError]
) -> list[tuple[int, BaseModel]]:
    fields = set(spec.row.model_fields)
    header = set(parsed.header) if parsed.header is not None else None
    missing_columns = _required(spec) - header if header is not None else set()
    valid: list[tuple[int, BaseModel]] = []
    for line, data in parsed.rows:
        if header is not None:
            data = {key: value for key, value in data.items() if key in fields}
        try:
            valid.append((line, spec.row.model_validate(data)))
        except ValidationError as exc:
            for problem in exc.errors():
                where = ".".join(str(part) for part in problem["loc"]) or None
                if problem["type"] == "missing" and where in missing_columns:
                    continue  # already reported on the header
                errors.append(RowError(file, line, where, _reason(problem, where)))
    return valid


def _reason(problem: Any, where: str | None) -> str:
    kind = problem["type"]
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden":
        return f"unknown column {where!r}"
    message = str(problem["msg"]).removeprefix("Value error, ")
    return (
        f"{message} (got {problem['input']!r})"
        if "input" in problem and kind != "value_error"
        else message
    )


def _key(spec: EntitySpec, row: BaseModel) -> tuple[Any, ...]:
    return tuple(getattr(row, name) for name in spec.key)


def _check_keys(
    session: Any,
    file: str,
    spec: EntitySpec,
    valid: list[tuple[int, BaseModel]],
    errors: list[RowError],
) -> None:
    for columns in (spec.key, *spec.unique):
        first_seen: dict[tuple[Any, ...], int] = {}
        for line, row in valid:
            value = tuple(getattr(row, name) for name in columns)
            if value in first_seen:
                errors.append(
                    RowError(
                        file,
                        line,
                        columns[0],
                        f"duplicate {', '.join(columns)} {_show(value)} (first on line {first_seen[value]})",
                    )
                )
            else:
                first_seen[value] = line
        existing = _existing(session, spec.model, columns, list(first_seen))
        for line, row in valid:
            value = tuple(getattr(row, name) for name in columns)
            if value in existing:
                errors.append(
                    RowError(
                        file,
                        line,
                        columns[0],
                        f"{', '.join(columns)} {_show(value)} already exists",
                    )
                )


def _show(value: tuple[Any, ...]) -> str:
    parts = [repr(part) if isinstance(part, str) else str(part) for part in value]
    return parts[0] if len(parts) == 1 else f"({', '.join(parts)})"


def _existing(
    session: Any, model: type[m.Base], columns: tuple[str, ...], values: list[tuple[Any, ...]]
) -> set[tuple[Any, ...]]:
    """Which of ``values`` (tuples over ``columns``) are already in the table."""
    found: set[tuple[Any, ...]] = set()
    first = getattr(model, columns[0])
    wanted = set(values)
    for start in range(0, len(values), _CHUNK):
        chunk = sorted({value[0] for value in values[start : start + _CHUNK]})
        stmt = select(*(getattr(model, name) for name in columns)).where(first.in_(chunk))
        found.update(tuple(row) for row in session.execute(stmt) if tuple(row) in wanted)
    return found


def _check_foreign_keys(
    session: Any,
    file: str,
    spec: EntitySpec,
    valid: list[tuple[int, BaseModel]],
    errors: list[RowError],
) -> None:
    # An entity keyed by "id" has an id field; ImportRow itself declares none.
    own_ids = {row.id for _, row in valid} if "id" in spec.key else set()  # type: ignore[attr-defined]
    for name, target in spec.foreign_keys.items():
        referenced = {getattr(row, name) for _, row in valid} - {None}
        known = own_ids & referenced if target is spec.model else set()
        missing = referenced - known
        known |= {
            value for (value,) in _existing(session, target, ("id",), [(v,) for v in missing])
        }
        entity = target.__tablename__.removesuffix("s")
        for line, row in valid:
            value = getattr(row, name)
            if value is not None and value not in known:
                errors.append(RowError(file, line, name, f"unknown {entity} {value!r}"))


def _to_values(spec: EntitySpec, row: BaseModel) -> dict[str, Any]:
    values = row.model_dump()
    for source, target in spec.renames.items():
        values[target] = values.pop(source)
    if "created_at" in values and values["created_at"] is None:
        values["created_at"] = datetime.now(UTC)
    return values


def _insert(session: Any, spec: EntitySpec, values: list[dict[str, Any]]) -> None:
    # A row may refer to another row of the same file (contacts.reports_to): insert with the
    # self reference empty, then set it, so the order of rows and even cycles do not matter.
    self_refs = [name for name, target in spec.foreign_keys.items() if target is spec.model]
    deferred: list[dict[str, Any]] = []
    if self_refs:
        for row in values:
            links = {name: row[name] for name in self_refs if row.get(name) is not None}
            if links:
                deferred.append({"_id": row["id"], **links})
                row.update({name: None for name in links})
    for chunk in _chunks(values):
        session.execute(insert(spec.model), chunk)
    table = cast(Table, spec.model.__table__)  # a mapped class's table, typed as any FromClause
    for row in deferred:
        links = {name: value for name, value in row.items() if name != "_id"}
        session.execute(update(table).where(table.c.id == row["_id"]).values(**links))


def _chunks(values: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
