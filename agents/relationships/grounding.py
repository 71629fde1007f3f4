"""Whether the model's explanation invents nothing: the gate a draft must pass to be shown.

The small embedded model phrases well enough to help and invents freely ("a loyal team
player", "the CEO of an association"). A draft is kept only when it is short, names the first
person to engage, states no number absent from the provenance, and uses no content word that is
neither in the facts it was given nor in a small documented vocabulary of advice. Otherwise the
deterministic map text stands alone, which is complete without it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agents.figures import ungrounded_numbers
from core.recommendation import Fact

MAX_DRAFT_CHARS = 800
_WORD = re.compile(r"[a-z]+")
_ENUMERATOR = re.compile(r"^\s*\d{1,2}[.)]\s", re.MULTILINE)  # "1. " numbers a list, states nothing

# Function words and the vocabulary of advice a coach may add without stating a new fact.
ADVICE_VOCABULARY = frozenset(
    """a about after ago all also an and any are as at be because been before being both but by
    can could did do does each either first for from had has have he her here him his how i if in
    into is it its just me more most my next no not now of on one only or our out over she should
    since so soon still than that the their them then there these they third this those three to
    two up us very was we were what when which while who whom why will with would you your
    account address advice ask begin book brief call champion close confirm contact decide
    decision email engage engagement first follow help important influence influencer introduce
    introduction keep key last maker matter meet meeting most need next notes offer person plan
    priority prioritise prioritize proposal reach recent recently relationship rep role says
    schedule should sign speak sponsor stakeholder start support talk time timeline touch
    week month year least little often again well good best better directly today together
    ensure make sure know understand learn share update informed warm""".split()
)


def unknown_words(text: str, given: str) -> list[str]:
    """Content words of ``text`` found neither in ``given`` (the facts shown) nor in the advice words."""
    known = {_stem(w) for w in _WORD.findall(given.lower())} | {_stem(w) for w in ADVICE_VOCABULARY}
    return [w for w in _WORD.findall(text.lower()) if _stem(w) not in known]


def draft_is_grounded(
    draft: str, *, first_name: str, facts_text: str, facts: Iterable[Fact]
) -> bool:
    """Keep a draft only if it is short, names ``first_name`` and invents no number or word."""
    text = draft.strip()
    if not text or len(text) > MAX_DRAFT_CHARS or first_name.lower() not in text.lower():
        return False
    bare = _ENUMERATOR.sub("", text)
    return not ungrounded_numbers(bare, facts) and not unknown_words(bare, facts_text)


def _stem(word: str) -> str:
    """Crude suffix folding so "meetings", "meeting" and "met" need not all be listed."""
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word
