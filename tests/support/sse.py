"""Parse a server-sent event body the way the LangGraph SDK does (event, JSON data)."""

from __future__ import annotations

from typing import Any

import orjson


def parse_sse(body: str) -> list[tuple[str, Any]]:
    """``[(event, data), ...]`` of a complete SSE body; comments (heartbeats) are skipped."""
    events: list[tuple[str, Any]] = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        name, data = "", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if name or data:
            events.append((name, orjson.loads("\n".join(data)) if data else None))
    return events
