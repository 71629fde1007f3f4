"""The checks one sentence of model-written text must pass, and the checks on a whole text.

Each check returns problems as short sentences a reviewer can read ("figure 9.92 is in no
source"). A sentence is checked against the :class:`~agents.prose.grounds.Grounds` and the
sentences before it (repetition spans sentences); the end of a text is checked once it is
complete (a model cut off by its token limit stops mid-sentence). The checks of what a text
claims against the data are in :mod:`agents.prose.claims`; :func:`check_sentence` runs them all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

from agents.figures import RECORD_ID, ungrounded_numbers
from agents.prose.claims import contradicted_claims, foreign_currency, misattributed_figures
from agents.prose.grounds import Grounds
from agents.prose.sentences import split_sentences

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# A word, or one Han character (Chinese is not written in words separated by spaces).
_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]|(?:(?![\u3400-\u4dbf\u4e00-\u9fff])[\w'’%-])+")

# Function words: they carry no claim, so neither repetition nor grounding counts them.
_FUNCTION = frozenset(
    """about above after again also although among another because been before being below
    between both could does doing done down during each either even every from further have
    having here however into itself just like made make many more most much must never next
    once only other ought over same should since some such than that their them then there
    these they this those though through under until upon very were what when where whether
    which while will with within without would your yours also best well""".split()
)


def _is_content(token: str) -> bool:
    return len(token) >= 4 and token.isalpha() and token.lower() not in _FUNCTION


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


# -- identifiers and names ------------------------------------------------------------------

# A model or part number: a capitalised word with digits in it ("P12", "T300", "X5s").
_CODE = re.compile(r"(?<![\w-])[A-Z][A-Za-z]*\d+[A-Za-z0-9]*(?![\w-])")
_HARMLESS_CODE = re.compile(r"^(?:Q[1-4]|H[12]|FY\d{2,4}|SpO2|CO2|O2)$")
# An organisation: capitalised words ending in a word that names an institution.
_ORGANISATION = re.compile(
    r"(?:[A-Z][\w'’&.-]*\s+){1,5}(?:Hospital|Clinic|Centre|Center|University|Institute|"
    r"College|Group|Company|Corporation|Foundation|Laborator(?:y|ies)|Healthcare|Pharma)\b"
)
# A person addressed by a title.
_TITLED = re.compile(
    r"\b(?:Dr|Mr|Mrs|Ms|Miss|Prof|Professor|Director|Dean)\.?\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
)
# Words that may lead a capitalised phrase without being part of a name.
_LEADING = frozenset(
    "the a an this that our your their its at for with from to by of in on and or as "
    "dear hi hello please contact".split()
)
# A word in pinyin: the demo's people and places are named in it, and a small model invents
# such names freely ("Zhang Wei"). English words that happen to spell pinyin are allowed.
_PINYIN = re.compile(
    r"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|uan|ian|iao|uai|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo"
    r"|ui|ue|er|a|o|e|i|u))+"
)
_ENGLISH_PINYIN = frozenset(
    "a an as he she me we hi i in on one man men long bang pan fan ban hen ten tie die lie gene"
    " china chinese sun gang hang sang bin pin tin win den ken pen zen nine line mine wine fine"
    " dine shine cue due hue sue you yo go no so to do pie tea sea see bee die"
    " beige hang bone cone done gone lone none tone zone cane lane mane pane sane wane"
    " hope rope dope cope mope lobe robe node code mode rode sore more core bore tore wore"
    " huge bingo tango mango lingo jingo gaga papa mama nana sofa china panda manga"
    " anne jane june jean joan sean dean guide suite quota zero zone zoo zen cola coca"
    " cuba canada".split()
)


def _known_words(grounds: Grounds) -> set[str]:
    return set(_LATIN_WORD.findall(f"{grounds.text}\n{grounds.question}".lower()))


def _pinyin_runs(sentence: str) -> list[list[str]]:
    """Runs of capitalised pinyin words next to each other ("Wang Fang", "Xiaoming")."""
    runs: list[list[str]] = []
    end = -1
    for match in re.finditer(r"(?<![\w-])[A-Z][a-z]+(?![\w-])", sentence):
        word = match.group(0)
        if not _is_pinyin_name(word):
            end = -1
            continue
        if runs and end >= 0 and sentence[end : match.start()] == " ":
            runs[-1].append(word)
        else:
            runs.append([word])
        end = match.end()
    return runs


def _in_sources(token: str, grounds: Grounds) -> bool:
    pattern = rf"(?<![\w-]){re.escape(token)}(?!\w)"
    return bool(re.search(pattern, f"{grounds.text}\n{grounds.question}", re.IGNORECASE))


# Letter groups English words rarely have and pinyin often does: one alone marks a word as a
# name ("Anzhen", "Ruijin", "Xiaoming"); without one, only a pair of pinyin words does
# ("Wang Fang"), so that English words that happen to spell pinyin ("Buying") pass.
_PINYIN_MARK = re.compile(r"zh|x|q|^z|^c[^h]|ao|ui|iu|uo|ian|iao|uan")


def _is_pinyin_name(word: str, *, alone: bool = False) -> bool:
    lower = word.lower()
    return (
        len(lower) >= 2
        and lower not in _ENGLISH_PINYIN
        and _PINYIN.fullmatch(lower) is not None
        and (not alone or _PINYIN_MARK.search(lower) is not None)
    )


def unknown_identifiers(sentence: str, grounds: Grounds) -> list[str]:
    """Record ids and model numbers in ``sentence`` that neither the sources nor the question hold."""
    found = [m.group(0) for m in RECORD_ID.finditer(sentence)]
    rest = RECORD_ID.sub(" ", sentence)
    found += [c for c in _CODE.findall(rest) if not _HARMLESS_CODE.match(c)]
    return [token for token in dict.fromkeys(found) if not _in_sources(token, grounds)]


def unknown_names(sentence: str, grounds: Grounds) -> list[str]:
    """Names of organisations, people and known entities that the sources do not hold.

    A known entity name (``grounds.names``) must be in the sources or the question; an
    organisation ("... Hospital") or a titled person ("Dr. Wang") must be made of words the
    sources hold; a capitalised pinyin word ("Zhang", "Anzhen") must be in the sources too.
    """
    known = _known_words(grounds)
    problems: list[str] = []
    for name in sorted(grounds.names, key=len, reverse=True):
        if len(name) > 2 and name.lower() in sentence.lower() and not _in_sources(name, grounds):
            problems.append(name)
    for match in _ORGANISATION.finditer(sentence):
        words = _LATIN_WORD.findall(match.group(0))
        while words and words[0].lower() in _LEADING:
            words.pop(0)
        if any(w.lower() not in known for w in words):
            problems.append(" ".join(words))
    for match in _TITLED.finditer(sentence):
        if any(w.lower() not in known for w in match.group(1).split()):
            problems.append(match.group(1))
    for run in _pinyin_runs(sentence):
        if len(run) > 1:  # a full name ("Wang Fang"): the sources must hold it as written
            if not _in_sources(" ".join(run), grounds):
                problems.append(" ".join(run))
        elif run[0].lower() not in known and _is_pinyin_name(run[0], alone=True):
            problems.append(run[0])
    return list(dict.fromkeys(problems))


# -- degeneration ---------------------------------------------------------------------------

MIN_REPEATED_LINE = 12  # characters: "Thank you." may repeat, a sentence may not
NGRAM = 5  # words (or Han characters) in a phrase counted for repetition
SHORT_NGRAM = 4  # words that may open two sentences, not three
MAX_NGRAM_REPEATS = 2  # such a phrase may occur twice in a text, not three times
_OF_CHAIN = re.compile(
    r"\b([A-Za-z]+)((?:\s+(?:of|by|for)\s+(?:the\s+|a\s+|an\s+)?[A-Za-z]+){3,})", re.IGNORECASE
)
_NOMINAL = re.compile(r"(?:tion|sion|ence|ance|ment|ity|ure|al|ing|ness|ship|ery)$")
_LIST_MARK = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s*")


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _WORD.findall(text)]


def _line(text: str) -> str:
    """A line as compared for repetition: white space folded, no list marker."""
    return " ".join(_LIST_MARK.sub("", text).split())


def _worded(gram: tuple[str, ...]) -> bool:
    return any(any(c.isalpha() for c in t) for t in gram)


def _overused(
    earlier: list[str], tokens: list[str], size: int, counts: Callable[[tuple[str, ...]], bool]
) -> str | None:
    """A phrase of ``size`` tokens that the sentence says for a third time, if any."""
    seen = Counter(tuple(earlier[i : i + size]) for i in range(max(0, len(earlier) - size + 1)))
    joined = earlier + tokens
    for i in range(max(len(earlier) - size + 1, 0), max(0, len(joined) - size + 1)):
        gram = tuple(joined[i : i + size])
        seen[gram] += 1
        if seen[gram] > MAX_NGRAM_REPEATS and counts(gram):
            return " ".join(gram)
    return None


def repetition(sentence: str, before: Sequence[str]) -> list[str]:
    """A line said before, or a phrase said too often (within the sentence or across the text)."""
    problems: list[str] = []
    line = _line(sentence)
    if len(line) >= MIN_REPEATED_LINE and any(line == _line(b) for b in before):
        problems.append(f"repeated line: {line[:60]!r}")
    tokens = _tokens(sentence)
    earlier = [t for b in before for t in _tokens(b)]
    phrase = _overused(earlier, tokens, NGRAM, _worded)
    if phrase:
        problems.append(f"repeated phrase: {phrase!r}")
    # The same four words opening a third sentence ("The above recommendation is ...").
    opening = tokens[:SHORT_NGRAM]
    if len(opening) == SHORT_NGRAM and _worded(tuple(opening)):
        if sum(1 for b in before if _tokens(b)[:SHORT_NGRAM] == opening) >= MAX_NGRAM_REPEATS:
            problems.append(f"repeated phrase: {' '.join(opening)!r} opens a third sentence")
    # A short phrase said three times running ("2026: 9.91% - 2026: 9.91% - 2026: 9.91%").
    for size in range(1, 9):
        for i in range(0, len(tokens) - 3 * size + 1):
            if (
                tokens[i : i + size]
                == tokens[i + size : i + 2 * size]
                == tokens[i + 2 * size : i + 3 * size]
            ):
                problems.append(f"phrase repeated back to back: {' '.join(tokens[i : i + size])!r}")
                return problems
    return problems


def noun_chain(sentence: str) -> list[str]:
    """A chain of nouns strung on "of"/"by" ("Confirmation of Recurrence of the Receipt of ...").

    Four or more links, or three where most nouns are nominalisations or capitalised
    mid-sentence, read as bureaucratic noise rather than a sentence.
    """
    for match in _OF_CHAIN.finditer(sentence):
        nouns = [match.group(1)] + [
            w
            for w in re.findall(r"[A-Za-z]+", match.group(2))
            if w.lower() not in {"of", "by", "for", "the", "a", "an"}
        ]
        heavy = sum(1 for n in nouns if _NOMINAL.search(n.lower()) or n[0].isupper())
        if len(nouns) >= 5 or (len(nouns) >= 4 and heavy * 2 > len(nouns)):
            return [f"chain of nouns: {match.group(0)[:60]!r}"]
    return []


# Function words a complete sentence does not end on.
_DANGLING = frozenset(
    "the a an of to and or but with for by in on at from as is are was were be been that which"
    " who whose your our their its this these those will would should can could may might must"
    " has have had not than into about per via".split()
)
_CLOSING = ".!?…。！？)]}\"'”’》」』）"


def unfinished(text: str) -> list[str]:
    """The text stops mid-sentence: its last line ends on a function word, or a prose line
    (not a list item or table row) ends without a full stop."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        return []
    last = lines[-1]
    words = _LATIN_WORD.findall(last)
    ends_on_figure = bool(re.search(r"\d[\d,.]*\s*%?\)?$", last))  # "... a trend of 0.48%"
    if words and words[-1].lower() in _DANGLING and last[-1] not in _CLOSING and not ends_on_figure:
        return [f"unfinished sentence: {last[-60:]!r}"]
    if last[-1] in ":：":  # announces what never came ("The answer is:")
        return [f"unfinished sentence: {last[-60:]!r}"]
    listed = re.match(r"^(?:[-*•|]|\d{1,2}[.)]\s)", last)
    long_enough = len(words) > 3 or len(_HAN.findall(last)) > 8
    if not listed and last[-1] not in _CLOSING and long_enough:
        return [f"unfinished sentence: {last[-60:]!r}"]
    return []


