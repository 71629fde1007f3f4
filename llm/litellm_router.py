"""A litellm Router per model configuration: retries and fallbacks for every kind of call.

litellm's plain ``fallbacks`` argument hands a synchronous streaming caller an async stream
(litellm 1.110), which breaks ``ChatLiteLLM.invoke`` with ``streaming=True``; the Router's
fallbacks work for sync and async, streamed or not, and keep litellm's exception classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from core.offline import apply_offline_defaults

apply_offline_defaults()  # before litellm's import, which would fetch a model cost map

from litellm import Router

from core.settings import Settings
from llm.local_config import LocalModelConfig
from llm.providers import LOCAL_MODEL_OPTION, is_local_model


@dataclass(frozen=True)
class RouteConfig:
    """The parts of settings a router is built from (hashable, so routers can be shared)."""

    model: str
    fallbacks: tuple[str, ...] = ()
    api_base: str | None = None
    api_key: str | None = None
    timeout: float = 120.0
    num_retries: int = 2
    local: LocalModelConfig = field(default_factory=LocalModelConfig)

    @classmethod
    def from_settings(cls, settings: Settings) -> RouteConfig:
        key = settings.model_api_key
        return cls(
            model=settings.model,
            fallbacks=tuple(m for m in settings.model_fallbacks if m != settings.model),
            api_base=settings.model_api_base,
            api_key=key.get_secret_value() if key is not None else None,
            timeout=settings.model_timeout,
            num_retries=settings.model_max_retries,
            local=LocalModelConfig.from_settings(settings),
        )

    def deployments(self) -> list[dict[str, Any]]:
        """One deployment per model, named by its litellm model string.

        ``api_base`` and ``api_key`` belong to the primary model's endpoint; fallbacks use
        their providers' own defaults (a local or scripted fallback needs neither).
        """
        primary = self._params(self.model)
        if self.api_base:
            primary["api_base"] = self.api_base
        if self.api_key:
            primary["api_key"] = self.api_key
        entries = [{"model_name": self.model, "litellm_params": primary}]
        entries += [
            {"model_name": name, "litellm_params": self._params(name)}
            for name in dict.fromkeys(self.fallbacks)
        ]
        return entries

    def _params(self, model: str) -> dict[str, Any]:
        params: dict[str, Any] = {"model": model, "timeout": self.timeout}
        if is_local_model(model):
            params[LOCAL_MODEL_OPTION] = self.local.to_params()
        return params


@lru_cache(maxsize=16)
def build_router(config: RouteConfig) -> Router:
    """The shared Router for ``config``; building one takes tens of milliseconds."""
    return Router(
        model_list=config.deployments(),
        fallbacks=[{config.model: list(config.fallbacks)}] if config.fallbacks else [],
        num_retries=config.num_retries,
        timeout=config.timeout,
        # One deployment per model: cooling it down after failures would only turn one
        # failed call into many, for every caller in the process.
        disable_cooldowns=True,
    )


def model_router(settings: Settings) -> Router:
    """The Router serving ``settings.model`` with its retries and fallbacks."""
    return build_router(RouteConfig.from_settings(settings))
