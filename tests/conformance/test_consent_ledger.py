"""The consent ledger's contract (governance/consent.py ``ConsentLedger``): grant, withdraw,
check and history, on SQLite and PostgreSQL alike. The newest record of a contact and purpose
decides; no record means no consent."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from crm import models as m
from crm.db import session_factory
from crm.errors import NotFound
from governance.consent import AI_PROCESSING, PURPOSES, ConsentLedger, InvalidConsent

KEY = bytes(range(32))
NOTICE = {"notice_version": "2026-11", "source": "web_form"}


@pytest.fixture
def consent(engine: Engine) -> ConsentLedger:
    return ConsentLedger(engine, key=KEY)


@pytest.fixture
def new_contact(engine: Engine, unique: Callable[[str], str]) -> Callable[[], str]:
    """Adds a contact (at an account of its own) to the CRM; its id."""

    def add() -> str:
        account_id, contact_id = unique("ACC"), unique("CON")
        now = datetime.now(UTC)
        with session_factory(engine)() as session:
            session.add(
                m.Account(
                    id=account_id,
                    name="上海瑞金医院",
                    industry="hospital",
                    city="上海",
                    region="east",
                    tier="key",
                    created_at=now,
                )
            )
            session.flush()
            session.add(
                m.Contact(
                    id=contact_id,
                    account_id=account_id,
                    first_name="丽",
                    last_name="王",
                    title="设备科主任",
                    department="设备科",
                    seniority="director",
                    created_at=now,
                )
            )
            session.commit()
        return contact_id

    return add


def test_no_record_means_no_consent(consent: ConsentLedger, new_contact: Callable[[], str]) -> None:
    contact = new_contact()
    assert consent.history(contact) == []
    assert consent.status(contact) == {purpose: False for purpose in PURPOSES}
    assert not consent.allowed(contact, AI_PROCESSING)
    assert consent.contacts_without(AI_PROCESSING, [contact]) == {contact}


def test_a_grant_round_trips_and_counts_at_once(
    consent: ConsentLedger, new_contact: Callable[[], str]
) -> None:
    contact = new_contact()
    record = consent.grant(
        contact_id=contact,
        purpose=AI_PROCESSING,
        ip_address="203.0.113.7",
        device_fingerprint="设备-42",
        **NOTICE,
    )
    assert (record.contact_id, record.purpose, record.action) == (contact, AI_PROCESSING, "grant")
    assert record.ip_hash == consent.keyed_hash("203.0.113.7") != "203.0.113.7"
    assert record.device_hash == consent.keyed_hash("设备-42")
    assert record.recorded_at.tzinfo is not None
    assert consent.history(contact) == [record]
    assert consent.allowed(contact, AI_PROCESSING)
    assert consent.status(contact) == {p: p == AI_PROCESSING for p in PURPOSES}
    assert contact in consent.contacts_with(AI_PROCESSING)


def test_a_withdrawal_counts_from_the_next_check(
    consent: ConsentLedger, new_contact: Callable[[], str]
) -> None:
    contact = new_contact()
    consent.grant(contact_id=contact, purpose=AI_PROCESSING, **NOTICE)
    consent.revoke(contact_id=contact, purpose=AI_PROCESSING, **NOTICE)
    assert not consent.allowed(contact, AI_PROCESSING)
    assert contact not in consent.contacts_with(AI_PROCESSING)
    consent.grant(contact_id=contact, purpose=AI_PROCESSING, **NOTICE)
    assert consent.allowed(contact, AI_PROCESSING)


def test_the_newest_record_decides_even_when_backdated(
    consent: ConsentLedger, new_contact: Callable[[], str]
) -> None:
    contact = new_contact()
    consent.grant(contact_id=contact, purpose=AI_PROCESSING, **NOTICE)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    consent.revoke(contact_id=contact, purpose=AI_PROCESSING, recorded_at=yesterday, **NOTICE)
    assert not consent.allowed(contact, AI_PROCESSING)


def test_history_is_oldest_first_and_per_contact(
    consent: ConsentLedger, new_contact: Callable[[], str]
) -> None:
    ana, bo = new_contact(), new_contact()
    made = [
        consent.grant(contact_id=ana, purpose=AI_PROCESSING, **NOTICE),
        consent.grant(contact_id=ana, purpose="marketing", **NOTICE),
        consent.revoke(contact_id=ana, purpose="marketing", **NOTICE),
    ]
    consent.grant(contact_id=bo, purpose="model_training", **NOTICE)
    assert consent.history(ana) == made
    assert [r.purpose for r in consent.history(bo)] == ["model_training"]
    assert consent.status(ana) == {AI_PROCESSING: True, "model_training": False, "marketing": False}


def test_purposes_are_independent_in_bulk_checks(
    consent: ConsentLedger, new_contact: Callable[[], str]
) -> None:
    granted, revoked, silent = new_contact(), new_contact(), new_contact()
    consent.grant(contact_id=granted, purpose=AI_PROCESSING, **NOTICE)
    consent.grant(contact_id=revoked, purpose=AI_PROCESSING, **NOTICE)
    consent.revoke(contact_id=revoked, purpose=AI_PROCESSING, **NOTICE)
    consent.grant(contact_id=silent, purpose="marketing", **NOTICE)
    assert consent.contacts_without(AI_PROCESSING, [granted, revoked, silent, granted]) == {
        revoked,
        silent,
    }
    assert consent.contacts_without("marketing", [granted, silent]) == {granted}


def test_bad_values_and_unknown_contacts_are_refused(
    consent: ConsentLedger, new_contact: Callable[[], str], unique: Callable[[str], str]
) -> None:
    contact = new_contact()
    for bad in (
        {"purpose": "telepathy", **NOTICE},
        {"purpose": AI_PROCESSING, "notice_version": "第一版", "source": "web_form"},
        {"purpose": AI_PROCESSING, "notice_version": "v1", "source": "Web Form"},
    ):
        with pytest.raises(InvalidConsent):
            consent.grant(contact_id=contact, **bad)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        consent.grant(contact_id=unique("CON"), purpose=AI_PROCESSING, **NOTICE)
    with pytest.raises(InvalidConsent):
        consent.allowed(contact, "telepathy")
    assert consent.history(contact) == []


def test_bulk_records_are_appended_in_one_go(
    consent: ConsentLedger, new_contact: Callable[[], str]
) -> None:
    contacts = [new_contact() for _ in range(3)]
    stored = consent.record_many(
        {"action": "grant", "contact_id": c, "purpose": AI_PROCESSING, **NOTICE} for c in contacts
    )
    assert stored == 3
    assert consent.contacts_without(AI_PROCESSING, contacts) == set()


def test_concurrent_grants_and_withdrawals_are_all_kept(
    consent: ConsentLedger, new_contact: Callable[[], str]
) -> None:
    contact = new_contact()

    def record(n: int) -> None:
        action = consent.grant if n % 2 == 0 else consent.revoke
        action(contact_id=contact, purpose=AI_PROCESSING, **NOTICE)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(record, range(12)))
    history = consent.history(contact)
    assert len(history) == 12
    assert [r.id for r in history] == sorted(r.id for r in history)
    assert consent.allowed(contact, AI_PROCESSING) == (history[-1].action == "grant")


def test_erasure_pseudonymises_the_records(
    consent: ConsentLedger, new_contact: Callable[[], str]
) -> None:
    contact = new_contact()
    consent.grant(contact_id=contact, purpose=AI_PROCESSING, **NOTICE)
    consent.revoke(contact_id=contact, purpose="marketing", **NOTICE)
    assert consent.pseudonymise(contact_id=contact) == 2
    assert consent.history(contact) == []
    assert len(consent.history(consent.erased_id(contact))) == 2
