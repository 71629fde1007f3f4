"""The embedded default model: a GGUF file served in-process by xllamacpp, one request at a time.

xllamacpp always opens an HTTP listener next to its in-process API; we bind it to a unix socket
in a private temporary folder so nothing listens on a TCP port. Generation is serialised by a
lock because two requests on a 2-core machine slow each other down far more than they gain.
"""

from __future__ import annotations

import atexit
import logging
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from llm.errors import (
    ContextWindowExceededError,
    ModelRequestError,
    ModelTimeoutError,
    ModelUnavailableError,
)
from llm.local_config import DEFAULT_LOCAL_NAME, LocalModelConfig
from llm.messages import Messages, plain_messages

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class GenerationChunk:
    """One streamed piece: text, and on the last chunk the finish reason and token usage."""

    text: str
    finish_reason: str | None = None
    usage: Usage | None = None


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str
    usage: Usage = field(default_factory=Usage)


class _Done:
    """Marks the end of a generation in the chunk queue."""


class LocalModel:
    """A lazily loaded GGUF model; thread-safe, one generation at a time."""

    def __init__(self, config: LocalModelConfig) -> None:
        self.config = config
        self._server: Any = None
        self._socket_dir: Path | None = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()
        self.load_seconds: float | None = None

    @property
    def loaded(self) -> bool:
        return self._server is not None

    def load(self) -> None:
        """Load the model now (the first request does it otherwise); idempotent and thread-safe."""
        if self._server is not None:
            return
        with self._load_lock:
            if self._server is None:
                self._server = self._start_server()

    def _start_server(self) -> Any:
        path = self.config.resolved().path
        if path is None or not path.is_file():
            raise ModelUnavailableError(f"local model file not found: {path}")
        try:
            import xllamacpp
        except ImportError as exc:
            raise ModelUnavailableError("xllamacpp is not installed") from exc

        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = self.config.context
        params.n_parallel = 1
        params.cpuparams.n_threads = self.config.threads
        params.cpuparams_batch.n_threads = self.config.threads
        params.verbosity = 1  # errors only; llama.cpp is chatty on stderr otherwise
        # The listener cannot be switched off; a unix socket in a 0700 folder keeps it private.
        self._socket_dir = Path(tempfile.mkdtemp(prefix="crm-agents-llm-"))
        atexit.register(shutil.rmtree, self._socket_dir, True)
        socket_path = self._socket_dir / "model.sock"
        socket_path.unlink(missing_ok=True)  # a stale socket makes the next start fail
        params.hostnames = [str(socket_path)]

        started = time.perf_counter()
        try:
            server = xllamacpp.Server(params)
        except RuntimeError as exc:
            raise ModelUnavailableError(f"could not load local model {path.name}: {exc}") from exc
        self.load_seconds = time.perf_counter() - started
        logger.info("loaded local model %s in %.2f s", path.name, self.load_seconds)
        return server

    def close(self) -> None:
        """Unload the model (the next request loads it again)."""
        with self._load_lock, self._run_lock:
            self._server = None  # dropping the last reference stops xllamacpp's threads
            if self._socket_dir is not None:
                shutil.rmtree(self._socket_dir, ignore_errors=True)
                self._socket_dir = None

    def stream(
        self,
        messages: Messages,
        *,
        max_tokens: int = 512,
        timeout: float | None = None,
        **sampling: Any,
    ) -> Generator[GenerationChunk, None, None]:
        """Generate a reply chunk by chunk; closing the iterator stops generation.

        ``sampling`` takes OpenAI-style options (temperature, top_p, stop, seed). ``timeout``
        covers waiting for the model (queueing behind other requests included).
        """
        self.load()
        request: dict[str, Any] = {
            "messages": plain_messages(messages),
            "max_tokens": max_tokens,
            "stream": True,
            "stream_options": {"include_usage": True},
            **{key: value for key, value in sampling.items() if value is not None},
        }
        deadline = None if timeout is None else time.monotonic() + timeout
        chunks: queue.SimpleQueue[Any] = queue.SimpleQueue()
        cancelled, generating = threading.Event(), threading.Event()
        worker = threading.Thread(
            target=self._generate,
            args=(request, chunks, cancelled, generating),
            name="local-model",
            daemon=True,
        )
        worker.start()
        try:
            yield from self._drain(chunks, deadline)
        except GeneratorExit:
            # The consumer stopped: make llama.cpp stop at the next token and wait for it, so
            # the model is free when close() returns. A worker still queued for the lock
            # just skips its turn; waiting for it would mean waiting for someone else's run.
            cancelled.set()
            if generating.is_set():
                worker.join()
            raise
        finally:
            # The worker holds the lock, not this generator: a generator abandoned without
            # close() occupies the model for at most max_tokens.
            cancelled.set()

    def complete(
        self,
        messages: Messages,
        *,
        max_tokens: int = 512,
        timeout: float | None = None,
        **sampling: Any,
    ) -> Completion:
        """Generate a whole reply (through the streaming path, so timeouts work the same)."""
        parts: list[str] = []
        finish_reason, usage = "stop", Usage()
        for chunk in self.stream(messages, max_tokens=max_tokens, timeout=timeout, **sampling):
            parts.append(chunk.text)
            finish_reason = chunk.finish_reason or finish_reason
            usage = chunk.usage or usage
        return Completion(text="".join(parts), finish_reason=finish_reason, usage=usage)

    @property
    def busy(self) -> bool:
        """True while a generation runs."""
        return self._run_lock.locked()

    def _generate(
        self,
        request: dict[str, Any],
        chunks: queue.SimpleQueue[Any],
        cancelled: threading.Event,
        generating: threading.Event,
    ) -> None:
        def on_chunk(chunk: Any) -> bool:
            chunks.put(chunk)
            return cancelled.is_set()  # True asks llama.cpp to stop generating

        try:
            with self._run_lock:
                if not cancelled.is_set():  # the consumer may have timed out while we queued
                    generating.set()
                    result = self._server.handle_chat_completions(request, on_chunk)
                    if isinstance(result, dict) and "error" in result:
                        chunks.put(result)
        except BaseException as exc:  # the consumer re-raises it
            chunks.put(exc)
        finally:
            chunks.put(_Done)

    def _drain(
        self, chunks: queue.SimpleQueue[Any], deadline: float | None
    ) -> Iterator[GenerationChunk]:
        finish_reason: str | None = None
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            try:
                if remaining is not None and remaining <= 0:
                    raise queue.Empty
                item = chunks.get(timeout=remaining)
            except queue.Empty:
                raise ModelTimeoutError("local model did not answer within the timeout") from None
            if item is _Done:
                return
            if isinstance(item, ValueError):  # xllamacpp's verdict on a malformed request
                raise ModelRequestError(f"invalid request: {item}", status_code=400) from item
            if isinstance(item, BaseException):
                raise ModelRequestError(f"local model failed: {item}") from item
            if "error" in item:
                raise request_error(item["error"])
            for choice in item.get("choices") or []:
                finish_reason = choice.get("finish_reason") or finish_reason
                text = (choice.get("delta") or {}).get("content") or ""
                if text:
                    yield GenerationChunk(text=text)
            if item.get("usage"):
                usage = item["usage"]
                yield GenerationChunk(
                    text="",
                    finish_reason=finish_reason or "stop",
                    usage=Usage(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)),
                )


def request_error(error: Any) -> ModelRequestError:
    """Turn an ``{"error": ...}`` payload from llama.cpp into our exception."""
    if not isinstance(error, Mapping):
        return ModelRequestError(f"local model error: {error}")
    message = str(error.get("message") or error)
    kind = error.get("type")
    status = error.get("code") if isinstance(error.get("code"), int) else None
    if kind == "exceed_context_size_error":
        return ContextWindowExceededError(message, status_code=400, kind=kind)
    return ModelRequestError(message, status_code=status, kind=kind)


_models: dict[LocalModelConfig, LocalModel] = {}
_models_lock = threading.Lock()


def get_local_model(config: LocalModelConfig) -> LocalModel:
    """The process-wide model for ``config`` (created on first use, loaded on first request)."""
    # One instance per file and runtime shape, however the file was named.
    config = replace(config.resolved(), name=DEFAULT_LOCAL_NAME, cache_dir=None)
    with _models_lock:
        model = _models.get(config)
        if model is None:
            model = _models[config] = LocalModel(config)
        return model
