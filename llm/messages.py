"""OpenAI-style chat messages as the providers receive them from litellm: text extraction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Messages = Sequence[Mapping[str, Any]]


def message_text(content: Any) -> str:
    """The text of a message content: a string, or a list of parts whose text parts are joined."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        return "".join(
            str(part.get("text", "")) if isinstance(part, Mapping) else str(part)
            for part in content
            if not isinstance(part, Mapping) or part.get("type", "text") == "text"
        )
    return str(content)


def last_user_text(messages: Messages) -> str:
    """Text of the last user message, or "" when there is none."""
    for message in reversed(messages):
        if message.get("role") == "user":
            return message_text(message.get("content"))
    return ""


def plain_messages(messages: Messages) -> list[dict[str, str]]:
    """Messages as role + text, the only shape a small model's chat template understands."""
    plain: list[dict[str, str]] = []
    for message in messages:
        role = str(message.get("role") or "user")
        text = message_text(message.get("content"))
        if role == "tool":  # SmolLM2's chat template has no tool role
            role, text = "user", f"Tool result: {text}"
        elif role not in {"system", "user", "assistant"}:
            role = "user"
        plain.append({"role": role, "content": text})
    return plain
