"""A small seeded demo CRM in which one account has three open deals, for subject resolution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crm import models as m
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.store import CRMStore

SEED = 20261125  # the demo's default seed
ONE_OPEN = "ACC-0005"  # one open deal in the demo
ONE_OPEN_DEAL = "DEAL-0022"
SEVERAL_OPEN = "ACC-0003"  # DEAL-0011 in the demo, plus the two added here
SEVERAL_OPEN_DEALS = ("DEAL-0011", "DEAL-0901", "DEAL-0902")
LARGEST = "DEAL-0901"
NO_OPEN = "ACC-0002"  # every deal closed


@dataclass
class SubjectsWorld:
    engine: Engine
    crm: CRMStore

    def name(self, account_id: str) -> str:
        return self.crm.get_account(account_id=account_id).name


def build_subjects_world(folder: Path) -> SubjectsWorld:
    """The demo at scale 0.05 (11 accounts), with two more open deals at ``SEVERAL_OPEN``."""
    url = f"sqlite:///{folder / 'subjects.db'}"
    migrate(url)
    engine = make_engine(url)
    seed_demo(engine, seed=SEED, scale=0.05)
    with Session(engine) as session, session.begin():
        product = session.query(m.Product).order_by(m.Product.id).first()
        assert product is not None
        for deal_id, stage, amount, closes in (
            (LARGEST, "negotiation", Decimal("2480000.00"), date(2027, 3, 31)),
            ("DEAL-0902", "qualification", Decimal("415000.00"), date(2027, 6, 30)),
        ):
            session.add(
                m.Deal(
                    id=deal_id, account_id=SEVERAL_OPEN, primary_contact_id=None,
                    name=f"Foshan - {product.name}", stage=stage, amount=amount,
                    currency="CNY", region="South", close_date=closes, outcome="open",
                    created_at=datetime(2026, 9, 1, tzinfo=UTC),
                )
            )  # fmt: skip
            session.flush()
            session.add(
                m.DealProduct(
                    deal_id=deal_id, product_id=product.id, quantity=2, unit_price=amount / 2
                )
            )
    return SubjectsWorld(engine=engine, crm=CRMStore(engine))
