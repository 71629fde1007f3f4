"""A tiny stand-in for crm.demo.catalogue, used only while the real catalogue is absent."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class CatalogueDocSection:
    heading: str
    page: int
    body: str


@dataclass(frozen=True)
class CatalogueDocument:
    document_id: str
    title: str
    kind: str
    version: str
    sections: list[CatalogueDocSection] = field(default_factory=list)


@dataclass(frozen=True)
class CatalogueProduct:
    product_id: str
    sku: str
    name: str
    category: str
    manufacturer: str
    description: str
    specs: dict[str, Any]
    currency: str
    list_price: Decimal
    floor_price: Decimal
    max_discount_pct: float
    discount_policy: str
    documents: list[CatalogueDocument]


_CATEGORIES = (
    ("Patient Monitoring", "VitalWatch"),
    ("Ultrasound Imaging", "SonoView"),
    ("Ventilation", "AirFlow"),
    ("Laboratory Diagnostics", "LabCore"),
    ("Surgical Systems", "ScalpelPro"),
    ("Dialysis", "RenaPure"),
)


def build_catalogue(seed: int) -> list[CatalogueProduct]:
    """Twelve products in six categories, each with one two-section manual."""
    products = []
    for index in range(12):
        category, brand = _CATEGORIES[index % len(_CATEGORIES)]
        number = index + 1
        list_price = Decimal(50_000 * (1 + index % 5) * (1 + (seed % 3))).quantize(Decimal("0.01"))
        sections = [
            CatalogueDocSection("Overview", 1, f"{brand} {number} overview for {category}."),
            CatalogueDocSection("Specifications", 2, f"{brand} {number} weighs {number} kg."),
        ]
        products.append(
            CatalogueProduct(
                product_id=f"PRD-{number:03d}",
                sku=f"SKU-{number:04d}",
                name=f"{brand} {number}",
                category=category,
                manufacturer="Standin Medical",
                description=f"{brand} {number}: a {category.lower()} product.",
                specs={"weight_kg": number, "warranty_years": 2},
                currency="CNY",
                list_price=list_price,
                floor_price=(list_price * Decimal("0.75")).quantize(Decimal("0.01")),
                max_discount_pct=15.0,
                discount_policy="Up to 15% with manager approval; below floor never.",
                documents=[
                    CatalogueDocument(
                        f"DOC-{number:03d}-1", f"{brand} {number} manual", "manual", "1.0", sections
                    )
                ],
            )
        )
    return products
