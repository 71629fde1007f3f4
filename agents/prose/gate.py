"""The gate model text passes on its way to a rep: sentence by sentence, as it streams.

A :class:`ProseGate` takes the model's text in pieces (token deltas, or the whole reply at
once) and releases each sentence only after it passed :func:`check_sentence`; the sentence
under check is held back. The first sentence that fails closes the gate: it and everything
after it are dropped, and :meth:`ProseGate.finish` puts the agent's deterministic wording in
their place. Fed all at once or token by token, the same text gives the same result, so what a
stream showed is always the start of the final text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from agents.prose.checks import check_sentence, unfinished
from agents.prose.grounds import Grounds
from agents.prose.sentences import SentenceSplitter

Status = Literal["passed", "replaced", "partial", "none"]


@dataclass(frozen=True)
class Checked:
    """What a rep is shown of one piece of model text, and how it came to be."""

    text: str
    status: Status
    problems: tuple[str, ...] = ()
    model_text: str = field(default="", repr=False)  # what the model wrote, for audit
    shown: str = ""  # the model's sentences that are shown ("" when none are)

    @property
    def record(self) -> dict[str, Any]:
        """The outcome as stored on a recommendation: ``data["prose"]``, with the model's
        sentences that are shown (so anyone can check them again)."""
        return {"status": self.status, "problems": list(self.problems), "shown": self.shown}

    @property
    def kept(self) -> bool:
        """Whether any of the model's sentences are shown."""
        return self.status in ("passed", "partial")


class ProseGate:
    """Releases a model's text one checked sentence at a time.

    ``feed(delta)`` returns the sentences that became complete and passed (white space before
    each included, so joining them rebuilds the shown text); ``close()`` checks what is left
    (an unfinished last sentence fails); ``finish(fallback)`` closes and returns the
    :class:`Checked` result, with ``fallback`` appended when a sentence failed.
    """

    def __init__(self, grounds: Grounds) -> None:
        self.grounds = grounds
        self._splitter = SentenceSplitter()
        self._shown: list[str] = []
        self._written: list[str] = []
        self._held: list[str] = []  # passed, but would leave the shown text unfinished
        self.problems: list[str] = []
        self._closed = False

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    @property
    def shown(self) -> str:
        """The text released so far."""
        return "".join(self._shown)

    def feed(self, delta: str) -> list[str]:
        """Add a piece of model text; the sentences it completed that passed."""
        self._written.append(delta)
        if self._closed or self.failed:
            return []
        return self._admit(self._splitter.feed(delta))

    def close(self) -> list[str]:
        """The end of the model's text: release the last sentence if it passes."""
        if self._closed:
            return []
        self._closed = True
        if self.failed:
            return []
        rest = self._splitter.rest()
        released = self._admit([rest]) if rest.strip() else []
        if self._held and not self.failed:
            # The text ended on what announced more ("... include:"): it never came.
            self.problems.extend(unfinished("".join(self._shown + self._held)))
            self._held.clear()
        return released

    def finish(self, fallback: str, *, separator: str = "\n\n", follows: bool = False) -> Checked:
        """Close the gate; the text to show, with ``fallback`` where model text was dropped.

        ``follows``: the deterministic wording is shown after the model's text in any case
        (a narration that introduces a summary), so a passed text is followed by it too.
        """
        self.close()
        written = "".join(self._written)
        shown = self.shown.strip()
        if not written.strip():
            return Checked(fallback, "none", (), written)
        if not self.failed:
            text = f"{shown}{separator}{fallback}" if follows and fallback.strip() else shown
            return Checked(text, "passed", (), written, shown)
        problems = tuple(dict.fromkeys(self.problems))
        if not shown:
            return Checked(fallback, "replaced", problems, written)
        text = f"{shown}{separator}{fallback}" if fallback.strip() else shown
        return Checked(text, "partial", problems, written, shown)

    def _admit(self, sentences: Iterable[str]) -> list[str]:
        """Check ``sentences`` in order and release those that passed. A sentence that passed
        but would leave the shown text unfinished ("The key factors are:") is held until the
        next one passes, and dropped with it when that one fails: what was shown always reads
        as finished."""
        released: list[str] = []
        for sentence in sentences:
            problems = check_sentence(sentence, self.grounds, before=self._shown + self._held)
            if problems:
                self.problems.extend(problems)
                self._held.clear()
                break
            self._held.append(sentence)
            if not unfinished("".join(self._shown + self._held)):
                self._shown += self._held
                released += self._held
                self._held.clear()
        return released


def check_prose(text: str | None, grounds: Grounds, fallback: str, **kwargs: Any) -> Checked:
    """The whole of a model's reply through the gate: what to show, and the record of it."""
    gate = ProseGate(grounds)
    gate.feed(text or "")
    return gate.finish(fallback, **kwargs)


def no_prose(fallback: str) -> Checked:
    """No model text at all (narration off, or no model): the deterministic wording."""
    return Checked(fallback, "none")
