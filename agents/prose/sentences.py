"""Splitting model text into sentences, all at once or as tokens arrive.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` followed by white space, at ``。！？`` (no
space needed), or at a line break; never after a decimal point ("9.91"), a short
abbreviation ("e.g.", "Dr.", "No.") or a list number ("2."). Each piece keeps the white space
before it, so that joining the pieces gives back the text exactly: what is shown of a text is
always a prefix of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    "e.g i.e etc vs approx dr mr mrs ms prof no nos fig ref incl dept st jr sr co ltd inc"
    " min max avg".split()
)
_END = re.compile(r"(?:[.!?…]+[\"'”’)\]]*(?=\s)|[。！？]+[”’」』）)]*|\n)")
# Past this many characters without a sentence end, a piece is checked as it stands (a model
# repeating "Current year: 2026: 9.91% - ..." never ends a sentence).
MAX_SENTENCE_CHARS = 400


def _ends_sentence(text: str, end: re.Match[str]) -> bool:
    mark = end.group(0)
    if mark == "\n" or mark[0] in "。！？!?…":
        return True
    before = text[: end.start()]
    word = re.search(r"(\S+)$", before)
    if word is None:
        return False
    token = word.group(1).lower().rstrip(".")
    if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
        return False
    # "1." or "2." alone at the start of a line numbers a list item.
    line_start = before.rfind("\n") + 1
    return not re.fullmatch(r"\s*\d{1,2}", before[line_start:])


def split_sentences(text: str) -> list[str]:
    """``text`` as pieces, each a sentence with the white space before it; the last piece may
    be unfinished. ``"".join(split_sentences(t)) == t``."""
    splitter = SentenceSplitter()
    pieces = list(splitter.feed(text))
    rest = splitter.rest()
    return pieces + ([rest] if rest else [])


class SentenceSplitter:
    """Feeds text in as it streams; yields each sentence once it is complete."""

    def __init__(self, max_chars: int = MAX_SENTENCE_CHARS) -> None:
        self._buffer = ""
        self._max = max_chars

    @property
    def pending(self) -> str:
        """The unfinished sentence held back so far."""
        return self._buffer

    def feed(self, text: str) -> Iterator[str]:
        """Add ``text``; yield every sentence it completes (white space before it included)."""
        self._buffer += text
        while True:
            piece = self._next_sentence()
            if piece is None:
                return
            yield piece

    def rest(self) -> str:
        """What is left at the end (an unfinished sentence, or white space); clears it."""
        rest, self._buffer = self._buffer, ""
        return rest

    def _next_sentence(self) -> str | None:
        buffer = self._buffer
        start = len(buffer) - len(buffer.lstrip())
        for end in _END.finditer(buffer, start):
            if end.end() == len(buffer) and end.group(0)[-1] not in "\n。！？":
                # "3." at the very end may yet become "3.5": wait for what follows.
                return None
            if _ends_sentence(buffer, end):
                stop = end.end()
                if end.group(0) == "\n" and not buffer[start : end.start()].strip():
                    continue  # a blank line ends nothing; it leads the next sentence
                self._buffer = buffer[stop:]
                return buffer[:stop]
        if len(buffer) - start > self._max:
            cut = buffer.rfind(" ", start, start + self._max) if " " in buffer[start:] else -1
            stop = cut if cut > start else start + self._max
            self._buffer = buffer[stop:]
            return buffer[:stop]
        return None
