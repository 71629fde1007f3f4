"""Questions with several parts: each part retrieved and answered, or said to be uncovered.

"How long does the BreathLine T300 battery last, and is it certified for air transport?" asks
two things. The question is split into its parts (sentences, ";", and "and"/"also" before a new
question); each part is searched on its own, with the products the whole question names, and
its best sentence is chosen in code. After the answer is written, every answered part the
answer leaves out gets the documentation's own sentence, and every part the documentation does
not answer is said to be uncovered ("The documentation does not cover ..."). The parts and
whether each was answered are recorded on the recommendation (``data["parts"]``), and the
confidence falls with each unanswered part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from agents import figures
from agents.technical_qa import grounding

# Where one question ends and the next begins: a sentence end, a semicolon, or a comma/"and"
# before a word that starts a new question ("..., and is it certified ...").
_STARTERS = (
    r"is|are|was|were|does|do|did|can|could|will|would|should|has|have|how|what|which|when|"
    r"where|who|why|whether"
)
_BOUNDARY = re.compile(
    rf"(?<=[?;])\s+|(?<=\.)\s+(?=[A-Z])|\s*;\s*"
    rf"|,?\s+(?:and|also|plus)\s+(?:also\s+)?(?=(?:{_STARTERS})\b)"
    rf"|,\s+(?=(?:{_STARTERS})\b)",
    re.IGNORECASE,
)
MIN_PART_WORDS = 3
# A part about a deal, an account, money or people is for another specialist (the supervisor
# hands the whole message to each it routes to): it is not a documentation question.
_NOT_DOCUMENTATION = re.compile(
    r"\b(?:ACC|DEAL|CON)-\d+\b|\b(?:price[sd]?|pricing|discounts?|quotes?|quotation|budgets?|"
    r"costs?|floor|decision[- ]makers?|economic buyer|champions?|stakeholders?|blocking|"
    r"lead score|grade|buying stage|hot)\b",
    re.IGNORECASE,
)

# Words that ask about the same thing in different forms: a question says "certified", the
# datasheet "approved as follows: ... RTCA DO-160"; folded into one concept term for matching.
_CONCEPTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^(?:certif|approv|complian|complie|registr|regulat|clearanc)"),
        "~approval",
    ),
    (re.compile(r"^(?:warrant|guarante)"), "~warranty"),
    (re.compile(r"^(?:batter|runtime|run-time)"), "~battery"),
    (re.compile(r"^(?:weigh|kg$|mass$)"), "~weight"),
)

Search = Callable[..., list[dict[str, Any]]]


def split_question(question: str) -> list[str]:
    """The documentation questions in ``question``, in order; one part when it asks one thing.

    Parts about deals, accounts, money or people are left to the specialists they belong to.
    """
    pieces = [p.strip(" ,;") for p in _BOUNDARY.split(question.strip()) if p and p.strip(" ,;")]
    parts: list[str] = []
    for piece in pieces:
        if parts and len(piece.split()) < MIN_PART_WORDS:
            parts[-1] = f"{parts[-1]} {piece}"  # too short to be a question of its own
        else:
            parts.append(piece)
    asked = [part for part in parts if not _NOT_DOCUMENTATION.search(part)]
    return asked if len(asked) > 1 else [question.strip()]


def concept_terms(text: str, *, ignore: Sequence[str] = ()) -> set[str]:
    """Topic words of ``text`` (``grounding.terms``) plus the concepts they belong to."""
    found = grounding.terms(text, ignore=ignore)
    return found | {concept for word in found for rx, concept in _CONCEPTS if rx.match(word)}


def retrieve_parts(
    search: Search,
    parts: Sequence[str],
    *,
    product_ids: list[str] | None,
    product_names: Sequence[str],
    names_product: Callable[[str], bool],
    k: int,
    min_score: float,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Search each part; returns (all passages, the relevant ones, one record per part).

    A part that names no product is searched with the question's products ("is it certified"
    is about the BreathLine T300 the question named). A part is answered when a relevant
    passage has a sentence sharing a topic word with it.
    """
    passages: dict[str, dict[str, Any]] = {}
    evidence: dict[str, dict[str, Any]] = {}
    records = []
    for part in parts:
        named = not product_names or names_product(part)
        query = part if named else f"{' '.join(product_names)} {part}"
        found = search(query, product_ids=product_ids, k=k)
        names = [p.get("product_name", "") for p in found]
        wanted = concept_terms(part, ignore=[*names, *product_names])
        relevant = grounding.relevant_passages(found, wanted, min_score=min_score)
        best = _best_sentence(wanted, relevant)
        for passage in found:
            passages.setdefault(passage["chunk_id"], passage)
        if best is not None:
            passage = relevant[best.passage_index]
            evidence.setdefault(passage["chunk_id"], passage)
        records.append(
            {
                "question": part,
                "answered": best is not None,
                "chunk_id": relevant[best.passage_index]["chunk_id"] if best else None,
                "sentence": best.sentence if best else None,
                "score": relevant[best.passage_index]["score"] if best else 0.0,
                "overlap": best.overlap if best else 0,
                "terms": len(wanted),
            }
        )
    return list(passages.values()), list(evidence.values()), records


