"""Prompt templates load by id with a stable sha256; bad ids are refused."""

from __future__ import annotations

import hashlib

import pytest

from prompts import PromptNotFound, load_prompt
from prompts.library import TEMPLATE_DIR


def test_load_prompt_fills_both_parts() -> None:
    prompt = load_prompt("technical_qa.answer")
    raw = (TEMPLATE_DIR / "technical_qa.answer.md").read_bytes()
    assert prompt.sha256 == hashlib.sha256(raw).hexdigest()
    system, user = prompt.messages(sources="[1] x", question="How long?")
    assert system["role"] == "system" and "only the numbered documentation" in system["content"]
    assert user["content"].endswith("Question: How long?\nAnswer:")
    assert prompt.info.id == "technical_qa.answer"


@pytest.mark.parametrize("prompt_id", ["missing.prompt", "../etc/passwd", "", "A B"])
def test_unknown_or_invalid_ids_are_refused(prompt_id: str) -> None:
    with pytest.raises(PromptNotFound):
        load_prompt(prompt_id)
