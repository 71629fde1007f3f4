"""The calibration API: batches, the review queue, scores from several reviewers, CSV import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from core.settings import Settings
from crm import models as m
from crm.db import make_engine, migrate, session_factory
from server import create_app
from tests.support.calibration_world import fill_log
from tests.support.credentials import admin_headers

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, model="scripted/test")


@pytest.fixture
def engine(settings: Settings) -> Engine:
    migrate(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    fill_log(engine)
    yield engine
    engine.dispose()


@pytest.fixture
async def app(settings: Settings, engine: Engine) -> AsyncIterator[FastAPI]:
    application = create_app(settings, graphs={}, services_factory=lambda s: None)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, headers=admin_headers(app), base_url="http://test"
    ) as http:
        yield http


class Reviewers:
    """Evaluators, each signing in with a key of their own: a reviewer is whoever asks."""

    def __init__(self, app: FastAPI) -> None:
        self._identity = app.state.services.database.identity
        self._made: dict[str, tuple[str, str]] = {}

    def _one(self, name: str) -> tuple[str, str]:
        if name not in self._made:
            user = self._identity.users.create_user(
                name, ["evaluator"], password=f"a long password for {name}"
            )
            key = self._identity.api_keys.create(f"{name}'s key", "evaluator", owner=name)
            self._made[name] = (user.user.id, key.plaintext)
        return self._made[name]

    def headers(self, name: str) -> dict[str, str]:
        return {"x-api-key": self._one(name)[1]}

    def id(self, name: str) -> str:
        return self._one(name)[0]


@pytest.fixture
def reviewers(app: FastAPI) -> Reviewers:
    return Reviewers(app)


async def _review_page(app: FastAPI, reviewers: Reviewers) -> httpx.Response:
    """The reviewers' page as Ann gets it once signed in (it sends others to sign in)."""
    reviewers.id("ann")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://localhost") as browser:
        signed_in = await browser.post(
            "/auth/sign-in", json={"name": "ann", "password": "a long password for ann"}
        )
        assert signed_in.status_code == 200, signed_in.text
        return await browser.get("/calibration/review")


