"""Threads, runs, interrupts, store items and recommendations belong to their creator: a rep
of the East and a rep of the West cannot see, change, delete, search or resume each other's
(404, as for something that does not exist), their manager sees the East rep's, an admin
sees everything. Over httpx's ASGITransport with real keys in the app's own database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from composition.database import shared_database
from core.recommendation import Fact, Recommendation
from core.settings import Settings
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.store import CRMStore
from identity.territories import seed_demo_territories
from tests.support.apps import make_runs_app
from tests.support.run_graphs import RunServices

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass(frozen=True)
class World:
    """The seeded data folder: each caller's key and user id, and one recommendation about an
    account of each territory."""

    settings: Settings
    keys: dict[str, str]
    user_ids: dict[str, str]
    east_rec: str
    west_rec: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("ownership"))
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    seed_demo(engine, seed=settings.seed, scale=0.05)
    crm = CRMStore(engine)
    east_rep = next(r for r in crm.list_reps() if r.region == "East")
    west_rep = next(r for r in crm.list_reps() if r.region == "West")
    east_account = crm.list_accounts(owner_id=east_rep.id, limit=1)[0]
    west_account = crm.list_accounts(region="West", limit=1)[0]
    engine.dispose()
    with shared_database(settings) as database:
        identity = database.identity
        seed_demo_territories(identity.territories)
        made = identity.users
        users = {
            "east": made.create_user(
                "rep.east", ["rep"], team=east_rep.team, territories=["East"], rep_id=east_rep.id
            ).user,
            "west": made.create_user(
                "rep.west", ["rep"], team=west_rep.team, territories=["West"], rep_id=west_rep.id
            ).user,
            "manager": made.create_user("mgr.east", ["manager"], territories=["East"]).user,
        }
        roles = {"east": "rep", "west": "rep", "manager": "manager"}
        keys = {
            caller: identity.api_keys.create(f"tests ({caller})", roles[caller], owner=user.id)
            for caller, user in users.items()
        }
        keys["admin"] = identity.api_keys.create("tests (admin)", "admin")
        recs = [
            database.recommendations.record(
                Recommendation(
                    kind="answer",
                    agent="budget",
                    subject={"account_id": account.id},
                    content="x",
                    confidence=0.6,
                    created_at=datetime(2026, 11, 1, tzinfo=UTC),
                    provenance=[
                        Fact(source="accounts", record_id=account.id, field="name", value="A")
                    ],
                )
            )
            for account in (east_account, west_account)
        ]
    return World(
        settings=settings,
        keys={caller: created.plaintext for caller, created in keys.items()},
        user_ids={caller: user.id for caller, user in users.items()},
        east_rec=recs[0].id,
        west_rec=recs[1].id,
    )


@pytest.fixture
async def clients(world: World, tmp_path: Path) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """One client per caller on the same app."""
    services = RunServices()
    services.gate.set()  # the "steps" graph waits for it
    app = make_runs_app(world.settings, services)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        made = {
            caller: httpx.AsyncClient(
                transport=transport, base_url="http://t", headers={"x-api-key": key}
            )
            for caller, key in world.keys.items()
        }
        try:
            yield made
        finally:
            for client in made.values():
                await client.aclose()


async def _thread(client: httpx.AsyncClient, **metadata: str) -> str:
    created = await client.post("/threads", json={"metadata": metadata})
    assert created.status_code == 200, created.text
    return str(created.json()["thread_id"])


async def test_a_thread_is_its_creators_and_hidden_from_another_rep(
    clients: dict[str, httpx.AsyncClient], world: World
) -> None:
    east, west = clients["east"], clients["west"]
    thread_id = await _thread(east, topic="ruijin")
    path = f"/threads/{thread_id}"
    assert (await east.get(path)).json()["metadata"]["owner"] == world.user_ids["east"]
    for method, suffix, body in [
        ("GET", "", None),
        ("PATCH", "", {"metadata": {"topic": "mine now"}}),
        ("DELETE", "", None),
        ("GET", "/state", None),
        ("GET", "/history", None),
        ("POST", "/history", {}),
        ("POST", "/copy", None),
        ("GET", "/runs", None),
    ]:
        answer = await west.request(method, path + suffix, json=body)
        assert answer.status_code == 404, (method, suffix, answer.text)
        assert answer.json()["code"] == "thread_not_found"
    assert (await west.post("/threads/search", json={})).json() == []
    assert (await west.post("/threads/count", json={})).json() == 0
    searched = await east.post("/threads/search", json={"metadata": {"topic": "ruijin"}})
    assert [t["thread_id"] for t in searched.json()] == [thread_id]
    # Taking the same id with if_exists=do_nothing does not hand the thread over.
    taken = await west.post("/threads", json={"thread_id": thread_id, "if_exists": "do_nothing"})
    assert taken.status_code == 409
    assert (await east.get(path)).json()["metadata"]["topic"] == "ruijin"


async def test_the_owner_is_never_taken_from_the_client(
    clients: dict[str, httpx.AsyncClient], world: World
) -> None:
    east = clients["east"]
    claimed = await east.post("/threads", json={"metadata": {"owner": world.user_ids["west"]}})
    assert claimed.status_code == 403 and "metadata.owner" in claimed.json()["detail"]
    thread_id = await _thread(east)
    moved = await east.patch(
        f"/threads/{thread_id}", json={"metadata": {"owner": world.user_ids["west"]}}
    )
    assert moved.status_code == 403
    copied = (await clients["manager"].post(f"/threads/{thread_id}/copy")).json()
    assert copied["metadata"]["owner"] == world.user_ids["manager"]


async def test_the_manager_and_the_admin_see_the_reps_threads(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    east_thread = await _thread(clients["east"])
    west_thread = await _thread(clients["west"])
    manager = {t["thread_id"] for t in (await clients["manager"].post("/threads/search")).json()}
    assert east_thread in manager and west_thread not in manager
    assert (await clients["manager"].get(f"/threads/{east_thread}")).status_code == 200
    assert (await clients["manager"].get(f"/threads/{west_thread}")).status_code == 404
    admin = {
        t["thread_id"]
        for t in (await clients["admin"].post("/threads/search", json={"limit": 100})).json()
    }
    assert {east_thread, west_thread} <= admin
    assert (await clients["admin"].delete(f"/threads/{west_thread}")).status_code == 204


async def test_another_reps_paused_run_cannot_be_read_resumed_or_cancelled(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    east, west = clients["east"], clients["west"]
    thread_id = await _thread(east)
    paused = await east.post(
        f"/threads/{thread_id}/runs/wait", json={"assistant_id": "review", "input": {}}
    )
    assert paused.status_code == 200, paused.text
    assert (await east.get(f"/threads/{thread_id}")).json()["status"] == "interrupted"
    run_id = (await east.get(f"/threads/{thread_id}/runs")).json()[0]["run_id"]
    resume = {"assistant_id": "review", "command": {"resume": "yes"}}
    runs = f"/threads/{thread_id}/runs"
    for method, path, body in [
        ("POST", f"{runs}/wait", resume),
        ("POST", f"{runs}/stream", resume),
        ("POST", runs, resume),
        ("POST", f"{runs}/wait", {**resume, "if_not_exists": "create"}),
        ("GET", f"{runs}/{run_id}", None),
        ("GET", f"{runs}/{run_id}/join", None),
        ("GET", f"{runs}/{run_id}/stream", None),
        ("POST", f"{runs}/{run_id}/cancel", None),
        ("DELETE", f"{runs}/{run_id}", None),
        ("POST", "/runs/cancel", {"thread_id": thread_id}),
    ]:
        answer = await west.request(method, path, json=body)
        assert answer.status_code == 404, (method, path, answer.text)
    assert (await east.get(f"/threads/{thread_id}")).json()["status"] == "interrupted"
    # The manager of the East may follow and decide on the rep's paused run.
    assert (await clients["manager"].get(f"{runs}/{run_id}")).status_code == 200
    resumed = await clients["manager"].post(f"{runs}/wait", json=resume)
    assert resumed.status_code == 200, resumed.text


async def test_a_stateless_runs_thread_is_its_starters(
    clients: dict[str, httpx.AsyncClient], world: World
) -> None:
    west = clients["west"]
    done = await west.post(
        "/runs/wait", json={"assistant_id": "steps", "input": {}, "on_completion": "keep"}
    )
    assert done.status_code == 200, done.text
    thread_id = done.headers["Content-Location"].split("/")[2]
    assert (await west.get(f"/threads/{thread_id}")).json()["metadata"]["owner"] == (
        world.user_ids["west"]
    )
    assert (await clients["east"].get(f"/threads/{thread_id}")).status_code == 404


async def test_store_items_live_under_their_owners_id(
    clients: dict[str, httpx.AsyncClient], world: World
) -> None:
    east, west = clients["east"], clients["west"]
    east_id, west_id = world.user_ids["east"], world.user_ids["west"]
    item = {"namespace": [east_id, "notes"], "key": "k", "value": {"text": "ruijin"}}
    assert (await east.put("/store/items", json=item)).status_code == 204
    assert (await west.put("/store/items", json=item)).status_code == 403
    elsewhere = await east.put("/store/items", json={**item, "namespace": ["notes"]})
    assert elsewhere.status_code == 403 and east_id in elsewhere.json()["detail"]
    query = {"namespace": f"{east_id}.notes", "key": "k"}
    assert (await east.get("/store/items", params=query)).json()["value"] == {"text": "ruijin"}
    assert (await west.get("/store/items", params=query)).status_code == 404
    delete = {"namespace": [east_id, "notes"], "key": "k"}
    assert (await west.request("DELETE", "/store/items", json=delete)).status_code == 403
    west_item = {"namespace": [west_id, "notes"], "key": "w", "value": {"text": "west"}}
    assert (await west.put("/store/items", json=west_item)).status_code == 204
    found = (await west.post("/store/items/search", json={})).json()["items"]
    assert [i["key"] for i in found] == ["w"]
    prying = await west.post("/store/items/search", json={"namespace_prefix": [east_id]})
    assert prying.status_code == 404
    spaces = (await west.post("/store/namespaces", json={})).json()["namespaces"]
    assert spaces == [[west_id, "notes"]]
    assert (await clients["manager"].get("/store/items", params=query)).status_code == 200
    everything = (await clients["admin"].post("/store/namespaces", json={})).json()
    assert [east_id, "notes"] in everything["namespaces"]
    assert (await clients["admin"].get("/store/items", params=query)).status_code == 200


async def test_recommendations_about_another_territory_are_404(
    clients: dict[str, httpx.AsyncClient], world: World
) -> None:
    feedback = {"verdict": "accept"}
    for caller in ("east", "manager"):
        client = clients[caller]
        listed = {r["id"] for r in (await client.get("/recommendations")).json()}
        assert world.east_rec in listed and world.west_rec not in listed, caller
        assert (await client.get(f"/recommendations/{world.west_rec}")).status_code == 404
        hidden = await client.post(f"/recommendations/{world.west_rec}/feedback", json=feedback)
        assert hidden.status_code == 404, caller
        assert (await client.get(f"/recommendations/{world.east_rec}")).status_code == 200
    west = clients["west"]
    assert (await west.get(f"/recommendations/{world.east_rec}")).status_code == 404
    given = await west.post(f"/recommendations/{world.west_rec}/feedback", json=feedback)
    assert given.status_code == 201, given.text
    admin = {r["id"] for r in (await clients["admin"].get("/recommendations")).json()}
    assert {world.east_rec, world.west_rec} <= admin
