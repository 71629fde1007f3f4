"""The audit services opened together on one database and one key: ledger, signed output,
evidence, passport and verification. Opened by the server's lifespan, the agent services and
the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from core.settings import Settings
from crm.db import session_factory
from crm.models import Contact
from governance.audit_errors import ContactUnknown
from governance.evidence import FieldEvidence
from governance.keys import SigningKey
from governance.ledger import CHECKPOINT_EVERY, CHECKPOINT_INTERVAL, AuditLedger, ledger_engine
from governance.ledger_verify import LedgerVerification, verify_ledger
from governance.ledger_witness import HeadWitness, witness_path
from governance.passport import Passport, build_passport
from governance.signed_output import SignedOutput


@dataclass
class AuditServices:
    """Ledger, signed output and evidence over one database, signed with one key."""

    engine: Engine
    key: SigningKey
    ledger: AuditLedger
    signed_output: SignedOutput
    evidence: FieldEvidence

    def verify(self) -> LedgerVerification:
        """Recompute the whole ledger (blocking; the API runs it in a worker thread)."""
        witness = self.ledger.witness.read() if self.ledger.witness else None
        return verify_ledger(self.engine, self.key, witness=witness)

    def passport(self, *, contact_id: str) -> Passport:
        """The person's data passport; an id neither the CRM nor the ledger knows is an error
        (an erased person keeps their passport: the ledger still names them)."""
        passport = build_passport(self.ledger, contact_id=contact_id)
        if not passport.uses and not self._contact_exists(contact_id):
            raise ContactUnknown(contact_id)
        return passport

    def _contact_exists(self, contact_id: str) -> bool:
        with session_factory(self.engine)() as session:
            return session.get(Contact, contact_id) is not None

    def close(self) -> None:
        self.engine.dispose()


def open_audit_services(
    settings: Settings,
    *,
    checkpoint_every: int = CHECKPOINT_EVERY,
    checkpoint_interval: timedelta = CHECKPOINT_INTERVAL,
    engine: Engine | None = None,
) -> AuditServices:
    """Open the audit services on the configured (already migrated) database; the signing key
    is created in ``settings.resolved_governance_key_dir`` on first use. ``engine`` is the
    process's shared, write-locking engine (``composition``); without one they open their own."""
    engine = engine or ledger_engine(settings.resolved_database_url)
    key_dir = settings.resolved_governance_key_dir
    key = SigningKey.load_or_create(key_dir)
    return AuditServices(
        engine=engine,
        key=key,
        ledger=AuditLedger(
            engine,
            key,
            checkpoint_every=checkpoint_every,
            checkpoint_interval=checkpoint_interval,
            witness=HeadWitness(witness_path(key_dir, settings.resolved_database_url)),
        ),
        signed_output=SignedOutput(engine, key),
        evidence=FieldEvidence(engine, key),
    )
