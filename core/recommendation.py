"""Recommendation: the unit that flows through audit, calibration and the data passport."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field


def utcnow() -> datetime:
    return datetime.now(UTC)


class Fact(BaseModel):
    """One piece of data a recommendation used, precise enough to look the record up again."""

    source: str = Field(
        description="Table or document collection, e.g. 'products' or 'product_docs'."
    )
    record_id: str
    field: str
    value: Any = None
    as_of: datetime | None = None


class Action(BaseModel):
    """A proposed action; ones that change data or contact a customer need approval."""

    kind: str
    description: str
    payload: dict[str, Any] = Field(default_factory=dict)
    requires_approval: bool = True


class ModelInfo(BaseModel):
    name: str
    version: str | None = None


class PromptInfo(BaseModel):
    id: str
    sha256: str


class Recommendation(BaseModel):
    """What an agent recommends, with the confidence and provenance that make it auditable."""

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    kind: str
    agent: str
    subject: dict[str, str] = Field(
        default_factory=dict, description="account_id/contact_id/deal_id"
    )
    content: str
    confidence: float = Field(ge=0.0, le=1.0, description="The agent's own (raw) confidence.")
    calibrated_confidence: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Confidence mapped through the agent's current human-calibration map.",
    )
    calibration_map_id: str | None = Field(
        default=None, description="Version of the calibration map that produced it."
    )
    provenance: list[Fact] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="Structured result a client can draw (e.g. a stakeholder map), keyed by kind.",
    )
    model: ModelInfo | None = None
    prompt: PromptInfo | None = None
    input_sha256: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    signature: str | None = None
    status: Literal["draft", "final"] = "draft"


def snapshot_sha256(snapshot: Any) -> str:
    """sha256 of a JSON-serialisable input snapshot, keys sorted so equal inputs hash equally."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class RecommendationRecorder(Protocol):
    """Where finalised recommendations go (the recommendation log; later signed and audited)."""

    def record(self, recommendation: Recommendation) -> Recommendation: ...
