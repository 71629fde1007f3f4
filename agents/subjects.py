"""What a rep's request is about: the account and deal, resolved as the rep means them.

One resolver for every agent that takes an account or a deal (budget, relationships,
next_action, lead_scoring, and the supervisor's follow-ups), so "Ruijin Hospital's open deal"
means the same deal everywhere. In order:

1. A deal id in the message (DEAL-0553) is that deal, and its account.
2. The account: structured input (``account_id``), else an account named in the message (by id
   or full name), else, unless the message asks across the rep's accounts
   (``is_portfolio_question``): a reference to the conversation ("that hospital", "this deal",
   "their ...") is the conversation's account; otherwise the page's selected account (the
   run's ``focus``), and failing that the subject the supervisor carries from its last answer
   (a bare follow-up such as "and the budget?"; a specialist on its own does not read "thanks"
   as a new request about the last account). The conversation's account is that carried
   subject, else the newest earlier message that names exactly one account or deal.
3. The deal, once the account is known: "this deal" is the conversation's deal at that account;
   "the largest (biggest, highest-value) open deal" is the open deal with the largest amount;
   "X's open deal" is X's only open deal. With several open deals the subject carries them as
   ``choices`` and the agent asks which one (``which_deal_question``) instead of guessing; with
   none, ``no_open_deal`` says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from agents.conversation import is_portfolio_question, text_of
from crm.errors import NotFound
from crm.records import AccountRecord, DealRecord
from tools.stakeholders import StakeholderTools

# Problems an agent answers with a question back to the rep (which of these deals?), so that
# the rep's next message answers it.
CLARIFYING_CODES = frozenset({"which_deal", "no_open_deal"})

_DEAL_ID = re.compile(r"\bDEAL-\d+\b", re.IGNORECASE)
_PLACE = r"(?:hospital|account|customer|client|clinic|centre|center|institute|site)"
# Words that point back into the conversation rather than naming a subject.
_BACK_REFERENCE = re.compile(
    rf"\b(?:this|that|the\s+same|same)\s+(?:{_PLACE}|deal|opportunity|one)\b"
    r"|\b(?:its|their|theirs|them|they)\b",
    re.IGNORECASE,
)
_THIS_DEAL = re.compile(
    r"\b(?:this|that|the\s+same|same)\s+(?:deal|opportunity)\b|\bthe\s+deal\b", re.IGNORECASE
)
_LARGEST_DEAL = re.compile(
    r"\b(?:largest|biggest|highest[- ]value|most\s+valuable|top)\s+(?:open\s+)?"
    r"(?:deal|opportunity|one)\b",
    re.IGNORECASE,
)
# One open deal asked about ("Ruijin's open deal", "the open opportunity", "the current deal");
# "open deals" (plural) asks about all of them and names none.
_OPEN_DEAL = re.compile(
    r"(?:\b(?:open|current|active|pending)|'s)\s+(?:deal|opportunity)\b(?!s)", re.IGNORECASE
)


class SubjectCRM(Protocol):
    """What the resolver reads: the (consent-gated) CRM store."""

    def get_account(self, *, account_id: str) -> AccountRecord: ...

    def get_deal(self, *, deal_id: str) -> DealRecord: ...

    def deals_for_account(self, *, account_id: str) -> list[DealRecord]: ...

    def list_accounts(self, *, limit: int = 100, offset: int = 0) -> list[AccountRecord]: ...


class UnknownRecord(LookupError):
    """A deal or account id given or written by the rep that the CRM does not hold."""

    def __init__(self, kind: str, record_id: str) -> None:
        super().__init__(f"There is no {kind} {record_id} in the CRM.")
        self.kind = kind
        self.record_id = record_id


@dataclass(frozen=True)
class DealChoice:
    """An open deal the rep may mean, as the clarifying question lists it."""

    id: str
    name: str
    stage: str
    amount: Decimal
    currency: str
    close_date: date | None

    @classmethod
    def of(cls, deal: DealRecord) -> DealChoice:
        return cls(deal.id, deal.name, deal.stage, deal.amount, deal.currency, deal.close_date)

    def line(self) -> str:
        closes = f"closes {self.close_date:%d %b %Y}" if self.close_date else "no close date"
        stage = self.stage.replace("_", " ")
        return f"- {self.id} {self.name}: {stage}, {self.currency} {self.amount:,.2f}, {closes}"


@dataclass(frozen=True)
class Subject:
    """The resolved account and deal, and how each was found.

    ``via``: ``input`` (structured input), ``text`` (named in the message), ``thread`` (the
    conversation), ``focus`` (the page's selected account) or ``none``. ``deal_via``: ``id``,
    ``thread``, ``only_open`` or ``largest_open``. ``choices`` lists the open deals when the
    message means one of several; ``no_open_deal`` is set when it means an open deal and there
    is none.
    """

    account_id: str | None = None
    account_name: str | None = None
    deal_id: str | None = None
    via: str = "none"
    deal_via: str | None = None
    choices: tuple[DealChoice, ...] = ()
    no_open_deal: bool = False

    @property
    def needs_choice(self) -> bool:
        return bool(self.choices)

    def ids(self) -> dict[str, str]:
        """``account_id`` and, when resolved, ``deal_id``: a subject as the agents' state takes it."""
        found = {"account_id": self.account_id} if self.account_id else {}
        return found | ({"deal_id": self.deal_id} if self.deal_id else {})


def resolve_subject(
    crm: SubjectCRM,
    text: str,
    *,
    account_id: str | None = None,
    earlier: Sequence[Any] = (),
    focus: Mapping[str, str] | None = None,
    conversation: Mapping[str, str] | None = None,
) -> Subject:
    """The account and deal ``text`` is about (see the module docstring for the order).

    ``account_id`` is structured input; ``earlier`` the thread's messages before this one;
    ``focus`` the page's selected account; ``conversation`` the subject the conversation
    carries (the supervisor's last answer). Raises :class:`UnknownRecord` for a deal or account
    id, given or written, that the CRM does not hold.
    """
    deal_id = _first_deal_id(text)
    if deal_id:
        deal = _deal(crm, deal_id)
        return _with_account(crm, deal.account_id, via="text", deal_id=deal.id, deal_via="id")
    thread = _conversation_subject(crm, conversation, earlier)
    if account_id:
        subject = _with_account(crm, account_id.strip().upper(), via="input")
    elif named := StakeholderTools(crm).accounts_mentioned(text):  # type: ignore[arg-type]
        subject = _with_account(crm, named[0].account_id, via="text")
    elif is_portfolio_question(text):
        return Subject()
    elif _refers_back(text) and thread.get("account_id"):
        subject = _with_account(crm, thread["account_id"], via="thread")
    elif (focus or {}).get("account_id"):
        subject = _with_account(crm, str((focus or {})["account_id"]).upper(), via="focus")
    elif (conversation or {}).get("account_id"):  # a bare follow-up ("and the budget?")
        subject = _with_account(crm, thread["account_id"], via="thread")
    else:
        return Subject()
    return _with_deal(crm, subject, text, thread)


def which_deal_question(subject: Subject) -> str:
    """The clarifying answer when the rep means one of several open deals."""
    lines = "\n".join(choice.line() for choice in subject.choices)
    example = subject.choices[0].id
    return (
        f"{subject.account_name} has {len(subject.choices)} open deals. Which one do you mean?\n"
        f"{lines}\n"
        f'Reply with its deal id (for example "{example}"), or ask about the largest open deal.'
    )


def no_open_deal_text(subject: Subject) -> str:
    """What to say when the rep means an open deal and the account has none."""
    return (
        f"{subject.account_name} has no open deal. Name a deal by its id, or the products and "
        "quantities to price."
    )


def _refers_back(text: str) -> bool:
    """Whether ``text`` points into the conversation: "that hospital", "their", "this deal",
    or a deal chosen among those just listed ("the largest one")."""
    return any(rx.search(text) for rx in (_BACK_REFERENCE, _THIS_DEAL, _LARGEST_DEAL))


def _first_deal_id(text: str) -> str | None:
    match = _DEAL_ID.search(text)
    return match.group(0).upper() if match else None


def _deal(crm: SubjectCRM, deal_id: str) -> DealRecord:
    try:
        return crm.get_deal(deal_id=deal_id)
    except NotFound:
        raise UnknownRecord("deal", deal_id) from None


def _with_account(
    crm: SubjectCRM,
    account_id: str,
    *,
    via: str,
    deal_id: str | None = None,
    deal_via: str | None = None,
) -> Subject:
    try:
        account = crm.get_account(account_id=account_id)
    except NotFound:
        raise UnknownRecord("account", account_id) from None
    return Subject(
        account_id=account.id, account_name=account.name, deal_id=deal_id, via=via,
        deal_via=deal_via,
    )  # fmt: skip


def _with_deal(crm: SubjectCRM, subject: Subject, text: str, thread: Mapping[str, str]) -> Subject:
    """``subject`` with the deal the message means at its account, if it means one."""
    assert subject.account_id is not None
    same_account = thread.get("account_id") == subject.account_id
    thread_deal = thread.get("deal_id") if same_account else None
    largest, this_deal = _LARGEST_DEAL.search(text), _THIS_DEAL.search(text)
    if not largest and thread_deal and (this_deal or subject.via == "thread"):
        return replace(subject, deal_id=thread_deal, deal_via="thread")
    if not (largest or this_deal or _OPEN_DEAL.search(text)):
        return subject
    open_deals = [
        d for d in crm.deals_for_account(account_id=subject.account_id) if d.outcome == "open"
    ]
    if not open_deals:
        return replace(subject, no_open_deal=True)
    if largest:
        best = max(open_deals, key=lambda d: (d.amount, -(d.close_date or date.max).toordinal()))
        return replace(subject, deal_id=best.id, deal_via="largest_open")
    if len(open_deals) == 1:
        return replace(subject, deal_id=open_deals[0].id, deal_via="only_open")
    ordered = sorted(open_deals, key=lambda d: (d.close_date or date.max, d.id))
    return replace(subject, choices=tuple(DealChoice.of(d) for d in ordered))


def _conversation_subject(
    crm: SubjectCRM, carried: Mapping[str, str] | None, earlier: Sequence[Any]
) -> dict[str, str]:
    """The conversation's account (and deal).

    The newest earlier message naming exactly one account or deal, when it is the last answer
    (a question back, "Foshan Chest Hospital has 3 open deals...", changes the subject before
    any recommendation does); else the subject the caller carries; else the newest earlier
    message naming exactly one. A message naming several names none.
    """
    messages = list(earlier)
    newest = _named_in(crm, text_of(messages[-1])) if messages else None
    if newest:
        return newest
    if carried and carried.get("account_id"):
        return {k: str(v) for k, v in carried.items() if k in ("account_id", "deal_id") and v}
    for message in reversed(messages[:-1]):
        found = _named_in(crm, text_of(message))
        if found is not None:
            return found
    return {}


def _named_in(crm: SubjectCRM, text: str) -> dict[str, str] | None:
    """The one account (and deal) ``text`` names; {} when it names several; None when none."""
    deal_ids = list(dict.fromkeys(m.upper() for m in _DEAL_ID.findall(text)))
    if len(deal_ids) == 1:
        try:
            deal = crm.get_deal(deal_id=deal_ids[0])
        except NotFound:
            return None
        return {"account_id": deal.account_id, "deal_id": deal.id}
    accounts = StakeholderTools(crm).accounts_mentioned(text)  # type: ignore[arg-type]
    if len(accounts) == 1:
        return {"account_id": accounts[0].account_id}
    return {} if accounts or deal_ids else None
