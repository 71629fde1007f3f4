"""CRMStore: the read API over CRM data, the same on SQLite and PostgreSQL.

A store reads within an account scope (``crm/scope.py``): every read that reaches an account
or what hangs off one adds the scope's condition to its ``WHERE`` clause, so an account
outside the scope is exactly as absent as one that does not exist (the same ``NotFound``).
``CRMStore(engine)`` reads everything (the process's own work: seeding, indexing, erasure);
``store.scoped(scope)`` is the same store seen by one user. A scope may also be a function
asked on every read: the agents' reader asks the run it serves (``tools/run_scope.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Engine, Select, func, or_, select
from sqlalchemy.orm import Session

from crm import models as m
from crm.db import session_factory
from crm.enums import NOTE_KINDS
from crm.errors import InvalidQuery, NotFound
from crm.records import (
    AccountNoteRecord,
    AccountRecord,
    ActivityRecord,
    BudgetRecord,
    ContactRecord,
    DealLineRecord,
    DealRecord,
    DocumentRecord,
    DocumentSectionRecord,
    PriceBookRecord,
    ProductRecord,
    QuoteRecord,
    Record,
    RepRecord,
    SectionRecord,
)
from crm.scope import AccountScope

R = TypeVar("R", bound=Record)

# A fixed scope, or a function asked for the scope on every read (a run's, for the agents).
ScopeSource = AccountScope | Callable[[], AccountScope]

# Reads that reach an account or what hangs off one: each adds the scope to its query.
SCOPED_READS = frozenset(
    {
        "get_account",
        "list_accounts",
        "find_accounts",
        "budgets_for_account",
        "get_contact",
        "contacts_for_account",
        "get_deal",
        "get_deals",
        "deals_for_account",
        "activities_for_account",
        "activities_for_contact",
        "iter_account_notes",
        "quotes_for_product",
        "quotes_for_account",
    }
)
# The allow-list: reads that name no account, and why each may ignore the scope.
UNSCOPED_READS: dict[str, str] = {
    "list_reps": "the seller's own staff, who are the users; no account",
    "get_rep": "one of the seller's reps, as list_reps",
    "latest_activity_at": "one timestamp, the data's own clock; names no account",
    "get_product": "the catalogue: products are sold to every account alike",
    "list_products": "the catalogue, as get_product",
    "find_products": "the catalogue, as get_product",
    "documents_for_product": "manufacturers' documentation of the catalogue",
    "iter_document_sections": "manufacturers' documentation, as documents_for_product",
    "price_book_for_product": "list and floor prices of a product, the same for everyone",
    "counts": "rows per table: numbers, no record",
}
# What a store has besides its reads: how it is narrowed to a scope, and the scope it reads in.
STORE_OWN = frozenset({"scoped", "current_scope"})

# Tables counted by counts(), in dependency order; the hidden truth is left out on purpose.
COUNTED_TABLES: tuple[type[m.Base], ...] = (
    m.Rep,
    m.Account,
    m.AccountBudget,
    m.Contact,
    m.Product,
    m.ProductDocument,
    m.DocumentSection,
    m.PriceBookEntry,
    m.Deal,
    m.DealProduct,
    m.Quote,
    m.Activity,
)

_STREAM_CHUNK = 500


def _check_page(limit: int | None, offset: int = 0) -> None:
    if limit is not None and limit < 0:
        raise InvalidQuery(f"limit must be >= 0, got {limit}")
    if offset < 0:
        raise InvalidQuery(f"offset must be >= 0, got {offset}")


def _records(record: type[R], rows: Sequence[Any]) -> list[R]:
    return [record.model_validate(row) for row in rows]


class CRMStore:
    """Typed, read-only access to the CRM. Every method opens and closes its own session.

    ``scope`` limits the accounts it reads (everything when not given); see the module doc.
    """

    def __init__(self, engine: Engine, *, scope: ScopeSource | None = None) -> None:
        self.engine = engine
        self._sessions = session_factory(engine)
        self._scope: ScopeSource = AccountScope.unrestricted() if scope is None else scope

    def scoped(self, scope: ScopeSource) -> CRMStore:
        """This store seen within ``scope``, on the same engine (a session maker is all it
        builds, so a view per request costs nothing worth caching)."""
        return CRMStore(self.engine, scope=scope)

    def current_scope(self) -> AccountScope:
        """The scope the next read uses (asked afresh when the scope is a function)."""
        return self._scope if isinstance(self._scope, AccountScope) else self._scope()

    def _session(self) -> Session:
        return self._sessions()

    def _visible(self, account_column: Any) -> list[ColumnElement[bool]]:
        """The terms that keep rows of ``account_column``'s accounts inside the scope."""
        return self.current_scope().conditions(account_column)

    def _require_visible(
        self, session: Session, model: type[Any], entity: str, record_id: str
    ) -> Any:
        """The row ``record_id`` of ``model`` when its account is in scope; NotFound otherwise,
        worded as for an id that does not exist."""
        account_column = model.id if model is m.Account else model.account_id
        found = session.scalar(
            select(model).where(model.id == record_id, *self._visible(account_column))
        )
        if found is None:
            raise NotFound(entity, record_id)
        return found

    def _scalars(self, record: type[R], stmt: Select[Any]) -> list[R]:
        with self._session() as session:
            return _records(record, session.scalars(stmt).all())

    def _require(self, session: Session, model: type[m.Base], entity: str, record_id: str) -> Any:
        found = session.get(model, record_id)
        if found is None:
            raise NotFound(entity, record_id)
        return found

    # Accounts and people -------------------------------------------------------------------

    def get_account(self, *, account_id: str) -> AccountRecord:
        """One account; raises NotFound."""
        with self._session() as session:
            account = self._require_visible(session, m.Account, "account", account_id)
            return AccountRecord.model_validate(account)

    def list_accounts(
        self,
        *,
        limit: int = 100,
        offset: int = 0,
        region: str | None = None,
        owner_id: str | None = None,
    ) -> list[AccountRecord]:
        """Accounts ordered by id, optionally of one region and of one owner (a rep id)."""
        _check_page(limit, offset)
        stmt = (
            select(m.Account)
            .where(*self._visible(m.Account.id))
            .order_by(m.Account.id)
            .limit(limit)
            .offset(offset)
        )
        if region is not None:
            stmt = stmt.where(m.Account.region == region)
        if owner_id is not None:
            stmt = stmt.where(m.Account.owner_id == owner_id)
        return self._scalars(AccountRecord, stmt)

    def find_accounts(
        self, *, text: str, limit: int = 20, owner_id: str | None = None
    ) -> list[AccountRecord]:
        """Accounts whose name or id contains ``text``, ignoring case, by name (all when blank);
        only the accounts ``owner_id`` owns when given."""
        _check_page(limit)
        pattern = _contains_pattern(text)
        stmt = (
            select(m.Account)
            .where(
                or_(
                    func.lower(m.Account.name).like(pattern, escape="\\"),
                    func.lower(m.Account.id).like(pattern, escape="\\"),
                ),
                *self._visible(m.Account.id),
            )
            .order_by(m.Account.name, m.Account.id)
            .limit(limit)
        )
        if owner_id is not None:
            stmt = stmt.where(m.Account.owner_id == owner_id)
        return self._scalars(AccountRecord, stmt)

    # Reps ----------------------------------------------------------------------------------

    def list_reps(self) -> list[RepRecord]:
        """Every sales rep, ordered by id."""
        return self._scalars(RepRecord, select(m.Rep).order_by(m.Rep.id))

    def get_rep(self, *, rep_id: str) -> RepRecord:
        """One rep; raises NotFound."""
        with self._session() as session:
            return RepRecord.model_validate(self._require(session, m.Rep, "rep", rep_id))

    def budgets_for_account(self, *, account_id: str) -> list[BudgetRecord]:
        """The account's annual budget history, oldest year first."""
        with self._session() as session:
            self._require_visible(session, m.Account, "account", account_id)
            stmt = (
                select(m.AccountBudget)
                .where(m.AccountBudget.account_id == account_id)
                .order_by(m.AccountBudget.year)
            )
            return _records(BudgetRecord, session.scalars(stmt).all())

    def get_contact(self, *, contact_id: str) -> ContactRecord:
        """One contact; raises NotFound."""
        with self._session() as session:
            return ContactRecord.model_validate(
                self._require_visible(session, m.Contact, "contact", contact_id)
            )

    def contacts_for_account(self, *, account_id: str) -> list[ContactRecord]:
        """Every contact of the account, ordered by id."""
        with self._session() as session:
            self._require_visible(session, m.Account, "account", account_id)
            stmt = select(m.Contact).where(m.Contact.account_id == account_id)
            return _records(ContactRecord, session.scalars(stmt.order_by(m.Contact.id)).all())

    # Deals and behaviour -------------------------------------------------------------------

    def _deals(self, session: Session, stmt: Select[Any]) -> list[DealRecord]:
        deals = session.scalars(stmt.order_by(m.Deal.created_at, m.Deal.id)).all()
        lines: dict[str, list[DealLineRecord]] = {deal.id: [] for deal in deals}
        if lines:
            line_stmt = (
                select(m.DealProduct)
                .where(m.DealProduct.deal_id.in_(list(lines)))
                .order_by(m.DealProduct.deal_id, m.DealProduct.id)
            )
            for line in session.scalars(line_stmt):
                lines[line.deal_id].append(DealLineRecord.model_validate(line))
        return [
            DealRecord.model_validate({**_columns(deal), "lines": tuple(lines[deal.id])})
            for deal in deals
        ]

    def get_deal(self, *, deal_id: str) -> DealRecord:
        """One deal with its product lines; raises NotFound."""
        with self._session() as session:
            self._require_visible(session, m.Deal, "deal", deal_id)
            return self._deals(session, select(m.Deal).where(m.Deal.id == deal_id))[0]

    def get_deals(self, *, deal_ids: Sequence[str]) -> list[DealRecord]:
        """The deals among ``deal_ids`` that exist, with their lines (one query, not one per id)."""
        if not deal_ids:
            return []
        with self._session() as session:
            stmt = select(m.Deal).where(
                m.Deal.id.in_(list(set(deal_ids))), *self._visible(m.Deal.account_id)
            )
            return self._deals(session, stmt)

    def deals_for_account(self, *, account_id: str) -> list[DealRecord]:
        """The account's deals with their product lines, oldest first."""
        with self._session() as session:
            self._require_visible(session, m.Account, "account", account_id)
            return self._deals(session, select(m.Deal).where(m.Deal.account_id == account_id))

    def activities_for_account(
        self,
        *,
        account_id: str,
        since: datetime | None = None,
        kinds: Sequence[str] | None = None,
        limit: int = 500,
    ) -> list[ActivityRecord]:
        """The account's behaviour events, newest first, at most ``limit`` of them."""
        _check_page(limit)
        with self._session() as session:
            self._require_visible(session, m.Account, "account", account_id)
            stmt = select(m.Activity).where(m.Activity.account_id == account_id)
            if since is not None:
                stmt = stmt.where(m.Activity.occurred_at >= since)
            if kinds:
                stmt = stmt.where(m.Activity.kind.in_(list(kinds)))
            stmt = stmt.order_by(m.Activity.occurred_at.desc(), m.Activity.id.desc()).limit(limit)
            return _records(ActivityRecord, session.scalars(stmt).all())

    def activities_for_contact(
        self,
        *,
        contact_id: str,
        since: datetime | None = None,
        limit: int = 500,
    ) -> list[ActivityRecord]:
        """The contact's behaviour events, newest first, at most ``limit`` of them."""
        _check_page(limit)
        with self._session() as session:
            self._require_visible(session, m.Contact, "contact", contact_id)
            stmt = select(m.Activity).where(m.Activity.contact_id == contact_id)
            if since is not None:
                stmt = stmt.where(m.Activity.occurred_at >= since)
            stmt = stmt.order_by(m.Activity.occurred_at.desc(), m.Activity.id.desc()).limit(limit)
            return _records(ActivityRecord, session.scalars(stmt).all())

    def latest_activity_at(self) -> datetime | None:
        """When the newest behaviour event happened: the data's own clock (None if empty)."""
        with self._session() as session:
            newest = session.scalar(
                select(m.Activity.occurred_at).order_by(m.Activity.occurred_at.desc()).limit(1)
            )
            return newest if isinstance(newest, datetime) else None

    def iter_account_notes(self, *, since: datetime | None = None) -> Iterator[AccountNoteRecord]:
        """Every meeting note and email body, streamed in id order (for indexing)."""
        stmt = select(m.Activity).where(
            m.Activity.kind.in_(NOTE_KINDS),
            m.Activity.body.is_not(None),
            *self._visible(m.Activity.account_id),
        )
        if since is not None:
            stmt = stmt.where(m.Activity.occurred_at >= since)
        with self._session() as session:
            for activity in session.scalars(
                stmt.order_by(m.Activity.id).execution_options(yield_per=_STREAM_CHUNK)
            ):
                yield AccountNoteRecord.model_validate(activity)

    # Products, documents and prices --------------------------------------------------------

    def get_product(self, *, product_id: str) -> ProductRecord:
        """One product; raises NotFound."""
        with self._session() as session:
            return ProductRecord.model_validate(
                self._require(session, m.Product, "product", product_id)
            )

    def list_products(self, *, category: str | None = None) -> list[ProductRecord]:
        """The catalogue ordered by id, optionally of one category."""
        stmt = select(m.Product).order_by(m.Product.id)
        if category is not None:
            stmt = stmt.where(m.Product.category == category)
        return self._scalars(ProductRecord, stmt)

    def find_products(self, *, text: str, limit: int = 20) -> list[ProductRecord]:
        """Products whose name or SKU contains ``text``, ignoring case."""
        _check_page(limit)
        pattern = _contains_pattern(text)
        stmt = (
            select(m.Product)
            .where(
                or_(
                    func.lower(m.Product.name).like(pattern, escape="\\"),
                    func.lower(m.Product.sku).like(pattern, escape="\\"),
                )
            )
            .order_by(m.Product.id)
            .limit(limit)
        )
        return self._scalars(ProductRecord, stmt)

    def documents_for_product(self, *, product_id: str) -> list[DocumentRecord]:
        """The product's documents with their sections in reading order."""
        with self._session() as session:
            self._require(session, m.Product, "product", product_id)
            docs = session.scalars(
                select(m.ProductDocument)
                .where(m.ProductDocument.product_id == product_id)
                .order_by(m.ProductDocument.id)
            ).all()
            sections: dict[str, list[SectionRecord]] = {doc.id: [] for doc in docs}
            if sections:
                stmt = (
                    select(m.DocumentSection)
                    .where(m.DocumentSection.document_id.in_(list(sections)))
                    .order_by(m.DocumentSection.document_id, m.DocumentSection.ordinal)
                )
                for section in session.scalars(stmt):
                    sections[section.document_id].append(SectionRecord.model_validate(section))
            return [
                DocumentRecord.model_validate(
                    {**_columns(doc), "sections": tuple(sections[doc.id])}
                )
                for doc in docs
            ]

    def iter_document_sections(self) -> Iterator[DocumentSectionRecord]:
        """Every documentation section with its product and document (for indexing)."""
        stmt = (
            select(
                m.DocumentSection.id.label("section_id"),
                m.ProductDocument.product_id,
                m.DocumentSection.document_id,
                m.ProductDocument.title.label("document_title"),
                m.ProductDocument.kind.label("document_kind"),
                m.DocumentSection.heading,
                m.DocumentSection.page,
                m.DocumentSection.ordinal,
                m.DocumentSection.body,
            )
            .join(m.ProductDocument, m.ProductDocument.id == m.DocumentSection.document_id)
            .order_by(m.DocumentSection.document_id, m.DocumentSection.ordinal)
            .execution_options(yield_per=_STREAM_CHUNK)
        )
        with self._session() as session:
            for row in session.execute(stmt).mappings():
                yield DocumentSectionRecord.model_validate(dict(row))

    def price_book_for_product(self, *, product_id: str) -> list[PriceBookRecord]:
        """The product's price book entries, oldest ``valid_from`` first (last one is current)."""
        with self._session() as session:
            self._require(session, m.Product, "product", product_id)
            stmt = (
                select(m.PriceBookEntry)
                .where(m.PriceBookEntry.product_id == product_id)
                .order_by(m.PriceBookEntry.valid_from)
            )
            return _records(PriceBookRecord, session.scalars(stmt).all())

    def quotes_for_product(self, *, product_id: str, limit: int | None = None) -> list[QuoteRecord]:
        """Historical quotes of the product, newest first."""
        _check_page(limit)
        with self._session() as session:
            self._require(session, m.Product, "product", product_id)
            stmt = (
                select(m.Quote)
                .where(m.Quote.product_id == product_id, *self._visible(m.Quote.account_id))
                .order_by(m.Quote.quoted_at.desc(), m.Quote.id.desc())
                .limit(limit)
            )
            return _records(QuoteRecord, session.scalars(stmt).all())

    def quotes_for_account(self, *, account_id: str) -> list[QuoteRecord]:
        """Quotes given to the account, newest first."""
        with self._session() as session:
            self._require_visible(session, m.Account, "account", account_id)
            stmt = (
                select(m.Quote)
                .where(m.Quote.account_id == account_id)
                .order_by(m.Quote.quoted_at.desc(), m.Quote.id.desc())
            )
            return _records(QuoteRecord, session.scalars(stmt).all())

    # Housekeeping --------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per table (the hidden ground truth excluded)."""
        with self._session() as session:
            return {
                model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
                for model in COUNTED_TABLES
            }


def _contains_pattern(text: str) -> str:
    """A LIKE pattern for "contains ``text``", ignoring case; '%' and '_' match themselves."""
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _columns(obj: m.Base) -> dict[str, Any]:
    """An ORM object's column attributes as a dict."""
    return {attr.key: getattr(obj, attr.key) for attr in obj.__mapper__.column_attrs}
