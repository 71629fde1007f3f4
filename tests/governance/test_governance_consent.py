"""The consent ledger: append-only records, latest wins, keyed hashes, validation, the key file."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, select, text

from crm import models as m
from crm.db import Base, make_engine, migrate, session_factory
from crm.errors import NotFound
from governance.consent import (
    AI_PROCESSING,
    PURPOSES,
    ConsentLedger,
    InvalidConsent,
    load_consent_key,
)
from governance.consent_demo import seed_demo_consent
from governance.consent_models import MARKETING, MODEL_TRAINING, ConsentRow

NOW = datetime(2026, 11, 1, tzinfo=UTC)
ALICE, BOB, CAROL = "CON-00001", "CON-00002", "CON-00003"
KEY = b"k" * 32


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    migrate(url)
    engine = make_engine(url)
    with session_factory(engine)() as session:
        session.add(
            m.Account(
                id="ACC-0001", name="Ruijin Hospital", industry="hospital", city="Shanghai",
                region="East", tier="strategic", created_at=NOW,
            )
        )  # fmt: skip
        session.flush()
        for cid, first in ((ALICE, "Alice"), (BOB, "Bob"), (CAROL, "Carol")):
            session.add(
                m.Contact(
                    id=cid, account_id="ACC-0001", first_name=first, last_name="Wang",
                    title="Head", department="Radiology", seniority="director", created_at=NOW,
                )
            )  # fmt: skip
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def ledger(engine: Engine) -> ConsentLedger:
    return ConsentLedger(engine, key=KEY)


def _grant(ledger: ConsentLedger, contact_id: str, purpose: str = AI_PROCESSING, **kw: str):  # type: ignore[no-untyped-def]
    return ledger.grant(
        contact_id=contact_id, purpose=purpose, notice_version="2026-11", source="web_form", **kw
    )


def _revoke(ledger: ConsentLedger, contact_id: str, purpose: str = AI_PROCESSING):  # type: ignore[no-untyped-def]
    return ledger.revoke(
        contact_id=contact_id, purpose=purpose, notice_version="2026-11", source="email"
    )


def test_no_record_means_no_consent(ledger: ConsentLedger) -> None:
    assert not ledger.allowed(ALICE, AI_PROCESSING)
    assert ledger.status(ALICE) == {purpose: False for purpose in PURPOSES}
    assert ledger.contacts_without(AI_PROCESSING, [ALICE, BOB]) == {ALICE, BOB}
    assert ledger.history(ALICE) == []


def test_the_latest_record_per_contact_and_purpose_decides(ledger: ConsentLedger) -> None:
    _grant(ledger, ALICE)
    _grant(ledger, ALICE, MODEL_TRAINING)
    _grant(ledger, BOB)
    assert ledger.allowed(ALICE, AI_PROCESSING) and ledger.allowed(ALICE, MODEL_TRAINING)
    assert not ledger.allowed(ALICE, MARKETING)  # purposes are separate
    _revoke(ledger, ALICE)
    assert not ledger.allowed(ALICE, AI_PROCESSING)  # at once: nothing is cached
    assert ledger.allowed(ALICE, MODEL_TRAINING)  # revoking one purpose leaves the others
    assert ledger.contacts_without(AI_PROCESSING, [ALICE, BOB, CAROL]) == {ALICE, CAROL}
    _grant(ledger, ALICE)
    assert ledger.allowed(ALICE, AI_PROCESSING)
    history = ledger.history(ALICE)
    assert [(r.action, r.purpose) for r in history] == [
        ("grant", AI_PROCESSING),
        ("grant", MODEL_TRAINING),
        ("revoke", AI_PROCESSING),
        ("grant", AI_PROCESSING),
    ]  # append-only: every record stays, oldest first
    assert ledger.contacts_with(AI_PROCESSING) == {ALICE, BOB}


def test_a_backdated_record_appended_later_still_counts_as_latest(ledger: ConsentLedger) -> None:
    _grant(ledger, ALICE)
    ledger.revoke(
        contact_id=ALICE, purpose=AI_PROCESSING, notice_version="v1", source="phone",
        recorded_at=datetime(2020, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    assert not ledger.allowed(ALICE, AI_PROCESSING)
    assert ledger.history(ALICE)[-1].recorded_at == datetime(2020, 1, 1, tzinfo=UTC)


def test_ip_and_device_are_stored_only_as_keyed_hashes(
    ledger: ConsentLedger, engine: Engine, tmp_path: Path
) -> None:
    record = _grant(ledger, ALICE, ip_address="203.0.113.7", device_fingerprint="fp-iphone-42")
    assert record.ip_hash == ledger.keyed_hash("203.0.113.7") and len(record.ip_hash) == 64
    assert record.device_hash == ledger.keyed_hash("fp-iphone-42")
    other_key = ConsentLedger(engine, key=b"x" * 32)
    assert other_key.keyed_hash("203.0.113.7") != record.ip_hash  # keyed, not a plain digest
    with engine.connect() as connection:
        dumped = " ".join(
            str(row) for row in connection.execute(text("SELECT * FROM consent_records"))
        )
    assert "203.0.113.7" not in dumped and "fp-iphone-42" not in dumped
    assert b"203.0.113.7" not in (tmp_path / "crm.db").read_bytes()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"purpose": "profiling"}, "purpose must be one of"),
        ({"notice_version": ""}, "notice_version"),
        ({"notice_version": "v 1; drop"}, "notice_version"),
        ({"source": "Web Form"}, "source"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    ledger: ConsentLedger, engine: Engine, change: dict[str, str], message: str
) -> None:
    values = {"contact_id": ALICE, "purpose": AI_PROCESSING, "notice_version": "v1",
              "source": "api"} | change  # fmt: skip
    with pytest.raises(InvalidConsent, match=message):
        ledger.grant(**values)
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ConsentRow)) == 0


def test_an_unknown_contact_is_refused(ledger: ConsentLedger) -> None:
    with pytest.raises(NotFound):
        _grant(ledger, "CON-99999")
    with pytest.raises(InvalidConsent):
        ledger.contacts_without("everything", [ALICE])


def test_pseudonymising_keeps_the_records_but_not_the_id(ledger: ConsentLedger) -> None:
    _grant(ledger, ALICE)
    _revoke(ledger, ALICE)
    _grant(ledger, BOB)
    assert ledger.pseudonymise(contact_id=ALICE) == 2
    assert ledger.history(ALICE) == [] and not ledger.allowed(ALICE, AI_PROCESSING)
    kept = ledger.history(ledger.erased_id(ALICE))
    assert len(kept) == 2 and ALICE not in kept[0].contact_id
    assert ledger.allowed(BOB, AI_PROCESSING)


def test_a_ledger_without_key_checks_but_cannot_hash(engine: Engine) -> None:
    reader = ConsentLedger(engine)
    assert not reader.allowed(ALICE, AI_PROCESSING)
    with pytest.raises(RuntimeError, match="hashing key"):
        _grant(reader, ALICE, ip_address="198.51.100.1")


def test_the_key_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    key = load_consent_key(folder)
    path = folder / "consent_hmac.key"
    assert len(key) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_consent_key(folder) == key
    assert [p.name for p in folder.iterdir()] == ["consent_hmac.key"]  # no temporary left


def test_demo_consent_is_realistic_and_deterministic(engine: Engine, tmp_path: Path) -> None:
    with session_factory(engine)() as session:
        for n in range(4, 400):
            session.add(
                m.Contact(
                    id=f"CON-{n:05d}", account_id="ACC-0001", first_name="P", last_name=str(n),
                    title="Nurse", department="Ward", seniority="staff", created_at=NOW,
                )
            )  # fmt: skip
        session.commit()
    ledger = ConsentLedger(engine, key=KEY)
    counts = seed_demo_consent(ledger, seed=7)
    everyone = [f"CON-{n:05d}" for n in range(1, 400)]
    ai = len(everyone) - len(ledger.contacts_without(AI_PROCESSING, everyone))
    training = len(ledger.contacts_with(MODEL_TRAINING))
    assert 0.70 * 399 < ai < 0.90 * 399  # most, not all
    assert 0.30 * 399 < training < 0.60 * 399 and training < ai  # fewer train models
    assert counts.get("consent revokes: ai_processing", 0) >= 1  # a few revoked
    assert all(r.ip_hash and r.device_hash for c in everyone[:50] for r in ledger.history(c))
    assert seed_demo_consent(ConsentLedger(make_engine(f"sqlite:///{tmp_path / 'crm.db'}"),
                                           key=KEY), seed=7) == counts  # fmt: skip


def test_the_migration_matches_the_model(engine: Engine) -> None:
    def ours(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
        if type_ == "table":
            return name == "consent_records"
        table = getattr(obj, "table", None)
        return table is None or table.name == "consent_records"

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": ours}
        )
        assert compare_metadata(context, Base.metadata) == []
