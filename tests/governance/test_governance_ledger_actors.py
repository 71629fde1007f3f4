"""Ledger entries name their actor: hashed with the entry, indexed for filtering; entries from
before actors existed hash and verify exactly as they did."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import anyio
import pytest

from core.actor import UNATTRIBUTED, acting_as, current_actor, system_actor
from governance import ledger as ledger_module
from governance.audit_errors import InvalidAuditPayload
from governance.audit_services import AuditServices
from governance.ledger import compute_entry_hash

ALICE = {"user_id": "u-alice", "roles": ["rep"], "via": "session", "credential_id": "s-1"}


def test_an_entry_names_the_actor_of_the_work_around_it(audit: AuditServices) -> None:
    with acting_as({**ALICE, "name": "alice", "territories": ["East"]}):
        entry = audit.ledger.append("subject_exported", {"contact_ids": ["CON-1"]})
    # Only the actor's identity is kept: no name or other personal data in the ledger.
    assert entry.actor == ALICE
    assert current_actor() is None
    assert (
        compute_entry_hash(
            seq=entry.seq,
            kind=entry.kind,
            payload=entry.payload,
            created_at=entry.created_at,
            prev_hash=entry.prev_hash,
            actor=ALICE,
        )
        == entry.entry_hash
    )


def test_an_explicit_actor_wins_and_no_actor_is_named_as_such(audit: AuditServices) -> None:
    with acting_as(ALICE):
        chosen = audit.ledger.append("model_call", {"n": 1}, actor=system_actor("seed"))
    nobody = audit.ledger.append("model_call", {"n": 2})
    assert chosen.actor == {"user_id": "system:seed"}
    assert nobody.actor == {"user_id": UNATTRIBUTED}


def test_the_actor_follows_work_into_worker_threads(audit: AuditServices) -> None:
    async def append_in_thread() -> Any:
        with acting_as(ALICE):
            return await anyio.to_thread.run_sync(audit.ledger.append, "model_call", {"n": 3})

    assert anyio.run(append_in_thread).actor == ALICE


def test_entries_filter_by_actor_in_the_query(audit: AuditServices) -> None:
    with acting_as(ALICE):
        audit.ledger.append("recommendation", {"n": 1})
        audit.ledger.append("model_call", {"n": 2})
    with acting_as({"user_id": "u-bob", "roles": ["manager"]}):
        audit.ledger.append("recommendation", {"n": 3})
    mine = audit.ledger.entries(actor="u-alice")
    assert [e.payload["n"] for e in mine] == [1, 2]
    assert [e.payload["n"] for e in audit.ledger.entries(actor="u-alice", kind="model_call")] == [2]
    assert audit.ledger.count(actor="u-alice") == 2
    assert audit.ledger.count(actor="u-bob", kind="model_call") == 0
    assert audit.ledger.count() == 3


def test_a_bad_actor_is_refused(audit: AuditServices) -> None:
    with pytest.raises(InvalidAuditPayload, match="actor.user_id"):
        audit.ledger.append("model_call", {"n": 1}, actor={"user_id": "x" * 121})
    with pytest.raises(ValueError, match="user_id"):
        with acting_as({"roles": ["rep"]}):
            pass


def test_entries_without_an_actor_hash_as_before() -> None:
    # The hash the ledger computed before entries named actors (computed with that code).
    assert (
        compute_entry_hash(
            seq=7,
            kind="subject_erased",
            payload={"contact_ids": ["CON-00001"], "complete": True},
            created_at=datetime(2026, 11, 30, 9, 15, tzinfo=UTC),
            prev_hash="ab" * 32,
        )
        == "258f54f822f585d05bc35f2df7a0cf5f5659bcfcc72561ed02567fc95100bdb6"
    )


def test_a_ledger_begun_before_actors_still_verifies(
    audit: AuditServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as old_code:
        old_code.setattr(ledger_module, "entry_actor", lambda actor: None)
        old = [audit.ledger.append("recommendation", {"n": n}) for n in range(3)]
    assert [e.actor for e in old] == [None, None, None]
    with acting_as(ALICE):
        new = audit.ledger.append("recommendation", {"n": 3})
    assert new.prev_hash == old[-1].entry_hash and new.actor == ALICE
    report = audit.verify()
    assert report.ok, report
    assert [e.seq for e in audit.ledger.entries(actor="u-alice")] == [new.seq]
