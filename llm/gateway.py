"""The one place that turns :class:`~core.settings.Settings` into model calls.

Everything goes through litellm: ``chat_model`` for LangChain/LangGraph, ``complete`` and
``stream`` (and async twins) for the CLI, both over a litellm Router that does the retries
and fallbacks; ``completion_kwargs`` for code that calls ``litellm.completion`` itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import aclosing, closing
from typing import Any, cast

from core.offline import apply_offline_defaults

apply_offline_defaults()  # before litellm's import, which would fetch a model cost map

import litellm
from langchain_core.language_models import BaseChatModel
from langchain_litellm import ChatLiteLLMRouter
from litellm.litellm_core_utils.streaming_handler import CustomStreamWrapper
from litellm.types.llms.openai import AllMessageValues
from litellm.types.utils import ModelResponse

from core.recommendation import ModelInfo
from core.settings import Settings
from llm.errors import (
    ContextWindowExceededError,
    LLMError,
    ModelRequestError,
    ModelTimeoutError,
    ModelUnavailableError,
    UnknownModelError,
)
from llm.litellm_router import model_router
from llm.local_config import LocalModelConfig, local_model_info
from llm.providers import (
    LOCAL_MODEL_OPTION,
    LOCAL_PROVIDER,
    SCRIPTED_PROVIDER,
    is_local_model,
    provider_of,
    register_providers,
)
from llm.scripted import DEFAULT_VERSION as SCRIPTED_VERSION

MessagesInput = str | Sequence[Mapping[str, Any]]


def completion_kwargs(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """Keyword arguments for ``litellm.completion``/``acompletion`` (minus ``messages``).

    Options left unset in settings are omitted, so litellm's own defaults apply; ``overrides``
    win over settings (e.g. ``max_tokens=64``, ``temperature=0``). litellm's plain
    ``fallbacks`` do not work for synchronous streams; the helpers below use the Router.
    """
    kwargs: dict[str, Any] = {
        "model": settings.model,
        "timeout": settings.model_timeout,
        "num_retries": settings.model_max_retries,
        "max_tokens": settings.model_max_tokens,
    }
    if settings.model_api_base:
        kwargs["api_base"] = settings.model_api_base
    if settings.model_api_key is not None:
        kwargs["api_key"] = settings.model_api_key.get_secret_value()
    if settings.model_fallbacks:
        kwargs["fallbacks"] = list(settings.model_fallbacks)
    if is_local_model(settings.model):
        kwargs[LOCAL_MODEL_OPTION] = LocalModelConfig.from_settings(settings).to_params()
    kwargs.update(overrides)
    return kwargs


def chat_model(settings: Settings, **overrides: Any) -> BaseChatModel:
    """A LangChain chat model for ``settings.model``; streams, so LangGraph yields token chunks.

    A ``ChatLiteLLMRouter`` over :func:`~llm.litellm_router.model_router`, so retries and fallbacks
    work for ``invoke`` as for ``astream``. ``overrides`` are ChatLiteLLM fields
    (``temperature=0``, ``max_tokens=64``, ...).
    """
    register_providers()
    fields: dict[str, Any] = {
        "model": settings.model,
        "request_timeout": settings.model_timeout,
        "max_tokens": settings.model_max_tokens,
        "streaming": True,
        "max_retries": 1,  # attempts of ChatLiteLLM's own loop: the Router retries below it
    }
    fields.update(overrides)
    return ChatLiteLLMRouter(router=model_router(settings), **fields)


def model_info(settings: Settings) -> ModelInfo:
    """Name and version of the configured model, for recommendations and audit records."""
    provider = provider_of(settings.model)
    if provider == LOCAL_PROVIDER:
        return local_model_info(LocalModelConfig.from_settings(settings), name=settings.model)
    if provider == SCRIPTED_PROVIDER:
        return ModelInfo(name=settings.model, version=SCRIPTED_VERSION)
    return ModelInfo(name=settings.model, version=None)  # hosted models do not say which weights


def _messages(messages: MessagesInput) -> list[dict[str, Any]]:
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    return [dict(message) for message in messages]


def _openai_messages(messages: MessagesInput) -> list[AllMessageValues]:
    """:func:`_messages` as the async Router's signature names them; litellm checks the fields."""
    return cast(list[AllMessageValues], _messages(messages))


