"""Behaviour features: windows, exclusions, provenance, and the loaders over a real CRM."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.errors import NotFound
from crm.records import ActivityRecord, DealRecord, PriceBookRecord, QuoteRecord
from crm.store import CRMStore
from tools.behaviour import (
    BehaviourFeatures,
    account_behaviour,
    behaviour_features,
    contact_behaviour,
    data_clock,
)
from tools.deal_history import closed_deal_history, price_position

NOW = datetime(2026, 11, 1, tzinfo=UTC)
_ids = iter(range(1, 10_000))


def act(kind: str, days_ago: float, **values: Any) -> ActivityRecord:
    fields: dict[str, Any] = {
        "id": f"EVT-{next(_ids):06d}",
        "account_id": "ACC-0001",
        "contact_id": None,
        "kind": kind,
        "occurred_at": NOW - timedelta(days=days_ago),
        "product_id": None,
        "url": None,
        "subject": None,
        "body": None,
        "duration_s": None,
        "meta": {},
    }
    fields.update(values)
    return ActivityRecord(**fields)


def visit(days_ago: float, path: str, product: str | None = None, page: str = "product") -> Any:
    return act(
        "web_visit",
        days_ago,
        url=f"https://www.example.com{path}",
        product_id=product,
        meta={"page_type": page},
    )


def deal(deal_id: str, outcome: str, stage: str, closed_days_ago: int | None) -> DealRecord:
    close = (NOW - timedelta(days=closed_days_ago)).date() if closed_days_ago is not None else None
    return DealRecord(
        id=deal_id,
        account_id="ACC-0001",
        primary_contact_id=None,
        name="d",
        stage=stage,
        amount=Decimal(1),
        currency="CNY",
        region="East",
        close_date=close,
        outcome=outcome,
        created_at=NOW - timedelta(days=300),
    )


def features(records: list[ActivityRecord], **kwargs: Any) -> BehaviourFeatures:
    return behaviour_features(records, subject={"account_id": "ACC-0001"}, as_of=NOW, **kwargs)


def test_counts_follow_their_windows_and_keep_the_ids_newest_first() -> None:
    recent, older, ancient = (
        act("content_download", 3),
        act("content_download", 60),
        act("content_download", 200),
    )
    future = act("content_download", -2)  # after as_of: not seen
    f = features([older, recent, ancient, future])
    assert f.value("downloads_30d") == 1 and f.value("downloads_90d") == 2
    assert f.features["downloads_90d"].record_ids == (recent.id, older.id)
    assert f.features["downloads_90d"].window_days == 90
    assert f.value("history_days") == 200


def test_closed_deal_records_and_campaign_mail_are_not_buying_signals() -> None:
    talk = act("meeting", 10, meta={"deal_id": "DEAL-1"})
    live = act("meeting", 12, meta={"deal_id": "DEAL-2"})
    newsletter = act("email_out", 5, meta={"campaign": "NL-2026-10"})
    f = features(
        [talk, live, newsletter],
        deals=[deal("DEAL-1", "won", "closed_won", 3), deal("DEAL-2", "open", "proposal", None)],
    )
    assert f.features["meetings_90d"].record_ids == (live.id,)
    assert f.value("emails_out_90d") == 0 and f.value("campaign_emails_90d") == 1
    assert f.features["closed_deal_records"].record_ids == (talk.id,)
    assert f.value("open_deal_stage") == 3 and f.features["open_deal_stage"].record_ids == (
        "DEAL-2",
    )


def test_pages_are_classified_and_focus_and_shortlist_measured() -> None:
    records = [visit(1, "/products/a/specs", "PRD-1", "specs") for _ in range(6)]
    records += [visit(2, "/products/b", "PRD-2") for _ in range(2)]
    records += [visit(3, "/products/c", "PRD-3"), visit(4, "/products/d", "PRD-4")]
    records += [visit(5, "/pricing", page="pricing"), visit(6, "/about", page="about")]
    f = features(records)
    assert f.value("product_page_visits_90d") == 10
    assert f.value("technical_page_visits_90d") == 6
    assert f.value("commercial_page_visits_90d") == 1
    assert f.value("product_focus_90d") == round(10 / 12, 3)
    assert f.value("shortlist_share_90d") == 0.9  # PRD-1, PRD-2 and one of the singles
    assert [row["product_id"] for row in f.product_interest][:2] == ["PRD-1", "PRD-2"]
    assert f.product_interest[0]["visits_30d"] == 6


def test_recency_trend_and_people() -> None:
    records = [act("email_in", 2, contact_id="CON-1"), act("call_missed", 1, contact_id="CON-9")]
    records += [act("meeting", 50, meta={"attendees": ["CON-1", "CON-2", "CON-3"]})]
    f = features(records)
    assert f.value("days_since_inbound") == 2 and f.value("days_since_activity") == 1
    assert f.value("contacts_engaged_90d") == 3  # the missed call's contact did nothing
    # 1 action in the last month against 0.5 a month before: (1 - 0.5) / 1.5
    assert f.value("inbound_trend") == round(0.5 / 1.5, 3)
    silent = features([act("email_out", 400)])
    assert (
        silent.value("days_since_inbound") == 366
        and silent.features["days_since_inbound"].record_ids == ()
    )


def test_quotes_their_price_position_and_acceptance() -> None:
    book = [
        PriceBookRecord(
            id="PBE-1",
            product_id="PRD-1",
            list_price=Decimal(100),
            floor_price=Decimal(60),
            currency="CNY",
            max_discount_pct=40,
            discount_policy="",
            valid_from=date(2026, 1, 1),
        )
    ]
    quote = QuoteRecord(
        id="QUO-1",
        account_id="ACC-0001",
        deal_id="DEAL-2",
        product_id="PRD-1",
        quantity=1,
        quoted_unit_price=Decimal(80),
        discount_pct=20,
        quoted_at=NOW - timedelta(days=4),
        accepted=True,
    )
    f = features(
        [],
        quotes=[quote],
        deals=[deal("DEAL-2", "open", "negotiation", None)],
        price_books={"PRD-1": book},
    )
    assert f.value("quotes_30d") == 1 and f.value("deal_quotes_90d") == 1
    assert f.value("accepted_quotes_90d") == 1
    assert f.value("quote_price_position") == 0.5
    assert f.features["quote_price_position"].record_ids == ("QUO-1",)
    assert price_position(Decimal(50), book, NOW) == 1.0  # below floor is clamped


def test_as_dict_round_trips() -> None:
    f = features([act("meeting", 1), visit(2, "/products/a", "PRD-1")])
    again = BehaviourFeatures.from_dict(f.as_dict())
    assert again == f


# Loaders over a seeded demo CRM ---------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('behaviour')) / 'crm.db'}"
    migrate(url)
    engine = make_engine(url)
    seed_demo(engine, seed=5, scale=0.05)
    yield engine
    engine.dispose()


def test_account_behaviour_reads_the_crm_as_of_its_own_clock(demo: Engine) -> None:
    crm = CRMStore(demo)
    clock = data_clock(crm)
    f = account_behaviour(crm, account_id="ACC-0003")
    assert f.as_of == clock and f.subject == {"account_id": "ACC-0003"}
    stored_ids = {a.id for a in crm.activities_for_account(account_id="ACC-0003", limit=100_000)}
    for feature in f.features.values():
        if feature.source == "activities":
            assert set(feature.record_ids) <= stored_ids, feature.name
    assert f.value("strategic_account") in (0.0, 1.0)


def test_extra_events_are_merged_and_move_the_clock(demo: Engine) -> None:
    crm = CRMStore(demo)
    before = account_behaviour(crm, account_id="ACC-0003")
    new = act("content_download", 0, account_id="ACC-0003", id="EVT-NEW-1")
    new = new.model_copy(update={"occurred_at": before.as_of + timedelta(hours=1)})
    after = account_behaviour(crm, account_id="ACC-0003", extra=[new])
    assert after.as_of == new.occurred_at
    assert "EVT-NEW-1" in after.features["downloads_30d"].record_ids


def test_contact_behaviour_and_unknown_subjects(demo: Engine) -> None:
    crm = CRMStore(demo)
    contact = crm.contacts_for_account(account_id="ACC-0001")[0]
    f = contact_behaviour(crm, contact_id=contact.id)
    assert f.subject == {"account_id": "ACC-0001", "contact_id": contact.id}
    with pytest.raises(NotFound):
        account_behaviour(crm, account_id="ACC-9999")
    with pytest.raises(NotFound):
        contact_behaviour(crm, contact_id="CON-99999")


def test_closed_deal_history_has_one_row_per_closed_deal(demo: Engine) -> None:
    crm = CRMStore(demo)
    rows = closed_deal_history(crm)
    closed = [
        d
        for a in crm.list_accounts(limit=1000)
        for d in crm.deals_for_account(account_id=a.id)
        if d.outcome != "open"
    ]
    assert sorted(r.deal_id for r in rows) == sorted(d.id for d in closed)
    assert all(0.0 <= r.price_position <= 1.0 for r in rows)
    assert any(r.meetings for r in rows) and any(r.won for r in rows)
