"""What agents and tools may read from the CRM: the read API, as a protocol.

:class:`crm.store.CRMStore` implements it over the database; the consent gate
(``governance.consent_gate.ConsentGatedCRM``) implements it by wrapping another reader. Code
that only reads should ask for a :class:`CRMReader`, so either can be handed to it;
:class:`CRMSource` adds the database itself, for code that also builds a writer beside its reads
(actions, lead scores).

A reader reads within an account scope (``crm/scope.py``): an account outside it, and
everything of it, is absent as if it did not exist. The agents' reader takes the scope of the
run it serves (``tools/run_scope.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from sqlalchemy import Engine

from crm.records import (
    AccountNoteRecord,
    AccountRecord,
    ActivityRecord,
    BudgetRecord,
    ContactRecord,
    DealRecord,
    DocumentRecord,
    DocumentSectionRecord,
    PriceBookRecord,
    ProductRecord,
    QuoteRecord,
    RepRecord,
)

__all__ = ["CRMReader", "CRMSource"]


@runtime_checkable
class CRMReader(Protocol):
    """Every public read of the CRM (see :class:`crm.store.CRMStore` for what each returns)."""

    # Accounts, reps and people
    def get_account(self, *, account_id: str) -> AccountRecord: ...
    def list_accounts(
        self,
        *,
        limit: int = 100,
        offset: int = 0,
        region: str | None = None,
        owner_id: str | None = None,
    ) -> list[AccountRecord]: ...
    def find_accounts(
        self, *, text: str, limit: int = 20, owner_id: str | None = None
    ) -> list[AccountRecord]: ...
    def list_reps(self) -> list[RepRecord]: ...
    def get_rep(self, *, rep_id: str) -> RepRecord: ...
    def budgets_for_account(self, *, account_id: str) -> list[BudgetRecord]: ...
    def get_contact(self, *, contact_id: str) -> ContactRecord: ...
    def contacts_for_account(self, *, account_id: str) -> list[ContactRecord]: ...

    # Deals and behaviour
    def get_deal(self, *, deal_id: str) -> DealRecord: ...
    def get_deals(self, *, deal_ids: Sequence[str]) -> list[DealRecord]: ...
    def deals_for_account(self, *, account_id: str) -> list[DealRecord]: ...
    def activities_for_account(
        self,
        *,
        account_id: str,
        since: datetime | None = None,
        kinds: Sequence[str] | None = None,
        limit: int = 500,
    ) -> list[ActivityRecord]: ...
    def activities_for_contact(
        self, *, contact_id: str, since: datetime | None = None, limit: int = 500
    ) -> list[ActivityRecord]: ...
    def latest_activity_at(self) -> datetime | None: ...
    def iter_account_notes(
        self, *, since: datetime | None = None
    ) -> Iterator[AccountNoteRecord]: ...

    # Products, documents and prices
    def get_product(self, *, product_id: str) -> ProductRecord: ...
    def list_products(self, *, category: str | None = None) -> list[ProductRecord]: ...
    def find_products(self, *, text: str, limit: int = 20) -> list[ProductRecord]: ...
    def documents_for_product(self, *, product_id: str) -> list[DocumentRecord]: ...
    def iter_document_sections(self) -> Iterator[DocumentSectionRecord]: ...
    def price_book_for_product(self, *, product_id: str) -> list[PriceBookRecord]: ...
    def quotes_for_product(
        self, *, product_id: str, limit: int | None = None
    ) -> list[QuoteRecord]: ...
    def quotes_for_account(self, *, account_id: str) -> list[QuoteRecord]: ...

    # Housekeeping
    def counts(self) -> dict[str, int]: ...


@runtime_checkable
class CRMSource(CRMReader, Protocol):
    """A reader that also hands out its database, for the writers built beside it."""

    @property
    def engine(self) -> Engine: ...
