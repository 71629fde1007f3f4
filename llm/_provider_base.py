"""What our litellm providers share: the four litellm entry points, chunk and response shapes.

Each provider implements ``_complete`` and ``_stream``; for a blocking provider the async entry
points run them in worker threads, so the event loop never waits for a model.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from contextlib import aclosing, contextmanager
from typing import Any, TypeVar

from core.offline import apply_offline_defaults

apply_offline_defaults()  # before litellm's import, which would fetch a model cost map

import httpx
from litellm.llms.custom_llm import CustomLLM, CustomLLMError
from litellm.types.llms.openai import ChatCompletionUsageBlock
from litellm.types.utils import GenericStreamingChunk, ModelResponse, Usage

from llm.errors import LLMError

T = TypeVar("T")


@contextmanager
def litellm_errors() -> Iterator[None]:
    """Re-raise our errors as ``CustomLLMError`` so litellm maps the status (and retries on it)."""
    try:
        yield
    except LLMError as exc:
        raise CustomLLMError(
            status_code=exc.status_code, message=f"{type(exc).__name__}: {exc}"
        ) from exc


def timeout_seconds(timeout: float | httpx.Timeout | None) -> float | None:
    if isinstance(timeout, httpx.Timeout):
        return timeout.read
    return float(timeout) if timeout is not None else None


async def iterate_in_thread(
    make_iterator: Callable[[], Iterator[T]],
) -> AsyncGenerator[T, None]:
    """Iterate a blocking iterator in its own thread, bridging items through an asyncio queue.

    A dedicated thread rather than the default executor: a stream can block for minutes, and
    the executor's few threads are shared with everything else on the event loop. When the
    consumer stops early the thread closes the iterator, which stops generation.
    """
    loop = asyncio.get_running_loop()
    items: asyncio.Queue[tuple[bool, Any]] = asyncio.Queue()
    stop = threading.Event()

    def post(done: bool, value: Any) -> None:
        try:
            loop.call_soon_threadsafe(items.put_nowait, (done, value))
        except RuntimeError:  # the loop closed under us: nobody is listening any more
            stop.set()

    def pump() -> None:
        iterator: Iterator[T] | None = None
        try:
            iterator = make_iterator()
            for item in iterator:
                if stop.is_set():
                    break
                post(False, item)
        except BaseException as exc:  # the consumer re-raises it
            post(True, exc)
            return
        finally:
            if iterator is not None:
                _close(iterator)
        post(True, None)

    threading.Thread(target=pump, name="llm-stream", daemon=True).start()
    try:
        while True:
            done, value = await items.get()
            if done:
                if value is not None:
                    raise value
                return
            yield value
    finally:
        stop.set()


def stream_chunk(
    text: str = "", *, finish_reason: str = "", usage: Any = None, tool_use: Any = None
) -> GenericStreamingChunk:
    return GenericStreamingChunk(
        text=text,
        is_finished=bool(finish_reason),
        finish_reason=finish_reason,
        usage=usage,
        index=0,
        tool_use=tool_use,
    )


def usage_block(prompt_tokens: int, completion_tokens: int) -> ChatCompletionUsageBlock:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def model_response(
    model: str,
    text: str,
    finish_reason: str,
    usage: ChatCompletionUsageBlock,
    tool_calls: list[Any] | None = None,
) -> ModelResponse:
    message: dict[str, Any] = {"role": "assistant", "content": text or (None if tool_calls else "")}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return ModelResponse(
        model=model,
        choices=[{"index": 0, "message": message, "finish_reason": finish_reason}],
        usage=Usage(**usage),
    )


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _close(iterator: Iterator[Any]) -> None:
    close = getattr(iterator, "close", None)
    if close is not None:
        close()


def _guarded(chunks: Iterator[T]) -> Iterator[T]:
    try:
        with litellm_errors():
            yield from chunks
    finally:
        _close(chunks)  # stops generation when litellm's consumer stops early


async def _aguarded(chunks: Iterator[T]) -> AsyncGenerator[T, None]:
    try:
        with litellm_errors():
            for chunk in chunks:
                yield chunk
                await asyncio.sleep(0)  # let other tasks run between pieces, as a real stream does
    finally:
        _close(chunks)


async def _aguarded_in_thread(
    open_chunks: Callable[[], Iterator[T]],
) -> AsyncGenerator[T, None]:
    with litellm_errors():
        async with aclosing(iterate_in_thread(open_chunks)) as items:
            async for item in items:
                yield item


class ChatProvider(CustomLLM):
    """litellm's four entry points, funnelled into ``_complete`` and ``_stream``.

    ``_stream`` does its checks before it returns the chunk iterator, and the streaming entry
    points call it before they return theirs: litellm applies ``num_retries`` and
    ``fallbacks`` only to errors raised by the call itself, not to those raised while
    iterating. Errors after the first chunk (a context overflow found while reading the
    prompt, a timeout) reach the consumer mid-stream.
    """

    #: Whether ``_complete`` and iterating ``_stream`` block (the async paths use threads).
    blocking = True

    def _complete(
        self, model: str, messages: list[Any], params: dict[str, Any], timeout: float | None
    ) -> ModelResponse:
        raise NotImplementedError

    def _stream(
        self, model: str, messages: list[Any], params: dict[str, Any], timeout: float | None
    ) -> Iterator[GenericStreamingChunk]:
        raise NotImplementedError

    async def _acomplete(
        self, model: str, messages: list[Any], params: dict[str, Any], timeout: float | None
    ) -> ModelResponse:
        if not self.blocking:
            return self._complete(model, messages, params, timeout)
        return await asyncio.to_thread(self._complete, model, messages, params, timeout)

    def completion(
        self,
        model: str,
        messages: list,
        *args: Any,
        optional_params: dict | None = None,
        timeout: float | httpx.Timeout | None = None,
        **kwargs: Any,
    ) -> ModelResponse:
        with litellm_errors():
            return self._complete(
                model, messages, dict(optional_params or {}), timeout_seconds(timeout)
            )

    def streaming(
        self,
        model: str,
        messages: list,
        *args: Any,
        optional_params: dict | None = None,
        timeout: float | httpx.Timeout | None = None,
        **kwargs: Any,
    ) -> Iterator[GenericStreamingChunk]:
        with litellm_errors():
            chunks = self._stream(
                model, messages, dict(optional_params or {}), timeout_seconds(timeout)
            )
        return _guarded(chunks)

    async def acompletion(
        self,
        model: str,
        messages: list,
        *args: Any,
        optional_params: dict | None = None,
        timeout: float | httpx.Timeout | None = None,
        **kwargs: Any,
    ) -> ModelResponse:
        with litellm_errors():
            return await self._acomplete(
                model, messages, dict(optional_params or {}), timeout_seconds(timeout)
            )

    def astreaming(  # type: ignore[override]
        self,
        model: str,
        messages: list,
        *args: Any,
        optional_params: dict | None = None,
        timeout: float | httpx.Timeout | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[GenericStreamingChunk]:
        """A plain function returning an async iterator, so its checks can raise at call time.

        litellm calls it from a worker thread; should it ever be called on the event loop, a
        blocking provider's checks wait for the first iteration, in a thread of their own.
        """
        params, seconds = dict(optional_params or {}), timeout_seconds(timeout)
        if self.blocking and _on_event_loop():
            return _aguarded_in_thread(lambda: self._stream(model, messages, params, seconds))
        with litellm_errors():
            chunks = self._stream(model, messages, params, seconds)
        if self.blocking:
            return _aguarded_in_thread(lambda: chunks)
        return _aguarded(chunks)
