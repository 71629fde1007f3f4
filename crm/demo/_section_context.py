"""What a section renderer sees, and the number formatting shared by every document."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crm.demo._product_lines import ProductLine, SpecValue


def format_number(value: float) -> str:
    """Render a number as documents print it: thousands separators, no trailing zeros."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def format_spec(value: SpecValue) -> str:
    """Render a spec value exactly as it appears in the documentation text."""
    return value if isinstance(value, str) else format_number(value)


def end_sentence(text: str) -> str:
    """Close a sentence with one full stop, even after "Co., Ltd."."""
    return text if text.endswith(".") else f"{text}."


def with_article(noun: str) -> str:
    """'an ultrasound system', 'a patient monitor'."""
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def hours_phrase(hours: float) -> str:
    """'1 hour', '6.5 hours': the battery sentences state durations this way."""
    text = format_number(hours)
    return f"{text} hour" if text == "1" else f"{text} hours"


@dataclass(frozen=True)
class SectionContext:
    """A product line, its seed-adjusted specs and the heading being written."""

    line: ProductLine
    specs: Mapping[str, SpecValue]
    heading: str

    @property
    def name(self) -> str:
        return self.line.name

    def spec(self, key: str) -> str:
        """The spec's text as printed in the documents."""
        return format_spec(self.specs[key])

    def pick(self, options: Sequence[str], salt: str = "") -> str:
        """Choose one wording, stable per product and heading, so chunks differ between products.

        Neighbouring products (often the same category, with the same facts) step to the next
        wording of every sentence; a section mixing 3, 4 and 5 wordings therefore reads
        differently for all thirty products. A hash of heading and sentence staggers the
        starting points; the seed plays no part, so only numbers move between seeds.
        """
        digest = hashlib.sha256(f"{self.heading}|{salt}".encode()).digest()
        offset = int.from_bytes(digest[:4], "big")
        return options[(self.line.index + offset) % len(options)]

    def fill(self, options: Sequence[str], salt: str = "", **values: str) -> str:
        """Pick a wording and fill in ``{name}`` plus the given values."""
        return self.pick(options, salt).format(name=self.name, **values)
