"""Which prompt template a rendered system message came from, so a model call can be audited
with the template's id and sha256 even though the call itself only carries messages."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache

from core.recommendation import PromptInfo
from prompts.library import TEMPLATE_DIR, PromptNotFound, load_prompt


def _pattern(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(".*?")
    return re.compile("".join(parts), re.DOTALL)


@dataclass(frozen=True)
class _Template:
    info: PromptInfo
    system: re.Pattern[str]


@lru_cache(maxsize=1)
def _templates() -> tuple[_Template, ...]:
    found = []
    for path in sorted(TEMPLATE_DIR.glob("*.md")):
        try:
            prompt = load_prompt(path.stem)
        except PromptNotFound:  # not a template (a README, say)
            continue
        found.append(_Template(prompt.info, _pattern(prompt.system)))
    return tuple(found)


def match_prompt(system_message: str | None) -> PromptInfo | None:
    """The template whose system part renders to ``system_message``, if exactly one does."""
    if not system_message:
        return None
    matches = [t.info for t in _templates() if t.system.fullmatch(system_message.strip())]
    return matches[0] if len(matches) == 1 else None
