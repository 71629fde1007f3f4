"""The people of one read whose data consent withholds, and how their data is cut out of text.

:class:`WithheldPeople` is what the consent gate (``governance.consent_gate``) computes for an
account on every read: the contacts without ``ai_processing`` consent, how text names them, and
the rules that screen a record (withheld whole, kept in part, or kept). The rule and why it is
lawful: ``docs/consent_and_rights.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from crm.errors import NotFound
from crm.records import ActivityRecord, ContactRecord
from memory import RetrievedChunk

__all__ = ["ACCOUNT_KINDS", "WITHHELD_MARK", "ConsentWithheld", "WithheldPeople"]

# What stands in the text for the sentences and names withheld.
WITHHELD_MARK = "[withheld]"
# A public record of the account (a tender notice) is not about the contact it is filed under.
ACCOUNT_KINDS = frozenset({"tender_announcement"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# A sentence that goes on about the person the one before named.
_GOES_ON = re.compile(r"(?:he|she|they|his|her|hers|their|him|them)\b", re.IGNORECASE)


class ConsentWithheld(NotFound):
    """The contact exists but has not consented to AI processing (or revoked it)."""

    code = "consent_withheld"

    def __init__(self, contact_id: str) -> None:
        super().__init__("contact", contact_id)
        self.args = (f"contact {contact_id!r} has not consented to AI processing",)


def _names_pattern(forms: Iterable[str]) -> re.Pattern[str] | None:
    """A case-insensitive pattern matching any of ``forms`` as whole words, longest first."""
    ordered = sorted({f for f in forms if f}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(f) for f in ordered) + r")(?!\w)", re.IGNORECASE
    )


def _forms(contact: ContactRecord) -> list[str]:
    """How text can name a contact: id, full name, e-mail, phone (three characters or more)."""
    found = (contact.id, contact.full_name, contact.email or "", contact.phone or "")
    return [f.strip() for f in found if f and len(f.strip()) >= 3]


@dataclass(frozen=True)
class WithheldPeople:
    """The people of one read whose data must not be used, and how text can name them."""

    ids: frozenset[str]
    forms: tuple[str, ...]  # ids, full names, e-mails, phones and own titles, longest first
    pattern: re.Pattern[str] | None
    # How text names the account's consenting contacts (their sentences may be kept).
    consenting: re.Pattern[str] | None = None

    @classmethod
    def of(
        cls, contacts: Iterable[ContactRecord], *, others: Iterable[ContactRecord] = ()
    ) -> WithheldPeople:
        """From the withheld contacts' records (ids, names, e-mails, phones). A title names
        them too when none of ``others`` (the consenting colleagues) holds it."""
        people, colleagues = list(contacts), list(others)
        shared = {c.title.strip().lower() for c in colleagues if c.title}
        titles = {
            c.title.strip()
            for c in people
            if c.title and len(c.title.strip()) >= 3 and c.title.strip().lower() not in shared
        }
        forms = sorted({f for c in people for f in _forms(c)} | titles, key=len, reverse=True)
        return cls(
            ids=frozenset(c.id for c in people),
            forms=tuple(forms),
            pattern=_names_pattern(forms),
            consenting=_names_pattern(f for c in colleagues for f in _forms(c)),
        )

    def __bool__(self) -> bool:
        return bool(self.ids)

    def named_in(self, *texts: str | None) -> bool:
        """Whether any text names one of them."""
        return self.pattern is not None and any(
            text and self.pattern.search(text) for text in texts
        )

    def involves(self, activity: ActivityRecord) -> bool:
        """Whether the activity is with one of them, or its text names one of them."""
        return bool(_people(activity) & self.ids) or self.named_in(activity.subject, activity.body)

    def screen(self, activity: ActivityRecord) -> tuple[ActivityRecord | None, bool]:
        """``(record, changed)``: the activity as it may be used, None when it is withheld
        whole (it concerns only them); ``changed`` when parts of it were withheld."""
        if not self.involves(activity):
            return activity, False
        people = _people(activity)
        took_part = bool(people & self.ids)
        if activity.kind not in ACCOUNT_KINDS and people and people <= self.ids:
            return None, True
        meta = dict(activity.meta or {})
        attendees = meta.get("attendees")
        if isinstance(attendees, list):
            meta["attendees"] = [a for a in attendees if str(a) not in self.ids]
        contact_id = None if activity.contact_id in self.ids else activity.contact_id
        body = self.attributed(activity.body) if took_part else self.redact(activity.body)
        kept = activity.model_copy(
            update={
                "contact_id": contact_id,
                "subject": self.redact_phrase(activity.subject),
                "body": body,
                "meta": meta,
            }
        )
        return kept, True

    def redact(self, text: str | None) -> str | None:
        """``text`` without the sentences that name them, nor those right after that go on
        about someone unnamed ("She will decide."); each run of them becomes one mark."""
        if not text or not self.named_in(text):
            return text
        previous_withheld = False

        def keep(sentence: str) -> bool:
            nonlocal previous_withheld
            withheld = self.named_in(sentence) or bool(
                previous_withheld and _GOES_ON.match(sentence)
            )
            previous_withheld = withheld
            return not withheld

        return self._keep(text, keep)

    def attributed(self, text: str | None) -> str | None:
        """Of a conversation they took part in, only the sentences that name a consenting
        contact and none of them (anything else may be their words)."""
        if not text:
            return text
        consenting = self.consenting
        return self._keep(
            text,
            lambda s: (
                consenting is not None and consenting.search(s) is not None and not self.named_in(s)
            ),
        )

    @staticmethod
    def _keep(text: str, keep: Callable[[str], bool]) -> str:
        kept: list[str] = []
        for sentence in _SENTENCE_END.split(text):
            if keep(sentence):
                kept.append(sentence)
            elif not kept or kept[-1] != WITHHELD_MARK:
                kept.append(WITHHELD_MARK)
        return " ".join(kept)

    def redact_phrase(self, text: str | None) -> str | None:
        """A short text (a subject line) with each name, e-mail, phone or title replaced."""
        if not text or self.pattern is None:
            return text
        return self.pattern.sub(WITHHELD_MARK, text)

    def allows_chunk(self, chunk: RetrievedChunk) -> bool:
        """Whether a memory chunk is neither tied to one of them nor names one of them."""
        return chunk.contact_id not in self.ids and not self.named_in(chunk.text)


def _people(activity: ActivityRecord) -> set[str]:
    """The contacts a record is with: its contact and any meeting attendees."""
    attendees = (activity.meta or {}).get("attendees") or []
    found = {str(a) for a in attendees if isinstance(a, str)}
    return found | ({activity.contact_id} if activity.contact_id else set())
