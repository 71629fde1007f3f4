"""The model's explanation: kept only when it passes the prose checks (:mod:`agents.prose`).

The explanation is optional: the recommendation's numbers come from code. So a run-time model
failure (the embedded 135M model repeating itself, a timeout, an unreachable server) drops the
explanation and keeps the recommendation; anything else (a bug, a usage mistake such as an
unknown model or an unplanned scripted call) propagates.
"""

from __future__ import annotations

import openai  # litellm's exceptions derive from openai.APIError

from agents.prose import Checked, Grounds, check_prose, no_prose
from llm.errors import LLMError, ModelRequestError, ModelTimeoutError, ModelUnavailableError

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


def judge(
    draft: str, grounds: Grounds, body: str, *, failure: str | None = None
) -> tuple[Checked, str]:
    """The text to show (the explanation when it passes the prose checks, then ``body``) and
    the explanation's status for the recommendation's data."""
    if failure:
        reason = f"the model failed ({failure})"
        return Checked(body, "none", (reason,), draft), f"dropped: {reason}"
    # Checked as written, as its sentences were when they streamed (the stream showed them
    # as they passed; its length is bounded by the model's token limit).
    text = draft.strip()
    if not text:
        return no_prose(body), "dropped: empty"
    checked = check_prose(text, grounds, body, follows=True)
    if checked.status == "passed":
        return checked, "kept"
    if checked.status == "partial":
        return checked, "partly kept: " + "; ".join(checked.problems)
    return checked, "dropped: " + "; ".join(checked.problems)
