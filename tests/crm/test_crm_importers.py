"""Importers: every bad row reported with file, line and reason, and nothing half-written."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from crm import CRMStore, ImportFailed, RowError, UnknownEntity, import_file

ACCOUNTS_CSV = """id,name,industry,hospital_type,beds,city,region,tier,created_at
ACC-0001,Ruijin Hospital,hospital,university,2100,Shanghai,East,strategic,2024-01-05T08:00:00Z
ACC-0002,"Wuhan Sixth People's Hospital",hospital,general,900,Wuhan,Central,key,
"""
CONTACTS_CSV = """id,account_id,first_name,last_name,title,department,seniority,reports_to,email
CON-00001,ACC-0001,Wei,Wang,President,Administration,executive,,wei@example.test
CON-00002,ACC-0001,Min,Li,Head of Radiology,Radiology,director,CON-00003,
CON-00003,ACC-0001,Jing,Zhao,"Vice President, Medical Affairs",Administration,executive,CON-00001,
"""
PRODUCTS = [
    {
        "id": "PRD-001",
        "sku": "VTS-P12",
        "name": "VitaScan P12 Portable Ultrasound",
        "category": "ultrasound",
        "manufacturer": "VitaScan",
        "description": "Portable.",
        "specs": {"weight_kg": 4.2},
        "currency": "CNY",
    },
    {
        "id": "PRD-002",
        "sku": "BRL-V600",
        "name": "BreathLine V600",
        "category": "ventilation",
        "manufacturer": "BreathLine",
        "specs": {},
    },
]
PRICE_BOOK_CSV = """id,product_id,list_price,floor_price,currency,max_discount_pct,discount_policy,valid_from
PBE-0001,PRD-001,326000.00,254280.00,CNY,22,Up to 22% with approval,2026-01-01
"""
DEALS_JSONL = (
    '{"id": "DEAL-0001", "account_id": "ACC-0001", "primary_contact_id": "CON-00002", '
    '"name": "Ruijin - P12", "stage": "closed_won", "amount": "652000.00", "region": "East", '
    '"close_date": "2026-03-01", "outcome": "won"}\n'
    "\n"
    '{"id": "DEAL-0002", "account_id": "ACC-0002", "name": "Wuhan - P12", "stage": "proposal", '
    '"amount": 300000.5, "region": "Central", "outcome": "open"}\n'
)
ACTIVITIES_JSONL = (
    '{"id": "EVT-000001", "account_id": "ACC-0001", "contact_id": "CON-00002", "kind": "meeting", '
    '"occurred_at": "2026-02-01T02:00:00+00:00", "product_id": "PRD-001", "subject": "Demo", '
    '"body": "Demo of the P12 with Min Li.", "duration_s": 3600, '
    '"metadata": {"attendees": ["CON-00002"]}}\n'
)
QUOTES = [
    {
        "id": "QUO-00001",
        "account_id": "ACC-0001",
        "deal_id": "DEAL-0001",
        "product_id": "PRD-001",
        "quantity": 2,
        "quoted_unit_price": "326000.00",
        "discount_pct": 0,
        "quoted_at": "2026-02-10T00:00:00Z",
        "accepted": "true",
    },
]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _load_all(engine: Engine, folder: Path) -> None:
    import_file(engine, _write(folder, "accounts.csv", ACCOUNTS_CSV))
    import_file(engine, _write(folder, "contacts.csv", CONTACTS_CSV))
    import_file(engine, _write(folder, "products.json", json.dumps(PRODUCTS, indent=2)))


def test_happy_path_csv_json_and_json_lines(engine: Engine, tmp_path: Path) -> None:
    _load_all(engine, tmp_path)
    reports = [
        import_file(engine, _write(tmp_path, "price_book.csv", PRICE_BOOK_CSV)),
        import_file(engine, _write(tmp_path, "deals.jsonl", DEALS_JSONL)),
        import_file(engine, _write(tmp_path, "activities.jsonl", ACTIVITIES_JSONL)),
        import_file(engine, _write(tmp_path, "quotes.json", json.dumps(QUOTES))),
        import_file(
            engine,
            _write(
                tmp_path, "account_budgets.csv", "account_id,year,amount\nACC-0001,2025,12000000\n"
            ),
        ),
        import_file(
            engine,
            _write(
                tmp_path,
                "deal_products.csv",
                "deal_id,product_id,quantity,unit_price\nDEAL-0001,PRD-001,2,326000\n",
            ),
        ),
    ]
    assert [(r.entity, r.inserted) for r in reports] == [
        ("price_book", 1),
        ("deals", 2),
        ("activities", 1),
        ("quotes", 1),
        ("account_budgets", 1),
        ("deal_products", 1),
    ]
    store = CRMStore(engine)
    assert store.counts()["accounts"] == 2
    contacts = {c.id: c for c in store.contacts_for_account(account_id="ACC-0001")}
    assert contacts["CON-00002"].reports_to == "CON-00003"  # refers to a later row of the file
    assert store.get_account(account_id="ACC-0002").created_at is not None  # defaulted
    deal = store.get_deal(deal_id="DEAL-0002")
    assert deal.amount == Decimal("300000.50") and deal.currency == "CNY"
    assert store.find_products(text="vitascan")[0].specs == {"weight_kg": 4.2}
    [event] = store.activities_for_account(account_id="ACC-0001")
    assert event.meta == {"attendees": ["CON-00002"]}
    assert store.quotes_for_product(product_id="PRD-001")[0].accepted is True


def _failure(engine: Engine, path: Path, entity: str | None = None) -> list[RowError]:
    before = CRMStore(engine).counts()
    with pytest.raises(ImportFailed) as caught:
        import_file(engine, path, entity)
    assert CRMStore(engine).counts() == before, "a failed import must write nothing"
    return caught.value.errors


def _where(errors: list[RowError]) -> set[tuple[int, str | None]]:
    return {(e.line, e.field) for e in errors}


def test_every_bad_row_is_reported_and_nothing_is_committed(engine: Engine, tmp_path: Path) -> None:
    text = (
        "id,name,industry,beds,city,region,tier\n"
        "ACC-0001,Good Hospital,hospital,100,Wuhan,Central,key\n"  # fine, still not written
        "ACC-0002,Typed Hospital,hospital,many,Wuhan,Central,key\n"  # wrong type
        "ACC-0003,,hospital,100,Wuhan,Central,key\n"  # missing name
        "ACC-0001,Twin Hospital,hospital,100,Wuhan,Central,key\n"  # duplicate id
        "ACC-0005,Odd Hospital,pharmacy,100,Wuhan,Central,gold\n"  # two bad enums
        "ACC-0006,Short Row,hospital\n"  # too few fields
    )
    errors = _failure(engine, _write(tmp_path, "accounts.csv", text))
    assert _where(errors) == {
        (3, "beds"),
        (4, "name"),
        (5, "id"),
        (6, "industry"),
        (6, "tier"),
        (7, None),
    }
    by_line = {e.line: e for e in errors}
    assert by_line[4].reason == "missing required field"
    assert "first on line 2" in by_line[5].reason
    assert all(e.file == "accounts.csv" for e in errors)
    assert "accounts.csv:3: beds:" in str(by_line[3])


def test_unknown_foreign_keys_are_named(engine: Engine, tmp_path: Path) -> None:
    import_file(engine, _write(tmp_path, "accounts.csv", ACCOUNTS_CSV))
    text = (
        "id,account_id,first_name,last_name,title,department,seniority,reports_to\n"
        "CON-00001,ACC-9999,Wei,Wang,President,Admin,executive,\n"
        "CON-00002,ACC-0001,Min,Li,Head,Radiology,director,CON-04040\n"
    )
    errors = _failure(engine, _write(tmp_path, "contacts.csv", text))
    assert _where(errors) == {(2, "account_id"), (3, "reports_to")}
    assert "unknown account 'ACC-9999'" in errors[0].reason


def test_ids_already_in_the_database_are_duplicates(engine: Engine, tmp_path: Path) -> None:
    import_file(engine, _write(tmp_path, "accounts.csv", ACCOUNTS_CSV))
    errors = _failure(engine, _write(tmp_path, "accounts2.csv", ACCOUNTS_CSV), "accounts")
    assert {(e.line, e.reason) for e in errors} == {
        (2, "id 'ACC-0001' already exists"),
        (3, "id 'ACC-0002' already exists"),
    }


def test_unknown_columns_are_named(engine: Engine, tmp_path: Path) -> None:
    csv_text = ACCOUNTS_CSV.replace("created_at\n", "created_at,colour\n", 1)
    csv_text = csv_text.replace("08:00:00Z\n", "08:00:00Z,red\n").replace(",key,\n", ",key,,\n")
    errors = _failure(engine, _write(tmp_path, "accounts.csv", csv_text))
    assert [(e.line, e.field, e.reason) for e in errors] == [
        (1, "colour", "unknown column 'colour'")
    ]
    products = [PRODUCTS[0], {**PRODUCTS[1], "colour": "red"}]
    text = json.dumps(products, indent=2)
    errors = _failure(engine, _write(tmp_path, "products.json", text))
    assert [(e.field, e.reason) for e in errors] == [("colour", "unknown column 'colour'")]
    openings = [n for n, line in enumerate(text.split("\n"), start=1) if line == "  {"]
    assert errors[0].line == openings[1]  # the line where the second element opens


def test_missing_required_column_is_reported_once(engine: Engine, tmp_path: Path) -> None:
    text = "id,industry,city,region,tier\nACC-1,hospital,Wuhan,Central,key\nACC-2,lab,Wuhan,Central,key\n"
    errors = _failure(engine, _write(tmp_path, "accounts.csv", text))
    assert [(e.line, e.field) for e in errors] == [(1, "name")]


@pytest.mark.parametrize(
    ("name", "text", "line", "reason"),
    [
        (
            "products.json",
            '[\n  {"id": "PRD-1", "sku": "A"},\n  {"id": "PRD-2",\n   "sku": }\n]',
            4,
            "malformed JSON",
        ),
        ("products.json", '[\n  {"id": "PRD-1"}\n  {"id": "PRD-2"}\n]', 3, "expected ',' or ']'"),
        ("products.json", "[1, 2]", 1, "expected a JSON object"),
        ("products.jsonl", '{"id": "PRD-1"\n', 1, "malformed JSON"),
        ("products.json", "", 1, "empty file"),
        ("products.csv", "  \n\n", 1, "empty file"),
        ("products.csv", "id,sku,name,category,manufacturer\n", 1, "file has no rows"),
        ("products.json", "[]", 1, "file has no rows"),
        ("products.csv", 'id,sku\n"PRD-1,A\n', 2, "malformed CSV"),
    ],
    ids=[
        "bad-token",
        "missing-comma",
        "not-objects",
        "jsonl",
        "empty-json",
        "blank-csv",
        "header-only",
        "empty-array",
        "open-quote",
    ],
)
def test_malformed_and_empty_files(
    engine: Engine, tmp_path: Path, name: str, text: str, line: int, reason: str
) -> None:
    errors = _failure(engine, _write(tmp_path, name, text))
    assert [e for e in errors if e.line == line and reason in e.reason], errors
    assert {e.file for e in errors} == {name}


def test_line_numbers_follow_the_physical_file(engine: Engine, tmp_path: Path) -> None:
    text = (
        "id,name,industry,city,region,tier\n"
        'ACC-1,"A hospital\nwith a two-line name",hospital,Wuhan,Central,key\n'
        "ACC-2,B hospital,hospital,Wuhan,Central,platinum\n"
    )
    errors = _failure(engine, _write(tmp_path, "accounts.csv", text))
    assert _where(errors) == {(4, "tier")}
    jsonl = '{"id": "PRD-1", "sku": "A", "name": "n", "category": "c", "manufacturer": "m"}\n\n{"id": "PRD-2"}\n'
    errors = _failure(engine, _write(tmp_path, "products.jsonl", jsonl))
    assert {e.line for e in errors} == {3}


def test_json_lines_in_a_json_file_and_type_errors(engine: Engine, tmp_path: Path) -> None:
    _load_all(engine, tmp_path)
    text = (
        '{"id": "QUO-1", "account_id": "ACC-0001", "product_id": "PRD-001", "quantity": "two", '
        '"quoted_unit_price": 10, "discount_pct": 120, "quoted_at": "yesterday", "accepted": false}\n'
    )
    errors = _failure(engine, _write(tmp_path, "quotes.json", text))
    assert _where(errors) == {(1, "quantity"), (1, "discount_pct"), (1, "quoted_at")}


def test_business_rules_are_row_errors(engine: Engine, tmp_path: Path) -> None:
    _load_all(engine, tmp_path)
    deal = (
        '{"id": "DEAL-1", "account_id": "ACC-0001", "name": "x", "stage": "closed_won", '
        '"amount": 1, "region": "East", "outcome": "lost"}\n'
    )
    errors = _failure(engine, _write(tmp_path, "deals.jsonl", deal))
    assert "contradicts stage" in errors[0].reason
    price = PRICE_BOOK_CSV.replace("254280.00", "999999.00")
    errors = _failure(engine, _write(tmp_path, "price_book.csv", price))
    assert "floor_price is above list_price" in errors[0].reason
    sku_twice = [{**PRODUCTS[1], "id": "PRD-003", "sku": "VTS-P12"}]
    errors = _failure(engine, _write(tmp_path, "products.json", json.dumps(sku_twice)))
    assert errors[0].field == "sku" and "already exists" in errors[0].reason
    import_file(engine, _write(tmp_path, "price_book.csv", PRICE_BOOK_CSV))
    again = PRICE_BOOK_CSV.replace("PBE-0001", "PBE-0002")
    errors = _failure(engine, _write(tmp_path, "price_book.csv", again))
    assert errors[0].reason == "product_id, valid_from ('PRD-001', 2026-01-01) already exists"


def test_entity_comes_from_the_file_name(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(UnknownEntity):
        import_file(engine, _write(tmp_path, "widgets.csv", "id\nW-1\n"))
    with pytest.raises(UnknownEntity):
        import_file(engine, _write(tmp_path, "accounts.csv", ACCOUNTS_CSV), entity="widgets")
    path = _write(tmp_path, "export-2026.csv", ACCOUNTS_CSV)
    assert import_file(engine, path, entity="accounts").inserted == 2
