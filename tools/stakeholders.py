"""Stakeholder tools: an account's people, our interactions with them, and notes in memory.

Typed, read-only views over the CRM store (contacts with their reporting lines, meetings,
e-mails and calls) and the ``account_notes`` memory collection, for the relationship mapping
agent or any other. Interpreting them (who decides, who likes us) is the agent's job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from crm.errors import NotFound
from crm.reader import CRMReader
from crm.records import AccountRecord, ActivityRecord, ContactRecord
from governance.consent_gate import withheld_for_account
from memory import Memory

# Activities between people (behaviour such as web visits names no one we spoke to).
PERSON_KINDS: tuple[str, ...] = ("meeting", "email_in", "email_out", "call_answered", "call_missed")
# Interactions in which the contact answered us or sat with us.
TWO_WAY_KINDS = frozenset({"meeting", "email_in", "call_answered"})
# Attempts of ours that got no answer (yet).
OUTREACH_KINDS = frozenset({"email_out", "call_missed"})
MAX_INTERACTIONS = 5000
_ACCOUNT_ID = re.compile(r"\bACC-\d{1,10}\b", re.IGNORECASE)


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True)


class AccountRef(_Value):
    """The account a stakeholder map is about."""

    account_id: str
    name: str
    industry: str
    tier: str


class StakeholderContact(_Value):
    """A person at the account with their place in its organisation chart."""

    contact_id: str
    name: str
    title: str
    department: str
    seniority: str
    reports_to: str | None


class Interaction(_Value):
    """A meeting, e-mail or call with people of the account (newest first when listed)."""

    activity_id: str
    kind: str
    occurred_at: datetime
    contact_id: str | None
    attendees: tuple[str, ...] = ()
    subject: str | None = None
    body: str | None = None
    deal_id: str | None = None
    bulk: bool = False  # a campaign mailing (newsletter): not a conversation with anyone

    @property
    def people(self) -> tuple[str, ...]:
        """Contacts who took part: the activity's contact and any meeting attendees."""
        found = dict.fromkeys([*([self.contact_id] if self.contact_id else []), *self.attendees])
        return tuple(found)


class ContactActivity(_Value):
    """Our coverage of one contact: what we did with them and when we last spoke."""

    contact_id: str
    meetings: int = 0
    emails_in: int = 0
    emails_out: int = 0
    calls_answered: int = 0
    calls_missed: int = 0
    bulk_emails: int = 0
    two_way_recent: int = 0  # two-way interactions on or after ``recent_since``
    last_contact: datetime | None = None  # newest two-way interaction
    last_contact_activity_id: str | None = None
    last_outreach: datetime | None = None  # newest unanswered attempt of ours

    @property
    def two_way(self) -> int:
        return self.meetings + self.emails_in + self.calls_answered


class NoteHit(_Value):
    """An account-note chunk the memory found for a query."""

    note_id: str | None
    chunk_id: str
    contact_id: str | None
    kind: str | None
    occurred_at: datetime | None
    text: str
    score: float


