"""The embedded model: file discovery and load errors (fast), real generation (slow)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import litellm
import pytest

from core.settings import Settings
from llm import gateway
from llm.embedded import EMBEDDED_MODELS
from llm.errors import (
    ContextWindowExceededError,
    ModelRequestError,
    ModelTimeoutError,
    ModelUnavailableError,
)
from llm.local import LocalModel, get_local_model, request_error
from llm.local_config import (
    DEFAULT_LOCAL_NAME,
    LocalModelConfig,
    default_model_path,
    model_version,
)
from llm.messages import plain_messages

QUESTION = [{"role": "user", "content": "Name one benefit of a CRM. Answer in one sentence."}]


def test_the_default_gguf_is_found_without_importing_its_packages() -> None:
    import sys

    source = EMBEDDED_MODELS[DEFAULT_LOCAL_NAME].source
    path = default_model_path()
    assert path.name == source.file_name
    with path.open("rb") as handle:
        assert handle.read(4) == b"GGUF"
    packages = (source.package,) if hasattr(source, "package") else source.packages
    assert not set(packages) & set(sys.modules)  # their code is never run


def test_model_version_names_the_file_and_its_hash(tmp_path: Path) -> None:
    weights = tmp_path / "tiny.gguf"
    weights.write_bytes(b"GGUF not really weights")
    assert (
        model_version(weights)
        == "tiny.gguf@sha256:" + __import__("hashlib").sha256(weights.read_bytes()).hexdigest()[:12]
    )
    with pytest.raises(ModelUnavailableError, match="not found"):
        model_version(tmp_path / "absent.gguf")


def test_config_from_settings_and_back(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None, local_model_path=tmp_path / "m.gguf", local_model_context=2048
    )
    config = LocalModelConfig.from_settings(settings)
    assert LocalModelConfig.from_params(config.to_params()) == config
    assert LocalModelConfig().resolved().path == default_model_path()
    with pytest.raises(ModelRequestError, match="invalid local_model option"):
        LocalModelConfig.from_params({"context": "large"})


def test_the_bundled_model_is_one_instance_whether_named_or_not() -> None:
    named = LocalModelConfig(path=default_model_path())
    assert get_local_model(LocalModelConfig()) is get_local_model(named)


def test_a_missing_file_fails_to_load(tmp_path: Path) -> None:
    model = LocalModel(LocalModelConfig(path=tmp_path / "absent.gguf"))
    with pytest.raises(ModelUnavailableError, match="absent.gguf"):
        model.load()
    assert not model.loaded


def test_a_file_that_is_not_a_model_fails_to_load(tmp_path: Path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"junk" * 256)
    model = LocalModel(LocalModelConfig(path=junk))
    with pytest.raises(ModelUnavailableError, match="could not load local model junk.gguf"):
        next(model.stream(QUESTION))


def test_llama_cpp_error_payloads_become_our_errors() -> None:
    overflow = request_error(
        {
            "code": 400,
            "message": "request (5031 tokens) exceeds the context",
            "type": "exceed_context_size_error",
        }
    )
    assert isinstance(overflow, ContextWindowExceededError)
    assert overflow.status_code == 400
    other = request_error({"code": 503, "message": "loading", "type": "unavailable_error"})
    assert type(other) is ModelRequestError
    assert (other.status_code, other.kind, str(other)) == (503, "unavailable_error", "loading")
    assert "odd" in str(request_error("odd"))


def test_messages_are_flattened_for_the_chat_template() -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]},
        {"role": "tool", "content": "42", "tool_call_id": "1"},
        {
            "role": "user",
            "content": [{"type": "text", "text": "And "}, {"type": "text", "text": "so?"}],
        },
    ]
    assert plain_messages(messages) == [
        {"role": "system", "content": "Be brief."},
        {"role": "assistant", "content": ""},
        {"role": "user", "content": "Tool result: 42"},
        {"role": "user", "content": "And so?"},
    ]


# --- the real model (about 0.5 s to load, 40-70 tokens/s on one thread) ---


@pytest.fixture(scope="module")
def local_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("data"),
        model="local/smollm2",
        model_max_tokens=24,
        model_max_retries=0,
        local_model_context=2048,
    )


@pytest.fixture(scope="module")
def local_model(local_settings: Settings) -> Iterator[LocalModel]:
    model = get_local_model(LocalModelConfig.from_settings(local_settings))
    model.load()
    yield model
    model.close()


@pytest.mark.slow
def test_completes_a_short_prompt(local_settings: Settings, local_model: LocalModel) -> None:
    response = litellm.completion(messages=QUESTION, **gateway.completion_kwargs(local_settings))
    assert response.choices[0].message.content.strip()
    assert 0 < response.usage.completion_tokens <= 24
    assert response.usage.prompt_tokens > 10


@pytest.mark.slow
def test_streams_several_chunks(local_settings: Settings, local_model: LocalModel) -> None:
    kwargs = gateway.completion_kwargs(local_settings, stream=True)
    chunks = list(litellm.completion(messages=QUESTION, **kwargs))
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(texts) >= 3
    assert chunks[-1].choices[0].finish_reason in {"stop", "length"}


@pytest.mark.slow
def test_closing_a_stream_stops_generation(
    local_settings: Settings, local_model: LocalModel
) -> None:
    pieces = gateway.stream(QUESTION, local_settings, max_tokens=400)
    assert next(pieces)
    assert local_model.busy
    pieces.close()
    assert not local_model.busy  # close() returns once llama.cpp has stopped


@pytest.mark.slow
@pytest.mark.anyio
async def test_closing_an_async_stream_stops_generation(
    local_settings: Settings, local_model: LocalModel
) -> None:
    pieces = gateway.astream(QUESTION, local_settings, max_tokens=400)
    assert await anext(pieces)
    assert local_model.busy
    await pieces.aclose()
    # The stream's thread stops llama.cpp at its next token; poll briefly for that.
    for _ in range(250):
        if not local_model.busy:
            break
        await asyncio.sleep(0.02)
    assert not local_model.busy


@pytest.mark.slow
@pytest.mark.anyio
async def test_two_concurrent_requests_both_finish_one_at_a_time(
    local_settings: Settings, local_model: LocalModel
) -> None:
    server = _CountingServer(local_model._server)
    local_model._server = server
    try:
        replies = await asyncio.gather(
            gateway.acomplete(QUESTION, local_settings), gateway.acomplete(QUESTION, local_settings)
        )
    finally:
        local_model._server = server.inner
    assert all(reply.strip() for reply in replies)
    assert server.calls == 2
    assert server.most_active == 1  # never two generations at once on the 2 cores


class _CountingServer:
    """Wraps the xllamacpp server to count generations running at the same time."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls = self.active = self.most_active = 0
        self._lock = threading.Lock()

    def handle_chat_completions(self, request: dict, callback: object) -> object:
        with self._lock:
            self.calls += 1
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            return self.inner.handle_chat_completions(request, callback)
        finally:
            with self._lock:
                self.active -= 1


@pytest.mark.slow
@pytest.mark.anyio
async def test_async_streams_do_not_block_the_event_loop(
    local_settings: Settings, local_model: LocalModel
) -> None:
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.005)

    task = asyncio.create_task(ticker())
    pieces = [piece async for piece in gateway.astream(QUESTION, local_settings)]
    done.set()
    await task
    assert len(pieces) >= 3
    assert ticks >= len(pieces)  # the loop kept running while tokens were generated
    assert threading.active_count() < 50


@pytest.mark.slow
def test_a_prompt_longer_than_the_context_is_reported(
    local_settings: Settings, local_model: LocalModel
) -> None:
    too_long = [{"role": "user", "content": "word " * 3000}]
    with pytest.raises(ContextWindowExceededError, match="exceeds the available context size"):
        gateway.complete(too_long, local_settings)


@pytest.mark.slow
def test_a_slow_answer_times_out(local_settings: Settings, local_model: LocalModel) -> None:
    with pytest.raises(ModelTimeoutError):
        list(local_model.stream(QUESTION, max_tokens=400, timeout=0.05))
    local_model.complete(QUESTION, max_tokens=4)  # the model is free again