# -- language -------------------------------------------------------------------------------


def wrong_language(sentence: str, grounds: Grounds) -> list[str]:
    """A sentence in another language than the rep's question.

    For an English question: Chinese characters beyond names the sources hold. For a Chinese
    question: a sentence with no Chinese and three or more lowercase English words (names and
    model numbers are capitalised, so "VitaScan P12" alone passes).
    """
    known = grounds.text + grounds.question
    if grounds.language == "en":
        foreign = [c for c in _HAN.findall(sentence) if c not in known]
        if len(foreign) >= 2:
            return ["wrong language: Chinese in an answer to an English question"]
        return []
    if _HAN.search(sentence):
        return []
    # English prose has lowercase words; names and model numbers ("VitaScan P12") do not.
    words = [w for w in _LATIN_WORD.findall(RECORD_ID.sub(" ", sentence)) if w.islower()]
    if len(words) >= 3:
        return ["wrong language: English in an answer to a Chinese question"]
    return []


# -- grounding of content ---------------------------------------------------------------

MIN_CONTENT_WORDS = 6  # shorter sentences are judged by the other checks only
MIN_GROUNDED_SHARE = 0.25  # of a sentence's content words, at least this share from the sources


def unsupported(sentence: str, grounds: Grounds) -> list[str]:
    """A sentence about something else: of six or more content words, fewer than a quarter
    are words the sources, the question or the known names use ("You've managed to make it
    more understandable using data visualization, specifically using a pie chart")."""
    words = [part for w in _LATIN_WORD.findall(sentence) for part in re.split(r"[-'’]", w)]
    content = [w for w in words if _is_content(w)]
    if _HAN.search(sentence):
        return []
    known = _known_stems(grounds)
    grounded = sum(1 for w in content if _stem(w) in known)
    if len(content) >= MIN_CONTENT_WORDS and grounded < MIN_GROUNDED_SHARE * len(content):
        return [f"says nothing the sources hold: {sentence.strip()[:60]!r}"]
    # A short list item ("- Sodium hydroxide (NaOH)") has no context to lean on: one of its
    # words at least must come from the sources.
    if _LIST_MARK.match(sentence.lstrip("\n")) and len(content) >= 2 and grounded == 0:
        return [f"a list item the sources do not hold: {sentence.strip()[:60]!r}"]
    return []


