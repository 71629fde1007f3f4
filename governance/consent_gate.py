"""Consent at the point of use: the CRM store agents read, with withheld people's data left out.

:class:`ConsentGatedCRM` is the CRM reader every agent reads through (``AgentServices.crm``).
It wraps a :class:`crm.reader.CRMReader` and fails closed: each read is either gated here or
forwarded on the allow-list at the end of the class (one :class:`Forwarded` entry per read, with
why it is safe); nothing else of the wrapped reader is reachable, and
``tests/governance/test_governance_consent_gate_complete.py`` fails when a read of the store is
neither. Each gated call asks the consent checker afresh which of the people involved lack ``ai_processing``
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

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import Engine

from crm.enums import NOTE_KINDS
from crm.reader import CRMReader, CRMSource
from crm.records import AccountNoteRecord, ActivityRecord, ContactRecord, DealRecord
from crm.scope import AccountScope
from crm.store import CRMStore
from governance.consent import AI_PROCESSING, ConsentChecker
from governance.consent_tally import WithheldTally, collect_withheld, report_withheld
from governance.forwarded_read import Forwarded, forwarded_reads
from governance.withheld_people import WITHHELD_MARK, ConsentWithheld, WithheldPeople

__all__ = [
    "GATED_READS",
    "WITHHELD_MARK",
    "ConsentGatedCRM",
    "ConsentWithheld",
    "Forwarded",
    "forwarded_reads",
    "WithheldPeople",
    "collect_withheld",
    "withheld_for_account",
]

# The reads that may return contacts' data, each filtered below (the rest are forwarded).
GATED_READS = frozenset(
    {
        "get_contact",
        "contacts_for_account",
        "activities_for_account",
        "activities_for_contact",
        "iter_account_notes",
        "get_deal",
        "get_deals",
        "deals_for_account",
    }
)
# Every note of one account at once: the note stream is matched against its activities.
_EVERY_NOTE = 2**31 - 1


class ConsentGatedCRM:
    """A CRM reader with the data of contacts lacking ``ai_processing`` consent left out.

    A read added to the store later is not reachable here (``AttributeError``) until it is
    gated below or forwarded on the allow-list.
    """

    def __init__(self, crm: CRMReader | Engine, *, consent: ConsentChecker) -> None:
        """``crm`` is the reader to gate, or a database to read with a plain :class:`CRMStore`."""
        self._reader: CRMReader = CRMStore(crm) if isinstance(crm, Engine) else crm
        self._engine = crm if isinstance(crm, Engine) else _engine_of(crm)
        self.consent = consent

    @property
    def engine(self) -> Engine:
        """The database, for the writers built beside the gate (actions, lead scores, the
        consent ledger). Not a read: code that reads through it has chosen not to be gated."""
        if self._engine is None:
            raise AttributeError("the gated reader has no database")
        return self._engine

    @property
    def ungated(self) -> CRMReader:
        """The wrapped reader, for reads that are not AI processing (checking an id exists)."""
        return self._reader

    def scoped(self, scope: AccountScope) -> ConsentGatedCRM:
        """The same gate over the wrapped store seen within ``scope`` (consent applies as
        before); TypeError when the wrapped reader is not a store that can be narrowed."""
        if not isinstance(self._reader, CRMStore):
            raise TypeError(f"{type(self._reader).__name__} cannot be read within a scope")
        return ConsentGatedCRM(self._reader.scoped(scope), consent=self.consent)

    def withheld_for_account(self, account_id: str) -> WithheldPeople:
        """The account's contacts without ``ai_processing`` consent, asked now."""
        contacts = self._reader.contacts_for_account(account_id=account_id)
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

    # -- gated: people ----------------------------------------------------------------------

    def get_contact(self, *, contact_id: str) -> ContactRecord:
        """One contact; raises :class:`ConsentWithheld` when they have not consented."""
        contact = self._reader.get_contact(contact_id=contact_id)
        if self.consent.contacts_without(AI_PROCESSING, [contact_id]):
            report_withheld(WithheldTally(people={contact_id}))
            raise ConsentWithheld(contact_id)
        return contact

    def contacts_for_account(self, *, account_id: str) -> list[ContactRecord]:
        """The account's consenting contacts; a withheld manager becomes ``reports_to=None``."""
        contacts = self._reader.contacts_for_account(account_id=account_id)
        missing = self.consent.contacts_without(AI_PROCESSING, [c.id for c in contacts])
        report_withheld(WithheldTally(people=set(missing)))
        return [
            c.model_copy(update={"reports_to": None}) if c.reports_to in missing else c
            for c in contacts
            if c.id not in missing
        ]

    # -- gated: behaviour -------------------------------------------------------------------

    def activities_for_account(
        self,
        *,
        account_id: str,
        since: datetime | None = None,
        kinds: Sequence[str] | None = None,
        limit: int = 500,
    ) -> list[ActivityRecord]:
        """The account's behaviour events as they may be used (see :meth:`visible_activities`)."""
        found = self._reader.activities_for_account(
            account_id=account_id, since=since, kinds=kinds, limit=limit
        )
        return self.visible_activities(account_id, found)

    def activities_for_contact(
        self, *, contact_id: str, since: datetime | None = None, limit: int = 500
    ) -> list[ActivityRecord]:
        """A consenting contact's behaviour events as they may be used."""
        contact = self.get_contact(contact_id=contact_id)  # raises ConsentWithheld
        found = self._reader.activities_for_contact(contact_id=contact_id, since=since, limit=limit)
        return self.visible_activities(contact.account_id, found)

    def iter_account_notes(self, *, since: datetime | None = None) -> Iterator[AccountNoteRecord]:
        """Meeting notes and e-mail bodies as they may be used: each screened as the activity
        it is, as :meth:`activities_for_account` does (withheld whole, or in part)."""
        screens: dict[str, tuple[WithheldPeople, dict[str, ActivityRecord]]] = {}
        for note in self._reader.iter_account_notes(since=since):
            if note.account_id not in screens:
                screens[note.account_id] = self._note_screen(note.account_id, since)
            withheld, activities = screens[note.account_id]
            if not withheld:
                yield note
                continue
            activity = activities.get(note.id)
            # A note written since its account's activities were read is not known: withheld.
            record, changed = withheld.screen(activity) if activity else (None, True)
            if changed:
                tally = WithheldTally()
                tally.add_record(note.kind, note.id, whole=record is None)
                report_withheld(tally)
            if record is not None:
                yield note.model_copy(
                    update={
                        "contact_id": record.contact_id,
                        "subject": record.subject,
                        "body": record.body or WITHHELD_MARK,
                    }
                )

    def _note_screen(
        self, account_id: str, since: datetime | None
    ) -> tuple[WithheldPeople, dict[str, ActivityRecord]]:
        """The account's withheld people and, when there are any, its notes as activities (a
        note alone does not say who attended the meeting)."""
        withheld = self.withheld_for_account(account_id)
        if not withheld:
            return withheld, {}
        report_withheld(WithheldTally(people=set(withheld.ids)))
        found = self._reader.activities_for_account(
            account_id=account_id, since=since, kinds=NOTE_KINDS, limit=_EVERY_NOTE
        )
        return withheld, {activity.id: activity for activity in found}

    # -- gated: deals -----------------------------------------------------------------------

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
        """One deal; its primary contact left out when they have not consented."""
        return self._scrub([self._reader.get_deal(deal_id=deal_id)])[0]

    def get_deals(self, *, deal_ids: Sequence[str]) -> list[DealRecord]:
        """The deals among ``deal_ids``, scrubbed as :meth:`get_deal`."""
        return self._scrub(self._reader.get_deals(deal_ids=deal_ids))

    def deals_for_account(self, *, account_id: str) -> list[DealRecord]:
        """The account's deals, scrubbed as :meth:`get_deal`."""
        return self._scrub(self._reader.deals_for_account(account_id=account_id))

    # -- forwarded: the allow-list of reads that carry no contact's data ---------------------
    # Contacts are the people consent is about; reps are the seller's own staff (the users).

    get_account = Forwarded(
        CRMReader.get_account, why="an organisation: name, type, size, city, tier, owner rep"
    )
    list_accounts = Forwarded(CRMReader.list_accounts, why="organisations, as get_account")
    find_accounts = Forwarded(CRMReader.find_accounts, why="organisations, as get_account")
    list_reps = Forwarded(CRMReader.list_reps, why="the seller's reps, who are not contacts")
    get_rep = Forwarded(CRMReader.get_rep, why="one of the seller's reps, not a contact")
    budgets_for_account = Forwarded(
        CRMReader.budgets_for_account, why="an organisation's yearly budget, names no one"
    )
    latest_activity_at = Forwarded(
        CRMReader.latest_activity_at, why="one timestamp, the data's clock; names no one"
    )
    get_product = Forwarded(CRMReader.get_product, why="the catalogue: products, not people")
    list_products = Forwarded(CRMReader.list_products, why="the catalogue, as get_product")
    find_products = Forwarded(CRMReader.find_products, why="the catalogue, as get_product")
    documents_for_product = Forwarded(
        CRMReader.documents_for_product, why="manufacturers' product documentation"
    )
    iter_document_sections = Forwarded(
        CRMReader.iter_document_sections, why="product documentation, as documents_for_product"
    )
    price_book_for_product = Forwarded(
        CRMReader.price_book_for_product, why="list and floor prices of a product"
    )
    quotes_for_product = Forwarded(
        CRMReader.quotes_for_product, why="prices quoted to organisations; a quote names no contact"
    )
    quotes_for_account = Forwarded(
        CRMReader.quotes_for_account, why="prices quoted to an organisation, as quotes_for_product"
    )
    counts = Forwarded(CRMReader.counts, why="rows per table: numbers, no records")


def _engine_of(reader: CRMReader) -> Engine | None:
    """The wrapped reader's database, when it has one (a plain store does)."""
    return reader.engine if isinstance(reader, CRMSource) else None


def withheld_for_account(crm: CRMReader, account_id: str) -> WithheldPeople | None:
    """The account's withheld people when ``crm`` is gated; None for a plain reader."""
    if isinstance(crm, ConsentGatedCRM):
        return crm.withheld_for_account(account_id)
    return None
