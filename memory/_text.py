"""Word-level text handling shared by the lexical parts of the memory (rerank, test embedding)."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[a-z0-9]+")
# "P-12" and "P12" name the same model; hyphens inside a word are dropped.
_INNER_HYPHEN = re.compile(r"(?<=[a-z0-9])[-\u2010\u2011](?=[a-z0-9])")

# Function words carry no topic; left in, they dominate overlap between short texts.
# fmt: off
STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "has",
    "have", "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "our", "so",
    "that", "the", "their", "this", "to", "was", "we", "what", "when", "where", "which", "who",
    "why", "will", "with", "you", "your",
))
# fmt: on


def tokens(text: str) -> list[str]:
    """Lower-case alphanumeric words, hyphens inside words removed."""
    return _TOKEN.findall(_INNER_HYPHEN.sub("", text.lower()))


def content_words(text: str) -> list[str]:
    """Tokens without stopwords."""
    return [token for token in tokens(text) if token not in STOPWORDS]
