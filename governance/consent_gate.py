"""Consent at the point of use: the CRM store agents read, with withheld people's data left out.

:class:`ConsentGatedCRM` is the CRM store every agent reads through (``AgentServices.crm``).
Each call asks the consent checker afresh which of the people involved lack ``ai_processing``
consent (no caching, so a revocation counts from the next call) and withholds what is theirs:

- the contact itself (``get_contact`` and ``activities_for_contact`` raise
  :class:`ConsentWithheld`; lists skip them; a manager who withheld consent becomes
  ``reports_to = None``);
- a record that concerns only such people (an e-mail from or to them, a call with them, a
  meeting only they attended, their web visits): withheld whole;
- a record they took part in together with people who consented (a meeting with several
  attendees): kept with its date, kind, subject and the consenting participants; their id is
  removed from the attendees and as the record's contact, and of its notes only the sentences
  that name a consenting contact and none of them are kept (an unattributed sentence of a
  conversation they were in may be their words, so it is withheld);
- a record that merely names them (a colleague's e-mail saying "before Lan Xie reviews it"):
  kept without the sentences that name them and those right after that go on about them;
- in every kept record's subject, their name, e-mail, phone or own title is replaced;
- a deal's ``primary_contact_id`` when it is them.

Every call reports what it withheld (people, and records per kind, whole or in part) to the
tallies of :func:`governance.consent_tally.collect_withheld` open in the caller's context, so an
agent can say what it could not see. Account-note searches (``tools.stakeholders``) ask the
memory to leave out chunks tied to such a contact or naming them (Chroma ``where`` and
``where_document`` filters); a chunk's vector is computed from all its words, so it cannot be
used in part. The rule and why it is lawful: ``docs/consent_and_rights.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from crm.errors import NotFound
from crm.records import ActivityRecord, ContactRecord, DealRecord
from crm.store import CRMStore
from governance.consent import AI_PROCESSING, ConsentChecker
from governance.consent_tally import WithheldTally, collect_withheld, report_withheld
from memory import RetrievedChunk

__all__ = [
    "WITHHELD_MARK",
    "ConsentGatedCRM",
    "ConsentWithheld",
    "WithheldPeople",
    "collect_withheld",
    "withheld_for_account",
]

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


class ConsentGatedCRM(CRMStore):
    """The CRM store with the data of contacts lacking ``ai_processing`` consent left out."""

    def __init__(self, engine: Engine, *, consent: ConsentChecker) -> None:
        super().__init__(engine)
        self.consent = consent

    @property
    def ungated(self) -> CRMStore:
        """The plain store, for reads that are not AI processing (checking an id exists)."""
        return CRMStore(self.engine)

    def withheld_for_account(self, account_id: str) -> WithheldPeople:
        """The account's contacts without ``ai_processing`` consent, asked now."""
        contacts = super().contacts_for_account(account_id=account_id)
        missing = self.consent.contacts_without(AI_PROCESSING, [c.id for c in contacts])
        return WithheldPeople.of(
            (c for c in contacts if c.id in missing),
            others=(c for c in contacts if c.id not in missing),
        )

    def visible_activities(
        self, account_id: str, activities: Sequence[ActivityRecord]
    ) -> list[ActivityRecord]:
        """``activities`` of the account as they may be used: those concerning only withheld
        contacts left out, the others without what is theirs (reported to open tallies)."""
        withheld = self.withheld_for_account(account_id)
        if not withheld:
            return list(activities)
        tally = WithheldTally(people=set(withheld.ids))
        kept: list[ActivityRecord] = []
        for activity in activities:
            record, changed = withheld.screen(activity)
            if changed:
                tally.add_record(activity.kind, activity.id, whole=record is None)
            if record is not None:
                kept.append(record)
        report_withheld(tally)
        return kept

    # -- people -----------------------------------------------------------------------------

    def get_contact(self, *, contact_id: str) -> ContactRecord:
        contact = super().get_contact(contact_id=contact_id)
        if self.consent.contacts_without(AI_PROCESSING, [contact_id]):
            report_withheld(WithheldTally(people={contact_id}))
            raise ConsentWithheld(contact_id)
        return contact

    def contacts_for_account(self, *, account_id: str) -> list[ContactRecord]:
        contacts = super().contacts_for_account(account_id=account_id)
        missing = self.consent.contacts_without(AI_PROCESSING, [c.id for c in contacts])
        report_withheld(WithheldTally(people=set(missing)))
        return [
            c.model_copy(update={"reports_to": None}) if c.reports_to in missing else c
            for c in contacts
            if c.id not in missing
        ]

    # -- behaviour --------------------------------------------------------------------------

    def activities_for_account(
        self,
        *,
        account_id: str,
        since: datetime | None = None,
        kinds: Sequence[str] | None = None,
        limit: int = 500,
    ) -> list[ActivityRecord]:
        found = super().activities_for_account(
            account_id=account_id, since=since, kinds=kinds, limit=limit
        )
        return self.visible_activities(account_id, found)

    def activities_for_contact(
        self, *, contact_id: str, since: datetime | None = None, limit: int = 500
    ) -> list[ActivityRecord]:
        contact = self.get_contact(contact_id=contact_id)  # raises ConsentWithheld
        found = super().activities_for_contact(contact_id=contact_id, since=since, limit=limit)
        return self.visible_activities(contact.account_id, found)

    # -- deals ------------------------------------------------------------------------------

    def _scrub(self, deals: list[DealRecord]) -> list[DealRecord]:
        named = [d.primary_contact_id for d in deals if d.primary_contact_id]
        missing = self.consent.contacts_without(AI_PROCESSING, named) if named else set()
        # The deal itself is used; only whom it names is not. Its contact is not counted among
        # the people left out: a deal read as a comparable may be another account's.
        tally = WithheldTally()
        for deal in deals:
            if deal.primary_contact_id in missing:
                tally.add_record("deal", deal.id, whole=False)
        report_withheld(tally)
        return [
            d.model_copy(update={"primary_contact_id": None})
            if d.primary_contact_id in missing
            else d
            for d in deals
        ]

    def get_deal(self, *, deal_id: str) -> DealRecord:
        return self._scrub([super().get_deal(deal_id=deal_id)])[0]

    def get_deals(self, *, deal_ids: Sequence[str]) -> list[DealRecord]:
        return self._scrub(super().get_deals(deal_ids=deal_ids))

    def deals_for_account(self, *, account_id: str) -> list[DealRecord]:
        return self._scrub(super().deals_for_account(account_id=account_id))


def withheld_for_account(crm: CRMStore, account_id: str) -> WithheldPeople | None:
    """The account's withheld people when ``crm`` is gated; None for a plain store."""
    if isinstance(crm, ConsentGatedCRM):
        return crm.withheld_for_account(account_id)
    return None
