"""Thread endpoints: create, read, patch, delete, search, state of a fresh thread."""

from __future__ import annotations

import uuid

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_create_get_patch_delete(client: httpx.AsyncClient) -> None:
    created = await client.post("/threads", json={"metadata": {"rep": "ana"}})
    thread = created.json()
    assert thread["status"] == "idle" and thread["values"] is None
    # The creator is stamped as the owner, as the LangGraph server's auth examples do.
    owner = thread["metadata"].pop("owner")
    assert thread["interrupts"] == {} and thread["metadata"] == {"rep": "ana"}
    assert owner.startswith("key:")
    thread["metadata"]["owner"] = owner
    uuid.UUID(thread["thread_id"])
    path = f"/threads/{thread['thread_id']}"
    assert (await client.get(path)).json() == thread
    patched = (await client.patch(path, json={"metadata": {"stage": "won"}})).json()
    assert patched["metadata"] == {"rep": "ana", "stage": "won", "owner": owner}
    deleted = await client.delete(path)
    assert deleted.status_code == 204 and deleted.content == b""
    assert (await client.get(path)).status_code == 404


async def test_client_chosen_ids_are_kept(client: httpx.AsyncClient) -> None:
    thread_id = str(uuid.uuid4())
    assert (await client.post("/threads", json={"thread_id": thread_id})).json()[
        "thread_id"
    ] == thread_id


async def test_search_by_metadata_status_and_ids(client: httpx.AsyncClient) -> None:
    north = (await client.post("/threads", json={"metadata": {"team": "north"}})).json()
    south = (await client.post("/threads", json={"metadata": {"team": "south"}})).json()
    found = (await client.post("/threads/search", json={"metadata": {"team": "north"}})).json()
    assert [t["thread_id"] for t in found] == [north["thread_id"]]
    assert len((await client.post("/threads/search", json={"status": "idle"})).json()) == 2
    by_id = (await client.post("/threads/search", json={"ids": [south["thread_id"]]})).json()
    assert [t["thread_id"] for t in by_id] == [south["thread_id"]]
    assert len((await client.post("/threads/search", json={"limit": 1})).json()) == 1
    bad = await client.post("/threads/search", json={"status": "sleeping"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("status")


async def test_state_of_a_thread_without_runs_is_empty(client: httpx.AsyncClient) -> None:
    thread_id = (await client.post("/threads", json={})).json()["thread_id"]
    state = (await client.get(f"/threads/{thread_id}/state")).json()
    assert state["values"] == {} and state["next"] == [] and state["tasks"] == []
    assert state["checkpoint"]["thread_id"] == thread_id


async def test_unsupported_supersteps_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/threads", json={"supersteps": [{"updates": []}]})
    assert response.status_code == 422 and response.json()["code"] == "unsupported_option"
