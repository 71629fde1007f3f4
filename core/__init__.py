"""Core types and settings shared by every layer: the lowest layer, importing nothing of ours."""

from core.recommendation import (
    Action,
    Fact,
    ModelInfo,
    PromptInfo,
    Recommendation,
    RecommendationRecorder,
)
from core.settings import Settings, get_settings

__all__ = [
    "Action",
    "Fact",
    "ModelInfo",
    "PromptInfo",
    "Recommendation",
    "RecommendationRecorder",
    "Settings",
    "get_settings",
]
