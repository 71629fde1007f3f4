"""Calibration maps: per-agent functions from raw confidence to human-calibrated confidence.

A map is fitted by the calibration harness (``eval/calibration/refit.py``) from reviewers'
correct / incorrect judgements and stored here as plain JSON parameters, so that the layers
that apply it (``tools/``) need neither the harness nor scikit-learn. Every fit is a new
version (a new map id); the newest map of an agent is its current one.

Two methods, applied exactly as scikit-learn's ``predict`` / ``predict_proba`` would:

- ``isotonic`` (``IsotonicRegression(out_of_bounds="clip")``): parameters ``x`` and ``y``, the
  fitted ``X_thresholds_`` and ``y_thresholds_``; a confidence is clipped to ``[x[0], x[-1]]``
  and interpolated linearly between thresholds.
- ``platt`` (``LogisticRegression`` on the raw confidence): parameters ``coef`` and
  ``intercept``; the calibrated confidence is ``1 / (1 + exp(-(coef * c + intercept)))``.

The table lives in crm/ because tools (rank 2) apply maps and cannot import eval/; its
migration is ``0009_calibration_maps``.
"""

from __future__ import annotations

import math
import uuid
from bisect import bisect_right
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import CheckConstraint, Engine, Index, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.recommendation import utcnow
from crm.columns import UTCDateTime, json_type
from crm.db import Base, session_factory
from crm.errors import InvalidQuery, NotFound

Method = Literal["isotonic", "platt"]
METHODS: tuple[str, ...] = ("isotonic", "platt")


