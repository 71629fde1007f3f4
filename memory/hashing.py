"""A deterministic hashed bag-of-words embedding: no model, no torch; for fast tests."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from memory._text import content_words
from memory.models import EMBEDDING_DIM

HASHING_NAME = "crm_agents_hashing"


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
        for token in content_words(text):
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
