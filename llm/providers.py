"""litellm providers of our own: ``local/<name>`` (the embedded model) and ``scripted/<name>``.

Registered through ``litellm.custom_provider_map`` like any third-party provider, so agents,
``ChatLiteLLM`` and the CLI reach them with a model string and nothing else changes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import aclosing
from typing import Any

from core.offline import apply_offline_defaults

apply_offline_defaults()  # before litellm's import, which would fetch a model cost map

import litellm
from litellm.types.llms.openai import ChatCompletionUsageBlock
from litellm.types.utils import GenericStreamingChunk, ModelResponse

from core.settings import get_settings
from llm import scripted
from llm._provider_base import (
    ChatProvider,
    iterate_in_thread,
    model_response,
    stream_chunk,
    usage_block,
)
from llm.local import GenerationChunk, LocalModel, get_local_model
from llm.local_config import LocalModelConfig
from llm.scripted import ScriptedReply
from llm.tokens import count_message_tokens, count_tokens

litellm.suppress_debug_info = True

LOCAL_PROVIDER = "local"
SCRIPTED_PROVIDER = "scripted"
# OpenAI sampling options the local model honours; anything else litellm passes is dropped.
LOCAL_MODEL_OPTION = "local_model"  # the call option carrying a LocalModelConfig
LOCAL_SAMPLING = ("temperature", "top_p", "stop", "seed", "presence_penalty", "frequency_penalty")


class LocalProvider(ChatProvider):
    """``local/<name>``: the embedded GGUF model.

    Which file and context come in the ``local_model`` call option (the gateway sets it from
    its settings); a bare litellm call falls back to :func:`core.settings.get_settings`.
    """

    def model_for(self, name: str, params: Mapping[str, Any] | None = None) -> LocalModel:
        """The (lazily loaded) model a ``local/<name>`` call with ``params`` refers to."""
        option = (params or {}).get(LOCAL_MODEL_OPTION)
        if isinstance(option, Mapping):
            config = LocalModelConfig.from_params(option)
        else:
            config = LocalModelConfig.from_settings(get_settings())
        # A configured GGUF file serves every local name; without one, the name picks the
        # embedded model (an unknown name raises UnknownModelError listing the known ones).
        return get_local_model(config.for_name(name))

    @staticmethod
    def _options(params: Mapping[str, Any]) -> dict[str, Any]:
        max_tokens = (
            params.get("max_tokens")
            or params.get("max_completion_tokens")
            or get_settings().model_max_tokens
        )
        return {
            "max_tokens": int(max_tokens),
            **{k: params[k] for k in LOCAL_SAMPLING if params.get(k) is not None},
        }

    def _complete(
        self, model: str, messages: list[Any], params: dict[str, Any], timeout: float | None
    ) -> ModelResponse:
        result = self.model_for(model, params).complete(
            messages, timeout=timeout, **self._options(params)
        )
        usage = usage_block(result.usage.prompt_tokens, result.usage.completion_tokens)
        return model_response(f"{LOCAL_PROVIDER}/{model}", result.text, result.finish_reason, usage)

    def _stream(
        self, model: str, messages: list[Any], params: dict[str, Any], timeout: float | None
    ) -> Iterator[GenericStreamingChunk]:
        local = self.model_for(model, params)
        local.load()  # here, not in the iterator: litellm retries and falls back on load errors
        return self._chunks(local, messages, params, timeout)

    def _chunks(
        self, local: LocalModel, messages: list[Any], params: dict[str, Any], timeout: float | None
    ) -> Iterator[GenericStreamingChunk]:
        pieces = local.stream(messages, timeout=timeout, **self._options(params))
        try:
            for piece in pieces:
                yield self._convert(piece)
        finally:
            pieces.close()  # stops generation when the consumer stops early

    async def _acomplete(
        self, model: str, messages: list[Any], params: dict[str, Any], timeout: float | None
    ) -> ModelResponse:
        # Through the stream so that cancelling the awaiting task stops generation too; the
        # checks run in the stream's thread, off the event loop.
        text, finish_reason, usage = [], "stop", usage_block(0, 0)
        chunks = iterate_in_thread(lambda: self._stream(model, messages, params, timeout))
        async with aclosing(chunks):
            async for chunk in chunks:
                text.append(chunk["text"])
                finish_reason = chunk["finish_reason"] or finish_reason
                usage = chunk["usage"] or usage
        return model_response(f"{LOCAL_PROVIDER}/{model}", "".join(text), finish_reason, usage)

    @staticmethod
    def _convert(piece: GenerationChunk) -> GenericStreamingChunk:
        usage = piece.usage and usage_block(
            piece.usage.prompt_tokens, piece.usage.completion_tokens
        )
        return stream_chunk(piece.text, finish_reason=piece.finish_reason or "", usage=usage)


class ScriptedProvider(ChatProvider):
    """``scripted/<name>``: replies planned by :func:`llm.scripted.scripted_model`."""

    blocking = False

    def _answer(
        self, model: str, messages: list[Any], params: dict[str, Any], stream: bool
    ) -> tuple[ScriptedReply, ChatCompletionUsageBlock]:
        reply = scripted.answer(f"{SCRIPTED_PROVIDER}/{model}", messages, params, stream=stream)
        usage = usage_block(count_message_tokens(messages), count_tokens(reply.text))
        return reply, usage

    def _complete(
        self, model: str, messages: list[Any], params: dict[str, Any], timeout: float | None
    ) -> ModelResponse:
        reply, usage = self._answer(model, messages, params, stream=False)
        tool_calls = [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(dict(call.args))},
            }
            for call_id, call in _tool_call_ids(reply)
        ]
        finish_reason = "tool_calls" if tool_calls else "stop"
        return model_response(
            f"{SCRIPTED_PROVIDER}/{model}", reply.text, finish_reason, usage, tool_calls
        )

    def _stream(
        self, model: str, messages: list[Any], params: dict[str, Any], timeout: float | None
    ) -> Iterator[GenericStreamingChunk]:
        reply, usage = self._answer(model, messages, params, stream=True)
        return _scripted_chunks(reply, usage)


def _tool_call_ids(reply: ScriptedReply) -> list[tuple[str, Any]]:
    return [(call.id or f"call_{index}", call) for index, call in enumerate(reply.tool_calls)]


def _scripted_chunks(
    reply: ScriptedReply, usage: ChatCompletionUsageBlock
) -> Iterator[GenericStreamingChunk]:
    for piece in scripted.split_pieces(reply.text):
        yield stream_chunk(piece)
    calls = _tool_call_ids(reply)
    for index, (call_id, call) in enumerate(calls):
        function = {"name": call.name, "arguments": json.dumps(dict(call.args))}
        yield stream_chunk(
            tool_use={"id": call_id, "type": "function", "function": function, "index": index}
        )
    yield stream_chunk(finish_reason="tool_calls" if calls else "stop", usage=usage)


_local_provider = LocalProvider()
_scripted_provider = ScriptedProvider()
_register_lock = threading.Lock()


def register_providers() -> None:
    """Add ``local/`` and ``scripted/`` to litellm's providers (idempotent)."""
    with _register_lock:
        registered = {item["provider"] for item in litellm.custom_provider_map}
        for name, handler in (
            (LOCAL_PROVIDER, _local_provider),
            (SCRIPTED_PROVIDER, _scripted_provider),
        ):
            if name not in registered:
                litellm.custom_provider_map.append({"provider": name, "custom_handler": handler})


def provider_of(model: str) -> str | None:
    """The provider prefix of a litellm model string, if it has one."""
    return model.split("/", 1)[0] if "/" in model else None


def is_local_model(model: str) -> bool:
    """True for a ``local/<name>`` model string."""
    return provider_of(model) == LOCAL_PROVIDER
