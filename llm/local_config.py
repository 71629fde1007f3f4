"""Which GGUF file the local model is, and its identity (name and version) for audit records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from core.recommendation import ModelInfo
from core.settings import LOCAL_MODEL, Settings, get_settings
from llm.embedded import embedded_model
from llm.errors import ModelRequestError, ModelUnavailableError
from llm.weights import file_sha256, weights_path

DEFAULT_LOCAL_NAME = LOCAL_MODEL.split("/", 1)[1]  # the default model's registry name


@dataclass(frozen=True)
class LocalModelConfig:
    """What identifies one loaded model: the file and the runtime shape it was loaded with.

    It travels with each litellm call (as the ``local_model`` option), so the settings of the
    caller, not some process-wide state, decide which model answers. ``name`` is the
    ``local/<name>`` registry entry (:mod:`llm.embedded`); ``path``, when set, is a GGUF file
    of the operator's that serves every local name instead.
    """

    path: Path | None = None
    context: int = 4096
    threads: int = 1
    name: str = DEFAULT_LOCAL_NAME
    cache_dir: Path | None = None  # where split models are joined; None: the settings default

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalModelConfig:
        name = settings.model.split("/", 1)[1] if settings.model.startswith("local/") else None
        return cls(
            path=settings.local_model_path,
            context=settings.local_model_context,
            threads=settings.local_model_threads,
            name=name or DEFAULT_LOCAL_NAME,
            cache_dir=settings.resolved_model_cache_dir,
        )

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> LocalModelConfig:
        """Read the ``local_model`` call option written by :meth:`to_params`."""
        try:
            path, cache_dir = params.get("path"), params.get("cache_dir")
            return cls(
                path=Path(path) if path else None,
                context=int(params.get("context", 4096)),
                threads=int(params.get("threads", 1)),
                name=str(params.get("name") or DEFAULT_LOCAL_NAME),
                cache_dir=Path(cache_dir) if cache_dir else None,
            )
        except (TypeError, ValueError) as exc:
            raise ModelRequestError(f"invalid local_model option: {exc}", status_code=400) from exc

    def to_params(self) -> dict[str, Any]:
        """A JSON-able form for litellm's call options."""
        return {
            "path": str(self.path) if self.path else None,
            "context": self.context,
            "threads": self.threads,
            "name": self.name,
            "cache_dir": str(self.cache_dir) if self.cache_dir else None,
        }

    def for_name(self, name: str) -> LocalModelConfig:
        """The same runtime shape for the model ``local/<name>`` (a fallback, say)."""
        return self if name == self.name else replace(self, name=name)

    def resolved(self) -> LocalModelConfig:
        """The same configuration with the model's verified file filled in.

        Joins a split model's parts into the cache on first use (seconds); raises
        :class:`~llm.errors.ModelUnavailableError` naming the install command when the
        model is not installed, and :class:`~llm.errors.UnknownModelError` for a name the
        registry does not hold.
        """
        if self.path:
            return self
        cache_dir = self.cache_dir or get_settings().resolved_model_cache_dir
        return replace(self, path=weights_path(embedded_model(self.name), cache_dir))


def default_model_path() -> Path:
    """The GGUF file of the default embedded model (joined and verified if it is split)."""
    return LocalModelConfig().resolved().path  # type: ignore[return-value]


def model_version(path: Path) -> str:
    """File name plus a sha256 prefix, so a recommendation names the exact weights used."""
    if not path.is_file():
        raise ModelUnavailableError(f"local model file not found: {path}")
    return f"{path.name}@sha256:{file_sha256(path)[:12]}"


def local_model_info(config: LocalModelConfig, name: str = LOCAL_MODEL) -> ModelInfo:
    """Name and version of the local model, without loading it."""
    path = config.resolved().path
    assert path is not None  # resolved() always sets it
    return ModelInfo(name=name, version=model_version(path))
