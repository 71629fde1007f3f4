"""Products are recognised in free text by full name, brand + model, or SKU."""

from __future__ import annotations

from crm.records import ProductRecord
from tools.documentation import ProductDirectory


def product(pid: str, name: str, sku: str) -> ProductRecord:
    return ProductRecord(
        id=pid,
        sku=sku,
        name=name,
        category="ultrasound",
        manufacturer="Acme",
        description="",
        specs={},
        currency="CNY",
    )


DIRECTORY = ProductDirectory(
    [
        product("PRD-001", "VitaScan P12 Portable Ultrasound", "VS-P12"),
        product("PRD-002", "VitaScan P12 Pro Cart Ultrasound", "VS-P12PRO"),
        product("PRD-004", "VitaScan P12", "VS-P12B"),
        product("PRD-003", "CardioGuard D5 Defibrillator", "CG-D5"),
    ]
)


def ids(text: str) -> list[str]:
    return [p["product_id"] for p in DIRECTORY.mentioned_in(text)]


def test_full_name_short_name_and_sku_are_recognised_case_insensitively() -> None:
    assert ids("battery life of the VitaScan P12 Portable Ultrasound?") == ["PRD-001"]
    assert ids("battery life of the vitascan p12 portable ultrasound?") == ["PRD-001"]
    assert ids("Is CG-D5 waterproof?") == ["PRD-003"]


def test_longer_names_win_and_order_follows_the_text() -> None:
    assert ids("Compare the CardioGuard D5 with the VitaScan P12 Pro Cart Ultrasound") == [
        "PRD-003",
        "PRD-002",
    ]


def test_a_short_name_shared_by_two_products_names_neither() -> None:
    shared = ProductDirectory(
        [product("PRD-1", "Acme X1 Monitor", "A-1"), product("PRD-2", "Acme X1 Pump", "A-2")]
    )
    assert shared.mentioned_in("Is the Acme X1 quiet?") == []
    assert [p["product_id"] for p in shared.mentioned_in("Is the Acme X1 Pump quiet?")] == ["PRD-2"]


def test_a_full_name_beats_another_products_short_name() -> None:
    assert ids("Is the VitaScan P12 light?") == ["PRD-004"]


def test_no_partial_word_matches_and_nothing_named() -> None:
    assert ids("What about VitaScan P123?") == []
    assert ids("What is the warranty?") == []