def _known_stems(grounds: Grounds) -> set[str]:
    text = " ".join([grounds.text, grounds.question, *grounds.names])
    return {_stem(w) for w in _LATIN_WORD.findall(text)}


# -- the whole check ------------------------------------------------------------------------


def check_sentence(sentence: str, grounds: Grounds, *, before: Sequence[str] = ()) -> list[str]:
    """Problems of one sentence, given the sentences shown before it."""
    if not sentence.strip():
        return []
    problems = [
        f"figure {n} is in no source"
        for n in ungrounded_numbers(sentence, grounds.sources + (grounds.question,))
    ]
    problems += [f"unknown id or model {t}" for t in unknown_identifiers(sentence, grounds)]
    problems += [f"name not in the sources: {n}" for n in unknown_names(sentence, grounds)]
    problems += repetition(sentence, before)
    problems += noun_chain(sentence)
    problems += unsupported(sentence, grounds)
    problems += wrong_language(sentence, grounds)
    problems += contradicted_claims(sentence, grounds)
    problems += misattributed_figures(sentence, grounds)
    problems += foreign_currency(sentence, grounds)
    return problems


def check_text(text: str, grounds: Grounds) -> list[str]:
    """Every problem of ``text``: each sentence's, then the end's."""
    problems: list[str] = []
    before: list[str] = []
    for sentence in split_sentences(text):
        problems += check_sentence(sentence, grounds, before=before)
        before.append(sentence)
    problems += unfinished(text)
    return list(dict.fromkeys(problems))
