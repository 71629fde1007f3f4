"""Read notes for cues: which sentence says who decides, who pays, and how someone feels.

A note is split into sentences; the people a sentence names (full name, or a title only one
contact of the account holds) are found; each lexicon phrase in it is credited to the person
named nearest to it, or, when the writer of an incoming e-mail says "I", to the writer.
Sentiment in a sentence that names nobody goes to the note's own contact (the sender of an
e-mail, the lead of a meeting). Our own outgoing e-mails carry no sentiment of theirs.
Phrases inside parentheses are asides (a title, a quoted specification such as "cycle cancelled
alarms" or "type approval") and are not read as cues.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from agents.relationships.lexicon import (
    AUTHORITY,
    BUDGET,
    FIRST_PERSON,
    NEGATION,
    NEGATIVE,
    POSITIVE,
    CueKind,
    Phrase,
)

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(\"'])|\n+")
_ASIDE = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class Note:
    """A text about the account and where it came from."""

    source: str  # "activities" or "account_notes": the provenance source
    record_id: str  # activity id or memory chunk id
    kind: str
    occurred_at: datetime | None
    contact_id: str | None  # the e-mail's sender or recipient, the meeting's lead
    text: str

    @property
    def theirs(self) -> bool:
        """Written by the account's side (an incoming e-mail), so "I" is the contact."""
        return self.kind == "email_in"

    @property
    def ours(self) -> bool:
        """Written by us to them: their sentiment is not in it."""
        return self.kind == "email_out"


@dataclass(frozen=True)
class Cue:
    """A lexicon phrase found in a sentence and the contact it is credited to."""

    contact_id: str
    kind: CueKind
    label: str
    weight: float
    sentence: str
    note: Note


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    contact_ids: tuple[str, ...]


class PeopleIndex:
    """Finds the account's contacts named in a sentence: by full name or by a unique title."""

    def __init__(self, people: Iterable[tuple[str, str, str]]) -> None:
        """``people``: (contact_id, full name, title) of every contact of the account."""
        owners: dict[str, set[str]] = {}
        titles: dict[str, set[str]] = {}
        for contact_id, name, title in people:
            if name.strip():
                owners.setdefault(name.strip().lower(), set()).add(contact_id)
            if title.strip():
                titles.setdefault(title.strip().lower(), set()).add(contact_id)
        # A title held by several people names none of them; a shared name names all (split).
        forms = {form: tuple(sorted(ids)) for form, ids in owners.items()}
        for form, ids in titles.items():
            if len(ids) == 1:
                forms.setdefault(form, tuple(ids))
        # Longest forms first, so "Vice President, Operations" is not read as "President".
        self._forms = sorted(
            (
                (re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.IGNORECASE), ids)
                for form, ids in forms.items()
            ),
            key=lambda item: -len(item[0].pattern),
        )

    def mentions(self, sentence: str) -> list[_Mention]:
        found: list[_Mention] = []
        for pattern, ids in self._forms:
            for match in pattern.finditer(sentence):
                start, end = match.span()
                if any(m.start < end and start < m.end for m in found):
                    continue
                found.append(_Mention(start, end, ids))
        return sorted(found, key=lambda m: m.start)


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text.strip()) if part.strip()]


def read_cues(notes: Sequence[Note], people: PeopleIndex) -> list[Cue]:
    """Every cue in ``notes``; one per (note, sentence, contact, kind), the strongest phrase."""
    cues: dict[tuple[str, str, str, CueKind], Cue] = {}
    for note in notes:
        for sentence in split_sentences(note.text):
            mentions = people.mentions(sentence)
            if note.theirs and note.contact_id:
                for match in FIRST_PERSON.finditer(sentence):
                    mentions.append(_Mention(match.start(), match.end(), (note.contact_id,)))
            asides = [m.span() for m in _ASIDE.finditer(sentence)]
            for phrase in _phrases_for(note):
                for match in phrase.finditer(sentence):
                    if NEGATION.search(sentence[: match.start()]):
                        continue
                    if any(start <= match.start() < end for start, end in asides):
                        continue
                    for contact_id in _credited(phrase, match, mentions, note):
                        key = (note.record_id, sentence, contact_id, phrase.kind)
                        if key not in cues or cues[key].weight < phrase.weight:
                            cues[key] = Cue(
                                contact_id, phrase.kind, phrase.label, phrase.weight, sentence, note
                            )
    return list(cues.values())


def _phrases_for(note: Note) -> tuple[Phrase, ...]:
    if note.ours:
        return AUTHORITY + BUDGET  # "please share it with X" is ours, and still a hint
    return AUTHORITY + BUDGET + POSITIVE + NEGATIVE


def _credited(
    phrase: Phrase, match: re.Match[str], mentions: list[_Mention], note: Note
) -> tuple[str, ...]:
    """The contact(s) a phrase is said of: the nearest mention; sentiment falls back to the note."""
    if mentions:
        start, end = match.span()
        nearest = min(
            mentions,
            key=lambda m: (m.start - end if m.start >= end else start - m.end, m.start),
        )
        return nearest.contact_ids
    if phrase.kind in ("positive", "negative") and note.contact_id:
        return (note.contact_id,)
    return ()
