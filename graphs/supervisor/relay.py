"""The supervisor's own stream: its specialists' checked text, as they write it.

LangGraph's ``messages`` mode shows a subgraph's tokens only to a client that asked for
``stream_subgraphs``; without it a supervisor run would stream nothing until its reply is
composed. So the supervisor runs the specialist whose answer comes first in its reply with
``astream(stream_mode="messages")`` (the way LangGraph lets a node read a subgraph's messages),
and passes what it streams on through a chat model of its own
(:func:`agents.checked_stream.stream_text`), whose tokens messages mode shows in the supervisor's namespace, under the section heading the reply
will have. A specialist streams only checked text (``agents.checked_stream``) that its answer
starts with, so the supervisor's stream is always a start of its reply; when the reply is
composed, the rest of it follows (:func:`relay_rest`). With ``stream_subgraphs`` a client sees
the specialist's own stream in the specialist's namespace as well.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

from langchain_core.messages import AIMessageChunk
from langgraph.errors import GraphBubbleUp

from agents.checked_stream import stream_text
from agents.prose.sentences import split_sentences

_END = object()


class FailedAfterStreaming(Exception):
    """The specialist failed after part of its answer was streamed: ``shown`` (the text after
    the heading) stands, and the reply must keep it."""

    def __init__(self, shown: str, error: BaseException) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.shown = shown


async def run_relayed(
    graph: Any, graph_input: Mapping[str, Any], *, heading: str, about: str
) -> tuple[dict[str, Any], str]:
    """Run ``graph`` on ``graph_input``, relaying its streamed text after ``heading``.

    Returns the graph's final state and the text relayed (``heading`` included, "" if the graph
    streamed nothing). The graph runs in a task of the calling node (same context: the same
    checkpoint namespace, interrupts and cancellation); its errors are raised here.
    """
    queue: asyncio.Queue[Any] = asyncio.Queue()
    final: dict[str, Any] = {}

    async def produce() -> None:
        try:
            async for mode, data in graph.astream(graph_input, stream_mode=["messages", "values"]):
                if mode == "values":
                    final.clear()
                    final.update(data)
                    continue
                message = data[0]
                if isinstance(message, AIMessageChunk) and message.text:
                    await queue.put(message.text)
        finally:
            await queue.put(_END)

    async def pieces() -> AsyncIterator[str]:
        started = False
        while (text := await queue.get()) is not _END:
            if not started:
                text, started = heading + text.lstrip(), True
            yield text

    task = asyncio.create_task(produce())
    try:
        streamed = await stream_text(pieces(), about=about)
        try:
            await task
        except GraphBubbleUp:
            raise
        except Exception as error:
            if not streamed:
                raise
            raise FailedAfterStreaming(streamed.removeprefix(heading), error) from error
    finally:
        if not task.done():
            task.cancel()
    return final, streamed


async def relay_rest(content: str, streamed: str, *, about: str) -> None:
    """Stream what of the reply ``content`` was not streamed yet, sentence by sentence."""
    if streamed and not content.startswith(streamed):
        return  # cannot happen: a specialist's answer starts with what it streamed
    rest = content[len(streamed) :]
    if not rest.strip():
        return

    async def pieces() -> AsyncIterator[str]:
        for piece in split_sentences(rest):
            yield piece

    await stream_text(pieces(), about=about)
