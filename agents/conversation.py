"""Reading a rep's messages out of graph state, the same way in every agent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import HumanMessage


def text_of(message: Any) -> str:
    """A message's text, whether its content is a string or a list of parts."""
    content = getattr(message, "content", message)
    if isinstance(content, list):
        return "".join(
            part.get("text", "") if isinstance(part, dict) else str(part) for part in content
        )
    return str(content)


def last_human_text(state: Mapping[str, Any]) -> str:
    """Text of the newest human message in ``state["messages"]``, or an empty string."""
    for message in reversed(state.get("messages", [])):
        if isinstance(message, HumanMessage):
            return text_of(message)
    return ""
