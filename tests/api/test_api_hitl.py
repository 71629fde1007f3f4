"""Human in the loop over real HTTP with the official client: ``interrupt()`` in state and in
the stream, resuming with ``command`` (resume, update, goto), static breakpoints."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph_sdk import get_client

from tests.support.credentials import key_for
from tests.support.run_graphs import RunServices

pytestmark = pytest.mark.anyio

DRAFT = {"draft": "v1", "question": "publish?"}


async def _paused(client: Any, **options: Any) -> tuple[str, list[Any]]:
    """A review thread stopped at its interrupt, and the parts its run streamed."""
    thread_id = (await client.threads.create())["thread_id"]
    parts = [
        part
        async for part in client.runs.stream(thread_id, "review", input={"visited": []}, **options)
    ]
    return thread_id, parts


async def test_an_interrupt_shows_in_the_stream_the_state_and_the_thread(runs_server: str) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id, parts = await _paused(client, stream_mode="values")
        last = parts[-1]
        assert last.event == "values"
        assert last.data["visited"] == ["draft"]
        [pending] = last.data["__interrupt__"]
        assert pending["value"] == DRAFT and pending["id"]

        run = await client.runs.get(thread_id, parts[0].data["run_id"])
        assert run["status"] == "success"
        thread = await client.threads.get(thread_id)
        assert thread["status"] == "interrupted"
        assert [i["value"] for i in next(iter(thread["interrupts"].values()))] == [DRAFT]
        state = await client.threads.get_state(thread_id)
        assert state["next"] == ["review"]
        assert state["tasks"][0]["name"] == "review"
        assert state["tasks"][0]["interrupts"][0]["value"] == DRAFT
        assert state["interrupts"][0]["id"] == pending["id"]


async def test_interrupts_reach_clients_that_asked_for_other_modes(runs_server: str) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        _, custom_only = await _paused(client, stream_mode="custom")
        assert [p.event for p in custom_only] == ["metadata", "values"]
        assert custom_only[-1].data == {"__interrupt__": [custom_only[-1].data["__interrupt__"][0]]}
        assert custom_only[-1].data["__interrupt__"][0]["value"] == DRAFT
        _, updates = await _paused(client, stream_mode="updates")
        assert updates[-1].event == "updates"
        assert updates[-1].data["__interrupt__"][0]["value"] == DRAFT
        assert "values" not in [p.event for p in updates]
        thread_id = (await client.threads.create())["thread_id"]
        v2 = [
            p
            async for p in client.runs.stream(
                thread_id, "review", input={"visited": []}, stream_mode="values", version="v2"
            )
        ]
        assert v2[-1]["interrupts"][0]["value"] == DRAFT
        assert "__interrupt__" not in v2[-1]["data"]


async def test_resume_update_and_goto_commands(runs_server: str) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id, _ = await _paused(client)
        done = await client.runs.wait(
            thread_id, "review", command={"resume": "ship it", "update": {"note": "edited"}}
        )
        assert done == {
            "visited": ["draft", "review", "publish"],
            "note": "edited",
            "answer": "ship it",
        }
        thread = await client.threads.get(thread_id)
        assert thread["status"] == "idle" and thread["interrupts"] == {}

        thread_id, _ = await _paused(client)
        rewritten = await client.runs.wait(
            thread_id, "review", command={"resume": "no", "goto": {"node": "rewrite", "input": {}}}
        )
        assert rewritten["visited"] == ["draft", "review", "rewrite", "publish"]
        assert rewritten["note"] == "v2"


async def test_interrupt_before_and_after_stop_at_nodes_and_input_null_continues(
    runs_server: str, run_services: RunServices
) -> None:
    run_services.gate.set()
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        stopped = await client.runs.wait(thread_id, "nested", input={}, interrupt_before=["done"])
        assert stopped["visited"] == ["outer", "inner"]
        assert (await client.threads.get(thread_id))["status"] == "interrupted"
        assert (await client.threads.get_state(thread_id))["next"] == ["done"]
        finished = await client.runs.wait(thread_id, "nested", input=None)
        assert finished["visited"] == ["outer", "inner", "done"]
        assert (await client.threads.get(thread_id))["status"] == "idle"

        thread_id = (await client.threads.create())["thread_id"]
        first = await client.runs.wait(thread_id, "steps", input={}, interrupt_after=["first"])
        assert first["visited"] == ["first"]
        assert (await client.threads.get_state(thread_id))["next"] == ["second"]
        second = await client.runs.wait(thread_id, "steps", input=None, interrupt_after="*")
        assert second["visited"] == ["first", "second"]
        assert (await client.threads.get_state(thread_id))["next"] == ["third"]
        rest = await client.runs.wait(thread_id, "steps", input=None)
        assert rest["visited"] == ["first", "second", "third"]
        assert run_services.calls == {"first": 1, "second": 1, "third": 1}


async def test_breakpoint_parts_say_which_nodes_wait(runs_server: str) -> None:
    async with get_client(url=runs_server, api_key=key_for(runs_server)) as client:
        thread_id = (await client.threads.create())["thread_id"]
        parts = [
            p
            async for p in client.runs.stream(
                thread_id, "nested", input={}, stream_mode="updates", interrupt_before=["child"]
            )
        ]
        assert [p.event for p in parts] == ["metadata", "updates", "updates"]
        assert parts[-1].data == {"__interrupt__": []}
        assert (await client.threads.get(thread_id))["status"] == "interrupted"
