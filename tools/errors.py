"""Precise exceptions of the tools layer; translated to messages only at the edges."""

from __future__ import annotations


class ToolError(Exception):
    """Base class of errors raised by the tools package."""

    code = "tool_error"


class UnknownRegion(ToolError, LookupError):
    """A region the logistics rate card has no rates for."""

    code = "unknown_region"

    def __init__(self, region: str, known: tuple[str, ...]) -> None:
        super().__init__(f"no logistics rates for region {region!r}; known: {', '.join(known)}")
        self.region = region
        self.known = known
