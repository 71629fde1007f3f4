"""GET /crm/...: account search, an account at a glance, and the record behind a fact."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import select

from core.settings import Settings
from crm import models as m
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.recommendations import RecommendationLog
from crm.store import CRMStore
from server import create_app
from tests.support.credentials import admin_headers

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A small demo CRM, seeded once for the module (the routes only read)."""
    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("crm"), model="scripted/t")
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    seed_demo(engine, seed=settings.seed, scale=0.05)
    engine.dispose()
    return settings


@pytest.fixture(scope="module")
def crm(settings: Settings) -> CRMStore:
    return CRMStore(make_engine(settings.resolved_database_url))


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, graphs={}, services_factory=lambda s: None)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, headers=admin_headers(app), base_url="http://test"
        ) as http:
            yield http


async def test_search_matches_name_or_id_in_any_case(client, crm) -> None:
    account = crm.list_accounts(limit=1)[0]
    word = account.name.split()[0]
    by_name = (await client.get("/crm/accounts", params={"q": word.upper()})).json()
    assert account.id in [a["id"] for a in by_name]
    assert all(word.lower() in a["name"].lower() for a in by_name)
    by_id = (await client.get("/crm/accounts", params={"q": account.id.lower()})).json()
    assert [a["id"] for a in by_id] == [account.id]
    everything = (await client.get("/crm/accounts", params={"limit": 100})).json()
    assert len(everything) == len(crm.list_accounts())
    assert [a["name"] for a in everything] == sorted(a["name"] for a in everything)


async def test_search_treats_wildcards_as_text_and_checks_limits(client) -> None:
    assert (await client.get("/crm/accounts", params={"q": "%"})).json() == []
    assert (await client.get("/crm/accounts", params={"q": "_"})).json() == []
    for limit in (0, 101, "x"):
        response = await client.get("/crm/accounts", params={"limit": limit})
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_request"
        assert "limit" in response.json()["detail"]


async def test_overview_has_facts_open_deals_behaviour_and_no_score_yet(client, crm) -> None:
    account = crm.list_accounts(limit=1)[0]
    body = (await client.get(f"/crm/accounts/{account.id}", params={"activities": 5})).json()
    assert body["account"]["name"] == account.name
    deals = crm.deals_for_account(account_id=account.id)
    open_ids = {d.id for d in deals if d.outcome == "open"}
    assert {d["id"] for d in body["open_deals"]} == open_ids
    assert all(d["outcome"] == "open" for d in body["open_deals"])
    assert body["deals_won"] == sum(d.outcome == "won" for d in deals)
    assert body["contacts"] == len(crm.contacts_for_account(account_id=account.id))
    newest = crm.activities_for_account(account_id=account.id, limit=5)
    assert [a["id"] for a in body["recent_activities"]] == [a.id for a in newest]
    assert all(len(a["body"] or "") <= 281 for a in body["recent_activities"])
    assert body["lead_score"] is None  # scores are stored when behaviour events arrive


async def test_overview_shows_the_score_stored_by_event_intake(settings, crm) -> None:
    account = crm.list_accounts(limit=2)[1]
    app = create_app(settings, graphs={}, services_factory=_services_for(settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, headers=admin_headers(app), base_url="http://test"
        ) as client:
            event = {
                "id": "WEB-PAGE-1",
                "account_id": account.id,
                "kind": "web_visit",
                "occurred_at": _newest(crm).isoformat(),
                "url": "https://example.test/products",
            }
            stored = await client.post("/events", json=event, timeout=60)
            assert stored.status_code == 201, stored.text
            score = stored.json()["scores"][0]
            body = (await client.get(f"/crm/accounts/{account.id}")).json()
    assert body["lead_score"]["stage"] == score["stage"]
    assert body["lead_score"]["score"] == score["score"]
    assert body["recent_activities"][0]["id"] == "WEB-PAGE-1"


async def test_unknown_account_is_a_404_in_the_error_shape(client) -> None:
    response = await client.get("/crm/accounts/ACC-NOPE")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "account 'ACC-NOPE' not found",
        "code": "account_not_found",
    }
    bad = await client.get("/crm/accounts/ACC-0001", params={"activities": 0})
    assert bad.status_code == 422 and "activities" in bad.json()["detail"]


