"""Errors of the model gateway, each with a stable ``code`` and the HTTP-like status it maps to.

Split by audience, as pydantic-ai does: usage mistakes (:class:`UnknownModelError`,
:class:`UnplannedModelCallError`) are bugs in the caller or the test; run-time failures
(:class:`ModelUnavailableError`, :class:`ModelTimeoutError`, :class:`ModelRequestError`) are
what an operator or a retry can fix. The status travels through litellm, which maps it to its
own exception classes (and retries or falls back on it); :mod:`llm.gateway` maps back.
"""

from __future__ import annotations


class LLMError(Exception):
    """Base class of every error raised by the ``llm`` package."""

    code: str = "llm_error"
    status_code: int = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownModelError(LLMError):
    """The model string names no model this gateway can serve."""

    code = "unknown_model"
    status_code = 404


class ModelUnavailableError(LLMError):
    """The model cannot be reached or loaded (missing GGUF file, failed load, no server)."""

    code = "model_unavailable"
    status_code = 503


class ModelNotInstalledError(ModelUnavailableError):
    """An embedded model whose packages are not installed; the message names the pip command."""

    code = "model_not_installed"


class ModelTimeoutError(LLMError):
    """The model did not answer within the configured timeout."""

    code = "model_timeout"
    status_code = 408


class ModelRequestError(LLMError):
    """The model rejected the request or failed while generating."""

    code = "model_request_failed"

    def __init__(
        self, message: str, *, status_code: int | None = None, kind: str | None = None
    ) -> None:
        super().__init__(message)
        if status_code is not None:
            self.status_code = status_code
        self.kind = kind


class ContextWindowExceededError(ModelRequestError):
    """The prompt (plus the requested completion) does not fit the model's context window."""

    code = "context_window_exceeded"
    status_code = 400


class UnplannedModelCallError(LLMError):
    """The scripted model was called while strict and had no planned reply left."""

    code = "unplanned_model_call"
    # 400, not 5xx: a retry or a fallback cannot fix a test that forgot to plan a reply.
    status_code = 400
