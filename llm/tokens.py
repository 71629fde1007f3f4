"""Token counting with tiktoken, offline: its encodings come from the copy inside litellm's wheel.

Counts are exact for OpenAI models and an estimate for others (the local and scripted models
use cl100k_base), which is what budgets and context checks need.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from core.offline import apply_offline_defaults
from llm.messages import message_text

DEFAULT_ENCODING = "cl100k_base"
# The OpenAI cookbook's accounting for chat messages: each message is wrapped in a few
# special tokens, and every reply is primed with three more.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3


@lru_cache(maxsize=16)
def _encoding(model: str | None) -> Any:
    # TIKTOKEN_CACHE_DIR must point at litellm's bundled encodings before tiktoken's first
    # load, or tiktoken downloads them.
    apply_offline_defaults()
    import tiktoken

    if model:
        name = model.rsplit("/", 1)[-1]  # "openai/gpt-4o" -> "gpt-4o"
        try:
            return tiktoken.encoding_for_model(name)
        except KeyError:
            pass
    return tiktoken.get_encoding(DEFAULT_ENCODING)


def count_tokens(text: str, model: str | None = None) -> int:
    """Number of tokens in ``text`` for ``model`` (cl100k_base when the model is unknown)."""
    if not text:
        return 0
    return len(_encoding(model).encode(text, disallowed_special=()))


def count_message_tokens(
    messages: Iterable[Mapping[str, Any] | Any], model: str | None = None
) -> int:
    """Tokens a chat request's messages take, reply priming included.

    Accepts OpenAI-style dicts or LangChain messages (anything with ``content``).
    """
    total = REPLY_PRIMING_TOKENS
    for message in messages:
        if isinstance(message, Mapping):
            role, content, name = (
                message.get("role", ""),
                message.get("content"),
                message.get("name"),
            )
        else:
            role = getattr(message, "type", "")
            content, name = getattr(message, "content", ""), getattr(message, "name", None)
        total += TOKENS_PER_MESSAGE
        total += count_tokens(str(role), model) + count_tokens(message_text(content), model)
        if name:
            total += TOKENS_PER_NAME + count_tokens(str(name), model)
    return total
