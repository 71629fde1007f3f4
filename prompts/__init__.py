"""Versioned prompt templates, stored as files and loaded by id; their sha256 goes into every record."""

from prompts.library import Prompt, PromptNotFound, load_prompt

__all__ = ["Prompt", "PromptNotFound", "load_prompt"]
