"""Copy the CRM's free text (documentation, meeting notes, emails) into the vector memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from crm.store import CRMStore
from memory import AccountNote, DocSection, Memory
from memory.models import ACCOUNT_NOTES, PRODUCT_DOCS

Progress = Callable[[str, int, int], None]


def memory_is_indexed(memory: Memory) -> bool:
    """Whether the documentation collection has been filled."""
    return memory.count(PRODUCT_DOCS) > 0


def index_crm_into_memory(
    crm: CRMStore, memory: Memory, *, progress: Progress | None = None
) -> dict[str, int]:
    """Index every documentation section and account note; returns chunks per collection.

    Re-running is idempotent: chunk ids are stable, so existing chunks are overwritten.
    """
    return {
        PRODUCT_DOCS: index_documentation(crm, memory, progress=progress),
        ACCOUNT_NOTES: index_account_notes(crm, memory, progress=progress),
    }


def index_documentation(crm: CRMStore, memory: Memory, *, progress: Progress | None = None) -> int:
    """Index every product documentation section; returns the number of chunks."""
    names = {product.id: product.name for product in crm.list_products()}
    sections = [
        DocSection(
            section_id=s.section_id,
            document_id=s.document_id,
            document_title=s.document_title,
            product_id=s.product_id,
            product_name=names.get(s.product_id, ""),
            heading=s.heading,
            page=s.page,
            ordinal=s.ordinal,
            body=s.body,
        )
        for s in crm.iter_document_sections()
    ]
    return memory.index_product_docs(sections, progress=_stage("documentation", progress))


def index_account_notes(crm: CRMStore, memory: Memory, *, progress: Progress | None = None) -> int:
    """Index every meeting note and email body; returns the number of chunks."""
    notes = list(_account_notes(crm))
    return memory.index_account_notes(notes, progress=_stage("account notes", progress))


def _account_notes(crm: CRMStore) -> Iterator[AccountNote]:
    for note in crm.iter_account_notes():
        text = f"{note.subject}\n{note.body}" if note.subject else note.body
        yield AccountNote(
            note_id=note.id,
            account_id=note.account_id,
            contact_id=note.contact_id,
            kind=note.kind,
            occurred_at=note.occurred_at,
            text=text,
        )


def _stage(name: str, progress: Progress | None) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(f"embedding {name}", done, total)
