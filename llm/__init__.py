"""Model gateway: every model call goes through litellm; the embedded and scripted models too."""

from __future__ import annotations

import importlib
from typing import Any

# Names resolve lazily: importing litellm takes seconds, and ``llm.errors`` or ``llm.tokens``
# users should not pay for it.
_EXPORTS = {
    "LLMError": "llm.errors",
    "ContextWindowExceededError": "llm.errors",
    "ModelRequestError": "llm.errors",
    "ModelTimeoutError": "llm.errors",
    "ModelUnavailableError": "llm.errors",
    "UnknownModelError": "llm.errors",
    "UnplannedModelCallError": "llm.errors",
    "acomplete": "llm.gateway",
    "astream": "llm.gateway",
    "chat_model": "llm.gateway",
    "complete": "llm.gateway",
    "completion_kwargs": "llm.gateway",
    "model_info": "llm.gateway",
    "stream": "llm.gateway",
    "register_providers": "llm.providers",
    "Script": "llm.scripted",
    "ScriptedReply": "llm.scripted",
    "ScriptedToolCall": "llm.scripted",
    "scripted_model": "llm.scripted",
    "count_message_tokens": "llm.tokens",
    "count_tokens": "llm.tokens",
}

__all__ = [
    "ContextWindowExceededError",
    "LLMError",
    "ModelRequestError",
    "ModelTimeoutError",
    "ModelUnavailableError",
    "Script",
    "ScriptedReply",
    "ScriptedToolCall",
    "UnknownModelError",
    "UnplannedModelCallError",
    "acomplete",
    "astream",
    "chat_model",
    "complete",
    "completion_kwargs",
    "count_message_tokens",
    "count_tokens",
    "model_info",
    "register_providers",
    "scripted_model",
    "stream",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'llm' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
