"""POST /events over a real seeded CRM: scoring, idempotency, conflicts and bad input."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from agents.lead_scoring.win_model import WinModel, install_win_model, win_model_for
from core.recommendation import ModelInfo
from core.settings import Settings
from crm import models as m
from crm.db import make_engine, migrate
from crm.demo import seed_demo
from crm.lead_scores import LeadScoreRow
from crm.recommendations import RecommendationLog
from crm.store import CRMStore
from graphs.registry import GraphSpec, registered_graphs
from llm.gateway import chat_model
from llm.providers import register_providers
from llm.scripted import scripted_model
from server import create_app
from tests.support.credentials import admin_headers

pytestmark = pytest.mark.anyio


@dataclass
class CRMServices:
    """The slice of the agent services the event intake and the lead scoring graph reach."""

    crm: CRMStore
    recommendations: RecommendationLog
    chat_model: Any = None
    model_info: ModelInfo = field(default_factory=lambda: ModelInfo(name="scripted/test"))

    def close(self) -> None:
        self.crm.engine.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", model="scripted/test")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, WinModel]:
    """A seeded demo database to copy, and its fitted win model."""
    path = tmp_path_factory.mktemp("events") / "crm.db"
    migrate(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    seed_demo(engine, seed=3, scale=0.05)
    model = win_model_for(CRMStore(engine))
    engine.dispose()
    return path, model


@pytest.fixture
def engine(settings: Settings, template: tuple[Path, WinModel]) -> Engine:
    path, model = template
    url = settings.resolved_database_url
    Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, url.removeprefix("sqlite:///"))
    engine = make_engine(url)
    install_win_model(CRMStore(engine), model)  # the same data: no need to fit again
    return engine


@pytest.fixture
async def client(settings: Settings, engine: Engine) -> AsyncIterator[httpx.AsyncClient]:
    register_providers()
    services = CRMServices(CRMStore(engine), RecommendationLog(engine), chat_model(settings))
    graphs: dict[str, GraphSpec] = {"lead_scoring": registered_graphs()["lead_scoring"]}
    app = create_app(settings, graphs=graphs, services_factory=lambda _: services)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, headers=admin_headers(app), base_url="http://testserver"
        ) as c:
            yield c


def event(event_id: str = "WEB-1", account_id: str = "ACC-0003", **values: Any) -> dict[str, Any]:
    body = {
        "id": event_id,
        "account_id": account_id,
        "kind": "content_download",
        "occurred_at": "2026-11-01T08:00:00Z",
        "subject": "VitaScan datasheet",
    }
    body.update(values)
    return body


def count(engine: Engine, model: Any) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model)) or 0


async def test_an_event_is_stored_scored_and_routed(client, engine) -> None:
    activities = count(engine, m.Activity)
    response = await client.post("/events", json=event())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["events"] == [{"event_id": "WEB-1", "account_id": "ACC-0003", "status": "created"}]
    (score,) = body["scores"]
    assert score["account_id"] == "ACC-0003" and score["event_ids"] == ["WEB-1"]
    assert score["stage"] in ("awareness", "research", "evaluation", "negotiation", "purchase")
    assert 0 <= score["score"] <= 100 and score["grade"] in ("S", "A", "B", "C")
    assert score["route"]["agent"] in ("technical_qa", "budget", "relationships", "next_action")
    assert score["route"]["reason"] and 0 < score["confidence"] <= 1
    assert score["as_of"].startswith("2026-11-01T08:00:00")
    rec = score["recommendation"]
    assert rec["id"] == score["recommendation_id"] and rec["agent"] == "lead_scoring"
    assert rec["model"] is None  # no language model on this path
    assert count(engine, m.Activity) == activities + 1 and count(engine, LeadScoreRow) == 1
    stored = CRMStore(engine).activities_for_account(account_id="ACC-0003", limit=1)[0]
    assert stored.id == "WEB-1" and stored.subject == "VitaScan datasheet"
    logged = RecommendationLog(engine).get(recommendation_id=rec["id"])
    assert logged.content == rec["content"]


async def test_reposting_the_same_event_is_a_duplicate_and_writes_nothing(client, engine) -> None:
    first = await client.post("/events", json=event())
    again = await client.post("/events", json=event())
    assert again.status_code == 200
    assert again.json()["events"][0]["status"] == "duplicate"
    assert again.json()["scores"][0]["score_id"] == first.json()["scores"][0]["score_id"]
    assert count(engine, LeadScoreRow) == 1


async def test_a_different_body_for_a_stored_id_is_a_conflict(client, engine) -> None:
    await client.post("/events", json=event())
    response = await client.post("/events", json=event(subject="another title"))
    assert response.status_code == 409
    assert response.json() == {
        "detail": "event id(s) already stored with a different body: WEB-1",
        "code": "event_conflict",
    }
    assert count(engine, LeadScoreRow) == 1


async def test_a_batch_scores_each_account_once(client, engine) -> None:
    batch = [
        event("B-1", "ACC-0003"),
        event("B-2", "ACC-0004", kind="web_visit", url="https://x.example/pricing"),
        event("B-3", "ACC-0003", kind="meeting", occurred_at="2026-11-01T09:00:00+08:00"),
    ]
    response = await client.post("/events", json=batch)
    assert response.status_code == 201
    body = response.json()
    assert [e["event_id"] for e in body["events"]] == ["B-1", "B-2", "B-3"]
    by_account = {s["account_id"]: s["event_ids"] for s in body["scores"]}
    assert by_account == {"ACC-0003": ["B-1", "B-3"], "ACC-0004": ["B-2"]}
    mixed = await client.post("/events", json=[event("B-1", "ACC-0003"), event("B-4", "ACC-0005")])
    assert mixed.status_code == 201
    assert [e["status"] for e in mixed.json()["events"]] == ["duplicate", "created"]
    assert {s["account_id"] for s in mixed.json()["scores"]} == {"ACC-0003", "ACC-0005"}


async def test_a_tender_moves_the_account_to_purchase_and_routes_to_budget(client) -> None:
    response = await client.post(
        "/events", json=event("T-1", "ACC-0002", kind="tender_announcement", subject="Tender")
    )
    score = response.json()["scores"][0]
    assert score["stage"] == "purchase" and score["route"]["agent"] == "budget"
    assert "1 tenders" in score["route"]["reason"]


async def test_one_bad_event_rejects_the_whole_batch(client, engine) -> None:
    activities = count(engine, m.Activity)
    response = await client.post("/events", json=[event("OK-1"), event("OK-2", "ACC-9999")])
    assert response.status_code == 422
    assert response.json() == {
        "detail": "events[1].account_id: no account 'ACC-9999'",
        "code": "invalid_event",
    }
    assert count(engine, m.Activity) == activities and count(engine, LeadScoreRow) == 0


FUTURE = (datetime.now(UTC) + timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (event(kind="fax"), "event.kind: Input should be 'web_visit'"),
        (event(occurred_at="2026-11-01T08:00:00"), "event.occurred_at: Input should have timezone"),
        (event(occurred_at=FUTURE), "event.occurred_at: is in the future"),
        (event(occurred_at="1970-01-01T00:00:00Z"), "event.occurred_at: is before 1990-01-01"),
        (event(duration_s=-1), "event.duration_s: Input should be greater than or equal to 0"),
        (event(colour="red"), "event.colour: Extra inputs are not permitted"),
        ({"account_id": "ACC-0003"}, "event.id: Field required"),
        (event(id="has space"), "event.id: String should match pattern"),
        ([event("D-1"), event("D-1")], "events[1].id: 'D-1' repeats events[0]"),
        ([event(), "text"], "events[1]: request body: Input should be a valid dictionary"),
        ([], "the array holds no events"),
        ("ACC-0003", "body must be an event object or an array of events"),
        (event(contact_id="CON-99999"), "event.contact_id: no contact 'CON-99999'"),
        (event(product_id="PRD-999"), "event.product_id: no product 'PRD-999'"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(client, engine, body: Any, named: str) -> None:
    response = await client.post("/events", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_event"
    assert named in response.json()["detail"]
    assert count(engine, LeadScoreRow) == 0


async def test_a_contact_of_another_account_and_malformed_json(client, engine) -> None:
    other = CRMStore(engine).contacts_for_account(account_id="ACC-0001")[0]
    response = await client.post("/events", json=event(contact_id=other.id))
    assert response.status_code == 422
    assert (
        f"contact {other.id!r} belongs to account 'ACC-0001', not 'ACC-0003'"
        in (response.json()["detail"])
    )
    broken = await client.post(
        "/events", content=b'{"id": ', headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422 and broken.json()["code"] == "malformed_json"
    too_many = await client.post("/events", json=[event(f"N-{i}") for i in range(1001)])
    assert too_many.status_code in (413, 422)


async def test_the_registered_graph_runs_through_the_api(client, engine) -> None:
    with scripted_model(responses=["The account is busy; follow the route."], strict=True):
        response = await client.post(
            "/runs/wait",
            json={"assistant_id": "lead_scoring", "input": {"account_id": "ACC-0003"}},
        )
    assert response.status_code == 200, response.text
    values = response.json()
    rec = values["recommendation"]
    assert rec["agent"] == "lead_scoring" and rec["status"] == "final"
    assert rec["content"].startswith("The account is busy; follow the route.")
    assert RecommendationLog(engine).get(recommendation_id=rec["id"]).id == rec["id"]
