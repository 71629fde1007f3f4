"""Every failure answers ``{"detail", "code"}`` with a 4xx that names the problem; never a 500."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

pytestmark = pytest.mark.anyio

HI = {"messages": [{"role": "user", "content": "hi"}]}


def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail", "code"} and body["code"] == code
    return str(body["detail"])


async def test_unknown_assistant_is_a_404_naming_it(client: httpx.AsyncClient) -> None:
    thread_id = (await client.post("/threads", json={})).json()["thread_id"]
    detail = _error(
        await client.post(f"/threads/{thread_id}/runs/stream", json={"assistant_id": "ghost"}),
        404,
        "assistant_not_found",
    )
    assert "ghost" in detail
    assert "ghost" in _error(await client.get("/assistants/ghost"), 404, "assistant_not_found")
    assert (await client.get(f"/threads/{thread_id}")).json()["status"] == "idle"


async def test_unknown_thread_and_run_are_404s_naming_them(client: httpx.AsyncClient) -> None:
    missing = str(uuid.uuid4())
    for response in (
        await client.get(f"/threads/{missing}"),
        await client.get(f"/threads/{missing}/state"),
        await client.patch(f"/threads/{missing}", json={"metadata": {}}),
        await client.delete(f"/threads/{missing}"),
        await client.get(f"/threads/{missing}/runs"),
        await client.post(
            f"/threads/{missing}/runs/stream", json={"assistant_id": "chat", "input": HI}
        ),
        await client.post(
            f"/threads/{missing}/runs/wait", json={"assistant_id": "chat", "input": HI}
        ),
    ):
        assert missing in _error(response, 404, "thread_not_found")
    thread_id = (await client.post("/threads", json={})).json()["thread_id"]
    run_id = str(uuid.uuid4())
    for response in (
        await client.get(f"/threads/{thread_id}/runs/{run_id}"),
        await client.get(f"/threads/{thread_id}/runs/{run_id}/join"),
        await client.get(f"/threads/{thread_id}/runs/{run_id}/stream"),
        await client.post(f"/threads/{thread_id}/runs/{run_id}/cancel"),
    ):
        assert run_id in _error(response, 404, "run_not_found")


async def test_malformed_json_is_a_422_saying_so(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/threads", content=b'{"metadata": {"a": 1,}', headers={"content-type": "application/json"}
    )
    detail = _error(response, 422, "malformed_json")
    assert "malformed JSON" in detail and "character" in detail


async def test_wrong_types_are_422s_naming_the_field(client: httpx.AsyncClient) -> None:
    thread_id = (await client.post("/threads", json={})).json()["thread_id"]
    cases = {
        "stream_mode": {"assistant_id": "chat", "stream_mode": "everything"},
        "assistant_id": {"input": HI},
        "config.recursion_limit": {"assistant_id": "chat", "config": {"recursion_limit": "many"}},
        "metadata": {"assistant_id": "chat", "metadata": ["not", "a", "dict"]},
        "stream_subgraphs": {"assistant_id": "chat", "stream_subgraphs": "maybe"},
    }
    for field, body in cases.items():
        detail = _error(
            await client.post(f"/threads/{thread_id}/runs/stream", json=body),
            422,
            "invalid_request",
        )
        assert detail.startswith(field), detail
    both = {"assistant_id": "chat", "input": HI, "command": {"resume": 1}}
    assert "either input or command" in _error(
        await client.post(f"/threads/{thread_id}/runs/wait", json=both), 422, "invalid_request"
    )
    not_object = await client.post("/threads/search", json=[1, 2])
    assert "request body" in _error(not_object, 422, "invalid_request")
    bad_id = await client.post("/threads", json={"thread_id": "not-a-uuid"})
    assert _error(bad_id, 422, "invalid_request").startswith("thread_id")
    assert (await client.get(f"/threads/{thread_id}")).json()["status"] == "idle"


async def test_bad_run_options_are_422s_naming_them(client: httpx.AsyncClient) -> None:
    thread_id = (await client.post("/threads", json={})).json()["thread_id"]
    for option, value in (
        ("multitask_strategy", "later"),
        ("after_seconds", -1),
        ("webhook", "ftp://127.0.0.1/hook"),
        ("webhook", "/relative/hook"),
    ):
        body = {"assistant_id": "chat", "input": HI, option: value}
        detail = _error(
            await client.post(f"/threads/{thread_id}/runs/wait", json=body),
            422,
            "invalid_request",
        )
        assert detail.startswith(f"{option}: ")
    assert (await client.get(f"/threads/{thread_id}/runs")).json() == []


async def test_thread_id_conflict_is_a_409_unless_do_nothing(client: httpx.AsyncClient) -> None:
    thread_id = str(uuid.uuid4())
    first = await client.post("/threads", json={"thread_id": thread_id, "metadata": {"n": 1}})
    assert first.status_code == 200
    assert thread_id in _error(
        await client.post("/threads", json={"thread_id": thread_id}), 409, "thread_exists"
    )
    same = await client.post("/threads", json={"thread_id": thread_id, "if_exists": "do_nothing"})
    # The thread as it was made: its metadata, with the owner stamped at creation.
    assert same.json()["metadata"] == first.json()["metadata"]
    assert same.json()["metadata"]["n"] == 1


async def test_bodies_over_the_limit_are_413_by_header_and_while_reading(
    client: httpx.AsyncClient,
) -> None:
    big = {"assistant_id": "chat", "input": {"text": "x" * 30_000}}
    assert "20000 bytes" in _error(
        await client.post("/runs/wait", json=big), 413, "request_too_large"
    )

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"metadata": {"text": "'
        for _ in range(30):
            yield b"x" * 1000
        yield b'"}}'

    chunked = await client.post(
        "/threads", content=chunks(), headers={"content-type": "application/json"}
    )
    _error(chunked, 413, "request_too_large")
    assert (await client.post("/threads/search", json={})).json() == []


async def test_bodies_that_are_not_declared_json_are_415(client: httpx.AsyncClient) -> None:
    plain = await client.post(
        "/threads", content=b"thread please", headers={"content-type": "text/plain"}
    )
    assert "text/plain" in _error(plain, 415, "unsupported_media_type")
    untyped = await client.post("/threads", content=b'{"metadata": {"k": "v"}}')
    assert "no Content-Type" in _error(untyped, 415, "unsupported_media_type")
    typed = await client.post(
        "/threads",
        content=b'{"metadata": {"k": "v"}}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert typed.status_code == 200 and typed.json()["metadata"]["k"] == "v"


async def test_bodiless_posts_need_no_content_type(client: httpx.AsyncClient) -> None:
    assert (await client.post("/threads")).status_code == 200
    thread_id = (await client.post("/threads", json={})).json()["thread_id"]
    run_id = (
        await client.post(f"/threads/{thread_id}/runs", json={"assistant_id": "gated", "input": {}})
    ).json()["run_id"]
    assert (await client.post(f"/threads/{thread_id}/runs/{run_id}/cancel")).status_code == 202


async def test_framework_errors_use_the_same_shape(client: httpx.AsyncClient) -> None:
    _error(await client.get("/no/such/route"), 404, "not_found")
    _error(await client.put("/threads"), 405, "method_not_allowed")


async def test_union_fields_name_the_field_without_type_noise(client: httpx.AsyncClient) -> None:
    thread_id = (await client.post("/threads", json={})).json()["thread_id"]
    body = {"assistant_id": "chat", "command": {"update": 5}}
    detail = _error(
        await client.post(f"/threads/{thread_id}/runs/wait", json=body), 422, "invalid_request"
    )
    assert detail.startswith("command.update: ") and "[" not in detail.split(":")[0]
    goto = {"assistant_id": "chat", "command": {"goto": 5}}
    detail = _error(
        await client.post(f"/threads/{thread_id}/runs/wait", json=goto), 422, "invalid_request"
    )
    assert detail.startswith("command.goto: each target must be a node name")
    modes = {"assistant_id": "chat", "stream_mode": ["values", "everything"]}
    detail = _error(
        await client.post(f"/threads/{thread_id}/runs/stream", json=modes), 422, "invalid_request"
    )
    assert "'everything' is not supported" in detail
