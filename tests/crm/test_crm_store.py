"""CRMStore over a small demo database, the same suite on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from crm import CRMStore, InvalidQuery, NotFound
from crm.enums import NOTE_KINDS
from crm.records import AccountRecord


@pytest.fixture
def store(seeded: Engine) -> CRMStore:
    return CRMStore(seeded)


def test_get_account_and_not_found(store: CRMStore) -> None:
    first = store.list_accounts(limit=1)[0]
    assert store.get_account(account_id=first.id) == first
    assert first.created_at.tzinfo is not None
    with pytest.raises(NotFound) as caught:
        store.get_account(account_id="ACC-9999")
    assert (caught.value.entity, caught.value.record_id) == ("account", "ACC-9999")


def test_records_are_frozen_values(store: CRMStore) -> None:
    account = store.list_accounts(limit=1)[0]
    assert isinstance(account, AccountRecord)
    with pytest.raises(ValidationError):
        account.name = "changed"  # type: ignore[misc]


def test_list_accounts_pages_and_filters(store: CRMStore) -> None:
    everything = store.list_accounts(limit=1000)
    assert [a.id for a in everything] == sorted(a.id for a in everything)
    assert store.list_accounts(limit=3, offset=2) == everything[2:5]
    region = everything[0].region
    in_region = store.list_accounts(limit=1000, region=region)
    assert in_region and all(a.region == region for a in in_region)
    assert store.list_accounts(region="Atlantis") == []
    with pytest.raises(InvalidQuery):
        store.list_accounts(limit=-1)
    with pytest.raises(InvalidQuery):
        store.list_accounts(offset=-5)


def test_contacts_form_a_hierarchy_inside_the_account(store: CRMStore) -> None:
    account = store.list_accounts(limit=1)[0]
    contacts = store.contacts_for_account(account_id=account.id)
    ids = {c.id for c in contacts}
    assert len(contacts) >= 3
    assert all(c.account_id == account.id for c in contacts)
    assert all(c.reports_to is None or c.reports_to in ids for c in contacts)
    assert sum(c.reports_to is None for c in contacts) == 1  # one person at the top
    assert store.get_contact(contact_id=contacts[0].id) == contacts[0]
    with pytest.raises(NotFound):
        store.get_contact(contact_id="CON-99999")
    with pytest.raises(NotFound):
        store.contacts_for_account(account_id="ACC-9999")


def test_deals_carry_their_lines(store: CRMStore) -> None:
    accounts = store.list_accounts(limit=1000)
    deals = [d for a in accounts for d in store.deals_for_account(account_id=a.id)]
    assert deals
    for deal in deals:
        assert deal.lines
        assert isinstance(deal.amount, Decimal)
        assert deal.amount == sum(line.unit_price * line.quantity for line in deal.lines)
        assert {"closed_won": "won", "closed_lost": "lost"}.get(deal.stage, "open") == deal.outcome
    assert store.get_deal(deal_id=deals[0].id) == deals[0]
    with pytest.raises(NotFound):
        store.get_deal(deal_id="DEAL-9999")


def test_activities_newest_first_with_since_kinds_and_limit(store: CRMStore) -> None:
    account = max(
        store.list_accounts(limit=1000),
        key=lambda a: len(store.activities_for_account(account_id=a.id, limit=10_000)),
    )
    events = store.activities_for_account(account_id=account.id, limit=10_000)
    times = [e.occurred_at for e in events]
    assert times == sorted(times, reverse=True)
    assert store.activities_for_account(account_id=account.id, limit=5) == events[:5]
    since = times[len(times) // 2]
    recent = store.activities_for_account(account_id=account.id, since=since, limit=10_000)
    assert recent and all(e.occurred_at >= since for e in recent)
    emails = store.activities_for_account(account_id=account.id, kinds=["email_out"])
    assert emails and {e.kind for e in emails} == {"email_out"}
    future = datetime(2030, 1, 1, tzinfo=UTC)
    assert store.activities_for_account(account_id=account.id, since=future) == []
    naive = since.replace(tzinfo=None)  # naive datetimes are taken as UTC
    assert store.activities_for_account(account_id=account.id, since=naive, limit=10_000) == recent
    with pytest.raises(InvalidQuery):
        store.activities_for_account(account_id=account.id, limit=-1)
    with pytest.raises(NotFound):
        store.activities_for_account(account_id="ACC-9999")


def test_products_lookup_and_case_insensitive_search(store: CRMStore) -> None:
    products = store.list_products()
    assert products
    product = products[0]
    assert store.get_product(product_id=product.id) == product
    word = product.name.split()[0]
    assert product in store.find_products(text=word.upper())
    assert product in store.find_products(text=product.sku.lower())
    assert store.find_products(text="%") == []  # wildcards match themselves
    assert store.find_products(text="no such device zz") == []
    category = store.list_products(category=product.category)
    assert product in category and all(p.category == product.category for p in category)
    with pytest.raises(NotFound):
        store.get_product(product_id="PRD-999")


def test_documents_and_sections_in_reading_order(store: CRMStore) -> None:
    product = store.list_products()[0]
    documents = store.documents_for_product(product_id=product.id)
    assert documents
    for document in documents:
        assert document.product_id == product.id
        ordinals = [s.ordinal for s in document.sections]
        assert ordinals == list(range(1, len(ordinals) + 1))
    sections = list(store.iter_document_sections())
    assert len(sections) == store.counts()["document_sections"]
    assert all(s.body and s.heading and s.document_title and s.product_id for s in sections)
    with pytest.raises(NotFound):
        store.documents_for_product(product_id="PRD-999")


def test_account_notes_are_meetings_and_emails_with_text(store: CRMStore) -> None:
    notes = list(store.iter_account_notes())
    assert notes
    assert {n.kind for n in notes} <= set(NOTE_KINDS)
    assert "meeting" in {n.kind for n in notes}
    assert all(n.body for n in notes)
    assert [n.id for n in notes] == sorted(n.id for n in notes)
    cutoff = datetime(2026, 11, 1, tzinfo=UTC) - timedelta(days=90)
    assert all(n.occurred_at >= cutoff for n in store.iter_account_notes(since=cutoff))


def test_price_book_and_quotes(store: CRMStore) -> None:
    product = store.list_products()[0]
    entries = store.price_book_for_product(product_id=product.id)
    assert entries and [e.valid_from for e in entries] == sorted(e.valid_from for e in entries)
    assert all(e.floor_price <= e.list_price for e in entries)
    quoted = next(p for p in store.list_products() if store.quotes_for_product(product_id=p.id))
    quotes = store.quotes_for_product(product_id=quoted.id)
    assert [q.quoted_at for q in quotes] == sorted((q.quoted_at for q in quotes), reverse=True)
    assert store.quotes_for_product(product_id=quoted.id, limit=1) == quotes[:1]
    account_quotes = store.quotes_for_account(account_id=quotes[0].account_id)
    assert quotes[0] in account_quotes
    with pytest.raises(NotFound):
        store.quotes_for_product(product_id="PRD-999")
    with pytest.raises(NotFound):
        store.price_book_for_product(product_id="PRD-999")


def test_budgets_are_yearly_history(store: CRMStore) -> None:
    account = store.list_accounts(limit=1)[0]
    budgets = store.budgets_for_account(account_id=account.id)
    assert [b.year for b in budgets] == [2021, 2022, 2023, 2024, 2025]
    assert all(b.amount > 0 and b.currency == "CNY" for b in budgets)


def test_counts_cover_every_table_but_the_hidden_truth(store: CRMStore) -> None:
    counts = store.counts()
    assert "ground_truth" not in counts
    assert counts["accounts"] == len(store.list_accounts(limit=1000))
    assert all(value > 0 for value in counts.values())


def test_both_backends_return_identical_records(
    seeded_engines: Callable[[str], Engine],
) -> None:
    sqlite, postgres = CRMStore(seeded_engines("sqlite")), CRMStore(seeded_engines("postgresql"))
    assert sqlite.counts() == postgres.counts()
    account = sqlite.list_accounts(limit=1)[0].id
    for name in (
        "contacts_for_account",
        "deals_for_account",
        "budgets_for_account",
        "quotes_for_account",
    ):
        assert getattr(sqlite, name)(account_id=account) == getattr(postgres, name)(
            account_id=account
        )
    assert sqlite.activities_for_account(account_id=account, limit=10_000) == (
        postgres.activities_for_account(account_id=account, limit=10_000)
    )
    assert list(sqlite.iter_document_sections()) == list(postgres.iter_document_sections())
