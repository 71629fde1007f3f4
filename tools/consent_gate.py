"""Consent at the point of use: the CRM store and note search as agents see them.

:class:`ConsentGatedCRM` is the CRM store every agent reads through (``AgentServices.crm``).
Each call asks the consent checker afresh which of the people involved lack ``ai_processing``
consent (no caching, so a revocation counts from the next call) and leaves their data out:

- the contact itself (``get_contact`` and ``activities_for_contact`` raise
  :class:`ConsentWithheld`; lists skip them; a manager who withheld consent becomes
  ``reports_to = None``);
- activities whose contact or meeting attendees include them, or whose subject or body names
  them (full name, e-mail, phone or id);
- a deal's ``primary_contact_id`` when it is them.

Account-note searches (``tools.stakeholders``) ask the memory to leave out chunks tied to such
a contact or naming them (Chroma ``where`` and ``where_document`` filters), so they are never
retrieved; :meth:`WithheldPeople.allows_chunk` checks the hits again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from crm.errors import NotFound
from crm.records import ActivityRecord, ContactRecord, DealRecord
from crm.store import CRMStore
from governance.consent import AI_PROCESSING, ConsentChecker
from memory import RetrievedChunk


class ConsentWithheld(NotFound):
    """The contact exists but has not consented to AI processing (or revoked it)."""

    code = "consent_withheld"

    def __init__(self, contact_id: str) -> None:
        super().__init__("contact", contact_id)
        self.args = (f"contact {contact_id!r} has not consented to AI processing",)


@dataclass(frozen=True)
class WithheldPeople:
    """The people of one read whose data must not be used, and how text can name them."""

    ids: frozenset[str]
    forms: tuple[str, ...]  # ids, full names, e-mails and phones, longest first
    pattern: re.Pattern[str] | None

    @classmethod
    def of(cls, contacts: Iterable[ContactRecord]) -> WithheldPeople:
        """From the withheld contacts' records (ids, names, e-mails, phones)."""
        people = list(contacts)
        forms = sorted(
            {
                form.strip()
                for c in people
                for form in (c.id, c.full_name, c.email or "", c.phone or "")
                if form and len(form.strip()) >= 3
            },
            key=len,
            reverse=True,
        )
        pattern = None
        if forms:
            pattern = re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(f) for f in forms) + r")(?!\w)", re.IGNORECASE
            )
        return cls(ids=frozenset(c.id for c in people), forms=tuple(forms), pattern=pattern)

    def __bool__(self) -> bool:
        return bool(self.ids)

    def named_in(self, *texts: str | None) -> bool:
        """Whether any text names one of them."""
        return self.pattern is not None and any(
            text and self.pattern.search(text) for text in texts
        )

    def involves(self, activity: ActivityRecord) -> bool:
        """Whether the activity is with one of them, or its text names one of them."""
        attendees = (activity.meta or {}).get("attendees") or []
        people = {activity.contact_id, *(str(a) for a in attendees if isinstance(a, str))}
        return bool(people & self.ids) or self.named_in(activity.subject, activity.body)

    def allows_chunk(self, chunk: RetrievedChunk) -> bool:
        """Whether a memory chunk is neither tied to one of them nor names one of them."""
        return chunk.contact_id not in self.ids and not self.named_in(chunk.text)


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
        return WithheldPeople.of(c for c in contacts if c.id in missing)

    def visible_activities(
        self, account_id: str, activities: Sequence[ActivityRecord]
    ) -> list[ActivityRecord]:
        """``activities`` of the account without those involving withheld contacts."""
        withheld = self.withheld_for_account(account_id)
        return [a for a in activities if not withheld.involves(a)] if withheld else list(activities)

    # -- people -----------------------------------------------------------------------------

    def get_contact(self, *, contact_id: str) -> ContactRecord:
        contact = super().get_contact(contact_id=contact_id)
        if self.consent.contacts_without(AI_PROCESSING, [contact_id]):
            raise ConsentWithheld(contact_id)
        return contact

    def contacts_for_account(self, *, account_id: str) -> list[ContactRecord]:
        contacts = super().contacts_for_account(account_id=account_id)
        missing = self.consent.contacts_without(AI_PROCESSING, [c.id for c in contacts])
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
