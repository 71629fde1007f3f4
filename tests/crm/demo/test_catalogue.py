"""The demo product catalogue: identity, prices, documentation layout, facts, determinism."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from decimal import Decimal

import pytest

from crm.demo._section_context import format_spec, hours_phrase
from crm.demo.catalogue import (
    CatalogueDocument,
    CatalogueProduct,
    UnknownSpecError,
    build_catalogue,
    catalogue_fact,
)

SEEDS = (0, 1, 424242)


def _digest(products: list[CatalogueProduct]) -> str:
    dump = json.dumps([dataclasses.asdict(p) for p in products], sort_keys=True, default=str)
    return hashlib.sha256(dump.encode()).hexdigest()


def _section_body(product: CatalogueProduct, document_id: str, heading: str) -> str:
    for document in product.documents:
        if document.document_id == document_id:
            for section in document.sections:
                if section.heading == heading:
                    return section.body
    raise AssertionError(f"{product.product_id}: no section {heading!r} in {document_id}")


@pytest.fixture(scope="module")
def catalogue() -> list[CatalogueProduct]:
    return build_catalogue(0)


def test_thirty_products_with_unique_ids_names_and_skus(catalogue):
    assert len(catalogue) == 30
    assert [p.product_id for p in catalogue] == [f"PRD-{n:03d}" for n in range(1, 31)]
    for field in ("product_id", "sku", "name"):
        values = [getattr(p, field) for p in catalogue]
        assert len(set(values)) == 30, field
    assert len({p.name.lower() for p in catalogue}) == 30  # names differ when typed casually


def test_categories_span_the_hospital(catalogue):
    counts = Counter(p.category for p in catalogue)
    assert len(counts) >= 8
    assert max(counts.values()) <= 5
    assert {"patient monitoring", "infusion", "ultrasound", "sterilisation"} <= set(counts)


def test_prices_are_cny_with_floor_respecting_the_max_discount(catalogue):
    for p in catalogue:
        assert p.currency == "CNY"
        assert isinstance(p.list_price, Decimal) and isinstance(p.floor_price, Decimal)
        assert 0 < p.floor_price < p.list_price
        discount = (p.list_price - p.floor_price) / p.list_price * 100
        assert discount <= Decimal(str(p.max_discount_pct))
        assert discount > Decimal(str(p.max_discount_pct)) - Decimal("0.01")
        assert f"{p.max_discount_pct:g}%" in p.discount_policy
        assert f"CNY {p.floor_price:,.2f}" in p.discount_policy
    prices = sorted(p.list_price for p in catalogue)
    assert prices[0] < 20_000 and prices[-1] > 5_000_000  # thousands to millions


def test_each_product_has_several_documents_of_at_least_four_pages(catalogue):
    for p in catalogue:
        assert len(p.documents) >= 3
        sections = [s for d in p.documents for s in d.sections]
        assert len(sections) >= 6
        pages = sum(len({s.page for s in d.sections}) for d in p.documents)
        assert pages >= 4, p.product_id
        for document in p.documents:
            assert isinstance(document, CatalogueDocument)
            assert document.document_id.startswith(f"DOC-{p.product_id}-")
            assert p.name in document.title
            page_numbers = [s.page for s in document.sections]
            assert page_numbers == sorted(page_numbers) and page_numbers[0] == 1
            headings = [s.heading for s in document.sections]
            assert len(set(headings)) == len(headings)
        assert len({d.document_id for d in p.documents}) == len(p.documents)


@pytest.mark.parametrize("seed", SEEDS)
def test_section_bodies_are_80_to_250_words_and_name_the_product(seed):
    for p in build_catalogue(seed):
        for document in p.documents:
            for section in document.sections:
                words = len(section.body.split())
                assert 80 <= words <= 250, (p.product_id, section.heading, words)
                assert p.name in section.body, (p.product_id, section.heading)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_spec_is_stated_in_the_section_catalogue_fact_names(seed):
    for p in build_catalogue(seed):
        for key, value in p.specs.items():
            document_id, heading = catalogue_fact(p, key)
            assert format_spec(value) in _section_body(p, document_id, heading), (p.name, key)


@pytest.mark.parametrize("seed", SEEDS)
def test_battery_products_state_battery_life_in_the_power_section(seed):
    battery_products = [p for p in build_catalogue(seed) if "battery_life_hours" in p.specs]
    assert len(battery_products) >= 10
    for p in battery_products:
        document_id, heading = catalogue_fact(p, "battery_life_hours")
        assert (document_id, heading) == (f"DOC-{p.product_id}-UM", "Power and battery")
        body = _section_body(p, document_id, heading)
        assert f"up to {hours_phrase(p.specs['battery_life_hours'])}" in body
        assert "mains powered" not in body


def test_mains_products_say_they_are_mains_powered(catalogue):
    mains = [p for p in catalogue if "battery_life_hours" not in p.specs]
    assert any(p.category == "sterilisation" for p in mains)
    for p in mains:
        # Asking for the battery life of an autoclave cites the section saying there is none.
        body = _section_body(p, *catalogue_fact(p, "battery_life_hours"))
        assert "mains powered" in body and "battery" in body


def test_fact_locations_for_named_specs(catalogue):
    p = next(p for p in catalogue if p.name == "VitaScan P12 Portable Ultrasound")
    assert catalogue_fact(p, "weight_kg") == ("DOC-PRD-010-DS", "Physical specifications")
    assert catalogue_fact(p, "ip_rating") == ("DOC-PRD-010-DS", "Environmental specifications")
    assert catalogue_fact(p, "certifications") == ("DOC-PRD-010-DS", "Regulatory approvals")
    assert catalogue_fact(p, "cleaning_agents") == ("DOC-PRD-010-UM", "Cleaning and disinfection")
    assert catalogue_fact(p, "warranty_years") == (
        "DOC-PRD-010-SM",
        "Warranty and service coverage",
    )
    assert catalogue_fact(p, "frequency_range") == ("DOC-PRD-010-DS", "Performance specifications")
    assert "HL7" in _section_body(p, *catalogue_fact(p, "connectivity"))
    assert "NMPA" in p.specs["certifications"]


def test_unknown_spec_raises_a_key_error(catalogue):
    p = catalogue[0]
    with pytest.raises(UnknownSpecError, match="no spec 'colour'"):
        catalogue_fact(p, "colour")
    with pytest.raises(KeyError):  # callers may catch the built-in type
        catalogue_fact(p, "")
    # A performance key of another product is not a spec of this one.
    with pytest.raises(UnknownSpecError):
        catalogue_fact(p, "chamber_volume_l")


def test_fact_lookup_refuses_a_product_missing_the_document(catalogue):
    stripped = dataclasses.replace(catalogue[0], documents=catalogue[0].documents[:1])
    assert catalogue_fact(stripped, "weight_kg")[0] == "DOC-PRD-001-DS"
    with pytest.raises(UnknownSpecError, match="DOC-PRD-001-UM"):
        catalogue_fact(stripped, "battery_life_hours")


def test_same_seed_gives_identical_output():
    assert _digest(build_catalogue(7)) == _digest(build_catalogue(7))


def test_other_seed_moves_numbers_but_not_names_or_wording():
    first, second = build_catalogue(1), build_catalogue(2)
    assert _digest(first) != _digest(second)
    for a, b in zip(first, second, strict=True):
        assert (a.product_id, a.sku, a.name, a.category) == (
            b.product_id,
            b.sku,
            b.name,
            b.category,
        )
        assert a.specs.keys() == b.specs.keys()
        assert [d.document_id for d in a.documents] == [d.document_id for d in b.documents]
        # Numbers move only slightly.
        assert abs(a.list_price - b.list_price) <= a.list_price * Decimal("0.07")
        if "battery_life_hours" in a.specs:
            assert b.specs["battery_life_hours"] == pytest.approx(
                a.specs["battery_life_hours"], rel=0.15
            )


def test_products_are_independent_copies():
    first = build_catalogue(3)
    first[0].specs["weight_kg"] = 999.0
    assert build_catalogue(3)[0].specs["weight_kg"] != 999.0


@pytest.mark.parametrize("seed", ["1", 1.0, None, True])
def test_seed_must_be_an_int(seed):
    with pytest.raises(TypeError, match="seed must be an int"):
        build_catalogue(seed)  # type: ignore[arg-type]


def test_chunks_of_the_same_heading_differ_between_products(catalogue):
    # Retrieval needs chunks that differ by more than the product name.
    by_heading: dict[str, list[frozenset[tuple[str, ...]]]] = {}
    for p in catalogue:
        for document in p.documents:
            for section in document.sections:
                words = section.body.replace(p.name, "NAME").split()
                shingles = frozenset(zip(words, words[1:], words[2:], strict=False))
                by_heading.setdefault(section.heading, []).append(shingles)
    for heading, chunks in by_heading.items():
        for i, a in enumerate(chunks):
            for b in chunks[i + 1 :]:
                assert len(a & b) / len(a | b) < 0.9, heading
