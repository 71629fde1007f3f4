"""The chance of winning at a discount position: logistic regression on the CRM's closed quotes.

Fitted on every product's closed deals together, positions (share of the maximum discount used)
making them comparable: in the demo CRM this beat per-product fits and the base rate on a time
split (Brier 0.200 against 0.208 and 0.227; bench/budget_eval.py measures it leave-one-out).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

MIN_POINTS = 20  # closed quotes needed, with at least MIN_EACH won and lost
MIN_EACH = 5
C = 10.0  # weak regularisation: one feature, hundreds of points


class WinCurve(BaseModel):
    """P(win | position) = 1 / (1 + exp(-(intercept + slope * position)))."""

    model_config = ConfigDict(frozen=True)

    intercept: float
    slope: float
    quotes: int
    won: int

    def chance(self, position: float) -> float:
        """Win chance in [0, 1] at ``position``."""
        return 1 / (1 + math.exp(-(self.intercept + self.slope * position)))


def fit_win_curve(points: Sequence[tuple[float, bool]]) -> WinCurve | None:
    """The curve through ``(position, won)`` points; None with too few of either outcome."""
    # The same history is fitted again and again (a deal re-estimated, the fairness scan's
    # replays of one deal into every region): remember the last few fits.
    return _fit(tuple(points))


@lru_cache(maxsize=16)
def _fit(points: tuple[tuple[float, bool], ...]) -> WinCurve | None:
    won = sum(1 for _, outcome in points if outcome)
    if len(points) < MIN_POINTS or min(won, len(points) - won) < MIN_EACH:
        return None
    import numpy as np  # imported late: sklearn takes about a second to load
    from sklearn.linear_model import LogisticRegression

    x = np.array([[position] for position, _ in points], dtype=float)
    y = np.array([int(outcome) for _, outcome in points])
    model = LogisticRegression(C=C).fit(x, y)
    return WinCurve(
        intercept=float(model.intercept_[0]),
        slope=float(model.coef_[0][0]),
        quotes=len(points),
        won=won,
    )
