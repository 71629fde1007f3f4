"""Claims model text makes that the data contradict: a won deal or signed contract no fact
records, a figure given a role its sources do not give it, an amount in a currency no source
uses. Each check takes one sentence and the :class:`~agents.prose.grounds.Grounds`."""

from __future__ import annotations

import re

from agents.figures import figure_key, figure_spans, stated_figures
from agents.prose.grounds import Grounds, source_text

_WON = re.compile(
    r"\b(?:contract|deal|agreement|order|purchase)s?\s+(?:is|was|has\s+been|have\s+been|are|were)"
    r"\s+(?:now\s+|already\s+|fully\s+|officially\s+)?(?:secured|signed|won|closed|finali[sz]ed|"
    r"in\s+the\s+bag|closed[\s-]won)\b"
    r"|\b(?:secured|signed|won|closed)\s+the\s+(?:contract|deal|agreement|order)\b"
    r"|\b(?:contract|deal)\s+(?:secured|signed|won)\b"
    r"|已(?:经)?(?:签约|签署|签订|成交|赢单)|合同已(?:经)?签",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(?:not|n't|never|no|until|unless|once|if|before|when|after|yet|until|whether|hope|"
    r"expect|aim|plan|want|would|could|might|may)\b|未|尚未|没有|如果|一旦",
    re.IGNORECASE,
)


def contradicted_claims(sentence: str, grounds: Grounds) -> list[str]:
    """A deal said to be won or a contract signed when no deal in the facts is closed-won."""
    if grounds.closed_won:
        return []
    for match in _WON.finditer(sentence):
        clause = re.split(r"[,;:.，；：。]", sentence[: match.start()])[-1]
        if not _HEDGE.search(clause + match.group(0)):
            return [
                f"claims a won deal or signed contract, which no fact records: {match.group(0)!r}"
            ]
    return []


# What a figure is said to be, and the words a source line uses for that role.
_ROLES: dict[str, tuple[str, ...]] = {
    "target": ("target",),
    "opening": ("opening", "open at"),
    "walk-away": ("walk-away", "walk away", "walkaway"),
    "floor": ("floor",),
    "list price": ("list price", "list_price"),
    "current": ("current",),
    "budget": ("budget",),
    "win chance": ("win chance", "win_chance", "win probability"),
}
_ROLE_SAID = {
    role: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")", re.IGNORECASE)
    for role, words in _ROLES.items()
}
_YEAR = re.compile(r"(?:19|20)\d\d")
_ROLE_WINDOW = 4  # words between the role and the figure it names ("target of CNY 76,185.38")


def misattributed_figures(sentence: str, grounds: Grounds) -> list[str]:
    """A figure given a role its sources do not give it: "targets CNY 194,716.36" when the
    only line stating 194,716.36 is the current price. The role is read from the few words
    right before the figure; a figure no source line states is left to the figure check."""
    lines = [line for text in grounds.texts for line in text.splitlines() if line.strip()]
    lines += [source_text(fact).replace("_", " ") for fact in grounds.facts]
    problems = []
    previous_end = 0
    for match in figure_spans(sentence):
        window = " ".join(
            re.findall(r"[\w'’-]+", sentence[previous_end : match.start()])[-_ROLE_WINDOW:]
        )
        previous_end = match.end()
        if _YEAR.fullmatch(match.group(0)):
            continue  # "a budget in line with 2026 growth": a year names when, not what
        key = figure_key(match.group(0))
        holding = [line for line in lines if key in stated_figures([line])]
        if key is None or not holding:
            continue
        for role, said in _ROLE_SAID.items():
            if said.search(window) and not any(said.search(line) for line in holding):
                problems.append(f"figure {match.group(0)} is not the {role} in any source")
    return problems


_CURRENCY = {
    "$": re.compile(r"\$|\bUSD\b|\bdollars?\b", re.IGNORECASE),
    "€": re.compile(r"€|\bEUR\b|\beuros?\b", re.IGNORECASE),
    "£": re.compile(r"£|\bGBP\b|\bpounds? sterling\b", re.IGNORECASE),
}


def foreign_currency(sentence: str, grounds: Grounds) -> list[str]:
    """An amount in a currency no source uses (the CRM prices in CNY; "$6,786,000" is wrong)."""
    known = f"{grounds.text}\n{grounds.question}"
    return [
        f"currency {name} is in no source"
        for name, pattern in _CURRENCY.items()
        if pattern.search(sentence) and not pattern.search(known)
    ]
