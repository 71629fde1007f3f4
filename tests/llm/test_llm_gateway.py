"""Settings to litellm: call options, Router retries and fallbacks, LangChain and LangGraph."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage
from langchain_core.tools import tool
from langchain_litellm import ChatLiteLLM
from langgraph.graph import END, START, StateGraph
from pydantic import SecretStr

from core.recommendation import ModelInfo
from core.settings import LOCAL_MODEL, Settings
from llm import gateway
from llm.errors import (
    LLMError,
    ModelRequestError,
    ModelUnavailableError,
    UnknownModelError,
    UnplannedModelCallError,
)
from llm.litellm_router import RouteConfig
from llm.scripted import ScriptedReply, ScriptedToolCall, scripted_model


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, **values)


def test_completion_kwargs_from_default_settings(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert gateway.completion_kwargs(settings) == {
        "model": LOCAL_MODEL,
        "timeout": 120.0,
        "num_retries": 2,
        "max_tokens": 512,
        # The local model's file and shape travel with each call, not in process-wide state.
        "local_model": {
            "path": None,
            "context": 4096,
            "threads": 1,
            "name": LOCAL_MODEL.split("/", 1)[1],
            "cache_dir": str(settings.resolved_model_cache_dir),
        },
    }


def test_completion_kwargs_carry_endpoint_key_fallbacks_and_overrides(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        model="openai/gpt-4o-mini",
        model_api_base="http://127.0.0.1:8080/v1",
        model_api_key=SecretStr("sk-test"),
        model_fallbacks="openai/gpt-4o, local/smollm2",
        model_timeout=30,
        model_max_retries=0,
    )
    kwargs = gateway.completion_kwargs(settings, max_tokens=64, temperature=0)
    assert kwargs == {
        "model": "openai/gpt-4o-mini",
        "timeout": 30.0,
        "num_retries": 0,
        "max_tokens": 64,
        "temperature": 0,
        "api_base": "http://127.0.0.1:8080/v1",
        "api_key": "sk-test",
        "fallbacks": ["openai/gpt-4o", "local/smollm2"],
    }


def test_route_config_gives_the_endpoint_to_the_primary_only(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        model="openai/gpt-4o-mini",
        model_api_base="http://127.0.0.1:8080/v1",
        model_api_key=SecretStr("sk-test"),
        model_fallbacks="local/smollm2,local/smollm2,openai/gpt-4o-mini",
    )
    config = RouteConfig.from_settings(settings)
    primary, *fallbacks = config.deployments()
    assert primary["litellm_params"]["api_base"] == "http://127.0.0.1:8080/v1"
    assert primary["litellm_params"]["api_key"] == "sk-test"
    assert [entry["model_name"] for entry in fallbacks] == ["local/smollm2"]
    assert "api_base" not in fallbacks[0]["litellm_params"]


def test_complete_and_stream(settings: Settings) -> None:
    with scripted_model(["a whole reply", "a streamed reply"]) as script:
        assert gateway.complete("Hello. Anything else?", settings) == "a whole reply"
        assert list(gateway.stream([{"role": "user", "content": "Hi."}], settings)) == [
            "a ",
            "streamed ",
            "reply",
        ]
    assert script.calls[0].messages == [{"role": "user", "content": "Hello. Anything else?"}]
    assert script.calls[0].params["max_tokens"] == settings.model_max_tokens


@pytest.mark.anyio
async def test_acomplete_and_astream(settings: Settings) -> None:
    with scripted_model(["a whole reply", "a streamed reply"]):
        assert await gateway.acomplete("Hi.", settings, max_tokens=5) == "a whole reply"
        assert [piece async for piece in gateway.astream("Hi.", settings)] == [
            "a ",
            "streamed ",
            "reply",
        ]


def test_overrides_reach_the_model(settings: Settings) -> None:
    with scripted_model(["ok"]) as script:
        gateway.complete("Hi.", settings, temperature=0.1, max_tokens=9)
    assert script.calls[0].params["temperature"] == 0.1
    assert script.calls[0].params["max_tokens"] == 9


def test_a_failing_primary_falls_back(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, model="scripted/primary", model_fallbacks="scripted/backup", model_max_retries=0
    )
    down = ModelUnavailableError("primary is down")
    with scripted_model([down, "from the backup", down, "streamed from the backup"]) as script:
        assert gateway.complete("Hi.", settings) == "from the backup"
        assert "".join(gateway.stream("Hi.", settings)) == "streamed from the backup"
    assert [call.model for call in script.calls] == ["scripted/primary", "scripted/backup"] * 2


@pytest.mark.anyio
async def test_a_failing_primary_falls_back_when_streaming_async(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, model="scripted/primary", model_fallbacks="scripted/backup", model_max_retries=0
    )
    with scripted_model([ModelUnavailableError("down"), "from the backup"]) as script:
        assert [p async for p in gateway.astream("Hi.", settings)] == ["from ", "the ", "backup"]
    assert [call.model for call in script.calls] == ["scripted/primary", "scripted/backup"]


def test_a_transient_failure_is_retried(tmp_path: Path) -> None:
    settings = _settings(tmp_path, model="scripted/flaky", model_max_retries=1)
    with scripted_model([ModelUnavailableError("busy"), "second try"]) as script:
        assert gateway.complete("Hi.", settings) == "second try"
    assert len(script.calls) == 2


def test_when_every_model_fails_the_error_is_ours(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, model="scripted/primary", model_fallbacks="scripted/backup", model_max_retries=0
    )
    with (
        scripted_model(
            [ModelUnavailableError("down"), ModelRequestError("refused", status_code=400)]
        ),
        pytest.raises(LLMError),
    ):
        gateway.complete("Hi.", settings)


def test_an_unplanned_call_in_strict_mode_fails(settings: Settings) -> None:
    # Raised by the call, and again when the block closes.
    with (
        pytest.raises(UnplannedModelCallError),
        scripted_model(strict=True) as script,
        pytest.raises(UnplannedModelCallError, match="unplanned call"),
    ):
        gateway.complete("Nobody planned this.", settings)
    assert len(script.calls) == 1  # a 400: neither retried nor sent to a fallback


def test_an_unknown_local_model_is_reported(tmp_path: Path) -> None:
    with pytest.raises(UnknownModelError, match="unknown embedded model local/gpt-9; available"):
        gateway.complete("Hi.", _settings(tmp_path, model="local/gpt-9", model_max_retries=0))


def test_local_settings_travel_with_each_call(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        model="local/custom",
        local_model_path=tmp_path / "m.gguf",
        local_model_cache_dir=tmp_path / "models",
    )
    config = RouteConfig.from_settings(settings)
    (primary,) = config.deployments()
    assert primary["litellm_params"]["local_model"] == {
        "path": str(tmp_path / "m.gguf"),
        "context": 4096,
        "threads": 1,
        "name": "custom",
        "cache_dir": str(tmp_path / "models"),
    }


def test_a_missing_gguf_file_is_reported(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        model="local/custom",
        local_model_path=tmp_path / "absent.gguf",
        model_max_retries=0,
    )
    with pytest.raises(ModelUnavailableError, match="absent.gguf"):
        list(gateway.stream("Hi.", settings))


def test_model_info(tmp_path: Path) -> None:
    assert gateway.model_info(_settings(tmp_path, model="scripted/test")) == ModelInfo(
        name="scripted/test", version="scripted-1"
    )
    assert gateway.model_info(_settings(tmp_path, model="openai/gpt-4o")) == ModelInfo(
        name="openai/gpt-4o"
    )
    local = gateway.model_info(_settings(tmp_path, model="local/smollm2"))
    assert local.name == "local/smollm2"
    assert local.version is not None
    assert local.version.startswith("SmolLM2-135M-Instruct.Q4_1.gguf@sha256:")
    assert len(local.version.rsplit(":", 1)[1]) == 12


def test_chat_model_is_a_streaming_chat_litellm(settings: Settings) -> None:
    model = gateway.chat_model(settings, temperature=0)
    assert isinstance(model, ChatLiteLLM)
    assert model.streaming is True
    assert model.temperature == 0
    assert model.model == "scripted/test"


def test_chat_model_invoke(settings: Settings) -> None:
    with scripted_model(["the answer"]) as script:
        message = gateway.chat_model(settings).invoke([HumanMessage("What is it?")])
    assert message.content == "the answer"
    assert script.calls[0].messages[-1]["content"] == "What is it?"


def test_chat_model_invoke_falls_back(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, model="scripted/primary", model_fallbacks="scripted/backup", model_max_retries=0
    )
    with scripted_model([ModelUnavailableError("down"), "backup answer"]):
        assert gateway.chat_model(settings).invoke("Hi.").content == "backup answer"


@pytest.mark.anyio
async def test_chat_model_astream_yields_one_chunk_per_piece(settings: Settings) -> None:
    with scripted_model(["one two three"]):
        chunks = [chunk async for chunk in gateway.chat_model(settings).astream("Count.")]
    assert [chunk.content for chunk in chunks if chunk.content] == ["one ", "two ", "three"]


def test_chat_model_tool_calls(settings: Settings) -> None:
    @tool
    def lookup_product(sku: str) -> str:
        """Look a product up by SKU."""
        return sku

    reply = ScriptedReply(
        tool_calls=(ScriptedToolCall("lookup_product", {"sku": "V60"}, id="call_a"),)
    )
    with scripted_model([reply]) as script:
        message = gateway.chat_model(settings).bind_tools([lookup_product]).invoke("Find the V60.")
    assert message.tool_calls == [
        {"name": "lookup_product", "args": {"sku": "V60"}, "id": "call_a", "type": "tool_call"}
    ]
    assert script.calls[0].params["tools"][0]["function"]["name"] == "lookup_product"


class _State(TypedDict):
    question: str
    answer: str


@pytest.mark.anyio
async def test_langgraph_messages_stream_yields_one_chunk_per_piece(settings: Settings) -> None:
    model = gateway.chat_model(settings)

    async def answer(state: _State) -> dict[str, str]:
        reply = await model.ainvoke(state["question"])
        return {"answer": str(reply.content)}

    builder = StateGraph(_State)
    builder.add_node("answer", answer)
    builder.add_edge(START, "answer")
    builder.add_edge("answer", END)
    graph = builder.compile()

    with scripted_model(["The V60 fits the budget."]):
        pieces = [
            chunk.content
            async for chunk, metadata in graph.astream(
                {"question": "Which?"}, stream_mode="messages"
            )
            if isinstance(chunk, AIMessageChunk)
            and chunk.content
            and metadata["langgraph_node"] == "answer"
        ]
    assert pieces == ["The ", "V60 ", "fits ", "the ", "budget."]
