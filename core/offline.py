"""Environment switches that keep third-party libraries offline; applied before they import.

litellm fetches a model cost map at import, tiktoken downloads encodings on first use, Chroma
and ragas send telemetry, and Hugging Face libraries look up the hub. Each switch below turns
one of those off. Entry points (server, CLI, tests) call :func:`apply_offline_defaults` first.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

_DEFAULTS = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "RAGAS_DO_NOT_TRACK": "true",  # the value "1" does not stop ragas' telemetry
    "TOKENIZERS_PARALLELISM": "false",
    "DO_NOT_TRACK": "1",
    "LITELLM_DISABLE_BUG_REPORT_LINK": "true",
}


def litellm_tokenizer_dir() -> Path | None:
    """Folder of tiktoken encodings shipped inside litellm's wheel, named as tiktoken caches them."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "litellm_core_utils" / "tokenizers"
    return path if path.is_dir() else None


def apply_offline_defaults() -> None:
    """Set the offline switches unless the operator set them explicitly."""
    for key, value in _DEFAULTS.items():
        os.environ.setdefault(key, value)
    tokenizers = litellm_tokenizer_dir()
    if tokenizers is not None:
        # litellm's default_encoding module overwrites TIKTOKEN_CACHE_DIR on import unless
        # CUSTOM_TIKTOKEN_CACHE_DIR is set; set both so tiktoken never downloads.
        os.environ.setdefault("CUSTOM_TIKTOKEN_CACHE_DIR", str(tokenizers))
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(tokenizers))
