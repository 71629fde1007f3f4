"""Memory against real Chroma, embedded and server: indexing, search, filters, delete, errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.settings import Settings
from memory import (
    ACCOUNT_NOTES,
    PRODUCT_DOCS,
    AccountNote,
    DocSection,
    DuplicateRecord,
    EmbeddingMismatch,
    HashingEmbeddingFunction,
    InvalidQuery,
    Memory,
    MemoryUnavailable,
    MiniLMEmbeddingFunction,
    UnknownCollection,
)
from tests.support.memory_corpus import PRODUCTS, TOPICS, product_sections

SECTIONS = product_sections(PRODUCTS[:2])  # VitaScan P12 and P10: same headings, other figures
P12, P10 = PRODUCTS[0].product_id, PRODUCTS[1].product_id


def _notes() -> list[AccountNote]:
    when = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
    return [
        AccountNote(
            note_id="n1",
            account_id="acc-1",
            contact_id="c-1",
            kind="meeting",
            occurred_at=when,
            text="Head of radiology worried about battery life on ward rounds.",
        ),
        AccountNote(
            note_id="n2",
            account_id="acc-1",
            kind="email",
            occurred_at=when,
            text="Procurement asked for the tender deadline and budget approval.",
        ),
        AccountNote(
            note_id="n3",
            account_id="acc-2",
            contact_id="c-9",
            kind="call",
            occurred_at=datetime(2026, 3, 5),
            text="ICU nurse asked about battery life too.",
        ),
    ]


def test_search_finds_the_section_with_its_metadata(memory: Memory) -> None:
    assert memory.index_product_docs(SECTIONS) == len(SECTIONS)
    hits = memory.search_product_docs("battery hours lithium-ion recharge", k=3, product_id=P12)
    top = hits[0]
    expected = next(s for s in SECTIONS if s.product_id == P12 and s.heading == "Battery and power")
    assert top.chunk_id == f"{expected.section_id}#0"
    assert top.text == expected.body
    assert (top.collection, top.section_id, top.document_id) == (
        PRODUCT_DOCS,
        expected.section_id,
        expected.document_id,
    )
    assert (top.document_title, top.product_id, top.product_name) == (
        expected.document_title,
        P12,
        expected.product_name,
    )
    assert (top.heading, top.page, top.chunk_index) == ("Battery and power", expected.page, 0)
    assert top.account_id is None
    assert all(0.0 <= hit.score <= 1.0 and hit.relevance >= hit.score for hit in hits)
    ranked = [hit.relevance for hit in hits]
    assert ranked == sorted(ranked, reverse=True)


def test_product_filter_and_product_named_in_the_query(memory: Memory) -> None:
    memory.index_product_docs(SECTIONS)
    assert {h.product_id for h in memory.search_product_docs("battery", k=50, product_id=P10)} == {
        P10
    }
    named = memory.search_product_docs("What is the battery life of the VitaScan P10?", k=50)
    assert {hit.product_id for hit in named} == {P10}
    assert named[0].heading == "Battery and power"
    assert memory.search_product_docs("battery", product_id="PRD-NONE") == []


def test_reindexing_is_idempotent_and_skips_unchanged_chunks(backend: dict[str, object]) -> None:
    class CountingHashing(HashingEmbeddingFunction):
        texts = 0

        def __call__(self, input):  # type: ignore[no-untyped-def]
            CountingHashing.texts += len(input)
            return super().__call__(input)

    memory = Memory(embedding_function=CountingHashing(), **backend)  # type: ignore[arg-type]
    first = memory.index_product_docs(SECTIONS)
    embedded = CountingHashing.texts
    assert memory.index_product_docs(SECTIONS) == first == memory.count(PRODUCT_DOCS)
    assert CountingHashing.texts == embedded  # nothing re-embedded
    edited = [SECTIONS[0].model_copy(update={"body": "Runs 7 hours now."}), *SECTIONS[1:]]
    memory.index_product_docs(edited)
    assert CountingHashing.texts == embedded + 1
    hit = memory.search_product_docs("runs 7 hours", k=1, product_id=SECTIONS[0].product_id)[0]
    assert hit.text == "Runs 7 hours now."


def test_shrinking_a_section_removes_its_leftover_chunks(memory: Memory) -> None:
    long = SECTIONS[0].model_copy(update={"body": " ".join(f"word{i}." for i in range(400))})
    written = memory.index_product_docs([long])
    assert written > 2 and memory.count(PRODUCT_DOCS) == written
    assert memory.index_product_docs([SECTIONS[0]]) == 1
    assert memory.count(PRODUCT_DOCS) == 1
    empty = SECTIONS[0].model_copy(update={"body": "   "})
    assert memory.index_product_docs([empty]) == 0
    assert memory.count(PRODUCT_DOCS) == 0


def test_progress_reports_chunks_done_out_of_total(memory: Memory) -> None:
    many = product_sections(PRODUCTS, documents_per_product=6)  # 288 sections, 2 batches
    calls: list[tuple[int, int]] = []
    written = memory.index_product_docs(
        many, progress=lambda done, total: calls.append((done, total))
    )
    assert calls[0] == (0, written) and calls[-1] == (written, written)
    assert len(calls) >= 3
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_account_notes_filter_by_account_and_keep_metadata(memory: Memory) -> None:
    assert memory.index_account_notes(_notes()) == 3
    hits = memory.search_account_notes("battery life", account_id="acc-1", k=5)
    assert {hit.account_id for hit in hits} == {"acc-1"}
    top = hits[0]
    assert (top.note_id, top.contact_id, top.kind, top.collection) == (
        "n1",
        "c-1",
        "meeting",
        ACCOUNT_NOTES,
    )
    assert top.occurred_at == datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
    everyone = memory.search_account_notes("battery life", k=5)
    assert {hit.note_id for hit in everyone[:2]} == {"n1", "n3"}
    no_contact = next(hit for hit in everyone if hit.note_id == "n2")
    assert no_contact.contact_id is None
    naive = next(hit for hit in everyone if hit.note_id == "n3")
    assert naive.occurred_at == datetime(2026, 3, 5, tzinfo=UTC)  # naive read as UTC
    fact = top.as_fact()
    assert (fact.source, fact.record_id, fact.value) == (ACCOUNT_NOTES, "n1#0", top.text)


def test_delete_by_filter_and_count(memory: Memory) -> None:
    memory.index_product_docs(SECTIONS)
    memory.index_account_notes(_notes())
    assert memory.delete(PRODUCT_DOCS, where={"product_id": P10}) == len(TOPICS)
    assert memory.count(PRODUCT_DOCS) == len(SECTIONS) - len(TOPICS)
    assert memory.search_product_docs("VitaScan P10 battery", k=50, product_id=P10) == []
    # Once P10's chunks are gone its name no longer restricts the search.
    assert memory.search_product_docs("VitaScan P10 battery", k=1)[0].product_id == P12
    assert memory.delete(ACCOUNT_NOTES, where={"account_id": "acc-1"}) == 2
    assert memory.delete(ACCOUNT_NOTES, where={"account_id": "nobody"}) == 0
    assert memory.count(ACCOUNT_NOTES) == 1


@pytest.mark.parametrize("where", [{}, {"product_id": {"$bogus": 1}}, {"$and": []}])
def test_delete_refuses_empty_or_malformed_filters(
    memory: Memory, where: dict[str, object]
) -> None:
    memory.index_product_docs(SECTIONS)
    with pytest.raises(InvalidQuery):
        memory.delete(PRODUCT_DOCS, where=where)
    assert memory.count(PRODUCT_DOCS) == len(SECTIONS)


def test_unknown_collection_is_refused(memory: Memory) -> None:
    with pytest.raises(UnknownCollection):
        memory.count("emails")
    with pytest.raises(UnknownCollection):
        memory.delete("emails", where={"a": "b"})


@pytest.mark.parametrize("query", ["", "   \n", None])
def test_empty_query_is_invalid(memory: Memory, query: object) -> None:
    with pytest.raises(InvalidQuery):
        memory.search_product_docs(query)  # type: ignore[arg-type]
    with pytest.raises(ValueError):  # InvalidQuery is a ValueError for callers that expect one
        memory.search_account_notes(query)  # type: ignore[arg-type]


def test_k_is_clamped_between_1_and_50(memory: Memory) -> None:
    memory.index_product_docs(product_sections(PRODUCTS, documents_per_product=2))
    assert len(memory.search_product_docs("battery", k=0)) == 1
    assert len(memory.search_product_docs("battery", k=-3)) == 1
    assert len(memory.search_product_docs("battery", k=1000)) == 50


def test_empty_store_searches_return_nothing(memory: Memory) -> None:
    assert memory.search_product_docs("anything") == []
    assert memory.search_account_notes("anything", account_id="acc-1") == []
    assert memory.count(PRODUCT_DOCS) == memory.count(ACCOUNT_NOTES) == 0


def test_duplicate_ids_in_one_call_are_refused(memory: Memory) -> None:
    with pytest.raises(DuplicateRecord):
        memory.index_product_docs([SECTIONS[0], SECTIONS[0]])
    with pytest.raises(DuplicateRecord):
        memory.index_account_notes([_notes()[0], _notes()[0]])
    assert memory.count(PRODUCT_DOCS) == 0


def test_reopening_with_another_embedding_function_is_refused(backend: dict[str, object]) -> None:
    Memory(embedding_function=HashingEmbeddingFunction(), **backend)  # type: ignore[arg-type]
    with pytest.raises(EmbeddingMismatch):
        Memory(embedding_function=MiniLMEmbeddingFunction(), **backend)  # type: ignore[arg-type]


def test_needs_exactly_one_location(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        Memory()
    with pytest.raises(ValueError):
        Memory(path=tmp_path, url="http://127.0.0.1:8000")
    with pytest.raises(ValueError, match="http://host:port"):
        Memory(url="chroma.example")


def test_unreachable_server_is_a_precise_error() -> None:
    with pytest.raises(MemoryUnavailable):
        Memory(url="http://127.0.0.1:9", embedding_function=HashingEmbeddingFunction())


def test_from_settings_opens_the_configured_store(tmp_path: Path, empty_server: str) -> None:
    hashing = HashingEmbeddingFunction()
    embedded = Memory.from_settings(Settings(data_dir=tmp_path), embedding_function=hashing)
    embedded.index_product_docs(SECTIONS[:1])
    assert (tmp_path / "chroma").is_dir()
    again = Memory.from_settings(Settings(data_dir=tmp_path), embedding_function=hashing)
    assert again.count(PRODUCT_DOCS) == 1
    # chroma_url wins over the data folder: the server is a different, empty store.
    server = Memory.from_settings(
        Settings(data_dir=tmp_path, chroma_url=empty_server), embedding_function=hashing
    )
    assert server.count(PRODUCT_DOCS) == 0


def test_doc_section_validation() -> None:
    with pytest.raises(ValueError):
        DocSection(
            section_id="",
            document_id="d",
            document_title="t",
            product_id="p",
            product_name="n",
            heading="h",
            body="b",
        )


def test_many_empty_sections_are_batched_and_leave_nothing(memory: Memory) -> None:
    empty = [
        SECTIONS[0].model_copy(update={"section_id": f"empty-{i}", "body": ""}) for i in range(600)
    ]
    assert memory.index_product_docs([*empty, SECTIONS[0]]) == 1
    assert memory.count(PRODUCT_DOCS) == 1
