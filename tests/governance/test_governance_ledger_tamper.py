"""The tamper bar: at least 100 random trials each of edit, delete, insert, reorder, truncate and
tail-rewrite of the ledger, by an attacker who can write the database but holds no key; every
one must be caught. Where the attacker recomputes hashes, the signed checkpoints and the signed
head (re-signed on every append) still catch it, also after the last periodic checkpoint."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, delete, select, update
from sqlalchemy.orm import Session

from core.settings import Settings
from crm.db import migrate, session_factory
from governance.audit_models import (
    AuditCheckpointRow,
    AuditEntryRow,
    AuditEntrySubjectRow,
    AuditHeadRow,
)
from governance.audit_services import open_audit_services
from governance.keys import SigningKey
from governance.ledger import GENESIS_HASH, SignedHead, compute_entry_hash
from governance.ledger_verify import LedgerVerification, verify_ledger

TRIALS = 100
ENTRIES = 45  # checkpoints at 1, 11, 21, 31, 41: entries 42..45 follow the last one
SHIFT = 1_000_000

pytestmark = pytest.mark.slow


class Base:
    """The untouched ledger: its database file, key and witnessed head."""

    def __init__(self, path: Path, key: SigningKey, witness: SignedHead | None) -> None:
        self.path = path
        self.key = key
        self.witness = witness


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Base]:
    folder = tmp_path_factory.mktemp("ledger-base")
    url = f"sqlite:///{folder / 'crm.db'}"
    migrate(url)
    audit = open_audit_services(
        Settings(_env_file=None, data_dir=folder, database_url=url), checkpoint_every=10
    )
    for i in range(ENTRIES):
        contacts = [f"CON-{i % 7:05d}"] if i % 3 else []
        audit.ledger.append(
            "recommendation" if i % 2 else "model_call",
            {"n": i, "contact_ids": contacts, "input_sha256": f"{i:064x}"},
        )
    assert audit.verify().ok
    assert audit.ledger.witness is not None
    witness = audit.ledger.witness.read()
    assert witness is not None and witness.count == ENTRIES
    audit.close()
    yield Base(folder / "crm.db", audit.key, witness)


def _rows(session: Session) -> list[AuditEntryRow]:
    return list(session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq)))


def _rechain(session: Session, start: int) -> None:
    """What a strong attacker does: recompute every hash from ``start`` on."""
    rows = _rows(session)
    previous = GENESIS_HASH
    for row in rows:
        if row.seq >= start:
            row.prev_hash = previous
            row.entry_hash = compute_entry_hash(
                seq=row.seq,
                kind=row.kind,
                payload=row.payload,
                created_at=row.created_at,
                prev_hash=previous,
                actor=row.actor,
            )
        previous = row.entry_hash
    session.flush()


def _forge_head(session: Session, rng: random.Random) -> None:
    """Make the head agree with the tampered chain (the signature cannot be made to agree)."""
    rows = _rows(session)
    head = session.get(AuditHeadRow, 1)
    assert head is not None
    choice = rng.choice(["leave", "match", "replay_checkpoint"])
    if choice == "match":
        head.count = len(rows)
        head.head_hash = rows[-1].entry_hash if rows else GENESIS_HASH
    elif choice == "replay_checkpoint":
        checkpoint = session.scalars(
            select(AuditCheckpointRow)
            .where(AuditCheckpointRow.seq <= len(rows))
            .order_by(AuditCheckpointRow.seq.desc())
        ).first()
        if checkpoint is not None:
            head.count, head.head_hash = checkpoint.seq, checkpoint.head_hash
            head.signed_at, head.signature = checkpoint.signed_at, checkpoint.signature


def edit(session: Session, rng: random.Random) -> int:
    row = rng.choice(_rows(session))
    what = rng.choice(["payload", "kind", "time", "prev_hash", "contact", "actor", "actor_id"])
    if what == "payload":
        row.payload = {**row.payload, "n": row.payload["n"] + rng.randint(1, 9)}
    elif what == "kind":
        row.kind = "model_call" if row.kind == "recommendation" else "recommendation"
    elif what == "time":
        from datetime import timedelta

        row.created_at = row.created_at + timedelta(microseconds=rng.randint(1, 10**6))
    elif what == "prev_hash":
        row.prev_hash = "f" * 64
    elif what == "actor":  # blame someone else, index and all
        row.actor = {**(row.actor or {}), "user_id": "someone-else"}
        row.actor_id = "someone-else"
    elif what == "actor_id":  # hide an entry from the audit API's actor filter
        row.actor_id = "someone-else"
    else:
        row.payload = {**row.payload, "contact_ids": ["CON-99999"]}
    return row.seq


def remove(session: Session, rng: random.Random) -> int:
    seq = rng.randint(1, ENTRIES)
    session.execute(delete(AuditEntrySubjectRow).where(AuditEntrySubjectRow.seq == seq))
    session.execute(delete(AuditEntryRow).where(AuditEntryRow.seq == seq))
    if rng.random() < 0.5:  # close the gap by renumbering what follows
        for table in (AuditEntrySubjectRow, AuditEntryRow):
            session.execute(update(table).where(table.seq > seq).values(seq=table.seq + SHIFT - 1))
            session.execute(update(table).where(table.seq > SHIFT).values(seq=table.seq - SHIFT))
        if rng.random() < 0.5:
            _rechain(session, seq)
    _forge_head(session, rng)
    return seq


def insert(session: Session, rng: random.Random) -> int:
    seq = rng.randint(1, ENTRIES + 1)
    for table in (AuditEntrySubjectRow, AuditEntryRow):
        session.execute(update(table).where(table.seq >= seq).values(seq=table.seq + SHIFT + 1))
        session.execute(update(table).where(table.seq > SHIFT).values(seq=table.seq - SHIFT))
    previous = session.get(AuditEntryRow, seq - 1)
    prev_hash = previous.entry_hash if previous else GENESIS_HASH
    template = session.get(AuditEntryRow, seq + 1) or previous
    assert template is not None
    payload = {"n": -1, "contact_ids": [], "input_sha256": "0" * 64}
    session.add(
        AuditEntryRow(
            seq=seq,
            kind="recommendation",
            payload=payload,
            created_at=template.created_at,
            prev_hash=prev_hash,
            entry_hash=compute_entry_hash(
                seq=seq,
                kind="recommendation",
                payload=payload,
                created_at=template.created_at,
                prev_hash=prev_hash,
            ),
        )
    )
    session.flush()
    if rng.random() < 0.5:
        _rechain(session, seq)
    _forge_head(session, rng)
    return seq


def reorder(session: Session, rng: random.Random) -> int:
    first, second = sorted(rng.sample(range(1, ENTRIES + 1), 2))
    a, b = session.get(AuditEntryRow, first), session.get(AuditEntryRow, second)
    assert a is not None and b is not None
    for name in ("kind", "payload", "created_at", "prev_hash", "entry_hash"):
        va, vb = getattr(a, name), getattr(b, name)
        setattr(a, name, vb)
        setattr(b, name, va)
    for x, y in ((first, -1), (second, first), (-1, second)):
        session.execute(
            update(AuditEntrySubjectRow).where(AuditEntrySubjectRow.seq == x).values(seq=y)
        )
    session.flush()
    if rng.random() < 0.5:
        _rechain(session, first)
    _forge_head(session, rng)
    return first


def truncate(session: Session, rng: random.Random) -> int:
    keep = rng.randint(0, ENTRIES - 1)
    session.execute(delete(AuditEntrySubjectRow).where(AuditEntrySubjectRow.seq > keep))
    session.execute(delete(AuditEntryRow).where(AuditEntryRow.seq > keep))
    if rng.random() < 0.5:  # drop the checkpoints that mention the lost entries too
        session.execute(delete(AuditCheckpointRow).where(AuditCheckpointRow.seq > keep))
    _forge_head(session, rng)
    return keep + 1


def tail_rewrite(session: Session, rng: random.Random) -> int:
    count = rng.randint(1, 8)
    start = ENTRIES - count + 1
    for row in _rows(session)[-count:]:
        row.payload = {**row.payload, "input_sha256": f"{rng.getrandbits(256):064x}"}
    session.flush()
    _rechain(session, start)
    _forge_head(session, rng)
    return start


TAMPERINGS: dict[str, Callable[[Session, random.Random], int]] = {
    "edit": edit,
    "delete": remove,
    "insert": insert,
    "reorder": reorder,
    "truncate": truncate,
    "tail_rewrite": tail_rewrite,
}


def _tampered(
    base: Base, folder: Path, tamper: Callable[[Session, random.Random], int], rng: random.Random
) -> tuple[int, LedgerVerification]:
    path = folder / "trial.db"
    shutil.copyfile(base.path, path)
    # The attacker writes the file directly: no foreign keys enforced.
    engine: Engine = create_engine(f"sqlite:///{path}")
    try:
        with session_factory(engine)() as session:
            with session.no_autoflush:
                where = tamper(session, rng)
            session.commit()
        return where, verify_ledger(engine, base.key, witness=base.witness)
    finally:
        engine.dispose()
        path.unlink()


@pytest.mark.parametrize("kind", list(TAMPERINGS))
def test_every_tampering_is_caught(kind: str, base: Base, tmp_path: Path) -> None:
    rng = random.Random(f"tamper-{kind}")
    missed = []
    for trial in range(TRIALS):
        where, report = _tampered(base, tmp_path, TAMPERINGS[kind], rng)
        if report.ok:
            missed.append(trial)
            continue
        assert report.first_bad_seq is not None and report.problem
        if kind == "edit":
            # An edit without recomputed hashes is named exactly.
            assert report.first_bad_seq <= where, (kind, trial, where, report)
    assert not missed, f"{kind}: {len(missed)} of {TRIALS} tamperings went unnoticed: {missed}"


def test_the_untouched_copy_verifies(base: Base, tmp_path: Path) -> None:
    _, report = _tampered(base, tmp_path, lambda session, rng: 0, random.Random(0))
    assert report.ok and report.entries == ENTRIES and report.checkpoints == 5


def test_a_wiped_ledger_is_caught_by_the_witness(base: Base, tmp_path: Path) -> None:
    def wipe(session: Session, rng: random.Random) -> int:
        for table in (AuditEntrySubjectRow, AuditEntryRow, AuditCheckpointRow, AuditHeadRow):
            session.execute(delete(table))
        return 1

    _, report = _tampered(base, tmp_path, wipe, random.Random(0))
    assert not report.ok and report.first_bad_seq == 1
    assert "witnessed" in (report.problem or "")
