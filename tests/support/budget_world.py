"""A small real demo CRM plus hand-made records for the budget agent's and pricing tools' tests.

- PRD-9001 "Nopric Test Widget": a product without any price book entry.
- ACC-9101 "Budgetless Test Clinic": region "Southwest" (not on the logistics rate card), no
  recorded budgets, one note stating this year's budget and one stating last year's.
- DEAL-9101: an open deal of ACC-9101 without product lines.
- DEAL-9102: an open deal of a demo account with PRD-9001 x 2 (unpriceable) and PRD-001 x 6.

Everything goes in through the real importer; no memory and no model are needed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.importers import import_file
from crm.store import CRMStore
from governance.consent_gate import ConsentGatedCRM
from tests.support.consent import grant_everyone
from tools.pricing import PricingTools

SEED = 20261125
SCALE = 0.15  # 33 accounts: enough closed deals for comparables, seeded in about a second
AS_OF = date(2026, 11, 1)  # the demo generator's "today"
NO_PRICE, BUDGETLESS, NO_LINES, MIXED = "PRD-9001", "ACC-9101", "DEAL-9101", "DEAL-9102"
MIXED_ACCOUNT = "ACC-0002"
STATED_NOTE, OLD_NOTE = "EVT-991001", "EVT-991002"

ROWS: dict[str, list[dict[str, object]]] = {
    "products": [
        {"id": NO_PRICE, "sku": "NP-9001", "name": "Nopric Test Widget", "category": "test gadgets",
         "manufacturer": "Test Works"},
    ],
    "accounts": [
        {"id": BUDGETLESS, "name": "Budgetless Test Clinic", "industry": "clinic", "city": "Chengdu",
         "region": "Southwest", "tier": "standard", "beds": 20,
         "created_at": "2024-01-01T00:00:00+00:00"},
    ],
    "deals": [
        {"id": NO_LINES, "account_id": BUDGETLESS, "name": "Budgetless - nothing yet",
         "stage": "prospecting", "amount": 0, "region": "Southwest", "outcome": "open",
         "created_at": "2026-10-01T00:00:00+00:00"},
        {"id": MIXED, "account_id": MIXED_ACCOUNT, "name": "Mixed test deal", "stage": "proposal",
         "amount": 300000, "region": "East", "outcome": "open",
         "created_at": "2026-10-02T00:00:00+00:00"},
    ],
    "deal_products": [
        {"deal_id": MIXED, "product_id": NO_PRICE, "quantity": 2, "unit_price": 1000},
        {"deal_id": MIXED, "product_id": "PRD-001", "quantity": 6, "unit_price": 46000},
    ],
    "activities": [
        {"id": STATED_NOTE, "account_id": BUDGETLESS, "kind": "meeting",
         "occurred_at": "2026-09-01T02:00:00+00:00", "subject": "Budget talk",
         "body": "Met the director. Their equipment budget this year is about CNY 2.5M."},
        {"id": OLD_NOTE, "account_id": BUDGETLESS, "kind": "email_in",
         "occurred_at": "2025-05-01T02:00:00+00:00", "subject": "Old budget",
         "body": "Our budget is around CNY 900,000 for the year."},
    ],
}  # fmt: skip


@dataclass
class World:
    engine: Engine
    crm: CRMStore
    tools: PricingTools


def build_world(folder: Path) -> World:
    """Seed the demo at ``SCALE`` into ``folder`` and import the hand-made rows."""
    url = f"sqlite:///{folder / 'crm.db'}"
    migrate(url)
    engine = make_engine(url)
    seed_demo(engine, seed=SEED, scale=SCALE)
    for entity, rows in ROWS.items():
        path = folder / f"{entity}.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
        import_file(engine, path)
    # Agents read through the consent gate: every contact of this world consented.
    crm = ConsentGatedCRM(engine, consent=grant_everyone(engine))
    return World(engine=engine, crm=crm, tools=PricingTools(crm))
