"""The catalogue's plain data types; ``crm.demo.catalogue`` re-exports them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CatalogueDocSection:
    """One headed section of a document: the unit that retrieval indexes and cites."""

    heading: str
    page: int
    body: str


@dataclass(frozen=True)
class CatalogueDocument:
    """A technical document of a product, e.g. its user manual ("DOC-PRD-001-UM")."""

    document_id: str
    title: str
    kind: str
    version: str
    sections: tuple[CatalogueDocSection, ...]


@dataclass(frozen=True)
class CatalogueProduct:
    """A product of the demo catalogue with its prices and documentation."""

    product_id: str
    sku: str
    name: str
    category: str
    manufacturer: str
    description: str
    specs: dict[str, str | int | float]
    currency: str
    list_price: Decimal
    floor_price: Decimal
    max_discount_pct: float
    discount_policy: str
    documents: tuple[CatalogueDocument, ...]
