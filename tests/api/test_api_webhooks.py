"""Webhooks out: a run that ends POSTs itself to its webhook, retried on failure, without
ever holding up the run; a loopback receiver stands in for the other application."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from langgraph_sdk import get_client

from core.settings import Settings
from tests.support.apps import serve
from tests.support.credentials import headers_for, key_for

pytestmark = pytest.mark.anyio

HI = {"messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The receiver stands in for another application on loopback, which webhooks may only
    # reach when the allow-list names it.
    return Settings(
        data_dir=tmp_path / "data", max_request_bytes=20_000, outbound_allow=["127.0.0.1"]
    )


class Receiver:
    """What the loopback receiver got, and the statuses it answers with (200 when out)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.answers: list[int] = []


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        state.received.append(await request.json())
        return Response(status_code=state.answers.pop(0) if state.answers else 200)

    with serve(app) as url:
        yield state, f"{url}/hook"


async def _received(state: Receiver, count: int, timeout: float = 8.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while len(state.received) < count:
        assert time.monotonic() < deadline, f"webhook got {len(state.received)} of {count} calls"
        await asyncio.sleep(0.02)
    return state.received


async def test_a_finished_run_is_posted_to_its_webhook(
    runs_server: str, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create(metadata={"rep": "ana"}))["thread_id"]
        final = await client.runs.wait(thread_id, "chat", input=HI, webhook=url, metadata={"n": 1})
        [payload] = await _received(state, 1)
        assert payload["thread_id"] == thread_id and payload["status"] == "success"
        run = await client.runs.get(thread_id, payload["run_id"])
        assert payload["assistant_id"] == run["assistant_id"]
        assert payload["metadata"] == {"n": 1}
        assert payload["kwargs"]["webhook"] == url and "temporary" not in payload["kwargs"]
        assert payload["values"] == final
        assert payload["run_started_at"] <= payload["run_ended_at"] <= payload["webhook_sent_at"]
        assert "error" not in payload


async def test_failed_and_stateless_runs_are_posted_too(
    runs_server: str, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        await client.runs.wait(thread_id, "failing", input={}, webhook=url, raise_error=False)
        [failed] = await _received(state, 1)
        assert failed["status"] == "error" and failed["error"] == "ValueError: boom"
        assert failed["values"]["step"] == 1
        await client.runs.wait(None, "chat", input=HI, webhook=url)
        stateless = (await _received(state, 2))[1]
        assert stateless["status"] == "success" and stateless["values"]["step"] == 2


async def test_a_failing_receiver_is_retried_and_never_holds_up_the_run(
    runs_server: str, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    state.answers = [503, 500]
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        await client.runs.wait(thread_id, "chat", input=HI, webhook=url)
        # The retries' backoff (0.5 s, then 1 s) is not the run's business: the run is answered
        # before the last attempt reaches the receiver.
        assert len(state.received) < 3
        assert (await client.threads.get(thread_id))["status"] == "idle"
        calls = await _received(state, 3)
        assert len({call["run_id"] for call in calls}) == 1
        assert calls[0]["webhook_sent_at"] < calls[2]["webhook_sent_at"]


async def test_an_unreachable_receiver_is_logged_not_raised(
    runs_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        with caplog.at_level(logging.WARNING, logger="runtime.webhooks"):
            done = await client.runs.wait(thread_id, "chat", input=HI, webhook=dead)
            assert done["step"] == 2
            deadline = time.monotonic() + 8
            while not any("webhook" in r.getMessage() for r in caplog.records):
                assert time.monotonic() < deadline, "the failed delivery was not logged"
                await asyncio.sleep(0.05)
        message = next(r.getMessage() for r in caplog.records if "webhook" in r.getMessage())
        assert "after 3 attempt(s)" in message and dead in message
        assert (await client.threads.get(thread_id))["status"] == "idle"


async def test_a_webhook_to_an_internal_address_is_refused_when_the_run_is_created(
    runs_server: str,
) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
    async with httpx.AsyncClient(base_url=runs_server, headers=headers_for(runs_server)) as http:
        for hook, reason in (
            ("http://169.254.169.254/latest/meta-data", "link-local"),
            ("http://0x7f000001:9/hook", "loopback"),  # allowed 127.0.0.1 is this address,
            ("http://user:secret@127.0.0.1:9/hook", "user name or password"),
        ):
            body = {"assistant_id": "chat", "input": HI, "webhook": hook}
            answer = await http.post(f"/threads/{thread_id}/runs", json=body)
            if reason == "loopback":
                # ...so the allow-list covers it in this spelling too: accepted.
                assert answer.status_code == 200, answer.text
                continue
            assert answer.status_code == 422, answer.text
            assert answer.json()["code"] == "webhook_refused"
            assert reason in answer.json()["detail"] and hook in answer.json()["detail"]
            batch = await http.post("/runs/batch", json=[{**body, "webhook": hook}])
            assert batch.status_code == 422 and batch.json()["code"] == "webhook_refused"
        runs = (await http.get(f"/threads/{thread_id}/runs")).json()
        assert len(runs) == 1  # only the accepted one was created
