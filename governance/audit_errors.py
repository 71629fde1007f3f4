"""Precise errors of the audit ledger, signed output and evidence; mapped to HTTP/CLI at the edges."""

from __future__ import annotations


class GovernanceError(Exception):
    """Base class of the errors raised by the audit, signed-output and evidence modules."""

    code = "governance_error"


class InvalidAuditPayload(GovernanceError, ValueError):
    """A ledger payload that is not canonical JSON, or that carries long (personal) text."""

    code = "invalid_audit_payload"


class ManifestNotFound(GovernanceError, LookupError):
    """No signed-output manifest has this id."""

    code = "manifest_not_found"

    def __init__(self, manifest_id: str) -> None:
        super().__init__(f"manifest {manifest_id!r} not found")
        self.manifest_id = manifest_id


class EvidenceNotFound(GovernanceError, LookupError):
    """No evidence record has this id."""

    code = "evidence_not_found"

    def __init__(self, evidence_id: str) -> None:
        super().__init__(f"evidence {evidence_id!r} not found")
        self.evidence_id = evidence_id


class UnknownField(GovernanceError, ValueError):
    """Evidence names a CRM entity or field that does not exist, or cannot carry evidence."""

    code = "unknown_field"


class RecordNotFound(GovernanceError, LookupError):
    """Evidence names a CRM record that does not exist."""

    code = "record_not_found"


class ContactUnknown(GovernanceError, LookupError):
    """A passport was asked for a contact the CRM does not hold and the ledger never named."""

    code = "contact_not_found"

    def __init__(self, contact_id: str) -> None:
        super().__init__(f"contact {contact_id!r} not found in the CRM nor in the audit ledger")
        self.contact_id = contact_id
