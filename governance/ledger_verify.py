"""Verification of the audit ledger: recompute every hash and signature, name the first bad entry.

Catches an edited, deleted, inserted or reordered entry (its hash or its link breaks), and a
truncated or rewritten tail (the signed head no longer matches, even when an attacker
recomputed the hashes, because they cannot sign). The subject index is checked against the
payloads too, so no entry can be hidden from a person's data passport.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from crm.db import session_factory
from governance.audit_models import (
    AuditCheckpointRow,
    AuditEntryRow,
    AuditEntrySubjectRow,
    AuditHeadRow,
)
from governance.keys import SigningKey
from governance.ledger import (
    GENESIS_HASH,
    HEAD_ID,
    SignedHead,
    compute_entry_hash,
    head_statement,
)
from governance.ledger_payload import SUBJECTS_KEY

BATCH = 2000


class LedgerVerification(BaseModel):
    """The outcome of a verification: ``ok``, or the first bad entry and what is wrong."""

    ok: bool
    entries: int
    checkpoints: int
    head_count: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None


@dataclass
class _Finding:
    seq: int
    problem: str


@dataclass
class _Walk:
    count: int = 0
    last_hash: str = GENESIS_HASH
    hashes: dict[int, str] = field(default_factory=dict)
    findings: list[_Finding] = field(default_factory=list)


def _walk_entries(session: Session, wanted: set[int], subjects: dict[int, set[str]]) -> _Walk:
    walk = _Walk()
    expected_seq = 1
    rows = session.scalars(
        select(AuditEntryRow).order_by(AuditEntryRow.seq).execution_options(yield_per=BATCH)
    )
    for row in rows:
        if row.seq != expected_seq:
            walk.findings.append(
                _Finding(expected_seq, f"entry {expected_seq} is missing (next found: {row.seq})")
            )
            return walk
        recomputed = compute_entry_hash(
            seq=row.seq,
            kind=row.kind,
            payload=row.payload,
            created_at=row.created_at,
            prev_hash=row.prev_hash,
            actor=row.actor,
        )
        if row.prev_hash != walk.last_hash:
            walk.findings.append(
                _Finding(row.seq, f"entry {row.seq} does not link to entry {row.seq - 1}")
            )
            return walk
        if recomputed != row.entry_hash:
            walk.findings.append(_Finding(row.seq, f"entry {row.seq} was altered (hash mismatch)"))
            return walk
        if row.actor_id != (row.actor or {}).get("user_id"):
            # The column the audit API filters by must say what the hashed actor says.
            walk.findings.append(
                _Finding(row.seq, f"the actor index of entry {row.seq} differs from its actor")
            )
            return walk
        named = set(row.payload.get(SUBJECTS_KEY) or [])
        if subjects.pop(row.seq, set()) != named:
            walk.findings.append(
                _Finding(row.seq, f"the contact index of entry {row.seq} differs from its payload")
            )
            return walk
        if row.seq in wanted:
            walk.hashes[row.seq] = row.entry_hash
        walk.last_hash = row.entry_hash
        walk.count = row.seq
        expected_seq += 1
    if subjects:
        orphan = min(subjects)
        walk.findings.append(
            _Finding(orphan, f"the contact index names entry {orphan}, which is missing")
        )
    return walk


def verify_ledger(
    engine: Engine, key: SigningKey, *, witness: SignedHead | None = None
) -> LedgerVerification:
    """Recompute the chain, the checkpoints and the signed head of the ledger in ``engine``;
    ``witness`` is the copy of the head kept outside the database, if any."""
    sessions = session_factory(engine)
    with sessions() as session:
        head = session.get(AuditHeadRow, HEAD_ID)
        checkpoints = session.scalars(
            select(AuditCheckpointRow).order_by(AuditCheckpointRow.seq)
        ).all()
        subjects: dict[int, set[str]] = defaultdict(set)
        for seq, contact_id in session.execute(
            select(AuditEntrySubjectRow.seq, AuditEntrySubjectRow.contact_id)
        ):
            subjects[seq].add(contact_id)
        wanted = {c.seq for c in checkpoints} | ({witness.count} if witness else set())
        walk = _walk_entries(session, wanted, subjects)

    head_count = head.count if head else 0
    head_hash = head.head_hash if head else GENESIS_HASH
    findings = list(walk.findings)
    # The last checkpoint that still matches bounds where undetectable-by-hash rewrites begin.
    verified_through = 0
    for checkpoint in checkpoints:
        statement = head_statement(
            role="checkpoint",
            count=checkpoint.seq,
            head_hash=checkpoint.head_hash,
            signed_at=checkpoint.signed_at,
        )
        if not key.verify(statement, checkpoint.signature):
            findings.append(
                _Finding(
                    checkpoint.seq, f"checkpoint at entry {checkpoint.seq} has a bad signature"
                )
            )
            break
        if walk.findings and checkpoint.seq >= walk.findings[0].seq:
            break
        if walk.hashes.get(checkpoint.seq) != checkpoint.head_hash:
            findings.append(
                _Finding(
                    verified_through + 1,
                    f"entries {verified_through + 1}..{checkpoint.seq} do not match the "
                    f"checkpoint signed at entry {checkpoint.seq} (rewritten or removed)",
                )
            )
            break
        verified_through = checkpoint.seq
    if not findings:
        findings.extend(_check_head(head, walk, verified_through, key))
    if not findings and witness is not None:
        findings.extend(_check_witness(witness, walk, verified_through, key))
    first = min(findings, key=lambda f: f.seq) if findings else None
    return LedgerVerification(
        ok=first is None,
        entries=walk.count,
        checkpoints=len(checkpoints),
        head_count=head_count,
        head_hash=head_hash,
        first_bad_seq=first.seq if first else None,
        problem=first.problem if first else None,
    )


def _check_head(
    head: AuditHeadRow | None, walk: _Walk, verified_through: int, key: SigningKey
) -> list[_Finding]:
    if head is None or head.count == 0:
        if walk.count:
            return [_Finding(1, "the ledger has entries but no signed head")]
        return []
    if head.signed_at is None or not key.verify(
        head_statement(
            role="head", count=head.count, head_hash=head.head_hash, signed_at=head.signed_at
        ),
        head.signature,
    ):
        return [_Finding(verified_through + 1, "the signed head has a bad signature")]
    if walk.count < head.count:
        return [
            _Finding(
                walk.count + 1, f"entries {walk.count + 1}..{head.count} are missing (truncated)"
            )
        ]
    if walk.count > head.count:
        return [
            _Finding(head.count + 1, f"entries after {head.count} were added without a signed head")
        ]
    if walk.last_hash != head.head_hash:
        return [
            _Finding(
                verified_through + 1,
                f"entries {verified_through + 1}..{head.count} do not match the signed head "
                "(rewritten)",
            )
        ]
    return []


def _check_witness(
    witness: SignedHead, walk: _Walk, verified_through: int, key: SigningKey
) -> list[_Finding]:
    if witness.signed_at is None or not key.verify(
        head_statement(
            role="head",
            count=witness.count,
            head_hash=witness.head_hash,
            signed_at=witness.signed_at,
        ),
        witness.signature,
    ):
        return [_Finding(verified_through + 1, "the witnessed head beside the key does not verify")]
    if witness.count > walk.count:
        return [
            _Finding(
                walk.count + 1,
                f"entries {walk.count + 1}..{witness.count} are missing: the head witnessed "
                "beside the key names more entries than the database holds",
            )
        ]
    if witness.count and walk.hashes.get(witness.count) != witness.head_hash:
        return [
            _Finding(
                verified_through + 1,
                f"entries up to {witness.count} differ from the head witnessed beside the key",
            )
        ]
    return []
