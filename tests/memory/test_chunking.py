"""Word-window chunking: sizes, overlap, sentence-friendly cuts, metadata, no cross-section chunks."""

from __future__ import annotations

from itertools import pairwise

import pytest

from memory._records import section_records
from memory.chunking import chunk_text, split_words
from tests.support.memory_corpus import product_sections


def _words(count: int) -> str:
    return " ".join(f"w{i}" for i in range(count))


def test_short_text_is_one_chunk_verbatim() -> None:
    text = "Battery: 6.5 hours.\n\n- charge 3 h\n- swap in 30 s"
    assert split_words(text) == [text]


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_blank_text_gives_no_chunks(text: str) -> None:
    assert split_words(text) == []
    assert chunk_text(text, {"section_id": "s"}) == []


def test_windows_respect_size_and_overlap_and_cover_every_word() -> None:
    windows = split_words(_words(100), max_words=30, overlap=10)
    sizes = [len(window.split()) for window in windows]
    assert all(size <= 30 for size in sizes)
    for previous, current in pairwise(windows):
        assert previous.split()[-10:] == current.split()[:10]
    covered = {word for window in windows for word in window.split()}
    assert covered == set(_words(100).split())
    assert windows[-1].split()[-1] == "w99"


def test_cut_prefers_a_sentence_end_near_the_window_end() -> None:
    text = _words(25) + ". " + _words(20)
    first = split_words(text, max_words=30, overlap=5)[0]
    assert first.endswith("w24.")


def test_zero_overlap_partitions_the_words() -> None:
    windows = split_words(_words(10), max_words=4, overlap=0)
    assert [window.split() for window in windows] == [
        ["w0", "w1", "w2", "w3"],
        ["w4", "w5", "w6", "w7"],
        ["w8", "w9"],
    ]


@pytest.mark.parametrize(("max_words", "overlap"), [(0, 0), (5, 5), (5, -1), (5, 9)])
def test_impossible_sizes_are_refused(max_words: int, overlap: int) -> None:
    with pytest.raises(ValueError):
        split_words("a b c", max_words=max_words, overlap=overlap)


def test_each_chunk_keeps_its_metadata_and_index() -> None:
    chunks = chunk_text(_words(400), {"section_id": "s1", "page": 4})
    assert [chunk.index for chunk in chunks] == list(range(len(chunks)))
    assert len(chunks) > 2
    for chunk in chunks:
        assert chunk.metadata == {"section_id": "s1", "page": 4, "chunk_index": chunk.index}


def test_chunks_never_cross_sections() -> None:
    sections = product_sections(filler=40)[:3]
    for section in sections:
        records = section_records(section)
        assert len(records) >= 2  # long enough to need several windows
        for record in records:
            assert record.chunk.text in section.body
            assert record.chunk.metadata["section_id"] == section.section_id
            assert record.embed_text.startswith(f"{section.product_name}: {section.heading}\n")
