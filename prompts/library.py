"""Load prompt templates by id from ``prompts/templates/<id>.md``.

A template file holds a ``system`` and a ``user`` part, separated by lines ``[system]`` and
``[user]``; placeholders use ``str.format`` syntax. The sha256 of the whole file identifies the
exact prompt an answer was produced with.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.recommendation import PromptInfo

TEMPLATE_DIR = Path(__file__).parent / "templates"
_PART = re.compile(r"^\[(system|user)\]\s*$", re.MULTILINE)
_ID = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")


class PromptNotFound(LookupError):
    """No template file exists for this prompt id."""


@dataclass(frozen=True)
class Prompt:
    """A parsed template with its identity."""

    id: str
    sha256: str
    system: str
    user: str

    @property
    def info(self) -> PromptInfo:
        return PromptInfo(id=self.id, sha256=self.sha256)

    def messages(self, **values: object) -> list[dict[str, str]]:
        """The chat messages with placeholders filled in."""
        return [
            {"role": "system", "content": self.system.format(**values)},
            {"role": "user", "content": self.user.format(**values)},
        ]


@lru_cache(maxsize=64)
def load_prompt(prompt_id: str) -> Prompt:
    """The template ``prompt_id`` (e.g. ``technical_qa.answer``)."""
    if not _ID.match(prompt_id):
        raise PromptNotFound(f"invalid prompt id {prompt_id!r}")
    path = TEMPLATE_DIR / f"{prompt_id}.md"
    if not path.is_file():
        raise PromptNotFound(f"no prompt template {prompt_id!r} in {TEMPLATE_DIR}")
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    parts = _PART.split(text)
    # split() yields [preamble, name, body, name, body, ...]; the preamble is a comment.
    bodies = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    if set(bodies) != {"system", "user"}:
        raise PromptNotFound(f"prompt {prompt_id!r} must have a [system] and a [user] part")
    return Prompt(
        id=prompt_id,
        sha256=hashlib.sha256(raw).hexdigest(),
        system=bodies["system"],
        user=bodies["user"],
    )