def complete_answer(
    body: str, records: list[dict[str, Any]], evidence: list[dict[str, Any]]
) -> str:
    """``body`` with every part it leaves out answered from the documentation or declared
    uncovered, so no part of the question goes unanswered without saying so."""
    numbers = {p["chunk_id"]: i for i, p in enumerate(evidence, start=1)}
    names = [p.get("product_name", "") for p in evidence]
    added = []
    for record in records:
        if not record["answered"]:
            added.append(f'The documentation does not cover "{_asked(record["question"])}".')
        elif not covers(body, record["sentence"], record["question"], ignore=names):
            source = numbers.get(record["chunk_id"])
            cite = f" [{source}]" if source else ""
            added.append(
                f'On "{_asked(record["question"])}", the documentation states: '
                f'"{record["sentence"]}"{cite}'
            )
    return "\n\n".join([body, *added]) if added else body


def covers(answer: str, sentence: str, question: str, *, ignore: Sequence[str] = ()) -> bool:
    """Whether ``answer`` states what ``sentence`` says in reply to ``question``: its figures
    when it has any, else the words it adds to the question and the product names ``ignore``
    (e.g. "RTCA DO-160")."""
    stated = figures.numbers(sentence)
    if stated:
        return any(figure in answer for figure in stated)
    new = grounding.terms(sentence, ignore=ignore) - grounding.terms(question)
    return len(new & grounding.terms(answer)) >= min(2, len(new))


def parts_confidence(records: list[dict[str, Any]], *, grounded: bool) -> float:
    """The answer's confidence over its parts: the mean of each answered part's confidence
    (``grounding.answer_confidence`` of its passage and sentence), scaled down by the share of
    parts left unanswered (x1.0 when all are answered, x0.4 when none is)."""
    answered = [record for record in records if record["answered"]]
    if not answered:
        return 0.05
    each = [
        grounding.answer_confidence(
            top_score=r["score"], overlap=r["overlap"], question_terms=r["terms"], grounded=grounded
        )
        for r in answered
    ]
    share = len(answered) / len(records)
    return round(sum(each) / len(each) * (0.4 + 0.6 * share), 3)


def _best_sentence(
    wanted: set[str], passages: Sequence[dict[str, Any]]
) -> grounding.Evidence | None:
    """The sentence sharing most topic words and concepts with the part."""
    best: grounding.Evidence | None = None
    for index, passage in enumerate(passages):
        for sentence in grounding.split_sentences(passage["text"]):
            overlap = len(wanted & concept_terms(sentence))
            # One shared word of several is chance ("housing" in a cleaning instruction does
            # not say what colour the housing is).
            if overlap >= min(2, len(wanted)) and (best is None or overlap > best.overlap):
                best = grounding.Evidence(index, sentence, overlap)
    return best


def _asked(part: str) -> str:
    """The part as the rep asked it, without its question mark or leading conjunction."""
    text = re.sub(r"^(?:and|also|plus)\s+", "", part.strip(), flags=re.IGNORECASE)
    return text.rstrip(" ?.!")
