"""Confidence bands: the one mapping from an agent's [0, 1] confidence to the 1-5 human scale.

Five equal-width bands, so that band ``b`` and a reviewer's quality score ``s`` live on the same
ordinal 1-5 scale and quadratic-weighted Cohen's kappa between them is meaningful:

====  ===============  =========================================
band  confidence       read as
====  ===============  =========================================
1     [0.0, 0.2)       "probably wrong"          (human score 1)
2     [0.2, 0.4)       "doubtful"                (human score 2)
3     [0.4, 0.6)       "could go either way"     (human score 3)
4     [0.6, 0.8)       "probably right"          (human score 4)
5     [0.8, 1.0]       "confidently right"       (human score 5)
====  ===============  =========================================
"""

from __future__ import annotations

import math

BANDS: tuple[int, ...] = (1, 2, 3, 4, 5)
BAND_EDGES: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def confidence_band(confidence: float) -> int:
    """The band (1-5) of a confidence in [0, 1]; 1.0 falls in band 5."""
    if math.isnan(confidence) or not 0.0 <= confidence <= 1.0:
        raise ValueError(f"confidence must be in [0, 1], got {confidence!r}")
    return min(int(confidence * 5), 4) + 1


def band_range(band: int) -> tuple[float, float]:
    """The ``[low, high)`` confidence range of ``band`` (``high`` is inclusive for band 5)."""
    if band not in BANDS:
        raise ValueError(f"band must be one of {BANDS}, got {band!r}")
    return BAND_EDGES[band - 1], BAND_EDGES[band]


def stratum_key(agent: str, band: int) -> str:
    """The stratum of an item: its agent and confidence band, e.g. ``"budget/band-4"``."""
    return f"{agent}/band-{band}"
