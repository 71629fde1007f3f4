"""The official ``openai`` client, unchanged, against ``/v1`` over real HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import openai
import pytest

from api.openai_compat import REPLACED_DRAFT_SEPARATOR, final_answer, remaining_text
from graphs.registry import assistant_id_for
from tests.support.credentials import headers_for, key_for
from tests.support.fake_graphs import REPLY, TOKENS, FakeServices

pytestmark = pytest.mark.anyio

HI = [{"role": "user", "content": "hi"}]


def _client(url: str, **options: Any) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=f"{url}/v1", api_key=key_for(url), max_retries=0, **options)


async def _no_threads_left(url: str) -> None:
    # Chat completions are stateless: their temporary thread is gone once the answer is.
    async with httpx.AsyncClient(base_url=url, headers=headers_for(url)) as http:
        for _ in range(100):
            threads = (await http.post("/threads/search", json={})).json()
            if not threads:
                return
            await asyncio.sleep(0.05)
    raise AssertionError(f"threads left behind: {threads}")


async def test_models_are_the_graphs_by_graph_id_or_assistant_id(live_server: str) -> None:
    client = _client(live_server)
    models = await client.models.list()
    assert sorted(m.id for m in models.data) == ["approval", "chat", "failing", "gated"]
    assert {m.object for m in models.data} == {"model"}
    by_uuid = await client.models.retrieve(assistant_id_for("chat"))
    assert by_uuid.id == "chat"
    with pytest.raises(openai.NotFoundError) as caught:
        await client.models.retrieve("nope")
    assert caught.value.code == "model_not_found"
    assert "'nope'" in caught.value.message


async def test_a_created_assistant_is_a_model_by_its_id(live_server: str) -> None:
    async with httpx.AsyncClient(base_url=live_server, headers=headers_for(live_server)) as http:
        created = (await http.post("/assistants", json={"graph_id": "chat", "name": "c"})).json()
    client = _client(live_server)
    assistant_id = created["assistant_id"]
    assert assistant_id in [m.id for m in (await client.models.list()).data]
    assert (await client.models.retrieve(assistant_id)).id == assistant_id
    answer = await client.chat.completions.create(model=assistant_id, messages=HI)
    assert answer.choices[0].message.content == REPLY


async def test_chat_completion_answers_with_the_agents_final_message(live_server: str) -> None:
    client = _client(live_server)
    for model in ("chat", assistant_id_for("chat")):
        answer = await client.chat.completions.create(
            model=model, messages=HI, user="rep-7", temperature=0.2
        )
        assert answer.id.startswith("chatcmpl-")
        assert answer.model == model
        assert answer.choices[0].message.role == "assistant"
        assert answer.choices[0].message.content == REPLY
        assert answer.choices[0].finish_reason == "stop"
        usage = answer.usage
        assert usage is not None and usage.completion_tokens > 0 and usage.prompt_tokens > 0
        assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    await _no_threads_left(live_server)


async def test_streamed_chat_completion_sends_tokens_then_done(live_server: str) -> None:
    client = _client(live_server)
    stream = await client.chat.completions.create(
        model="chat",
        messages=[
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        ],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [chunk async for chunk in stream]
    assert chunks[0].choices[0].delta.role == "assistant"
    contents = [c.choices[0].delta.content for c in chunks[1:] if c.choices]
    assert contents[: len(TOKENS)] == TOKENS
    assert "".join(text for text in contents if text) == REPLY
    finishing = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert [c.choices[0].finish_reason for c in finishing] == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens > 0
    assert len({c.id for c in chunks}) == 1
    await _no_threads_left(live_server)


async def test_stream_wire_format_is_data_lines_and_done(live_server: str) -> None:
    body = {"model": "chat", "messages": HI, "stream": True}
    async with httpx.AsyncClient(base_url=live_server, headers=headers_for(live_server)) as http:
        response = await http.post("/v1/chat/completions", json=body)
    assert response.headers["content-type"].startswith("text/event-stream")
    lines = [line for line in response.text.splitlines() if line and not line.startswith(":")]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    assert '"usage"' not in lines[-2] or '"usage":null' in lines[-2]  # not asked for


async def test_unknown_model_is_404_in_openai_shape(live_server: str) -> None:
    client = _client(live_server)
    for stream in (False, True):
        with pytest.raises(openai.NotFoundError) as caught:
            await client.chat.completions.create(model="nope", messages=HI, stream=stream)
        assert caught.value.code == "model_not_found"
        assert caught.value.type == "invalid_request_error"
        assert caught.value.param is None or caught.value.param == "model"


@pytest.mark.parametrize(
    ("body", "param", "words"),
    [
        ({"model": "chat"}, "messages", "Field required"),
        ({"model": "chat", "messages": []}, "messages", "at least 1"),
        ({"model": "", "messages": HI}, "model", "at least 1"),
        ({"model": "chat", "messages": [{"role": "robot", "content": "x"}]}, "messages.0", "role"),
        ({"model": "chat", "messages": HI, "n": 2}, "n", "less than or equal to 1"),
        (
            {"model": "chat", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]},
            "messages.0",
            "only text content parts",
        ),
    ],
)
async def test_wrong_body_is_422_naming_the_field(
    live_server: str, body: dict[str, Any], param: str, words: str
) -> None:
    async with httpx.AsyncClient(base_url=live_server, headers=headers_for(live_server)) as http:
        response = await http.post("/v1/chat/completions", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["code"] == "invalid_request"
    assert error["param"] == param
    assert words in error["message"] and param.split(".")[0] in error["message"]


async def test_wrong_body_through_the_client_raises_unprocessable(live_server: str) -> None:
    client = _client(live_server)
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        await client.chat.completions.create(model="chat", messages=[{"role": "x", "content": 1}])  # type: ignore[list-item]
    assert caught.value.param == "messages.0"


async def test_malformed_json_is_400_and_other_guards_keep_their_status(live_server: str) -> None:
    async with httpx.AsyncClient(base_url=live_server, headers=headers_for(live_server)) as http:
        broken = await http.post(
            "/v1/chat/completions",
            content=b'{"model": "chat", "messages": [',
            headers={"content-type": "application/json"},
        )
        too_large = await http.post(
            "/v1/chat/completions",
            json={"model": "chat", "messages": [{"role": "user", "content": "x" * 30_000}]},
        )
        unknown_route = await http.get("/v1/embeddings")
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "malformed_json"
    assert "malformed JSON" in broken.json()["error"]["message"]
    assert too_large.status_code == 413
    assert unknown_route.status_code == 404


async def test_a_failing_agent_is_500_without_retries_and_leaves_nothing(live_server: str) -> None:
    # The client retries 5xx by default; the header stops it from running the agent again.
    client = _client(live_server, timeout=20).with_options(max_retries=2)
    with pytest.raises(openai.InternalServerError) as caught:
        await client.chat.completions.create(model="failing", messages=HI)
    assert caught.value.code == "run_failed" and "boom" in caught.value.message
    assert caught.value.response.headers["x-should-retry"] == "false"
    stream = await client.chat.completions.create(model="failing", messages=HI, stream=True)
    with pytest.raises(openai.APIError) as streamed:
        _ = [chunk async for chunk in stream]
    assert "boom" in streamed.value.message
    await _no_threads_left(live_server)


async def test_leaving_a_stream_cancels_its_run(live_server: str, services: FakeServices) -> None:
    body = {"model": "gated", "messages": HI, "stream": True}
    async with (
        httpx.AsyncClient(
            base_url=live_server, timeout=10, headers=headers_for(live_server)
        ) as http,
        http.stream("POST", "/v1/chat/completions", json=body) as response,
    ):
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                break  # the role chunk: the run is underway
    await _no_threads_left(live_server)
    services.gate.set()


def test_the_stream_ends_on_the_final_answer() -> None:
    assert remaining_text("", "all of it") == "all of it"
    assert remaining_text("draft", "draft\n\nSources: [1]") == "\n\nSources: [1]"
    assert remaining_text("same ", "same") == ""
    assert remaining_text("a wrong draft", "the checked answer") == (
        REPLACED_DRAFT_SEPARATOR + "the checked answer"
    )


def test_final_answer_is_the_last_ai_message() -> None:
    values = {
        "messages": [
            {"type": "human", "content": "q"},
            {
                "type": "ai",
                "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
            },
            {"type": "tool", "content": "r"},
        ]
    }
    assert final_answer(values) == "ab"
    assert final_answer({"messages": []}) == "" and final_answer(None) == ""
