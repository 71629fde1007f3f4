"""Evidence-bound CRM fields: a file or a reference bound to a field's value, signed; any change
to the stored evidence, its record, the field's value or a presented copy is detected."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from crm import models as m
from crm.db import session_factory
from governance.audit_errors import EvidenceNotFound, RecordNotFound, UnknownField
from governance.audit_models import FieldEvidenceRow
from governance.audit_services import AuditServices
from tests.support.audit_world import ANNA, seed_two_people

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


@pytest.fixture
def world(audit: AuditServices) -> AuditServices:
    seed_two_people(audit.engine)
    return audit


def _set(audit: AuditServices, evidence_id: str, **values: object) -> None:
    with session_factory(audit.engine)() as session:
        session.execute(
            update(FieldEvidenceRow).where(FieldEvidenceRow.id == evidence_id).values(**values)
        )
        session.commit()


def test_a_file_bound_to_a_field_verifies(world: AuditServices) -> None:
    record = world.evidence.attach(
        entity="contacts",
        record_id=ANNA,
        field="title",
        content=PDF,
        filename="business-card.pdf",
        media_type="application/pdf",
        author="rep-7",
    )
    assert record.kind == "file" and record.size == len(PDF) and record.signature
    result = world.evidence.verify(evidence_id=record.id, content=PDF)
    assert result.ok and result.evidence_intact and result.signature_valid
    assert result.value_unchanged is True and result.presented_matches is True
    assert [e.id for e in world.evidence.list_for(entity="contacts", record_id=ANNA)] == [record.id]


def test_a_reference_bound_to_a_field_verifies(world: AuditServices) -> None:
    record = world.evidence.attach(
        entity="accounts", record_id="ACC-9001", field="beds", reference="Annual report 2025, p. 4"
    )
    assert world.evidence.verify(evidence_id=record.id).ok
    assert world.evidence.verify(evidence_id=record.id, reference="Annual report 2025, p. 4").ok
    changed = world.evidence.verify(evidence_id=record.id, reference="Annual report 2025, p. 5")
    assert not changed.ok and changed.presented_matches is False


@pytest.mark.parametrize("position", [0, 9, 5000, len(PDF) - 1])
def test_any_changed_byte_of_a_presented_copy_is_detected(
    world: AuditServices, position: int
) -> None:
    record = world.evidence.attach(entity="contacts", record_id=ANNA, field="title", content=PDF)
    copy = bytearray(PDF)
    copy[position] ^= 0x01
    result = world.evidence.verify(evidence_id=record.id, content=bytes(copy))
    assert not result.ok and result.presented_matches is False and result.evidence_intact


def test_a_changed_stored_file_is_detected(world: AuditServices) -> None:
    record = world.evidence.attach(entity="contacts", record_id=ANNA, field="title", content=PDF)
    _set(world, record.id, content=PDF[:-1] + b"X")
    result = world.evidence.verify(evidence_id=record.id)
    assert not result.ok and not result.evidence_intact and result.signature_valid


def test_a_changed_hash_or_author_breaks_the_signature(world: AuditServices) -> None:
    record = world.evidence.attach(entity="contacts", record_id=ANNA, field="title", content=PDF)
    _set(world, record.id, author="someone-else")
    assert not world.evidence.verify(evidence_id=record.id).signature_valid
    other = world.evidence.attach(entity="contacts", record_id=ANNA, field="title", content=PDF)
    forged = b"forged"
    import hashlib

    _set(world, other.id, content=forged, evidence_sha256=hashlib.sha256(forged).hexdigest())
    result = world.evidence.verify(evidence_id=other.id)
    assert result.evidence_intact and not result.signature_valid and not result.ok


def test_a_changed_field_value_is_detected(world: AuditServices) -> None:
    record = world.evidence.attach(
        entity="contacts", record_id=ANNA, field="title", reference="card"
    )
    with session_factory(world.engine)() as session:
        session.execute(
            update(m.Contact).where(m.Contact.id == ANNA).values(title="Chief Physician")
        )
        session.commit()
    result = world.evidence.verify(evidence_id=record.id)
    assert not result.ok and result.value_unchanged is False
    assert "no longer holds" in result.reason


@pytest.mark.parametrize(
    ("target", "error"),
    [
        (("contacts", ANNA, "id"), UnknownField),
        (("contacts", ANNA, "shoe_size"), UnknownField),
        (("audit_entries", "1", "kind"), UnknownField),
        (("contacts", "CON-00000", "title"), RecordNotFound),
    ],
)
def test_bad_targets_are_refused(
    world: AuditServices, target: tuple[str, str, str], error: type[Exception]
) -> None:
    entity, record_id, field = target
    with pytest.raises(error):
        world.evidence.attach(entity=entity, record_id=record_id, field=field, reference="x")


def test_exactly_one_kind_of_evidence_is_needed(world: AuditServices) -> None:
    with pytest.raises(UnknownField):
        world.evidence.attach(entity="contacts", record_id=ANNA, field="title")
    with pytest.raises(UnknownField):
        world.evidence.attach(
            entity="contacts", record_id=ANNA, field="title", reference="a", content=b"b"
        )
    with pytest.raises(UnknownField):
        world.evidence.attach(entity="contacts", record_id=ANNA, field="title", content=b"")
    with pytest.raises(EvidenceNotFound):
        world.evidence.verify(evidence_id="nope")