class StakeholderTools:
    """Stakeholder tools over a CRM store and, optionally, the memory (notes search)."""

    def __init__(self, crm: CRMReader, memory: Memory | None = None) -> None:
        self.crm = crm
        self.memory = memory

    def find_account(self, account_id: str) -> AccountRef | None:
        """The account with this id, or None when there is none."""
        try:
            return _account_ref(self.crm.get_account(account_id=account_id.strip()))
        except NotFound:
            return None

    def accounts_mentioned(self, text: str) -> list[AccountRef]:
        """Accounts named in ``text`` by id (ACC-0007) or full name, in order of first mention."""
        accounts = _all_accounts(self.crm)
        by_id = {account.id.upper(): account for account in accounts}
        found: dict[str, int] = {}
        taken: list[tuple[int, int]] = []
        for match in _ACCOUNT_ID.finditer(text):
            if match.group().upper() in by_id:
                found.setdefault(match.group().upper(), match.start())
                taken.append(match.span())
        # Longest names first, so "First People's Hospital of X" is not read as a shorter name.
        for account in sorted(accounts, key=lambda a: -len(a.name)):
            pattern = re.compile(rf"(?<!\w){re.escape(account.name)}(?!\w)", re.IGNORECASE)
            for match in pattern.finditer(text):
                span = match.span()
                if any(start < span[1] and span[0] < end for start, end in taken):
                    continue
                taken.append(span)
                found[account.id] = min(found.get(account.id, span[0]), span[0])
        ordered = sorted(found, key=lambda account_id: found[account_id])
        return [_account_ref(by_id[account_id.upper()]) for account_id in ordered]

    def contacts(self, account_id: str) -> list[StakeholderContact]:
        """Every contact of the account with title, department, seniority and manager."""
        return [_contact(record) for record in self.crm.contacts_for_account(account_id=account_id)]

    def interactions(
        self,
        account_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = MAX_INTERACTIONS,
    ) -> list[Interaction]:
        """Meetings, e-mails and calls of the account, newest first, between ``since`` and ``until``."""
        records = self.crm.activities_for_account(
            account_id=account_id, since=since, kinds=PERSON_KINDS, limit=limit
        )
        return [
            _interaction(record)
            for record in records
            if until is None or record.occurred_at <= until
        ]

    def contact_activity(
        self,
        account_id: str,
        *,
        recent_since: datetime | None = None,
        until: datetime | None = None,
        interactions: Iterable[Interaction] | None = None,
    ) -> dict[str, ContactActivity]:
        """Our coverage of every contact of the account, by contact id (contacts without any too).

        Pass ``interactions`` already fetched with :meth:`interactions` to avoid a second query.
        """
        found = (
            list(interactions)
            if interactions is not None
            else self.interactions(account_id, until=until)
        )
        tallies = {c.contact_id: _Tally() for c in self.contacts(account_id)}
        for item in sorted(found, key=lambda i: (i.occurred_at, i.activity_id)):
            for person in item.people:
                if person in tallies:
                    tallies[person].add(item, recent_since)
        return {contact_id: tally.result(contact_id) for contact_id, tally in tallies.items()}

    def search_notes(self, account_id: str, query: str, *, k: int = 5) -> list[NoteHit]:
        """Account-note chunks of this account closest to ``query``; none without a memory,
        nor for an account the reader's scope leaves out (as for an unknown one)."""
        if self.memory is None:
            return []
        # The CRM reader applies the reader's account scope; the memory cannot, so it is told
        # which accounts it may return chunks of (in Chroma's where clause).
        visible = [account_id] if self.find_account(account_id) is not None else []
        if not visible:
            return []
        withheld = withheld_for_account(self.crm, account_id)
        if withheld:
            # Chunks tied to people without consent, or naming them, are never retrieved; the
            # hits are checked again with the gate's own (Python) matching.
            chunks = self.memory.search_account_notes(
                query,
                account_id=account_id,
                k=k,
                exclude_contacts=sorted(withheld.ids),
                exclude_text=withheld.forms,
                accounts=visible,
            )
            chunks = [chunk for chunk in chunks if withheld.allows_chunk(chunk)]
        else:
            chunks = self.memory.search_account_notes(
                query, account_id=account_id, k=k, accounts=visible
            )
        return [
            NoteHit(
                note_id=chunk.note_id,
                chunk_id=chunk.chunk_id,
                contact_id=chunk.contact_id,
                kind=chunk.kind,
                occurred_at=chunk.occurred_at,
                text=chunk.text,
                score=round(chunk.score, 4),
            )
            for chunk in chunks
        ]


class _Tally:
    """Counts for one contact, fed interactions oldest first."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, item: Interaction, recent_since: datetime | None) -> None:
        v = self.values
        if item.bulk:
            v["bulk_emails"] = v.get("bulk_emails", 0) + 1
            return
        field = {
            "meeting": "meetings",
            "email_in": "emails_in",
            "email_out": "emails_out",
            "call_answered": "calls_answered",
            "call_missed": "calls_missed",
        }[item.kind]
        v[field] = v.get(field, 0) + 1
        if item.kind in TWO_WAY_KINDS:
            v["last_contact"] = item.occurred_at
            v["last_contact_activity_id"] = item.activity_id
            if recent_since is None or item.occurred_at >= recent_since:
                v["two_way_recent"] = v.get("two_way_recent", 0) + 1
        elif item.kind in OUTREACH_KINDS:
            v["last_outreach"] = item.occurred_at

    def result(self, contact_id: str) -> ContactActivity:
        return ContactActivity(contact_id=contact_id, **self.values)


def _all_accounts(crm: CRMReader) -> list[AccountRecord]:
    accounts: list[AccountRecord] = []
    while True:
        page = crm.list_accounts(limit=1000, offset=len(accounts))
        accounts += page
        if len(page) < 1000:
            return accounts


def _account_ref(record: AccountRecord) -> AccountRef:
    return AccountRef(
        account_id=record.id, name=record.name, industry=record.industry, tier=record.tier
    )


def _contact(record: ContactRecord) -> StakeholderContact:
    return StakeholderContact(
        contact_id=record.id,
        name=record.full_name,
        title=record.title,
        department=record.department,
        seniority=record.seniority,
        reports_to=record.reports_to,
    )


def _interaction(record: ActivityRecord) -> Interaction:
    meta = record.meta or {}
    attendees = meta.get("attendees") or ()
    return Interaction(
        activity_id=record.id,
        kind=record.kind,
        occurred_at=record.occurred_at,
        contact_id=record.contact_id,
        attendees=tuple(str(a) for a in attendees) if isinstance(attendees, list) else (),
        subject=record.subject,
        body=record.body,
        deal_id=meta.get("deal_id"),
        bulk=bool(meta.get("campaign")),
    )
