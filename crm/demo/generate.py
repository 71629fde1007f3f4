"""The whole demo dataset as rows, from a seed alone: same seed, same rows, byte for byte."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from crm.demo._conversations import EventWriter
from crm.demo._people import build_people
from crm.demo._reps import owner_of, rep_rows
from crm.demo._sales import SalesBook, SalesWriter, price_book_rows
from crm.demo._timeline import fill_account, phase_windows
from crm.demo._world import build_accounts, department_of, truth_row

BASE_ACCOUNTS = 220  # accounts at scale 1.0
MIN_ACCOUNTS = 6  # one per true stage, so even tiny datasets show every stage


@dataclass
class DemoData:
    """Rows per table name, in insertion order (parents before children)."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables.items()}


def account_count(scale: float) -> int:
    """How many accounts a scale asks for."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    return max(MIN_ACCOUNTS, round(BASE_ACCOUNTS * scale))


def _catalogue_rows(catalogue: Sequence[Any]) -> dict[str, list[dict[str, Any]]]:
    products: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    sections: list[dict[str, Any]] = []
    for product in catalogue:
        products.append(
            {
                "id": product.product_id,
                "sku": product.sku,
                "name": product.name,
                "category": product.category,
                "manufacturer": product.manufacturer,
                "description": product.description,
                "specs": dict(product.specs),
                "currency": product.currency,
            }
        )
        for document in product.documents:
            documents.append(
                {
                    "id": document.document_id,
                    "product_id": product.product_id,
                    "title": document.title,
                    "kind": document.kind,
                    "version": document.version,
                }
            )
            for ordinal, section in enumerate(document.sections, start=1):
                sections.append(
                    {
                        "id": f"SEC-{len(sections) + 1:05d}",
                        "document_id": document.document_id,
                        "ordinal": ordinal,
                        "page": max(1, int(section.page)),
                        "heading": section.heading,
                        "body": section.body,
                    }
                )
    return {
        "products": products,
        "product_documents": documents,
        "document_sections": sections,
        "price_book_entries": price_book_rows(list(catalogue)),
    }


def generate_demo(*, seed: int, scale: float = 1.0, catalogue: Sequence[Any]) -> DemoData:
    """Every row of the demo dataset; pure: no database, no clock, no global random state."""

    # Separate streams per concern, so adding events does not reshuffle names or deals.
    def stream(name: str) -> random.Random:
        return random.Random(f"crm-demo:{seed}:{name}")

    products = list(catalogue)
    plans = build_accounts(stream("accounts"), account_count(scale))
    build_people(stream("people"), plans, products)

    events: list[dict[str, Any]] = []
    behaviour = EventWriter(stream("behaviour"), events)
    book = SalesBook()
    sales = SalesWriter(stream("sales"), book, EventWriter(stream("deal-events"), events))
    for plan in plans:
        windows = phase_windows(behaviour.rng, plan)
        fill_account(behaviour, plan, products, windows)
        fitting = [p for p in products if department_of(p) in plan.departments]
        sales.history(plan, products, fitting)
        sales.current(plan, windows)

    # Event ids follow time, so EVT-000001 is the oldest event of the dataset.
    events.sort(key=lambda event: (event["occurred_at"], event["account_id"]))
    for number, event in enumerate(events, start=1):
        event["id"] = f"EVT-{number:06d}"
    for deal in book.deals:
        deal.pop("_lines", None)

    data = DemoData()
    data.tables.update(_catalogue_rows(products))
    data.tables["reps"] = rep_rows()
    data.tables["accounts"] = [{**plan.row, "owner_id": owner_of(plan.row)} for plan in plans]
    data.tables["account_budgets"] = [budget for plan in plans for budget in plan.budgets]
    data.tables["contacts"] = [contact for plan in plans for contact in plan.contacts]
    data.tables["deals"] = book.deals
    data.tables["deal_products"] = book.lines
    data.tables["quotes"] = book.quotes
    data.tables["activities"] = events
    data.tables["ground_truth"] = [truth_row(plan) for plan in plans]
    return data
