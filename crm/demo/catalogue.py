"""The demo product catalogue: 30 medical devices with CNY prices and technical documents.

Deterministic per seed. The seed nudges prices, weights and battery figures; names, ids, SKUs,
categories and the wording of the documents never depend on it, so questions written against
one catalogue ("battery life of the VitaScan P12 Portable Ultrasound") stay valid for all.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping

from crm.demo._catalogue_types import CatalogueDocSection, CatalogueDocument, CatalogueProduct
from crm.demo._documentation import build_documents, fact_location
from crm.demo._pricing import price_product
from crm.demo._product_lines import PRODUCT_LINES, ProductLine, SpecValue

__all__ = [
    "CatalogueDocSection",
    "CatalogueDocument",
    "CatalogueProduct",
    "UnknownSpecError",
    "build_catalogue",
    "catalogue_fact",
]

logger = logging.getLogger(__name__)

CURRENCY = "CNY"

# Specs the seed may move, with the relative spread; everything else is fixed per line.
_JITTERED_SPECS: Mapping[str, float] = {
    "battery_life_hours": 0.05,
    "charge_time_hours": 0.05,
    "weight_kg": 0.03,
}


class UnknownSpecError(KeyError):
    """The product's documentation states no such spec."""


def _step(value: float) -> float:
    # Keep the precision a datasheet would print for a value of this size.
    if value < 1:
        return 0.05
    if value < 10:
        return 0.1
    if value < 100:
        return 0.5
    return 10.0


def _nudge(value: float, spread: float, rng: random.Random) -> float:
    step = _step(value)
    moved = round(value * (1 + rng.uniform(-spread, spread)) / step) * step
    return round(max(step, moved), 2)


def _seeded_specs(line: ProductLine, rng: random.Random) -> dict[str, SpecValue]:
    specs = dict(line.specs)
    for key, spread in _JITTERED_SPECS.items():
        value = specs.get(key)
        if isinstance(value, float):
            specs[key] = _nudge(value, spread, rng)
    return specs


def _build_product(line: ProductLine, seed: int) -> CatalogueProduct:
    # One generator per product keyed by its id: adding a product never shifts the others.
    rng = random.Random(f"crm-demo-catalogue:{seed}:{line.product_id}")
    specs = _seeded_specs(line, rng)
    pricing = price_product(line, rng)
    return CatalogueProduct(
        product_id=line.product_id,
        sku=line.sku,
        name=line.name,
        category=line.category,
        manufacturer=line.manufacturer,
        description=line.description,
        specs=specs,
        currency=CURRENCY,
        list_price=pricing.list_price,
        floor_price=pricing.floor_price,
        max_discount_pct=pricing.max_discount_pct,
        discount_policy=pricing.discount_policy,
        documents=build_documents(line, specs),
    )


def build_catalogue(seed: int) -> list[CatalogueProduct]:
    """Build the 30-product catalogue; the same seed always gives identical products."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, not {type(seed).__name__}")
    products = [_build_product(line, seed) for line in PRODUCT_LINES]
    logger.debug("built demo catalogue of %d products for seed %d", len(products), seed)
    return products


def catalogue_fact(product: CatalogueProduct, spec_key: str) -> tuple[str, str]:
    """(document_id, section heading) of the section that states ``spec_key`` for ``product``.

    Battery keys of a mains-powered product point at its power section, which says that the
    device is mains powered. Raises UnknownSpecError for a spec the product does not have.
    """
    location = fact_location(product.product_id, product.specs, spec_key)
    if location is None:
        raise UnknownSpecError(f"{product.name} ({product.product_id}) has no spec {spec_key!r}")
    document_id, heading = location
    # Guard against a product assembled by hand without the document the fact belongs to.
    for document in product.documents:
        if document.document_id == document_id and any(
            section.heading == heading for section in document.sections
        ):
            return location
    raise UnknownSpecError(
        f"{product.product_id} has no section {heading!r} in {document_id} for {spec_key!r}"
    )
