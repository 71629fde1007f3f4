"""Deterministic evidence handling: which passages answer the question, and is a draft grounded.

The language model only phrases the answer; whether the documentation contains one, which
sentence states it, and whether the phrasing invents figures are decided here, in code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

_WORD = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")

# Words that carry no topic: question words, auxiliaries, articles and sales-chat filler.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "can",
        "could",
        "describe",
        "detail",
        "details",
        "do",
        "does",
        "did",
        "for",
        "from",
        "give",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "it's",
        "me",
        "much",
        "many",
        "my",
        "of",
        "on",
        "or",
        "our",
        "please",
        "say",
        "says",
        "should",
        "tell",
        "than",
        "that",
        "the",
        "their",
        "them",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "us",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "about",
        "any",
        "all",
        "also",
        "there's",
        "know",
        "need",
        "long",
        "big",
        "large",
        "much",
        "product",
        "device",
        "unit",
        "model",
    ]
)


@dataclass(frozen=True)
class Evidence:
    """The sentence of a passage that best answers the question."""

    passage_index: int
    sentence: str
    overlap: int


def terms(text: str, *, ignore: Iterable[str] = ()) -> set[str]:
    """Topic words of ``text``: lower-cased, stop words and ``ignore`` words removed, plural -s folded."""
    ignored = {word for phrase in ignore for word in _WORD.findall(phrase.lower())}
    found = set()
    for word in _WORD.findall(text.lower()):
        if word in STOPWORDS or word in ignored or len(word) < 2:
            continue
        found.add(word[:-1] if len(word) > 3 and word.endswith("s") else word)
    return found


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text.strip()) if part.strip()]


def best_evidence(question_terms: set[str], passages: Sequence[dict[str, Any]]) -> Evidence | None:
    """The sentence sharing most topic words with the question; ties go to the better-ranked passage."""
    best: Evidence | None = None
    for index, passage in enumerate(passages):
        for sentence in split_sentences(passage["text"]):
            overlap = len(question_terms & terms(sentence))
            if overlap and (best is None or overlap > best.overlap):
                best = Evidence(index, sentence, overlap)
    return best


def relevant_passages(
    passages: Sequence[dict[str, Any]],
    question_terms: set[str],
    *,
    min_score: float,
    max_gap: float = 0.15,
) -> list[dict[str, Any]]:
    """Passages similar enough to the question that also share a topic word with it.

    "Similar enough" is both absolute (``min_score``) and relative: within ``max_gap`` of the
    best passage, so a strong match is not diluted by weaker sections that merely share a word.
    """
    if not passages:
        return []
    floor = max(min_score, max(p["score"] for p in passages) - max_gap)
    relevant = []
    for passage in passages:
        if passage["score"] < floor:
            continue
        if question_terms and not question_terms & terms(passage["text"]):
            continue
        relevant.append(passage)
    return relevant


def answer_confidence(
    *, top_score: float, overlap: int, question_terms: int, grounded: bool
) -> float:
    """A [0, 1] confidence from retrieval similarity, term coverage and grounding.

    Raw and uncalibrated: the calibration harness maps it against human scores.
    """
    coverage = overlap / question_terms if question_terms else 0.5
    raw = (
        0.5 * min(max(top_score, 0.0), 1.0) + 0.4 * min(coverage, 1.0) + (0.1 if grounded else -0.2)
    )
    return round(min(max(raw, 0.05), 0.99), 3)
