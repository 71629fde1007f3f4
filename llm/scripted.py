"""A deterministic scripted model for tests, reached through litellm like any other model.

Tests plan replies with :func:`scripted_model` (a list of replies, a rule, or both) and call
``scripted/<name>`` through the gateway, litellm or ``ChatLiteLLM``. Without a plan the model
answers with :func:`default_reply`. In strict mode a call nobody planned raises
:class:`~llm.errors.UnplannedModelCallError`, at the call and again when the plan closes.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from llm.errors import UnplannedModelCallError
from llm.messages import Messages, last_user_text

DEFAULT_VERSION = "scripted-1"

Rule = Callable[[Messages], "str | ScriptedReply"]


@dataclass(frozen=True)
class ScriptedToolCall:
    """A tool call the scripted model makes; ``id`` defaults to a stable ``call_<n>``."""

    name: str
    args: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True)
class ScriptedReply:
    """A planned reply: text, tool calls, or both."""

    text: str = ""
    tool_calls: tuple[ScriptedToolCall, ...] = ()

    @classmethod
    def of(cls, value: str | ScriptedReply) -> ScriptedReply:
        return value if isinstance(value, ScriptedReply) else cls(text=value)


ScriptItem = str | ScriptedReply | BaseException | Rule


@dataclass(frozen=True)
class ScriptedCall:
    """One call the scripted model received, for tests to assert on."""

    model: str
    messages: list[dict[str, Any]]
    params: dict[str, Any]
    stream: bool
    reply: ScriptedReply | None = None
    error: BaseException | None = None


class Script:
    """Planned replies, consumed in call order; records every call it answers."""

    def __init__(
        self,
        responses: Iterable[ScriptItem] = (),
        *,
        rule: Rule | None = None,
        strict: bool = False,
    ) -> None:
        self._pending: deque[ScriptItem] = deque(responses)
        self.rule = rule
        self.strict = strict
        self.calls: list[ScriptedCall] = []
        self.unplanned: list[ScriptedCall] = []
        self._lock = threading.Lock()

    @property
    def remaining(self) -> int:
        return len(self._pending)

    def answer(
        self, model: str, messages: Messages, params: Mapping[str, Any], *, stream: bool
    ) -> ScriptedReply:
        """The next planned reply; raises a planned error, or a loud one if strict and unplanned."""
        record: dict[str, Any] = {
            "model": model,
            "messages": [dict(m) for m in messages],
            "params": dict(params),
            "stream": stream,
        }
        with self._lock:
            item: ScriptItem | None = self._pending.popleft() if self._pending else None
            if item is None and self.rule is not None:
                item = self.rule
            if item is None and self.strict:
                error = UnplannedModelCallError(_unplanned_message(model, messages))
                call = ScriptedCall(**record, error=error)
                self.calls.append(call)
                self.unplanned.append(call)
                raise error
            if isinstance(item, BaseException):
                self.calls.append(ScriptedCall(**record, error=item))
                raise item
            if item is None:
                reply = ScriptedReply(text=default_reply(messages))
            elif callable(item):
                reply = ScriptedReply.of(item(messages))
            else:
                reply = ScriptedReply.of(item)
            self.calls.append(ScriptedCall(**record, reply=reply))
            return reply


def _unplanned_message(model: str, messages: Messages) -> str:
    last = last_user_text(messages)
    return f"unplanned call to {model!r} in strict mode (last user message: {last[:120]!r})"


_SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)", re.DOTALL)
_CONTEXT_HEADING = re.compile(r"^\s*context\s*:\s*", re.IGNORECASE | re.MULTILINE)


def first_sentence(text: str, max_words: int = 40) -> str:
    """The first sentence of ``text`` (whitespace collapsed), cut at ``max_words``."""
    text = " ".join(text.split())
    match = _SENTENCE.match(text)
    sentence = match.group(1) if match else text
    words = sentence.split(" ")
    return " ".join(words[:max_words])


def default_reply(messages: Messages) -> str:
    """The deterministic reply when nothing is planned.

    Echoes the first sentence of the "Context:" section of the last user message when it has
    one (so grounded answers carry a fact from the context), else of the message itself.
    """
    last = last_user_text(messages)
    heading = _CONTEXT_HEADING.search(last)
    source = last[heading.end() :] if heading else last
    sentence = first_sentence(source)
    return f"Scripted reply: {sentence}" if sentence else "Scripted reply."


_PIECE = re.compile(r"\s*\S+\s*|\s+")


def split_pieces(text: str) -> list[str]:
    """Token-ish pieces, spaces kept, so ``"".join(split_pieces(t)) == t``."""
    return _PIECE.findall(text) if text else []


# Scripts are process-wide, not context-local: litellm runs fallbacks and LangGraph runs sync
# nodes in other threads, where context variables would not reach.
_stack: list[Script] = []
_stack_lock = threading.Lock()
_strict_default = False


def active_script() -> Script | None:
    with _stack_lock:
        return _stack[-1] if _stack else None


def set_strict_default(strict: bool) -> None:
    """Make calls outside any :func:`scripted_model` block raise (a test-suite-wide switch)."""
    global _strict_default
    _strict_default = strict


def answer(
    model: str, messages: Messages, params: Mapping[str, Any], *, stream: bool
) -> ScriptedReply:
    """Answer a call to ``scripted/<model>`` from the innermost active script."""
    script = active_script()
    if script is None:
        script = Script(strict=_strict_default)
    return script.answer(model, messages, params, stream=stream)


@contextmanager
def scripted_model(
    responses: Iterable[ScriptItem] = (),
    *,
    rule: Rule | None = None,
    strict: bool = False,
) -> Iterator[Script]:
    """Plan the scripted model's replies for the ``with`` block.

    ``responses`` are used in order; an exception in it is raised by that call (to test
    retries, fallbacks and error paths); a callable is called with the messages. When they
    run out, ``rule`` answers, else :func:`default_reply`, or, when ``strict``, every further
    call raises and leaving the block raises too.
    """
    script = Script(responses, rule=rule, strict=strict)
    with _stack_lock:
        _stack.append(script)
    try:
        yield script
    finally:
        with _stack_lock:
            _stack.remove(script)
    if strict and script.unplanned:
        raise UnplannedModelCallError(
            f"{len(script.unplanned)} unplanned call(s) to the scripted model; "
            f"first: {script.unplanned[0].error}"
        )
