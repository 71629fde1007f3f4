"""The audit ledger: appends chain and sign, checkpoints come on time, payloads stay free of
text, concurrent writers get unique sequence numbers, keys are made once with mode 0600."""

from __future__ import annotations

import os
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from crm.db import session_factory
from governance.audit_errors import InvalidAuditPayload
from governance.audit_models import AuditCheckpointRow
from governance.audit_services import AuditServices, open_audit_services
from governance.keys import KEY_FILE, SigningKey
from governance.ledger import GENESIS_HASH, AuditLedger, compute_entry_hash


def _checkpoints(audit: AuditServices) -> list[int]:
    with session_factory(audit.engine)() as session:
        return list(
            session.scalars(select(AuditCheckpointRow.seq).order_by(AuditCheckpointRow.seq))
        )


def test_entries_chain_and_verify(audit: AuditServices) -> None:
    first = audit.ledger.append(
        "recommendation", {"recommendation_id": "r1", "contact_ids": ["C1"]}
    )
    second = audit.ledger.append(
        "model_call", {"model": "scripted/test", "output_sha256": "ab" * 32}
    )
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.entry_hash
    assert second.entry_hash == compute_entry_hash(
        seq=2,
        kind="model_call",
        payload=second.payload,
        created_at=second.created_at,
        prev_hash=first.entry_hash,
        actor=second.actor,
    )
    report = audit.verify()
    assert report.ok, report
    assert (report.entries, report.head_count, report.head_hash) == (2, 2, second.entry_hash)
    assert [e.seq for e in audit.ledger.entries_for_contact(contact_id="C1")] == [1]


def test_an_empty_ledger_verifies(audit: AuditServices) -> None:
    report = audit.verify()
    assert report.ok and report.entries == 0 and report.head_hash == GENESIS_HASH


def test_a_checkpoint_is_signed_every_n_entries(audit: AuditServices) -> None:
    for i in range(25):
        audit.ledger.append("model_call", {"call_id": f"c{i}"})
    # The first entry is checkpointed (there was none before), then every 10.
    assert _checkpoints(audit) == [1, 11, 21]
    assert audit.verify().ok


def test_a_checkpoint_is_signed_after_five_minutes_without_one(
    tmp_path: Path, audit_url: str
) -> None:
    from core.settings import Settings

    settings = Settings(_env_file=None, data_dir=tmp_path / "d", database_url=audit_url)
    audit = open_audit_services(settings)  # every 1,000 entries or 5 minutes
    now = [datetime(2026, 11, 25, 9, 0, tzinfo=UTC)]
    ledger = AuditLedger(audit.engine, audit.key, clock=lambda: now[0])
    try:
        for minutes in (0, 1, 2, 4, 5, 9, 10):
            now[0] = datetime(2026, 11, 25, 9, minutes, tzinfo=UTC)
            ledger.append("model_call", {"minute": minutes})
        assert _checkpoints(audit) == [1, 5, 7]  # minutes 0, 5 and 10
        assert audit.verify().ok
    finally:
        audit.close()


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"note": "x" * 300}, "never text"),
        ({"score": float("nan")}, "finite"),
        ({"when": object()}, "JSON"),
        ({"contact_ids": "C1"}, "contact ids"),
        ({"nested": [{"deep": "y" * 257}]}, "payload.nested[0].deep"),
    ],
)
def test_payloads_with_text_or_non_json_are_refused(
    audit: AuditServices, payload: dict[str, object], problem: str
) -> None:
    with pytest.raises(InvalidAuditPayload, match=problem.replace("[", r"\[").replace("]", r"\]")):
        audit.ledger.append("recommendation", payload)
    assert audit.ledger.count() == 0  # nothing half-written


def test_concurrent_writers_get_unique_sequence_numbers(audit: AuditServices) -> None:
    # Two ledger objects on two engines stand for two processes; four threads each.
    other = open_audit_services_like(audit)
    ledgers = [audit.ledger, other.ledger]
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            for i in range(25):
                ledgers[writer % 2].append("model_call", {"writer": writer, "i": i})
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.close()
    assert not errors, errors
    entries = audit.ledger.entries(limit=1000)
    assert [e.seq for e in entries] == list(range(1, 201))
    assert {(e.payload["writer"], e.payload["i"]) for e in entries} == {
        (w, i) for w in range(8) for i in range(25)
    }
    assert audit.verify().ok


def open_audit_services_like(audit: AuditServices) -> AuditServices:
    from governance.ledger import ledger_engine

    engine = ledger_engine(audit.engine.url.render_as_string(hide_password=False))
    return AuditServices(
        engine=engine,
        key=audit.key,
        ledger=AuditLedger(engine, audit.key, checkpoint_every=10),
        signed_output=audit.signed_output,
        evidence=audit.evidence,
    )


def test_the_key_is_created_once_with_private_permissions(tmp_path: Path) -> None:
    key_dir = tmp_path / "keys"
    found: list[SigningKey] = []
    threads = [
        threading.Thread(target=lambda: found.append(SigningKey.load_or_create(key_dir)))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 6 and len({k.key_id for k in found}) == 1
    assert stat.S_IMODE(os.stat(key_dir / KEY_FILE).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(key_dir).st_mode) == 0o700
    assert [p.name for p in key_dir.iterdir()] == [KEY_FILE]  # no temporary file left
    assert SigningKey.load_or_create(key_dir).key_id == found[0].key_id


def test_a_different_key_fails_verification(audit: AuditServices) -> None:
    audit.ledger.append("model_call", {"call_id": "c1"})
    from governance.ledger_verify import verify_ledger

    report = verify_ledger(audit.engine, SigningKey.generate())
    assert not report.ok and report.first_bad_seq == 1
    assert "signature" in (report.problem or "")


def test_checkpoint_interval_uses_entry_times(audit: AuditServices) -> None:
    assert audit.ledger.checkpoint_interval == timedelta(minutes=5)
