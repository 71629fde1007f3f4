"""What every agent's graph builder receives: one typed dependencies object.

The registry (``graphs.registry``) builds an :class:`AgentDeps` per agent from the services, with
``tools`` narrowed to that agent's own tools protocol (``<Agent>Tools`` in its package), so an
agent's builder names everything it may reach and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from langchain_core.language_models import BaseChatModel

from core.recommendation import ModelInfo, RecommendationRecorder

ToolsT = TypeVar("ToolsT")


@dataclass(frozen=True)
class AgentDeps(Generic[ToolsT]):
    """An agent's tools, the chat model it narrates with, and where its recommendations go."""

    tools: ToolsT
    model: BaseChatModel
    # None: the model's own name stands in (tests and stand-in models).
    model_info: ModelInfo | None = None
    # None: recommendations are finalised (signed into the state) but not logged.
    recorder: RecommendationRecorder | None = None

    def resolved_model_info(self) -> ModelInfo:
        """``model_info``, or one named after the model when none was given."""
        if self.model_info is not None:
            return self.model_info
        return ModelInfo(name=str(getattr(self.model, "model", type(self.model).__name__)))
