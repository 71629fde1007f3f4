"""A litellm callback that appends every model call to the audit ledger.

Registered by ``composition.agents.create_services`` (the llm package never imports governance).
Each ``model_call`` entry holds the model, its scalar parameters, the prompt template's id and
sha256 when the system message matches one, and the sha256 of the input messages and of the
output; never the text itself.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import datetime
from typing import Any

from core.audit import AuditSink
from core.offline import apply_offline_defaults
from governance.canonical import canonical_sha256, sha256_hex
from governance.prompt_match import match_prompt

apply_offline_defaults()  # before litellm's import, which would fetch a model cost map

import litellm  # noqa: E402
from litellm.integrations.custom_logger import CustomLogger  # noqa: E402

logger = logging.getLogger(__name__)

# Parameters worth auditing; anything else (api keys, callbacks, clients) stays out.
AUDITED_PARAMETERS = (
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "stop",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "n",
    "response_format",
    "tool_choice",
)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return "" if content is None else str(content)


def _messages_digest(messages: Any) -> str:
    plain = [
        {"role": str(m.get("role", "")), "content": _text_of(m.get("content"))}
        for m in messages or []
        if isinstance(m, dict)
    ]
    return canonical_sha256(plain)


def _output_digest(response: Any) -> str | None:
    choices = getattr(response, "choices", None)
    if not choices:
        return None
    message = getattr(choices[0], "message", None)
    return sha256_hex(_text_of(getattr(message, "content", None)).encode("utf-8"))


def _parameters(kwargs: dict[str, Any]) -> dict[str, Any]:
    given = kwargs.get("optional_params") or {}
    found = {}
    for name in AUDITED_PARAMETERS:
        value = given.get(name)
        if isinstance(value, (str, int, float, bool)) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            found[name] = value
    return found


def model_call_payload(
    kwargs: dict[str, Any], response: Any, start: datetime | None, end: datetime | None, *, ok: bool
) -> dict[str, Any]:
    """The ledger payload of one model call, from litellm's callback arguments."""
    messages = kwargs.get("messages") or []
    system = next(
        (
            _text_of(m.get("content"))
            for m in messages
            if isinstance(m, dict) and m.get("role") == "system"
        ),
        None,
    )
    prompt = match_prompt(system)
    hidden = getattr(response, "_hidden_params", None) or {}
    duration = (end - start).total_seconds() * 1000 if start and end else None
    return {
        "call_id": kwargs.get("litellm_call_id"),
        "model": kwargs.get("model"),
        "provider": kwargs.get("custom_llm_provider"),
        "model_version": hidden.get("provider_response_model")
        if isinstance(hidden, dict)
        else None,
        "parameters": _parameters(kwargs),
        "stream": bool(kwargs.get("stream")),
        "prompt_id": prompt.id if prompt else None,
        "prompt_sha256": prompt.sha256 if prompt else None,
        "input_sha256": _messages_digest(messages),
        "output_sha256": _output_digest(response) if ok else None,
        "status": "success" if ok else "error",
        "duration_ms": round(duration, 3) if duration is not None else None,
    }


class LedgerModelCallLogger(CustomLogger):
    """Appends a ``model_call`` entry for each successful or failed litellm call to every
    registered ledger.

    litellm keeps one process-wide callback list capped at 30 entries, so the process registers
    this logger once and each services bundle adds its ledger to it instead of adding a logger
    of its own (a bundle per test would otherwise fill the list and be refused silently).
    """

    def __init__(self) -> None:
        super().__init__()
        self._sinks: list[AuditSink] = []
        self._lock = threading.Lock()

    def add(self, ledger: AuditSink) -> None:
        with self._lock:
            self._sinks.append(ledger)

    def discard(self, ledger: AuditSink) -> None:
        with self._lock:
            self._sinks = [sink for sink in self._sinks if sink is not ledger]

    def sinks(self) -> list[AuditSink]:
        with self._lock:
            return list(self._sinks)

    def _append(self, payload: dict[str, Any]) -> None:
        for ledger in self.sinks():
            try:
                ledger.append("model_call", payload)
            except Exception:  # an audit write must not break a model call; it is logged loudly
                logger.exception("could not audit model call %s", payload.get("call_id"))

    def log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._append(model_call_payload(kwargs, response_obj, start_time, end_time, ok=True))

    def log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._append(model_call_payload(kwargs, response_obj, start_time, end_time, ok=False))

    async def async_log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        payload = model_call_payload(kwargs, response_obj, start_time, end_time, ok=True)
        await asyncio.to_thread(self._append, payload)

    async def async_log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        payload = model_call_payload(kwargs, response_obj, start_time, end_time, ok=False)
        await asyncio.to_thread(self._append, payload)


_LOGGER = LedgerModelCallLogger()
_REGISTER_LOCK = threading.Lock()


def register_model_call_audit(ledger: AuditSink) -> AuditSink:
    """Audit every model call of this process into ``ledger`` until
    :func:`unregister_model_call_audit` is called with the returned handle."""
    with _REGISTER_LOCK:
        if _LOGGER not in litellm.callbacks:
            litellm.logging_callback_manager.add_litellm_callback(_LOGGER)
    _LOGGER.add(ledger)
    return ledger


def unregister_model_call_audit(handle: AuditSink) -> None:
    """Stop auditing model calls into the ledger ``handle`` names (the services closing)."""
    _LOGGER.discard(handle)


def audited_ledgers() -> list[AuditSink]:
    """The ledgers model calls are audited into now."""
    return _LOGGER.sinks()
