"""What a user sees through the CRM's read services (account overviews, the records behind
provenance facts, the recommendation log) is limited to their account scope: an account
outside it is the same NotFound as an unknown one, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from core.recommendation import Fact, Recommendation
from crm import CRMStore, NotFound
from crm.account_overview import AccountOverviews
from crm.provenance import ProvenanceRecords
from crm.recommendations import FeedbackInput, RecommendationLog
from crm.records import AccountRecord
from crm.scope import AccountScope


@pytest.fixture
def accounts(seeded: Engine) -> tuple[AccountRecord, AccountRecord, AccountScope]:
    """An account of one region, one of another, and the scope of the first region."""
    everything = CRMStore(seeded).list_accounts(limit=1000)
    mine = everything[-1]
    other = next(a for a in everything if a.region != mine.region)
    return mine, other, AccountScope(regions=frozenset({mine.region}))


def _not_found_like_unknown(read: object, hidden_id: str, unknown_id: str) -> None:
    """``read(id)`` raises the same NotFound for ``hidden_id`` as for ``unknown_id``."""
    assert callable(read)
    with pytest.raises(NotFound) as hidden:
        read(hidden_id)
    with pytest.raises(NotFound) as unknown:
        read(unknown_id)
    # A memory chunk id (``<activity id>#<n>``) is reported as the activity it was cut from.
    unknown_owner, hidden_owner = unknown_id.split("#")[0], hidden_id.split("#")[0]
    assert str(hidden.value) == str(unknown.value).replace(unknown_owner, hidden_owner)


def test_an_overview_outside_the_scope_is_not_found(
    seeded: Engine, accounts: tuple[AccountRecord, AccountRecord, AccountScope]
) -> None:
    mine, other, scope = accounts
    overviews = AccountOverviews(seeded).scoped(scope)
    assert overviews.overview(account_id=mine.id).account == mine
    _not_found_like_unknown(lambda i: overviews.overview(account_id=i), other.id, "ACC-9999")
    found = overviews.search(text="")
    assert found and {a.region for a in found} == {mine.region}


def test_a_provenance_record_outside_the_scope_is_not_found(
    seeded: Engine, accounts: tuple[AccountRecord, AccountRecord, AccountScope]
) -> None:
    mine, other, scope = accounts
    store = CRMStore(seeded)
    records = ProvenanceRecords(seeded).scoped(scope)
    activity = store.activities_for_account(account_id=other.id, limit=1)[0]
    contact = store.contacts_for_account(account_id=other.id)[0]
    deal = store.deals_for_account(account_id=other.id)[0]
    quote = store.quotes_for_account(account_id=other.id)[0]
    budget = store.budgets_for_account(account_id=other.id)[0]
    hidden = {
        "accounts": (other.id, "ACC-9999"),
        "contacts": (contact.id, "CON-99999"),
        "deals": (deal.id, "DEAL-99999"),
        "activities": (activity.id, "EVT-999999"),
        "account_notes": (f"{activity.id}#0", "EVT-999999#0"),
        "quotes": (quote.id, "Q-99999"),
        "account_budgets": (f"{other.id}:{budget.year}", f"ACC-9999:{budget.year}"),
    }
    for source, (hidden_id, unknown_id) in hidden.items():
        _not_found_like_unknown(
            lambda i, s=source: records.record(source=s, record_id=i), hidden_id, unknown_id
        )
    assert records.record(source="accounts", record_id=mine.id).record_id == mine.id
    # The catalogue is everyone's.
    product = store.list_products()[0]
    assert records.record(source="products", record_id=product.id).record_id == product.id


def _rec(account: str | None) -> Recommendation:
    return Recommendation(
        kind="answer",
        agent="relationships",
        subject={"account_id": account} if account else {},
        content="Talk to the head of nursing.",
        confidence=0.7,
        provenance=[Fact(source="accounts", record_id=account or "-", field="name", value="x")],
    )


def test_recommendations_outside_the_scope_are_not_listed_nor_found(
    seeded: Engine, accounts: tuple[AccountRecord, AccountRecord, AccountScope]
) -> None:
    mine, other, scope = accounts
    log = RecommendationLog(seeded)
    own, hidden, general = (
        log.record(_rec(mine.id)),
        log.record(_rec(other.id)),
        log.record(_rec(None)),
    )
    listed = {r.id for r in log.search(scope=scope, limit=1000)}
    assert own.id in listed and general.id in listed and hidden.id not in listed
    assert log.search(account_id=other.id, scope=scope) == []
    assert {r.id for r in log.search(limit=1000)} >= {own.id, hidden.id, general.id}
    _not_found_like_unknown(
        lambda i: log.get(recommendation_id=i, scope=scope), hidden.id, "no-such-id"
    )
    verdict = FeedbackInput(verdict="accept")
    _not_found_like_unknown(
        lambda i: log.add_feedback(recommendation_id=i, feedback=verdict, scope=scope),
        hidden.id,
        "no-such-id",
    )
    assert log.get(recommendation_id=own.id, scope=scope).id == own.id
    assert log.add_feedback(recommendation_id=own.id, feedback=verdict, scope=scope)