async def _batch(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/calibration/batches", json={"period": "2026-10", **body})
    assert response.status_code == 201, response.text
    return response.json()


async def _queue(
    client: httpx.AsyncClient, batch_id: str, limit: int = 10, **options: Any
) -> list[dict[str, Any]]:
    """The queue of whoever asks (the admin key, or ``headers=`` someone's)."""
    response = await client.get(
        f"/calibration/batches/{batch_id}/queue", params={"limit": limit}, **options
    )
    assert response.status_code == 200, response.text
    return response.json()


def _error(response: httpx.Response, status: int, code: str, *needles: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail", "code"} and body["code"] == code, body
    for needle in needles:
        assert needle in body["detail"], body["detail"]


async def test_a_batch_is_sampled_reproducibly_and_listed(client: httpx.AsyncClient) -> None:
    first = await _batch(client, seed=5, min_per_stratum=2)
    second = await _batch(client, seed=5, min_per_stratum=2)
    assert first["population"] == 962 and first["items"] == sum(first["strata"].values())
    assert first["strata"] == second["strata"] and first["status"] == "open"
    assert any(key.startswith("relationships/") for key in first["strata"])  # the small agent
    queue_a = await _queue(client, first["id"], limit=500)
    queue_b = await _queue(client, second["id"], limit=500)
    assert [i["recommendation_id"] for i in queue_a] == [i["recommendation_id"] for i in queue_b]
    listed = (await client.get("/calibration/batches")).json()
    assert [b["id"] for b in listed] == [second["id"], first["id"]]
    got = await client.get(f"/calibration/batches/{first['id']}")
    assert got.status_code == 200 and got.json()["id"] == first["id"]


BAD_BATCH_REQUESTS: list[tuple[dict[str, Any], int, str, str]] = [
    ({"period": "2026-13"}, 422, "invalid_sample", "YYYY-MM"),
    ({"period": "October"}, 422, "invalid_request", "period"),
    ({"period": "2025-01"}, 422, "empty_period", "no recommendations"),
    ({"period": "2026-10", "rate": 0}, 422, "invalid_request", "rate"),
    ({"period": "2026-10", "rate": 1.5}, 422, "invalid_request", "rate"),
    ({"period": "2026-10", "min_per_stratum": -1}, 422, "invalid_request", "min_per_stratum"),
    (
        {
            "period": "2026-10",
            "period_start": "2026-10-01T00:00:00Z",
            "period_end": "2026-10-05T00:00:00Z",
        },
        422,
        "invalid_request",
        "either period",
    ),
    ({"period_start": "2026-10-01T00:00:00Z"}, 422, "invalid_request", "go together"),
    (
        {"period_start": "2026-10-05T00:00:00Z", "period_end": "2026-10-01T00:00:00Z"},
        422,
        "invalid_sample",
        "before",
    ),
    ({"period": "2026-10", "colour": "red"}, 422, "invalid_request", "colour"),
]


async def test_bad_batch_requests_say_what_is_wrong(client: httpx.AsyncClient) -> None:
    for body, status, code, needle in BAD_BATCH_REQUESTS:
        _error(await client.post("/calibration/batches", json=body), status, code, needle)
    assert (await client.get("/calibration/batches")).json() == []


async def test_an_explicit_period_can_be_sampled(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/calibration/batches",
        json={
            "period_start": "2026-10-01T00:00:00Z",
            "period_end": "2026-10-08T00:00:00Z",
            "rate": 0.2,
        },
    )
    assert response.status_code == 201, response.text
    assert 0 < response.json()["population"] < 962


def _add_account(engine: Engine, account_id: str, contact_id: str | None) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with session_factory(engine)() as session:
        session.add(
            m.Account(
                id=account_id,
                name="Ruijin Hospital",
                industry="hospital",
                hospital_type="university",
                beds=2000,
                city="Shanghai",
                region="East",
                tier="strategic",
                created_at=now,
            )
        )
        session.flush()
        if contact_id:
            session.add(
                m.Contact(
                    id=contact_id,
                    account_id=account_id,
                    first_name="Wei",
                    last_name="Wang",
                    title="Head of Procurement",
                    department="Procurement",
                    seniority="director",
                    created_at=now,
                )
            )
        session.commit()


async def test_several_reviewers_score_an_item_and_skips_leave_the_queue(
    client: httpx.AsyncClient, engine: Engine, reviewers: Reviewers
) -> None:
    batch = await _batch(client)
    base = f"/calibration/batches/{batch['id']}"
    as_ann, as_bob = reviewers.headers("ann"), reviewers.headers("bob")
    first, second = await _queue(client, batch["id"], limit=2, headers=as_ann)
    about_account = next(i for i in await _queue(client, batch["id"], 500) if i["account_id"])
    _add_account(engine, about_account["account_id"], about_account["contact_id"])

    detail = (await client.get(f"{base}/items/{about_account['id']}")).json()
    assert detail["recommendation"]["id"] == about_account["recommendation_id"]
    assert detail["context"]["account"]["name"] == "Ruijin Hospital"
    assert detail["context"]["contact"]["last_name"] == "Wang"
    assert "provenance" in detail["recommendation"] and detail["reviews"] == []

    ann = await client.post(
        f"{base}/items/{first['id']}/reviews",
        json={"score": 4, "correct": True, "comment": "good"},
        headers=as_ann,
    )
    bob = await client.post(
        f"{base}/items/{first['id']}/reviews",
        json={"score": 2, "correct": False, "corrected_answer": "Offer the CT instead."},
        headers=as_bob,
    )
    assert ann.status_code == bob.status_code == 201
    assert bob.json()["corrected_answer"] == "Offer the CT instead."
    _error(
        await client.post(
            f"{base}/items/{first['id']}/reviews",
            json={"score": 5, "correct": True},
            headers=as_ann,
        ),
        409,
        "review_exists",
        reviewers.id("ann"),
    )
    skipped = await client.post(f"{base}/items/{second['id']}/skip", json={}, headers=as_ann)
    assert skipped.status_code == 201 and skipped.json()["skipped"] is True
    _error(
        await client.post(f"{base}/items/{first['id']}/skip", json={}, headers=as_ann),
        409,
        "review_exists",
    )

    queue = await _queue(client, batch["id"], limit=2, headers=as_ann)
    assert first["id"] not in {i["id"] for i in queue} and second["id"] not in {
        i["id"] for i in queue
    }
    assert (await _queue(client, batch["id"], limit=1, headers=as_bob))[0]["id"] == second["id"]
    reviews = (await client.get(f"{base}/items/{first['id']}")).json()["reviews"]
    assert sorted(r["reviewer"] for r in reviews) == sorted(
        [reviewers.id("ann"), reviewers.id("bob")]
    )
    summary = (await client.get(base)).json()
    assert (summary["reviewed_items"], summary["reviews"]) == (1, 2)


async def test_a_closed_batch_leaves_the_queue_and_refuses_scores(
    client: httpx.AsyncClient,
) -> None:
    batch = await _batch(client)
    base = f"/calibration/batches/{batch['id']}"
    item = (await _queue(client, batch["id"], limit=1))[0]
    closed = await client.post(f"{base}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert await _queue(client, batch["id"]) == []
    review = {"score": 3, "correct": True}
    _error(
        await client.post(f"{base}/items/{item['id']}/reviews", json=review), 409, "batch_closed"
    )
    _error(
        await client.post(
            f"{base}/scores",
            content=b"position,reviewer,score,correct\n0,a,3,true\n",
            headers={"content-type": "text/csv"},
        ),
        409,
        "batch_closed",
    )
    _error(await client.post("/calibration/batches/nope/close"), 404, "batch_not_found")


async def test_bad_reviews_are_refused_with_the_field_named(client: httpx.AsyncClient) -> None:
    batch = await _batch(client)
    other = await _batch(client, seed=99)
    base = f"/calibration/batches/{batch['id']}"
    item = (await _queue(client, batch["id"], limit=1))[0]
    foreign = (await _queue(client, other["id"], limit=1))[0]
    url = f"{base}/items/{item['id']}/reviews"
    _error(
        await client.post(url, json={"score": 6, "correct": True}),
        422,
        "invalid_request",
        "score",
    )
    _error(
        await client.post(url, json={"score": 3}),
        422,
        "invalid_request",
        "correct",
    )
    _error(
        await client.post(url, json={"reviewer": " ", "score": 3, "correct": True}),
        422,
        "invalid_request",
        "reviewer",
    )
    _error(
        await client.post(url, json={"reviewer": "a\u0000b", "score": 3, "correct": True}),
        422,
        "invalid_request",
        "NUL",
    )
    _error(
        await client.post(url, content=b"{nope", headers={"content-type": "application/json"}),
        422,
        "malformed_json",
    )
    _error(
        await client.post(url, content=b"score=3", headers={"content-type": "text/plain"}),
        415,
        "unsupported_media_type",
    )
    _error(
        await client.post(
            f"{base}/items/{foreign['id']}/reviews",
            json={"score": 3, "correct": True},
        ),
        404,
        "item_not_found",
    )
    _error(
        await client.post(f"{base}/items/nope/skip", json={}),
        404,
        "item_not_found",
        "nope",
    )
    _error(await client.get(f"{base}/items/{foreign['id']}"), 404, "item_not_found")
    _error(await client.get("/calibration/batches/nope"), 404, "batch_not_found", "nope")
    _error(await client.get("/calibration/batches/a%00b"), 422, "invalid_request", "batch_id")
    _error(await client.get(f"{base}/queue", params={"reviewer": "a\x00"}), 422, "invalid_request")
    _error(
        await client.get("/calibration/batches/nope/queue"),
        404,
        "batch_not_found",
    )
    assert (await client.get(base)).json()["reviews"] == 0


async def test_scores_import_from_csv_and_multipart(client: httpx.AsyncClient) -> None:
    batch = await _batch(client)
    url = f"/calibration/batches/{batch['id']}/scores"
    text = 'position,reviewer,score,correct,comment\n0,ann,5,true,\n1,ann,2,false,"two,\nlines"\n2,ann,,,\n'
    text = text.replace("2,ann,,,", "2,carl,3,yes,")
    imported = await client.post(url, content=text.encode(), headers={"content-type": "text/csv"})
    assert imported.status_code == 201, imported.text
    assert imported.json() == {"batch_id": batch["id"], "reviews": 3, "skips": 0}
    upload = await client.post(
        url, files={"file": ("more.csv", b"position,reviewer,skipped\n5,dan,true\n", "text/csv")}
    )
    assert upload.status_code == 201, upload.text
    assert upload.json()["skips"] == 1
    summary = (await client.get(f"/calibration/batches/{batch['id']}")).json()
    assert (summary["reviewed_items"], summary["reviews"]) == (3, 3)


async def test_a_csv_with_bad_rows_is_refused_naming_lines_and_nothing_is_committed(
    client: httpx.AsyncClient,
) -> None:
    batch = await _batch(client)
    url = f"/calibration/batches/{batch['id']}/scores"
    text = "position,reviewer,score,correct\n0,ann,5,true\n1,ann,0,true\n99999,ann,3,true\n2,bob,4,perhaps\n"
    response = await client.post(
        url, content=text.encode(), headers={"content-type": "text/csv; charset=utf-8"}
    )
    _error(
        response,
        422,
        "scores_rejected",
        "3 bad row(s), nothing imported",
        "scores.csv:3: score:",
        "scores.csv:4: position: '99999' names no item",
        "scores.csv:5: correct: expected true or false, got 'perhaps'",
    )
    multipart = await client.post(url, files={"file": ("october.csv", text.encode(), "text/csv")})
    _error(multipart, 422, "scores_rejected", "october.csv:3")
    summary = (await client.get(f"/calibration/batches/{batch['id']}")).json()
    assert summary["reviews"] == 0
    _error(
        await client.post(
            url, content="\xff\xfe".encode("latin-1"), headers={"content-type": "text/csv"}
        ),
        422,
        "invalid_request",
        "UTF-8",
    )
    _error(await client.post(url, json={"rows": []}), 415, "unsupported_media_type", "text/csv")
    _error(
        await client.post(url, content=b"<xml/>", headers={"content-type": "application/xml"}),
        415,
        "unsupported_media_type",
    )
    two = {"a": ("a.csv", b"x", "text/csv"), "b": ("b.csv", b"y", "text/csv")}
    _error(await client.post(url, files=two), 422, "invalid_request", "exactly one")
    _error(
        await client.post(
            "/calibration/batches/nope/scores",
            content=text.encode(),
            headers={"content-type": "text/csv"},
        ),
        404,
        "batch_not_found",
    )


async def test_a_scores_file_over_the_size_limit_is_refused(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    batch = await _batch(client)
    big = b"position,reviewer,score,correct\n" + b"0,ann,5,true\n" * (
        settings.max_request_bytes // 10
    )
    response = await client.post(
        f"/calibration/batches/{batch['id']}/scores",
        content=big,
        headers={"content-type": "text/csv"},
    )
    _error(response, 413, "request_too_large")


async def test_metrics_of_a_reviewed_batch_with_drift(client: httpx.AsyncClient) -> None:
    october = await _batch(client)
    november = (await client.post("/calibration/batches", json={"period": "2026-11"})).json()
    for batch in (october, november):
        items = await _queue(client, batch["id"], limit=500)
        rows = ["item_id,reviewer,score,correct"]
        for n, item in enumerate(items):
            rows += [
                f"{item['id']},ann,{item['confidence_band']},{n % 3 != 0}",
                f"{item['id']},bob,{max(1, item['confidence_band'] - n % 2)},{n % 2 == 0}",
            ]
        response = await client.post(
            f"/calibration/batches/{batch['id']}/scores",
            content="\n".join(rows).encode(),
            headers={"content-type": "text/csv"},
        )
        assert response.status_code == 201, response.text
    metrics = await client.get(
        f"/calibration/batches/{november['id']}/metrics", params={"resamples": 200}
    )
    assert metrics.status_code == 200, metrics.text
    body = metrics.json()
    assert body["period"] == "2026-11" and body["overall"]["reviewers"] == 2
    assert body["overall"]["kappa"]["value"] > 0.8 and body["overall"]["alpha"] > 0.5
    assert set(body["per_agent"]) == {"technical_qa", "budget", "lead_scoring", "relationships"}
    assert body["qa"]["samples"] == body["per_agent"]["technical_qa"]["scores"]
    periods = {p["period"] for p in body["drift"]}
    assert periods == {"2026-10", "2026-11"}
    assert body["previous_period"] == "2026-10"
    # Agreeing reviewers are not flagged; October, the first month, has nothing to compare with.
    assert "overall" not in body["low_agreement"]
    first = (await client.get(f"/calibration/batches/{october['id']}/metrics",
                              params={"resamples": 200})).json()  # fmt: skip
    assert first["previous_period"] is None
    assert all(p["previous"] is None and not p["drifted"] for p in first["drift"])
    _error(await client.get("/calibration/batches/nope/metrics"), 404, "batch_not_found")
    _error(
        await client.get(f"/calibration/batches/{november['id']}/metrics", params={"resamples": 5}),
        422,
        "invalid_request",
        "resamples",
    )


async def test_the_review_page_is_served_without_outside_resources(
    app: FastAPI, reviewers: Reviewers
) -> None:
    page = await _review_page(app, reviewers)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "/calibration/batches" in html and "keydown" in html
    assert "http://" not in html and "https://" not in html  # no CDN: works offline


async def test_a_reviewers_progress_counts_their_own_reviews_only(
    client: httpx.AsyncClient, reviewers: Reviewers
) -> None:
    batch = await _batch(client)
    base = f"/calibration/batches/{batch['id']}"
    first, second = await _queue(client, batch["id"], limit=2)
    for reviewer in ("ann", "bob"):
        response = await client.post(
            f"{base}/items/{first['id']}/reviews",
            json={"score": 4, "correct": True},
            headers=reviewers.headers(reviewer),
        )
        assert response.status_code == 201
    await client.post(
        f"{base}/items/{second['id']}/skip", json={}, headers=reviewers.headers("ann")
    )

    async def progress(reviewer: str) -> dict[str, Any]:
        response = await client.get(f"{base}/progress", headers=reviewers.headers(reviewer))
        assert response.status_code == 200, response.text
        return response.json()

    items = batch["items"]
    assert await progress("ann") == {"batch_id": batch["id"], "reviewer": reviewers.id("ann"),
                                     "items": items, "scored": 1, "skipped": 1,
                                     "remaining": items - 2}  # fmt: skip
    bob = await progress("bob")
    assert (bob["scored"], bob["skipped"], bob["remaining"]) == (1, 0, items - 1)
    carol = await progress("carol")  # the item two others scored is still in her queue
    assert (carol["scored"], carol["skipped"], carol["remaining"]) == (0, 0, items)
    as_carol = reviewers.headers("carol")
    assert len(await _queue(client, batch["id"], limit=500, headers=as_carol)) == items
    # Who manages batches (calibration:manage; here the admin key) may read another
    # reviewer's progress by their id; nobody may score or skip for them.
    by_id = await client.get(f"{base}/progress", params={"reviewer": reviewers.id("bob")})
    assert by_id.status_code == 200 and by_id.json()["scored"] == 1
    # The batch-wide counts are everyone's: one item scored twice.
    summary = (await client.get(base)).json()
    assert (summary["reviewed_items"], summary["reviews"]) == (1, 2)

    await client.post(f"{base}/close")
    assert (await progress("ann"))["remaining"] == 0
    _error(
        await client.get("/calibration/batches/nope/progress"),
        404,
        "batch_not_found",
    )


async def test_the_review_page_explains_how_to_start_a_batch_and_the_rubric(
    app: FastAPI, reviewers: Reviewers
) -> None:
    html = (await _review_page(app, reviewers)).text
    empty = html[
        html.index('<section id="empty"') : html.index("</section>", html.index('id="empty"'))
    ]
    # Shown when the batch list is empty: the exact command and API call that start one.
    assert "<pre><code>crm-agents calibrate sample</code></pre>" in empty
    assert "/calibration/batches -H " in empty
    assert "-H 'Content-Type: application/json' -d '{}'" in empty
    assert "curl -X POST" in empty and "--period YYYY-MM" in empty
    assert '$("empty").hidden = batches.length > 0' in html
    # The rubric says what each score means.
    rubric = html[html.index('class="rubric"') :]
    for score, meaning in ((5, "Excellent"), (4, "Good"), (3, "Acceptable"), (2, "Poor"),
                           (1, "Wrong")):  # fmt: skip
        assert f"<dt>{score} · {meaning}</dt><dd>" in rubric
        assert f'data-score="{score}" aria-pressed="false" title="{meaning}"' in html
    assert "<strong>Correct</strong> means" in rubric
    # Progress is the reviewer's own.
    assert "/progress`" in html and "reviewed_items" not in html
    # Nobody types who they are: the page shows who is signed in and sends no reviewer.
    assert 'id="reviewer"' in html and "reviewer:" not in html and "?reviewer=" not in html


async def test_one_reviewer_cannot_score_skip_or_read_the_queue_as_another(
    client: httpx.AsyncClient, reviewers: Reviewers
) -> None:
    batch = await _batch(client)
    base = f"/calibration/batches/{batch['id']}"
    item = (await _queue(client, batch["id"], limit=1))[0]
    as_ann, bob = reviewers.headers("ann"), reviewers.id("bob")
    for response in (
        await client.post(
            f"{base}/items/{item['id']}/reviews",
            json={"reviewer": bob, "score": 1, "correct": False},
            headers=as_ann,
        ),
        await client.post(
            f"{base}/items/{item['id']}/skip", json={"reviewer": bob}, headers=as_ann
        ),
        await client.get(f"{base}/queue", params={"reviewer": bob}, headers=as_ann),
    ):
        _error(response, 403, "forbidden", "you act as yourself", reviewers.id("ann"), bob)
    assert (await client.get(f"{base}/items/{item['id']}")).json()["reviews"] == []
    # Naming oneself is allowed (older clients send it) and changes nothing.
    own = await client.post(
        f"{base}/items/{item['id']}/reviews",
        json={"reviewer": reviewers.id("ann"), "score": 4, "correct": True},
        headers=as_ann,
    )
    assert own.status_code == 201 and own.json()["reviewer"] == reviewers.id("ann")
