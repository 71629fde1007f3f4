"""Split text into overlapping windows of words, one section or note at a time.

Words (whitespace-separated) stand in for tokens: all-MiniLM-L6-v2 reads at most 256 word
pieces, about 180 English words, so the default 150-word window stays inside it with the
heading prefix the store adds for embedding. Windows are cut from the original text, so line
breaks and lists survive. A chunk never spans two sections because callers chunk each section
on its own; every chunk keeps its section's metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MAX_WORDS = 150
DEFAULT_OVERLAP = 30

_WORD = re.compile(r"\S+")
# A window may end early at a sentence end in its last quarter, so chunks read as whole thoughts.
_SENTENCE_END = re.compile(r"[.!?:;]['\")\]]*$")


@dataclass(frozen=True)
class Chunk:
    """A window of a section or note: its text, position and the metadata it inherits."""

    text: str
    index: int
    metadata: dict[str, Any] = field(default_factory=dict)


def split_words(
    text: str, *, max_words: int = DEFAULT_MAX_WORDS, overlap: int = DEFAULT_OVERLAP
) -> list[str]:
    """Windows of at most ``max_words`` words, each starting ``overlap`` words before the last ended.

    Empty or blank text gives no windows. Raises ValueError on impossible sizes.
    """
    if max_words < 1:
        raise ValueError("max_words must be at least 1")
    if not 0 <= overlap < max_words:
        raise ValueError("overlap must be at least 0 and smaller than max_words")
    spans = [match.span() for match in _WORD.finditer(text)]
    if not spans:
        return []
    windows: list[str] = []
    start = 0
    while True:
        end = min(start + max_words, len(spans))
        if end < len(spans):
            end = _sentence_cut(text, spans, start, end, overlap, max_words)
        windows.append(text[spans[start][0] : spans[end - 1][1]])
        if end >= len(spans):
            return windows
        start = end - overlap


def _sentence_cut(
    text: str, spans: list[tuple[int, int]], start: int, end: int, overlap: int, max_words: int
) -> int:
    """Move ``end`` back to just after a sentence end in the window's last quarter, if any."""
    # Never cut so early that the next window would not advance past this one's start.
    earliest = max(start + overlap + 1, end - max(1, max_words // 4))
    for candidate in range(end, earliest - 1, -1):
        word_start, word_end = spans[candidate - 1]
        if _SENTENCE_END.search(text[word_start:word_end]):
            return candidate
    return end


def chunk_text(
    text: str,
    metadata: dict[str, Any] | None = None,
    *,
    max_words: int = DEFAULT_MAX_WORDS,
    overlap: int = DEFAULT_OVERLAP,
) -> list[Chunk]:
    """Chunks of one section or note, numbered from 0, each with a copy of ``metadata``."""
    base = dict(metadata or {})
    return [
        Chunk(text=window, index=index, metadata={**base, "chunk_index": index})
        for index, window in enumerate(split_words(text, max_words=max_words, overlap=overlap))
    ]