def as_llm_error(exc: BaseException) -> LLMError:
    """Our error for a litellm (or provider) exception.

    Our providers' own errors travel inside litellm's (as cause or context) and come back
    as they were; litellm's are mapped by class, with the original as ``__cause__``.
    """
    seen: BaseException | None = exc
    for _ in range(16):  # a bounded walk: exception chains can be cyclic
        if seen is None:
            break
        if isinstance(seen, LLMError):
            return seen
        seen = seen.__cause__ or seen.__context__
    error: LLMError
    message = str(exc)
    if isinstance(exc, litellm.ContextWindowExceededError):
        error = ContextWindowExceededError(message, status_code=400)
    elif isinstance(exc, litellm.Timeout):
        error = ModelTimeoutError(message)
    elif isinstance(exc, litellm.NotFoundError):
        error = UnknownModelError(message)
    elif isinstance(exc, (litellm.ServiceUnavailableError, litellm.APIConnectionError)):
        error = ModelUnavailableError(message)
    else:
        error = ModelRequestError(message, status_code=getattr(exc, "status_code", None))
    error.__cause__ = exc
    return error


def complete(messages: MessagesInput, settings: Settings, **overrides: Any) -> str:
    """The model's whole reply to ``messages`` (a string is one user message)."""
    register_providers()
    kwargs = _call_kwargs(settings, overrides)
    try:
        # litellm types every completion as either shape; stream=True is what decides it.
        response = cast(
            ModelResponse,
            model_router(settings).completion(messages=_messages(messages), **kwargs),
        )
    except LLMError:
        raise
    except Exception as exc:  # litellm's exceptions, translated once for all
        raise as_llm_error(exc)  # noqa: B904 - the cause is set, or the error is the original
    return response.choices[0].message.content or ""


def stream(messages: MessagesInput, settings: Settings, **overrides: Any) -> Iterator[str]:
    """The reply piece by piece; closing the iterator stops generation."""
    register_providers()
    kwargs = _call_kwargs(settings, overrides)
    try:
        response = cast(
            CustomStreamWrapper,
            model_router(settings).completion(messages=_messages(messages), stream=True, **kwargs),
        )
        with closing(response):
            for chunk in response:
                text = chunk.choices[0].delta.content if chunk.choices else None
                if text:
                    yield text
    except LLMError:
        raise
    except Exception as exc:  # translated, not swallowed
        raise as_llm_error(exc)  # noqa: B904 - the cause is set, or the error is the original


async def acomplete(messages: MessagesInput, settings: Settings, **overrides: Any) -> str:
    """Async :func:`complete`; blocking inference runs in worker threads."""
    register_providers()
    kwargs = _call_kwargs(settings, overrides)
    try:
        response = cast(
            ModelResponse,
            await model_router(settings).acompletion(messages=_openai_messages(messages), **kwargs),
        )
    except LLMError:
        raise
    except Exception as exc:  # translated, not swallowed
        raise as_llm_error(exc)  # noqa: B904 - the cause is set, or the error is the original
    return response.choices[0].message.content or ""


async def astream(
    messages: MessagesInput, settings: Settings, **overrides: Any
) -> AsyncIterator[str]:
    """Async :func:`stream`; closing it (or cancelling its task) stops generation."""
    register_providers()
    kwargs = _call_kwargs(settings, overrides)
    try:
        response = await model_router(settings).acompletion(
            messages=_openai_messages(messages), stream=True, **kwargs
        )
        async with aclosing(response):
            async for chunk in response:
                text = chunk.choices[0].delta.content if chunk.choices else None
                if text:
                    yield text
    except LLMError:
        raise
    except Exception as exc:  # translated, not swallowed
        raise as_llm_error(exc)  # noqa: B904 - the cause is set, or the error is the original


def _call_kwargs(settings: Settings, overrides: dict[str, Any]) -> dict[str, Any]:
    """Per-call options for the Router (model, timeout and retries live in the Router)."""
    return {"model": settings.model, "max_tokens": settings.model_max_tokens, **overrides}
