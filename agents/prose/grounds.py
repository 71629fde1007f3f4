"""What model-written text may rest on: the sources it was given, the names it may use, and
the language the rep wrote in."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from agents.figures import Source
from core.recommendation import Fact

Language = Literal["en", "zh"]

_WON = frozenset({"closed_won", "closed won", "won"})
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def language_of(question: str) -> Language:
    """The rep's language, by the question's script: Chinese when it holds Han characters."""
    return "zh" if _HAN.search(question or "") else "en"


@dataclass(frozen=True)
class Grounds:
    """Everything a narration may state, and how it must read.

    ``sources`` are the texts and provenance facts the model was given: every figure, id and
    name it writes must come from them (or, for names, from the rep's own question).
    ``names`` are entity names the agent's tools returned (accounts, contacts, products,
    documents, deals), known to be names: one of them in the text must also be in the
    sources. ``closed_won`` says whether the facts hold a deal won, the only ground for
    saying a contract is signed or secured.
    """

    sources: tuple[Source, ...] = ()
    names: frozenset[str] = frozenset()
    question: str = ""
    language: Language = "en"
    closed_won: bool = False
    _text: str = field(default="", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_text", "\n".join(source_text(s) for s in self.sources))

    @classmethod
    def of(
        cls,
        sources: Iterable[Source],
        *,
        names: Iterable[str] = (),
        question: str = "",
        language: Language | None = None,
        closed_won: bool | None = None,
    ) -> Grounds:
        """Grounds over ``sources``; the language defaults to the question's, and a deal is
        taken as won when a fact's value says so ("closed_won", "won")."""
        sources = tuple(sources)
        if closed_won is None:
            closed_won = any(
                isinstance(s, Fact) and str(s.value).strip().lower() in _WON for s in sources
            )
        return cls(
            sources=sources,
            names=frozenset(n.strip() for n in names if n and n.strip()),
            question=question,
            language=language or language_of(question),
            closed_won=closed_won,
        )

    @property
    def text(self) -> str:
        """Every source as one text (facts as ``record_id field value``)."""
        return self._text

    @property
    def texts(self) -> list[str]:
        """The source texts (not the facts)."""
        return [s for s in self.sources if isinstance(s, str)]

    @property
    def facts(self) -> list[Fact]:
        return [s for s in self.sources if isinstance(s, Fact)]


def source_text(source: Source) -> str:
    """A source as text: a fact reads ``source record_id field value`` (and its date)."""
    if isinstance(source, str):
        return source
    as_of = f" {source.as_of.date().isoformat()}" if source.as_of is not None else ""
    value = "" if source.value is None else str(source.value)
    return f"{source.source} {source.record_id} {source.field} {value}{as_of}"
