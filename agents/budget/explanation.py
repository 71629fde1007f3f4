"""The model's explanation: kept only when it states no figure the factors do not hold.

The explanation is optional: the recommendation's numbers come from code. So a run-time model
failure (the embedded 135M model repeating itself, a timeout, an unreachable server) drops the
explanation and keeps the recommendation; anything else (a bug, a usage mistake such as an
unknown model or an unplanned scripted call) propagates.
"""

from __future__ import annotations

from collections.abc import Sequence

import openai  # litellm's exceptions derive from openai.APIError

from agents.figures import ungrounded_numbers
from core.recommendation import Fact
from llm.errors import LLMError, ModelRequestError, ModelTimeoutError, ModelUnavailableError

MAX_CHARS = 1200
_RUNTIME_FAILURES = (ModelUnavailableError, ModelTimeoutError, ModelRequestError)


def model_failure(exc: BaseException) -> str | None:
    """The code of the run-time model failure behind ``exc``, or None when it is something else."""
    seen: BaseException | None = exc
    for _ in range(16):  # a bounded walk: exception chains can be cyclic
        if seen is None:
            break
        if isinstance(seen, LLMError):
            return seen.code if isinstance(seen, _RUNTIME_FAILURES) else None
        seen = seen.__cause__ or seen.__context__
    if isinstance(exc, openai.APIError):
        return ModelRequestError.code
    return None


def judge(draft: str, provenance: Sequence[Fact], *, failure: str | None = None) -> tuple[str, str]:
    """``(text to keep, status)``: the draft when it is grounded, else "" and why not."""
    if failure:
        return "", f"dropped: the model failed ({failure})"
    text = " ".join(draft.split())
    if not text:
        return "", "dropped: empty"
    if len(text) > MAX_CHARS:
        return "", "dropped: too long"
    invented = ungrounded_numbers(text, provenance)
    if invented:
        return "", "dropped: states figures no factor holds (" + ", ".join(invented[:5]) + ")"
    return text, "kept"
