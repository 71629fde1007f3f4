"""Saying what consent withheld: the plain-words sentence, the confidence it costs, and the
``data["withheld"]`` every recommendation built on reduced inputs carries.

The consent gate (``governance.consent_gate``) counts what each read withheld; an agent opens a
``governance.consent_tally.collect_withheld()`` tally around its reads (:func:`read_counting` does it
for one read in a worker thread) and hands the result (``WithheldTally.as_data``) to
:func:`note_withheld` when it builds its recommendation. The shape is
``{"people": int, "records": {"meeting": int, "email": int, ...}, "partial": {...},
"reason": str}``: ``records`` are withheld whole, ``partial`` are used without the parts that
belong to the people withheld (their names, titles and words).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from core.recommendation import Fact, Recommendation
from governance.consent_tally import collect_withheld

T = TypeVar("T")

# Singular and plural of each kind the gate counts, in the order sentences list them.
_WORDS: dict[str, tuple[str, str]] = {
    "meeting": ("meeting", "meetings"),
    "email": ("e-mail", "e-mails"),
    "call": ("call", "calls"),
    "note": ("note", "notes"),
    "deal": ("deal", "deals"),
    "tender": ("tender notice", "tender notices"),
    "web_visit": ("web visit", "web visits"),
    "download": ("download", "downloads"),
}
# The kinds of record that carry what people said (meetings, e-mails, calls).
CONVERSATION_KINDS = ("meeting", "email", "call")
# Each record withheld whole costs confidence in proportion to its share of what was read;
# any withholding costs at least MIN_COST (the answer may rest on what was not seen).
SHARE_COST = 0.6
PARTIAL_COST = 0.2
MIN_COST = 0.05
FLOOR = 0.05


async def read_counting(
    read: Callable[..., T], /, *args: Any, **kwargs: Any
) -> tuple[T, dict[str, Any] | None]:
    """Run a blocking read in a worker thread; its result and what consent withheld from it
    (``data["withheld"]`` shape, None when nothing was)."""
    with collect_withheld() as tally:
        result = await asyncio.to_thread(read, *args, **kwargs)
    return result, tally.as_data()


def count_of(withheld: Mapping[str, Any] | None, *kinds: str, whole: bool = True) -> int:
    """How many records of ``kinds`` (all kinds when none are named) were withheld."""
    if not withheld:
        return 0
    counts = withheld.get("records" if whole else "partial") or {}
    return sum(int(n) for kind, n in counts.items() if not kinds or kind in kinds)


def kinds_phrase(counts: Mapping[str, int]) -> str:
    """ "3 meetings and 6 e-mails" for {"meeting": 3, "email": 6}; "" for no records."""
    order = list(_WORDS) + sorted(k for k in counts if k not in _WORDS)
    parts = []
    for kind in order:
        n = int(counts.get(kind, 0))
        if n:
            one, many = _WORDS.get(kind, (kind.replace("_", " "), kind.replace("_", " ") + "s"))
            parts.append(f"{n} {one if n == 1 else many}")
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _are(counts: Mapping[str, int]) -> str:
    return "is" if sum(int(n) for n in counts.values()) == 1 else "are"


def withheld_sentences(withheld: Mapping[str, Any] | None) -> list[str]:
    """What was withheld, in plain words; empty when nothing was."""
    if not withheld:
        return []
    whole = withheld.get("records") or {}
    partial = withheld.get("partial") or {}
    people = int(withheld.get("people") or 0)
    lines = []
    if any(whole.values()):
        lines.append(
            f"{kinds_phrase(whole)} {_are(whole)} withheld: the people in them have not"
            " consented to AI processing."
        )
    if any(partial.values()):
        lines.append(
            f"{kinds_phrase(partial)} {_are(partial)} used without the parts about people who"
            " have not consented (their names, titles and words)."
        )
    if people:
        who, has, are = (
            ("1 contact", "has", "is") if people == 1 else (f"{people} contacts", "have", "are")
        )
        lines.append(f"{who} {has} not consented to AI processing and {are} left out.")
    return lines


def not_seen(withheld: Mapping[str, Any] | None, *kinds: str) -> str:
    """A clause for a claim of absence: "; 3 meetings are withheld" when records of ``kinds``
    were withheld, else ""."""
    if not withheld:
        return ""
    counts = {k: n for k, n in (withheld.get("records") or {}).items() if k in kinds and n}
    return f"; {kinds_phrase(counts)} {_are(counts)} withheld" if counts else ""


def withheld_confidence(
    confidence: float, withheld: Mapping[str, Any] | None, *, used: int | None = None
) -> float:
    """``confidence`` lowered for what was withheld.

    With ``used`` (records the answer rests on) the cost is ``SHARE_COST`` x the share withheld
    whole, plus ``PARTIAL_COST`` x the share used in part; without it every withheld record is
    counted as if it were half of what there was. At least ``MIN_COST`` whenever anything was
    withheld; never below ``FLOOR``.
    """
    if not withheld:
        return confidence
    whole, partial = count_of(withheld), count_of(withheld, whole=False)
    seen = used if used is not None else whole + partial
    total = max(whole + seen, 1)
    cost = SHARE_COST * whole / total + PARTIAL_COST * min(partial, seen) / total
    lowered = confidence * (1.0 - cost)
    lowered = min(lowered, confidence - MIN_COST)
    return round(max(FLOOR, min(confidence, lowered)), 3)


def withheld_facts(withheld: Mapping[str, Any], *, record_id: str) -> list[Fact]:
    """Provenance for the counts a withheld sentence states (so every figure has a source)."""
    facts = [
        Fact(source="consent", record_id=record_id, field="withheld.people",
             value=int(withheld.get("people") or 0))
    ]  # fmt: skip
    for key, prefix in (("records", "withheld"), ("partial", "withheld_in_part")):
        facts += [
            Fact(source="consent", record_id=record_id, field=f"{prefix}.{kind}", value=int(n))
            for kind, n in (withheld.get(key) or {}).items()
        ]
    return facts


def note_withheld(
    recommendation: Recommendation,
    withheld: Mapping[str, Any] | None,
    *,
    used: int | None = None,
    costed: tuple[str, ...] | None = None,
) -> Recommendation:
    """The recommendation saying what was withheld: the sentences appended to its content,
    ``data["withheld"]``, the counts in its provenance and its confidence lowered.

    ``costed`` names the kinds of record the answer rests on (default: every kind): only
    those lower the confidence, while the sentence still says everything that was withheld.
    """
    if not withheld:
        return recommendation
    costing = restricted(withheld, *costed) if costed is not None else withheld
    record_id = (
        recommendation.subject.get("account_id")
        or recommendation.subject.get("contact_id")
        or recommendation.agent
    )
    sentences = " ".join(withheld_sentences(withheld))
    return recommendation.model_copy(
        update={
            "content": f"{recommendation.content.rstrip()}\n\nWithheld: {sentences}",
            "confidence": withheld_confidence(recommendation.confidence, costing, used=used),
            "provenance": [
                *recommendation.provenance,
                *withheld_facts(withheld, record_id=record_id),
            ],
            "data": {**recommendation.data, "withheld": dict(withheld)},
        }
    )


def restricted(withheld: Mapping[str, Any] | None, *kinds: str) -> dict[str, Any] | None:
    """``withheld`` counting only records of ``kinds`` (what an answer rests on, e.g. the notes
    a budget reads, not the contacts named on comparable deals); None when none are left."""
    if not withheld:
        return None
    kept = {
        key: {k: n for k, n in (withheld.get(key) or {}).items() if k in kinds and n}
        for key in ("records", "partial")
    }
    if not kept["records"] and not kept["partial"]:
        return None
    return {**withheld, **kept}


def merge_withheld(items: Iterable[Mapping[str, Any] | None]) -> dict[str, Any] | None:
    """One summary for answers built from several (the supervisor's): the largest count of
    each kind (the specialists read overlapping records, so counts are not added)."""
    merged: dict[str, Any] | None = None
    for item in items:
        if not item:
            continue
        if merged is None:
            merged = {"people": 0, "records": {}, "partial": {}, "reason": item.get("reason")}
        merged["people"] = max(merged["people"], int(item.get("people") or 0))
        for key in ("records", "partial"):
            for kind, n in (item.get(key) or {}).items():
                merged[key][kind] = max(merged[key].get(kind, 0), int(n))
    return merged
