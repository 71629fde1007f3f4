"""Model text that streams only once checked: sentence by sentence, holding back the sentence
under check.

LangGraph's ``messages`` stream mode shows the tokens of every chat model a node calls (its
handler listens to the model's callbacks), except calls tagged ``nostream``. A
:class:`CheckedChatModel` is a chat model whose tokens are checked sentences: it calls the model
it wraps under ``nostream`` and feeds what that writes to a :class:`agents.prose.ProseGate`,
yielding only the sentences the gate releases. So every stream (messages mode, the
OpenAI-compatible stream, the chat page, ``crm-agents ask``) shows checked text only::

    gate = ProseGate(grounds)
    reply = await checked(model, gate).ainvoke(messages)
    shown = gate.finish(fallback)        # starts with what streamed
    draft = written(reply)               # all the model wrote (for audit, or check_prose)

The gate closes at the first sentence that fails (what follows may rest on it); the agent's
deterministic wording goes *after* what was streamed (``ProseGate.finish``), so the final
answer starts with the streamed text and nothing shown is ever taken back. ``check_prose`` of
the same text over the same grounds gives the same result, so a node that keeps only the
model's text in its state and checks it when it composes the answer stays consistent with the
stream.

Streamed text never ends in white space (it is held until the next sentence), so it stays a
start of the final answer, which is stripped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import aclosing
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManager,
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.chat_models import agenerate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langgraph.constants import TAG_NOSTREAM
from pydantic import ConfigDict

from agents.prose import ProseGate

__all__ = [
    "CheckedChatModel",
    "StreamingChatModel",
    "TextChatModel",
    "checked",
    "stream_text",
    "text_of_content",
    "written",
]

WRITTEN_KEY = "model_text"


class StreamingChatModel(BaseChatModel):
    """A chat model that only streams (asynchronously): its answer is what ``_astream`` yields.
    Messages mode shows each yielded chunk as a token."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    @property
    def _llm_type(self) -> str:
        return type(self).__name__

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        raise NotImplementedError(f"{type(self).__name__} is asynchronous: use ainvoke or astream")

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return await agenerate_from_stream(self._astream(messages, stop, run_manager, **kwargs))


class CheckedChatModel(StreamingChatModel):
    """Streams the sentences of ``model`` that ``gate`` releases; answers with exactly those.

    ``lead`` is deterministic text the agent puts first whatever the model writes: it streams
    at once, before the model's first token. ``joint`` goes between ``lead`` and the first
    released sentence (only if one is released). With ``whole``, the released sentences are
    held to the end and shown only if the gate never closed (an e-mail draft is shown whole or
    not at all). The answer's ``response_metadata["model_text"]`` is all the model wrote.
    """

    model: Any
    gate: ProseGate
    lead: str = ""
    joint: str = ""
    whole: bool = False

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        gate, out = self.gate, _Out(self.joint, whole=self.whole)
        written: list[str] = []
        if self.lead:
            yield _chunk(self.lead)
        # The model's own tokens must reach no stream: only what the gate releases does.
        config: dict[str, Any] = {"callbacks": _children(run_manager), "tags": [TAG_NOSTREAM]}
        try:
            # Closed as soon as the gate closes: the model stops writing what nobody will read.
            async with aclosing(self.model.astream(messages, config, stop=stop, **kwargs)) as it:
                async for piece in it:
                    delta = text_of_content(piece.content)
                    written.append(delta)
                    for text in out.pieces(gate.feed(delta)):
                        yield _chunk(text)
                    if gate.failed:
                        break
        except Exception:
            if not gate.shown:
                raise  # nothing shown yet: the agent's own handling of model failures applies
            # Shown sentences stand; the agent's wording follows them.
            gate.problems.append("the model failed before it finished")
        for text in out.pieces(gate.close(), last=not gate.failed):
            yield _chunk(text)
        yield ChatGenerationChunk(
            message=AIMessageChunk(content="", response_metadata={WRITTEN_KEY: "".join(written)})
        )


class TextChatModel(StreamingChatModel):
    """A chat model that writes ``pieces`` as its tokens: text already checked or composed
    (deterministic wording an answer starts with, a specialist's checked stream)."""

    pieces: Any  # AsyncIterator[str]

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        async for text in self.pieces:
            yield _chunk(text)


async def stream_text(pieces: AsyncIterator[str] | Iterable[str], *, about: str = "") -> str:
    """Stream ``pieces`` in the calling node's messages stream; returns what was streamed.

    For text the node's answer will start with. Nothing is started when there is nothing to
    stream (no empty message reaches clients).
    """
    if not isinstance(pieces, AsyncIterator):
        pieces = _async(pieces)
    first = await anext(pieces, None)
    if first is None:
        return ""

    async def everything() -> AsyncIterator[str]:
        yield first
        async for piece in pieces:
            yield piece

    reply = await TextChatModel(pieces=everything()).ainvoke([HumanMessage(content=about)])
    return reply.text


async def _async(pieces: Iterable[str]) -> AsyncIterator[str]:
    for piece in pieces:
        if piece:
            yield piece


def _children(run_manager: AsyncCallbackManagerForLLMRun | None) -> AsyncCallbackManager | None:
    """The callbacks of a call made inside this model's run (a model's run manager has no
    ``get_child``, unlike a chain's): the inherited handlers, tags and metadata."""
    if run_manager is None:
        return None
    manager = AsyncCallbackManager(handlers=[], parent_run_id=run_manager.run_id)
    manager.set_handlers(run_manager.inheritable_handlers)
    manager.add_tags(run_manager.inheritable_tags)
    manager.add_metadata(run_manager.inheritable_metadata)
    return manager


class _Out:
    """Shapes released sentences into streamed text: the joint before the first, no trailing
    white space (it goes out with the next sentence), all at the end when ``whole``."""

    def __init__(self, joint: str, *, whole: bool) -> None:
        self._joint, self._whole = joint, whole
        self._started = False
        self._pending = ""  # trailing white space, held back
        self._held: list[str] = []  # released sentences not yet streamed (all of them when whole)

    def pieces(self, sentences: Iterable[str], *, last: bool = False) -> list[str]:
        self._held += sentences
        if self._whole and not last:
            return []
        text, self._held = "".join(self._held), []
        if not text.strip():
            return []
        if not self._started:
            text, self._started = self._joint + text.lstrip(), True
        text = self._pending + text
        body = text.rstrip()
        self._pending = text[len(body) :]
        return [body] if body else []


def _chunk(text: str) -> ChatGenerationChunk:
    return ChatGenerationChunk(message=AIMessageChunk(content=text))


def text_of_content(content: Any) -> str:
    """The text of a message's content (a string, or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in content
            if isinstance(part, str) or (isinstance(part, dict) and part.get("type") == "text")
        )
    return ""


def checked(
    model: Any, gate: ProseGate, *, lead: str = "", joint: str = "", whole: bool = False
) -> CheckedChatModel:
    """``model`` behind ``gate`` (see :class:`CheckedChatModel`)."""
    return CheckedChatModel(model=model, gate=gate, lead=lead, joint=joint, whole=whole)


def written(reply: BaseMessage) -> str:
    """All the wrapped model wrote (its answer's content is only what was shown)."""
    return str(reply.response_metadata.get(WRITTEN_KEY, "") or "")
