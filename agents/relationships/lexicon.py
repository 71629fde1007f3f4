"""The documented wording lexicon: phrases that reveal who decides, who pays, and how people feel.

Every entry is a case-insensitive regular expression with a weight. Authority phrases point at
the person they are said of (the nearest person named in the sentence, or the writer when the
writer says "I"); sentiment phrases at the person the sentence is about. Changing a phrase or
a weight changes recommendations: the lexicon's text goes into every map's input hash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

CueKind = Literal["authority", "budget", "positive", "negative"]


@dataclass(frozen=True)
class Phrase:
    """One lexicon entry."""

    kind: CueKind
    pattern: re.Pattern[str]
    weight: float
    label: str  # short, human name of the cue shown in reasons

    def finditer(self, text: str) -> list[re.Match[str]]:
        return list(self.pattern.finditer(text))


def _p(kind: CueKind, regex: str, weight: float, label: str) -> Phrase:
    return Phrase(kind, re.compile(regex, re.IGNORECASE), weight, label)


# Who takes the decision. Weight 1 is an explicit statement; lower weights are hints (someone
# reviews the offer, we are asked to forward it to someone).
AUTHORITY: tuple[Phrase, ...] = (
    _p("authority", r"\bfinal (?:decision|call|say)\b", 1.0, "final decision"),
    _p("authority", r"\bdecision is (?:theirs|hers|his|mine)\b", 1.0, "final decision"),
    _p("authority", r"\bdecision[- ]maker\b", 1.0, "decision maker"),
    _p("authority", r"\bsign(?:s|ed|ing)?[- ]off\b", 1.0, "sign-off"),
    _p("authority", r"\bsigns? the (?:order|contract|purchase)\b", 1.0, "sign-off"),
    # "type approval" and "regulatory approval" are certifications of a product, not a person's say.
    _p(
        "authority",
        r"(?<!type )(?<!regulatory )(?<!market )\bapprov(?:e|es|ed|al|ing)\b",
        0.8,
        "approval",
    ),
    _p(
        "authority",
        r"\b(?:budget holder|holds? the budget|controls? the budget|owns? the budget)\b",
        0.8,
        "budget holder",
    ),
    _p(
        "authority",
        r"\breviews? (?:it|the (?:offer|proposal|quotation))\b",
        0.3,
        "reviews the offer",
    ),
    _p("authority", r"\bshare it with\b", 0.2, "offer forwarded to"),
)

# Who controls the money (the economic buyer).
BUDGET: tuple[Phrase, ...] = (
    _p(
        "budget",
        r"\b(?:budget holder|holds? the budget|controls? the budget|owns? the budget)\b",
        1.0,
        "budget holder",
    ),
    _p("budget", r"\btotal cost of ownership\b", 0.5, "asks about total cost"),
    _p("budget", r"\bfinal offer\b", 0.5, "final offer"),
    _p("budget", r"\bapprove the (?:order|purchase|budget|spend)\b", 0.5, "approves the order"),
)

# How the person feels about us or the purchase.
POSITIVE: tuple[Phrase, ...] = (
    _p("positive", r"\bthank(?:s| you)\b", 1.0, "thanks us"),
    _p(
        "positive",
        r"\b(?:interested|keen|enthusiastic|impressed|pleased|happy|satisfied)\b",
        1.0,
        "positive",
    ),
    _p("positive", r"\blooking at options\b", 0.5, "exploring options"),
    _p(
        "positive",
        r"\b(?:supports?|supportive|advocates?|recommends? (?:us|our))\b",
        1.0,
        "supportive",
    ),
    _p("positive", r"\b(?:agreed|confirmed|proceeding|go ahead)\b", 0.5, "moving ahead"),
    _p("positive", r"\b(?:trial unit|reference site|site visit)\b", 0.5, "wants a trial or visit"),
)
# Price pushback is part of any negotiation: it lowers sentiment at half weight but alone never
# makes someone a blocker (roles.py needs a full-weight phrase: concern, objection, stalling).
NEGATIVE: tuple[Phrase, ...] = (
    _p("negative", r"\babove (?:our|their) expectations?\b", 0.5, "price above expectation"),
    _p("negative", r"\b(?:too expensive|too costly|overpriced)\b", 0.5, "price too high"),
    _p("negative", r"\b(?:offered less|lower price|cheaper)\b", 0.5, "competitor cheaper"),
    _p("negative", r"\bmore discount\b", 0.5, "asks for more discount"),
    _p("negative", r"\bimprove (?:it|the (?:price|offer))\b", 0.5, "asks for a better price"),
    _p("negative", r"\braised\b", 0.5, "raised an issue"),
    _p(
        "negative",
        r"\b(?:concerns?|concerned|worried|worries|complain(?:s|ed|t)?|unhappy|disappointed|frustrated)\b",
        1.0,
        "concerned",
    ),
    # ("blocks" is left out: "bite blocks" and "terminal blocks" are consumables, not objections.)
    _p(
        "negative",
        r"\b(?:objections?|objected|rejects?|rejected|refuses?|refused|opposes?|opposed)\b",
        1.0,
        "objects",
    ),
    _p(
        "negative",
        r"\b(?:not interested|no budget|no longer|cancel(?:s|led)?|postponed?|delay(?:s|ed)?)\b",
        1.0,
        "stalling",
    ),
    _p("negative", r"\bprefers? (?:a |the )?competitor\b", 1.0, "prefers a competitor"),
)

# A negation just before a phrase cancels it ("does not sign off", "is not happy").
NEGATION = re.compile(r"(?:\b(?:not|never|no|without)\b|n't\b)[^.;,]{0,20}$", re.IGNORECASE)
# The writer speaking of themself (only meaningful in a message the contact wrote to us).
FIRST_PERSON = re.compile(r"\b(?:I|me|my)\b")

ALL_PHRASES: tuple[Phrase, ...] = AUTHORITY + BUDGET + POSITIVE + NEGATIVE


def lexicon_fingerprint() -> list[list[object]]:
    """The lexicon as data, for input hashes: a changed phrase makes a different snapshot."""
    return [[p.kind, p.pattern.pattern, p.weight] for p in ALL_PHRASES]
