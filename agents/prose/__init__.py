"""Checked prose: model-written text reaches a rep only after it passes checks.

What is checked, sentence by sentence (:func:`check_sentence`) and at the end of a text:

- **figures**: every number is stated by a source (:func:`agents.figures.ungrounded_numbers`)
  or the rep's question;
- **identifiers and names**: record ids ("ACC-0156"), model numbers ("P12"), organisations
  ("... Hospital"), titled people ("Dr. Wang"), capitalised pinyin names and the entity names
  the tools returned (``Grounds.names``) must be in the sources or the question;
- **degeneration**: a line said twice, a five-word phrase said three times, a phrase
  repeated back to back, a chain of nouns on "of" ("Confirmation of Recurrence of the
  Receipt of ..."), a sentence in another language than the question, a text that stops
  mid-sentence;
- **claims the data contradicts**: a contract signed or a deal won when no deal in the facts
  is closed-won.

API:

- ``Grounds.of(sources, names=..., question=..., closed_won=...)`` — what a text may rest
  on; sources are the texts and provenance facts the model was given; the language is the
  question's unless given.
- ``check_text(text, grounds) -> list[str]`` — every problem of a whole text (empty: passed).
- ``check_sentence(sentence, grounds, before=[...]) -> list[str]`` — one sentence's problems,
  given the sentences already shown.
- ``ProseGate(grounds)`` — for streams: ``feed(delta) -> list[str]`` returns the sentences
  that completed and passed (the sentence under check is held back); ``close()`` releases
  the last one if it is complete and passes; after the first failure nothing more is
  released; ``finish(fallback) -> Checked`` gives the text to show: the model's text
  ("passed"), the released sentences followed by ``fallback`` ("partial"), ``fallback``
  alone ("replaced"), or ``fallback`` when the model wrote nothing ("none").
- ``check_prose(text, grounds, fallback) -> Checked`` — the same for a whole reply; fed at
  once or token by token the result is the same, so a stream never shows text the final
  answer withdraws.
- ``Checked.record`` — ``{"status": ..., "problems": [...]}``, stored on the recommendation
  as ``data["prose"]``.
"""

from agents.prose.checks import check_sentence, check_text
from agents.prose.gate import Checked, ProseGate, check_prose, no_prose
from agents.prose.grounds import Grounds, language_of
from agents.prose.sentences import SentenceSplitter, split_sentences

__all__ = [
    "Checked",
    "Grounds",
    "ProseGate",
    "SentenceSplitter",
    "check_prose",
    "check_sentence",
    "check_text",
    "language_of",
    "no_prose",
    "split_sentences",
]
