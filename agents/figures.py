"""Figures in generated text: which numbers a text states, and which no source states.

The rule "no agent may state a number absent from its provenance" is checked here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?")
_CITATION = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")


def numbers(text: str) -> list[str]:
    """Figures stated in ``text``, in order."""
    return _NUMBER.findall(text)


def ungrounded_numbers(answer: str, sources: Iterable[str]) -> list[str]:
    """Figures in ``answer`` that no source states (a sign the model invented them)."""
    stated = {number.replace(",", ".") for text in sources for number in _NUMBER.findall(text)}
    claimed = _NUMBER.findall(_CITATION.sub(" ", answer))  # "[1]" cites a source, it is no figure
    return [n for n in claimed if n.replace(",", ".") not in stated]
