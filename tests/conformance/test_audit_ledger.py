"""The audit ledger's contract (governance/ledger.py, governance/ledger_verify.py): append,
read back in order, find by contact, verify the chain and catch tampering, on SQLite and
PostgreSQL alike.

The ledger is one chain per database, so these tests share a database of their own and state
everything relative to the head they find; a test that tampers puts the row back before it
ends, so the chain stays whole for the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert, select, update

from crm.db import make_write_locking_engine
from governance.audit_errors import InvalidAuditPayload
from governance.audit_models import AuditEntryRow, AuditEntrySubjectRow
from governance.keys import SigningKey
from governance.ledger import AuditLedger
from governance.ledger_verify import verify_ledger
from tests.conformance.databases import StoreDatabases

KEY = SigningKey.generate()  # one key for the session: the shared chain is signed with it


@pytest.fixture
def ledger_engine(backend: str, store_databases: StoreDatabases) -> Engine:
    url = store_databases.dedicated_url(backend, "audit-ledger")
    return store_databases.engine(url, locking=True)


@pytest.fixture
def ledger(ledger_engine: Engine) -> AuditLedger:
    return AuditLedger(ledger_engine, KEY)


def append_some(ledger: AuditLedger, count: int, *, kind: str = "recommendation") -> list[int]:
    """Append ``count`` entries; their sequence numbers."""
    return [ledger.append(kind, {"n": n, "input_sha256": f"{n:064x}"}).seq for n in range(count)]


@contextmanager
def tampered(engine: Engine, seq: int, **changes: Any) -> Iterator[None]:
    """Entry ``seq`` with ``changes`` written straight into its row, put back afterwards."""
    with engine.begin() as connection:
        before = connection.execute(
            select(*(getattr(AuditEntryRow, name) for name in changes)).where(
                AuditEntryRow.seq == seq
            )
        ).one()
        connection.execute(update(AuditEntryRow).where(AuditEntryRow.seq == seq).values(changes))
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(
                update(AuditEntryRow)
                .where(AuditEntryRow.seq == seq)
                .values(dict(zip(changes, before, strict=True)))
            )


def test_an_appended_entry_extends_the_chain_and_reads_back(ledger: AuditLedger) -> None:
    head = ledger.head()
    payload = {"recommendation_id": "rec-1", "note": "预算审批通过", "contact_ids": []}
    entry = ledger.append("recommendation", payload)
    assert entry.seq == head.count + 1 and entry.prev_hash == head.head_hash
    assert entry.payload == payload and entry.created_at.tzinfo is not None
    assert ledger.entries(offset=entry.seq - 1, limit=1) == [entry]
    new_head = ledger.head()
    assert (new_head.count, new_head.head_hash) == (entry.seq, entry.entry_hash)
    assert new_head.signature and new_head.key_id == KEY.key_id
    assert ledger.count() == entry.seq


def test_entries_come_in_sequence_order_filtered_by_kind_and_paged(ledger: AuditLedger) -> None:
    kind = "conformance_page"
    seqs = append_some(ledger, 5, kind=kind)
    assert seqs == list(range(seqs[0], seqs[0] + 5))
    assert [e.seq for e in ledger.entries(kind=kind, limit=100)][-5:] == seqs
    mine = ledger.entries(offset=seqs[0] - 1, limit=100)
    assert [e.seq for e in mine] == seqs
    pages = [ledger.entries(offset=seqs[0] - 1 + o, limit=2) for o in (0, 2, 4)]
    assert [[e.seq for e in page] for page in pages] == [seqs[0:2], seqs[2:4], seqs[4:5]]
    assert ledger.entries(offset=seqs[-1], limit=10) == []
    assert ledger.entries(kind="no_such_kind") == []


def test_entries_are_found_by_the_contacts_they_name(
    ledger: AuditLedger, unique: Callable[[str], str]
) -> None:
    ana, bo = unique("CON"), unique("CON")
    both = ledger.append("model_call", {"contact_ids": [bo, ana, ana]})
    only_ana = ledger.append("model_call", {"contact_ids": [ana]})
    ledger.append("model_call", {"contact_ids": []})
    assert [e.seq for e in ledger.entries_for_contact(contact_id=ana)] == [both.seq, only_ana.seq]
    assert [e.seq for e in ledger.entries_for_contact(contact_id=bo)] == [both.seq]
    assert ledger.entries_for_contact(contact_id=unique("CON")) == []


def test_entries_are_found_by_a_payload_value(
    ledger: AuditLedger, unique: Callable[[str], str]
) -> None:
    wanted, other = unique("rec"), unique("rec")
    decided = ledger.append("action_decision", {"recommendation_id": wanted, "verdict": "同意"})
    ledger.append("action_decision", {"recommendation_id": other})
    ledger.append("recommendation", {"recommendation_id": wanted})
    found = ledger.entries_about(kind="action_decision", key="recommendation_id", values={wanted})
    assert found == [decided]
    assert ledger.entries_about(kind="action_decision", key="recommendation_id", values=set()) == []


def test_bad_entries_are_refused_and_leave_the_chain_alone(ledger: AuditLedger) -> None:
    head = ledger.head()
    for kind, payload in [
        ("", {}),
        ("k" * 41, {}),
        ("recommendation", {"text": "长" * 257}),
        ("recommendation", {"score": float("nan")}),
        ("recommendation", {"contact_ids": "CON-1"}),
    ]:
        with pytest.raises(InvalidAuditPayload):
            ledger.append(kind, payload)
    assert ledger.head() == head


def test_the_whole_chain_verifies(ledger: AuditLedger, ledger_engine: Engine) -> None:
    append_some(ledger, 3)
    verification = verify_ledger(ledger_engine, KEY)
    assert verification.ok, verification.problem
    assert verification.entries == verification.head_count == ledger.head().count


def test_an_edited_entry_is_caught_and_named(ledger: AuditLedger, ledger_engine: Engine) -> None:
    seq = append_some(ledger, 3)[1]
    with tampered(ledger_engine, seq, payload={"n": 999, "input_sha256": "0" * 64}):
        verification = verify_ledger(ledger_engine, KEY)
        assert not verification.ok
        assert verification.first_bad_seq == seq
        assert verification.problem and "altered" in verification.problem
    assert verify_ledger(ledger_engine, KEY).ok


def test_a_relinked_entry_is_caught(ledger: AuditLedger, ledger_engine: Engine) -> None:
    seq = append_some(ledger, 2)[1]
    with tampered(ledger_engine, seq, prev_hash="f" * 64):
        verification = verify_ledger(ledger_engine, KEY)
        assert (verification.ok, verification.first_bad_seq) == (False, seq)
    assert verify_ledger(ledger_engine, KEY).ok


def test_a_hidden_contact_is_caught(
    ledger: AuditLedger, ledger_engine: Engine, unique: Callable[[str], str]
) -> None:
    contact = unique("CON")
    entry = ledger.append("model_call", {"contact_ids": [contact]})
    where = (AuditEntrySubjectRow.seq == entry.seq) & (AuditEntrySubjectRow.contact_id == contact)
    with ledger_engine.begin() as connection:
        connection.execute(delete(AuditEntrySubjectRow).where(where))
    try:
        verification = verify_ledger(ledger_engine, KEY)
        assert (verification.ok, verification.first_bad_seq) == (False, entry.seq)
    finally:
        with ledger_engine.begin() as connection:
            connection.execute(
                insert(AuditEntrySubjectRow).values(seq=entry.seq, contact_id=contact)
            )
    assert verify_ledger(ledger_engine, KEY).ok


def test_a_head_signed_with_another_key_fails(ledger: AuditLedger, ledger_engine: Engine) -> None:
    append_some(ledger, 1)
    verification = verify_ledger(ledger_engine, SigningKey.generate())
    assert not verification.ok


def test_concurrent_appends_from_two_ledgers_keep_one_unbroken_chain(
    ledger_engine: Engine, store_databases: StoreDatabases, backend: str
) -> None:
    # Two ledger objects (as two processes would have) on two engines: only the head's row
    # lock orders them.
    url = store_databases.dedicated_url(backend, "audit-ledger")
    other_engine = make_write_locking_engine(url)
    try:
        ledgers = [AuditLedger(ledger_engine, KEY), AuditLedger(other_engine, KEY)]
        start = ledgers[0].head().count
        with ThreadPoolExecutor(max_workers=4) as pool:
            seqs = list(pool.map(lambda i: append_some(ledgers[i % 2], 5), range(4)))
    finally:
        other_engine.dispose()
    appended = sorted(seq for batch in seqs for seq in batch)
    assert appended == list(range(start + 1, start + 21))
    verification = verify_ledger(ledger_engine, KEY)
    assert verification.ok, verification.problem
    assert verification.entries == start + 20