@pytest.mark.parametrize(
    ("source", "entity"),
    [
        ("accounts", "account"),
        ("contacts", "contact"),
        ("deals", "deal"),
        ("activities", "activity"),
        ("quotes", "quote"),
        ("products", "product"),
        ("price_book_entries", "price book entry"),
    ],
)
async def test_each_cited_table_resolves_to_its_row(client, crm, source, entity) -> None:
    record_id = _first_id(crm, source)
    response = await client.get(f"/crm/records/{source}/{quote(record_id, safe='')}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["source"], body["record_id"], body["entity"]) == (source, record_id, entity)
    assert body["fields"]["id"] == record_id and body["title"]


async def test_memory_chunks_and_budgets_resolve_to_the_rows_they_came_from(client, crm) -> None:
    with crm._session() as session:
        section = session.scalars(select(m.DocumentSection).limit(1)).one()
        note = session.scalars(
            select(m.Activity).where(m.Activity.kind == "meeting").limit(1)
        ).one()
        budget = session.scalars(select(m.AccountBudget).limit(1)).one()
    doc = (
        await client.get(f"/crm/records/product_docs/{quote(section.id + '#0', safe='')}")
    ).json()
    assert doc["entity"] == "documentation section" and doc["fields"]["id"] == section.id
    assert doc["fields"]["document_id"] == section.document_id and doc["fields"]["body"]
    chunk = quote(f"{note.id}#1", safe="")
    assert (await client.get(f"/crm/records/account_notes/{chunk}")).json()["fields"][
        "id"
    ] == note.id
    cited = quote(f"{budget.account_id}:{budget.year}", safe="")
    body = (await client.get(f"/crm/records/account_budgets/{cited}")).json()
    assert (
        body["fields"]["year"] == budget.year and body["fields"]["account_id"] == budget.account_id
    )


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/crm/records/computed/deal.amount", "unknown_source"),
        ("/crm/records/lead_scoring/ACC-0001", "unknown_source"),
        ("/crm/records/accounts/ACC-NOPE", "record_not_found"),
        ("/crm/records/product_docs/SEC-NOPE%230", "record_not_found"),
        ("/crm/records/account_budgets/ACC-0001", "record_not_found"),
        ("/crm/records/account_budgets/ACC-0001:1800", "record_not_found"),
        ("/crm/records/activities", "not_found"),
    ],
)
async def test_records_that_are_not_stored_are_404s(client, path, code) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == code


async def test_derived_sources_say_which_sources_have_records(client) -> None:
    detail = (await client.get("/crm/records/computed/x")).json()["detail"]
    assert "computed" in detail and "activities" in detail and "product_docs" in detail


def _first_id(crm: CRMStore, source: str) -> str:
    model = {
        "accounts": m.Account,
        "contacts": m.Contact,
        "deals": m.Deal,
        "activities": m.Activity,
        "quotes": m.Quote,
        "products": m.Product,
        "price_book_entries": m.PriceBookEntry,
    }[source]
    with crm._session() as session:
        return str(session.scalars(select(model.id).order_by(model.id).limit(1)).one())


def _newest(crm: CRMStore):
    newest = crm.latest_activity_at()
    assert newest is not None
    return newest


def _services_for(settings: Settings):
    """The slice of the services event intake reaches: the CRM store and the log, no model."""

    def build(_: Settings) -> SimpleNamespace:
        engine = make_engine(settings.resolved_database_url)
        return SimpleNamespace(crm=CRMStore(engine), recommendations=RecommendationLog(engine))

    return build


async def test_reps_are_listed_and_read_by_id_and_an_unknown_one_is_a_404(client, crm) -> None:
    reps = (await client.get("/crm/reps")).json()
    assert [r["id"] for r in reps] == sorted(r.id for r in crm.list_reps())
    assert all(r["region"] and r["email"] for r in reps)
    one = await client.get(f"/crm/reps/{reps[0]['id']}")
    assert one.status_code == 200 and one.json()["name"] == reps[0]["name"]
    missing = await client.get("/crm/reps/REP-999")
    assert missing.status_code == 404 and missing.json()["code"] == "rep_not_found"
    assert missing.json()["detail"] == "rep 'REP-999' not found"


async def test_accounts_carry_their_owner_and_filter_by_it(client, crm) -> None:
    account = crm.list_accounts(limit=1)[0]
    assert account.owner_id
    overview = (await client.get(f"/crm/accounts/{account.id}")).json()
    assert overview["account"]["owner_id"] == account.owner_id
    assert overview["owner"]["id"] == account.owner_id and overview["owner"]["name"]
    mine = await client.get("/crm/accounts", params={"owner_id": account.owner_id, "limit": 100})
    expected = {a.id for a in crm.list_accounts(limit=1000, owner_id=account.owner_id)}
    assert {a["id"] for a in mine.json()} == expected
    unknown = await client.get("/crm/accounts", params={"owner_id": "REP-999"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "rep_not_found"


async def test_an_openai_user_that_is_a_rep_id_becomes_the_runs_rep(settings, crm) -> None:
    from api.crm import known_rep
    from crm.account_overview import AccountOverviews

    overviews = AccountOverviews(crm.engine)
    rep = crm.list_reps()[0].id
    assert await known_rep(overviews, rep.lower()) == rep
    assert await known_rep(overviews, "someone@example.test") is None
    assert await known_rep(overviews, None) is None
