"""The stored record a provenance fact points to: ``(source, record_id)`` -> the row itself.

Recommendations cite facts by source (a table or a memory collection) and record id. This
module reads the record back so a rep can check it. Memory chunks are cited by chunk id
(``<section or activity id>#<chunk number>``); they resolve to the CRM row they were cut from.
Values an agent computed (``computed``, ``lead_scoring``, ``win_model:...``,
``supervisor_routing``) have no stored record: asking for one is :class:`UnknownSource`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from crm import models as m
from crm.db import session_factory
from crm.errors import CRMError, NotFound
from crm.records import (
    AccountRecord,
    ActivityRecord,
    BudgetRecord,
    ContactRecord,
    PriceBookRecord,
    ProductRecord,
    QuoteRecord,
    Record,
    SectionRecord,
)
from crm.scope import AccountScope
from crm.store import CRMStore


class UnknownSource(CRMError):
    """A provenance source that names no stored kind of record."""

    code = "unknown_source"

    def __init__(self, source: str, known: list[str]) -> None:
        super().__init__(
            f"source {source!r} has no stored records (values an agent computed are not"
            f" stored); sources with records: {', '.join(known)}"
        )
        self.source = source


class SourceRecord(BaseModel):
    """A record as shown beside the fact that cites it."""

    source: str = Field(description="The fact's source, e.g. 'activities' or 'product_docs'.")
    record_id: str = Field(description="The fact's record id, as cited.")
    entity: str = Field(description="What kind of record it is, e.g. 'activity'.")
    title: str = Field(description="A one-line label for the record.")
    fields: dict[str, Any] = Field(description="The record's columns.")


def _chunk_owner(record_id: str) -> str:
    """``SEC-00001#2`` -> ``SEC-00001``: memory chunk ids are the owner's id and a number."""
    return record_id.split("#", 1)[0]