class CalibrationMapRow(Base):
    """One fitted map of one agent; rows are never updated, a refit adds a new one."""

    __tablename__ = "calibration_maps"
    __table_args__ = (
        CheckConstraint("method IN ('isotonic', 'platt')", name="method"),
        CheckConstraint("n >= 0", name="n"),
        Index("ix_calibration_maps_agent_fitted_at", "agent", "fitted_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agent: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(16))
    parameters: Mapped[dict[str, Any]] = mapped_column(json_type())
    training_batch_id: Mapped[str | None] = mapped_column(String(36))
    n: Mapped[int] = mapped_column(Integer)
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    metrics: Mapped[dict[str, Any]] = mapped_column(json_type())


class CalibrationMap(BaseModel):
    """A stored map: how it was fitted, on what, and how it did on held-out reviews."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: str
    agent: str
    method: Method
    parameters: dict[str, Any] = Field(description="isotonic: x, y; platt: coef, intercept.")
    training_batch_id: str | None = None
    n: int = Field(description="Reviews the map was fitted on.")
    fitted_at: datetime
    metrics: dict[str, Any] = Field(
        default_factory=dict, description="Held-out figures of the fit (ECE, Brier, counts)."
    )

    def apply(self, confidence: float) -> float:
        """The calibrated confidence for a raw ``confidence`` in [0, 1]."""
        return apply_map(self.method, self.parameters, confidence)


def check_parameters(method: str, parameters: dict[str, Any]) -> None:
    """Raise :class:`InvalidQuery` unless ``parameters`` are a usable map of ``method``."""
    if method == "isotonic":
        x, y = parameters.get("x"), parameters.get("y")
        if not isinstance(x, list) or not isinstance(y, list) or not x or len(x) != len(y):
            raise InvalidQuery("an isotonic map needs lists x and y of the same, non-zero length")
        values = [*x, *y]
        if _finite(values) and any(b < a for a, b in zip(x, x[1:], strict=False)):
            raise InvalidQuery("isotonic thresholds x must be sorted")
    elif method == "platt":
        values = [parameters.get("coef"), parameters.get("intercept")]
    else:
        raise InvalidQuery(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if not _finite(values):
        raise InvalidQuery(f"{method} map parameters must be finite numbers")


def _finite(values: list[Any]) -> bool:
    return all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values
    )


def apply_map(method: str, parameters: dict[str, Any], confidence: float) -> float:
    """Apply a map's parameters to ``confidence`` the way scikit-learn's predict does."""
    if method == "platt":
        z = parameters["coef"] * confidence + parameters["intercept"]
        # The two branches of a stable logistic: exp never overflows.
        value = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
    else:
        value = _interpolate(parameters["x"], parameters["y"], confidence)
    return min(1.0, max(0.0, value))


def _interpolate(x: list[float], y: list[float], value: float) -> float:
    """Linear interpolation with clipping at the ends (``np.interp`` on sorted ``x``)."""
    if value <= x[0]:
        return y[0]
    if value >= x[-1]:
        return y[-1]
    right = bisect_right(x, value)
    x0, x1, y0, y1 = x[right - 1], x[right], y[right - 1], y[right]
    if x1 == x0:
        return y1
    return y0 + (value - x0) * (y1 - y0) / (x1 - x0)


class CalibrationMaps:
    """Versioned calibration maps per agent; ``apply`` is what recorders call."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = session_factory(engine)

    def add(
        self,
        *,
        agent: str,
        method: str,
        parameters: dict[str, Any],
        n: int,
        training_batch_id: str | None = None,
        metrics: dict[str, Any] | None = None,
        fitted_at: datetime | None = None,
    ) -> CalibrationMap:
        """Store a newly fitted map as the agent's current one and return it."""
        if not agent.strip():
            raise InvalidQuery("agent must not be empty")
        if n < 0:
            raise InvalidQuery(f"n must be >= 0, got {n}")
        check_parameters(method, parameters)
        row = CalibrationMapRow(
            id=str(uuid.uuid4()),
            agent=agent,
            method=method,
            parameters=parameters,
            training_batch_id=training_batch_id,
            n=n,
            fitted_at=fitted_at or utcnow(),
            metrics=metrics or {},
        )
        with self._sessions() as session:
            session.add(row)
            session.commit()
            return CalibrationMap.model_validate(row)

    def get(self, *, map_id: str) -> CalibrationMap:
        with self._sessions() as session:
            row = session.get(CalibrationMapRow, map_id)
            if row is None:
                raise NotFound("calibration map", map_id)
            return CalibrationMap.model_validate(row)

    def current(self, agent: str) -> CalibrationMap | None:
        """The agent's newest map, or None before its first refit."""
        found = self.history(agent=agent, limit=1)
        return found[0] if found else None

    def history(self, *, agent: str | None = None, limit: int = 100) -> list[CalibrationMap]:
        """Maps newest first, optionally of one agent."""
        if not 1 <= limit <= 1000:
            raise InvalidQuery("limit must be 1..1000")
        stmt = select(CalibrationMapRow)
        if agent is not None:
            stmt = stmt.where(CalibrationMapRow.agent == agent)
        stmt = stmt.order_by(CalibrationMapRow.fitted_at.desc(), CalibrationMapRow.id).limit(limit)
        with self._sessions() as session:
            return [CalibrationMap.model_validate(row) for row in session.scalars(stmt).all()]

    def fitted_on(self, *, batch_id: str) -> list[CalibrationMap]:
        """The maps fitted on one calibration batch, newest first."""
        stmt = (
            select(CalibrationMapRow)
            .where(CalibrationMapRow.training_batch_id == batch_id)
            .order_by(CalibrationMapRow.fitted_at.desc(), CalibrationMapRow.id)
        )
        with self._sessions() as session:
            return [CalibrationMap.model_validate(row) for row in session.scalars(stmt).all()]

    def apply(self, agent: str, confidence: float) -> tuple[float, str] | None:
        """``(calibrated confidence, map id)`` from the agent's current map, or None if it has none.

        Read on every call (no cache), so a refit takes effect on the next recommendation.
        """
        current = self.current(agent)
        if current is None:
            return None
        return current.apply(confidence), current.id
