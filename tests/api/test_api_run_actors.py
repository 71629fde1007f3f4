"""A run's work is done for the user who started it, and an approval for the one who resumed
it: what every ledger entry a run writes names as its actor (``core.actor``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt
from typing_extensions import TypedDict

from core.actor import current_actor
from core.settings import Settings
from graphs.registry import GraphSpec
from server import create_app
from tests.support.credentials import admin_headers, create_key
from tests.support.fake_graphs import FakeServices

pytestmark = pytest.mark.anyio


class WhoState(TypedDict, total=False):
    in_task: Any
    in_thread: Any
    decided_by: Any


def build_who_graph(*, services: Any, checkpointer: Any = None, store: Any = None) -> Any:
    """Reports the actor its steps see: an async node, a sync one (a worker thread), and the
    step after an approval."""

    async def in_task(state: WhoState) -> dict[str, Any]:
        return {"in_task": current_actor()}

    def in_thread(state: WhoState) -> dict[str, Any]:
        return {"in_thread": current_actor()}

    def approve(state: WhoState) -> dict[str, Any]:
        interrupt("approve?")
        return {"decided_by": current_actor()}

    graph = StateGraph(WhoState)
    graph.add_node("in_task", in_task)
    graph.add_node("in_thread", in_thread)
    graph.add_node("approve", approve)
    graph.add_edge(START, "in_task")
    graph.add_edge("in_task", "in_thread")
    graph.add_edge("in_thread", "approve")
    graph.add_edge("approve", END)
    return graph.compile(checkpointer=checkpointer)


@pytest.fixture
async def app(settings: Settings, services: FakeServices) -> AsyncIterator[FastAPI]:
    who = GraphSpec("who", "Who", "Reports its actor.", build_who_graph)
    application = create_app(settings, graphs={"who": who}, services_factory=lambda _: services)
    async with application.router.lifespan_context(application):
        yield application


async def _me(api: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    me: dict[str, Any] = (await api.get("/auth/me", headers=headers)).json()
    return me


async def test_a_runs_steps_act_for_its_starter_and_the_approval_for_its_resumer(
    app: FastAPI,
) -> None:
    # A thread is its starter's; an admin sees everyone's, so may decide on it.
    starter = {"x-api-key": create_key(app, "manager")}
    resumer = admin_headers(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as api:
        started_by, resumed_by = await _me(api, starter), await _me(api, resumer)
        assert started_by["user_id"] != resumed_by["user_id"]
        thread = (await api.post("/threads", json={}, headers=starter)).json()["thread_id"]
        url = f"/threads/{thread}/runs/wait"
        paused = await api.post(url, json={"assistant_id": "who", "input": {}}, headers=starter)
        assert paused.status_code == 200, paused.text
        for step in ("in_task", "in_thread"):
            actor = paused.json()[step]
            assert actor["user_id"] == started_by["user_id"], step
            assert actor["via"] == "api_key" and actor["roles"] == ["manager"]
            assert actor["credential_id"]
        resume = {"assistant_id": "who", "command": {"resume": "approve"}}
        done = await api.post(url, json=resume, headers=resumer)
        assert done.status_code == 200, done.text
        decided_by = done.json()["decided_by"]
        assert decided_by["user_id"] == resumed_by["user_id"]
        assert decided_by["roles"] == ["admin"]
        # Nothing of the runs leaks into the process's own context.
        assert current_actor() is None