class ProvenanceRecords:
    """Reads the record behind a provenance fact. Every call opens and closes its own session.

    Within an account scope (every account when not given): a record of an account outside
    it (the account, its contacts, deals, activities, notes, quotes, budgets) is NotFound, as
    an unknown id; the catalogue (products, price book, documentation) is everyone's.
    """

    def __init__(self, engine: Engine, *, scope: AccountScope | None = None) -> None:
        self._engine = engine
        self._scope = scope or AccountScope.unrestricted()
        self._crm = CRMStore(engine, scope=self._scope)
        self._sessions = session_factory(engine)
        self._readers: dict[str, Callable[[str], tuple[str, str, Record]]] = {
            "accounts": self._account,
            "contacts": self._contact,
            "deals": self._deal,
            "activities": self._activity,
            "account_notes": lambda rid: self._activity(_chunk_owner(rid)),
            "quotes": self._row(
                m.Quote, QuoteRecord, "quote", lambda q: f"Quote {q.id}", scoped=True
            ),
            "products": self._product,
            "price_book_entries": self._row(
                m.PriceBookEntry,
                PriceBookRecord,
                "price book entry",
                lambda p: f"Price book {p.id} ({p.product_id}, from {p.valid_from})",
            ),  # fmt: skip
            "account_budgets": self._budget,
            "product_docs": lambda rid: self._section(_chunk_owner(rid)),
        }

    def scoped(self, scope: AccountScope) -> ProvenanceRecords:
        """These records as one user sees them (same engine)."""
        return ProvenanceRecords(self._engine, scope=scope)

    @property
    def sources(self) -> list[str]:
        """Sources whose facts can be looked up."""
        return sorted(self._readers)

    def record(self, *, source: str, record_id: str) -> SourceRecord:
        """The record ``(source, record_id)`` names; raises UnknownSource or NotFound."""
        reader = self._readers.get(source)
        if reader is None:
            raise UnknownSource(source, self.sources)
        entity, title, found = reader(record_id)
        return SourceRecord(
            source=source,
            record_id=record_id,
            entity=entity,
            title=title,
            fields=found.model_dump(mode="json"),
        )

    # Readers: (entity, title, record) ------------------------------------------------------

    def _account(self, record_id: str) -> tuple[str, str, Record]:
        account: AccountRecord = self._crm.get_account(account_id=record_id)
        return "account", account.name, account

    def _contact(self, record_id: str) -> tuple[str, str, Record]:
        contact: ContactRecord = self._crm.get_contact(contact_id=record_id)
        return "contact", f"{contact.full_name}, {contact.title}", contact

    def _deal(self, record_id: str) -> tuple[str, str, Record]:
        deal = self._crm.get_deal(deal_id=record_id)
        return "deal", deal.name, deal

    def _product(self, record_id: str) -> tuple[str, str, Record]:
        product: ProductRecord = self._crm.get_product(product_id=record_id)
        return "product", product.name, product

    def _activity(self, record_id: str) -> tuple[str, str, Record]:
        with self._sessions() as session:
            activity = ActivityRecord.model_validate(
                _get(session, m.Activity, "activity", record_id, self._scope)
            )
        label = activity.kind.replace("_", " ")
        when = activity.occurred_at.date().isoformat()
        title = f"{label.capitalize()} on {when}" + (
            f": {activity.subject}" if activity.subject else ""
        )
        return "activity", title, activity

    def _budget(self, record_id: str) -> tuple[str, str, Record]:
        # Cited as "<account id>:<year>" (agents/budget/provenance.py).
        account_id, _, year = record_id.rpartition(":")
        if not account_id or not year.isdigit():
            raise NotFound("account budget", record_id)
        with self._sessions() as session:
            row = session.scalar(
                select(m.AccountBudget).where(
                    m.AccountBudget.account_id == account_id,
                    m.AccountBudget.year == int(year),
                    *self._scope.conditions(m.AccountBudget.account_id),
                )
            )
            if row is None:
                raise NotFound("account budget", record_id)
            budget = BudgetRecord.model_validate(row)
        return "account budget", f"Budget {budget.year} of {account_id}", budget

    def _section(self, record_id: str) -> tuple[str, str, Record]:
        with self._sessions() as session:
            section = _get(session, m.DocumentSection, "documentation section", record_id)
            document = session.get(m.ProductDocument, section.document_id)
            record = DocumentationSection.model_validate(
                {
                    **SectionRecord.model_validate(section).model_dump(),
                    "document_id": section.document_id,
                    "document_title": document.title if document else "",
                    "product_id": document.product_id if document else "",
                }
            )
        title = f"{record.document_title}, \u201c{record.heading}\u201d, page {record.page}"
        return "documentation section", title, record

    def _row(
        self,
        model: type[m.Base],
        record: type[Record],
        entity: str,
        title: Callable[[Any], str],
        *,
        scoped: bool = False,
    ) -> Callable[[str], tuple[str, str, Record]]:
        """A reader of ``model`` rows by id; ``scoped`` for rows that belong to an account."""
        scope = self._scope if scoped else None

        def read(record_id: str) -> tuple[str, str, Record]:
            with self._sessions() as session:
                found = record.model_validate(_get(session, model, entity, record_id, scope))
            return entity, title(found), found

        return read


class DocumentationSection(SectionRecord):
    """A documentation section with the document it belongs to."""

    document_id: str
    document_title: str
    product_id: str


def _get(
    session: Session,
    model: type[Any],
    entity: str,
    record_id: str,
    scope: AccountScope | None = None,
) -> Any:
    """The row ``record_id``; with a ``scope``, only when its account is in it (the row's
    ``account_id`` checked in the query), else NotFound as for an unknown id."""
    if scope is None:
        found = session.get(model, record_id)
    else:
        conditions = scope.conditions(model.account_id)
        found = session.scalar(select(model).where(model.id == record_id, *conditions))
    if found is None:
        raise NotFound(entity, record_id)
    return found
