"""Reading a rep's messages out of graph state, the same way in every agent."""

from __future__ import annotations

import re
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


def earlier_messages(state: Mapping[str, Any]) -> list[Any]:
    """The thread's messages before the newest human message (oldest first)."""
    messages = list(state.get("messages", []))
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return messages[:index]
    return messages


def focus_of(state: Mapping[str, Any]) -> dict[str, str]:
    """The structured context the page sent with the message (``{"account_id": ...}``), or {}.

    The focus is what the rep has selected, not what they wrote: agents use it only when the
    message names no other subject and is not a portfolio question (``agents.subjects``).
    """
    focus = state.get("focus")
    if not isinstance(focus, Mapping):
        return {}
    return {
        key: str(value).strip()
        for key, value in focus.items()
        if key in ("account_id", "deal_id") and isinstance(value, str) and value.strip()
    }


# Questions across the rep's accounts rather than about one: "which of my accounts ...",
# "what changed in my territory", "all accounts", "my pipeline", "my open deals".
_PORTFOLIO = re.compile(
    r"\b(?:my|our)\s+(?:own\s+)?(?:accounts|territory|territories|portfolio|pipeline|book"
    r"(?:\s+of\s+business)?|customers|leads|deals|open\s+deals|opportunities|region)\b"
    r"|\ball\s+(?:(?:of\s+)?(?:my|our|the)\s+)?(?:accounts|customers|deals|leads)\b"
    r"|\bacross\s+(?:all\s+)?(?:my|our|the)?\s*(?:accounts|territory|customers|pipeline)\b"
    r"|\b(?:which|what)\s+(?:of\s+(?:my|our|the)\s+)?(?:accounts|customers|deals|leads)\b"
    r"|\bevery\s+(?:account|customer|deal)\b",
    re.IGNORECASE,
)


def is_portfolio_question(text: str) -> bool:
    """Whether ``text`` asks across the rep's accounts (my accounts, my territory, all accounts).

    Such a question is never narrowed to one account: not to the page's selected account, not
    to the account the conversation was about.
    """
    return bool(_PORTFOLIO.search(text))


def rep_id(config: Mapping[str, Any] | None) -> str | None:
    """The rep a run acts for (``config["configurable"]["rep_id"]``, e.g. "REP-003"), or None."""
    configurable = (config or {}).get("configurable") or {}
    value = configurable.get("rep_id") if isinstance(configurable, Mapping) else None
    return str(value).strip() or None if value else None
