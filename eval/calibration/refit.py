"""The feedback loop: fit each agent's calibration map from reviewers' correct / incorrect calls.

Each scored review is one observation (the item's raw confidence, whether the reviewer said
correct). Two methods are tried per agent:

- Platt scaling: ``LogisticRegression`` on the raw confidence (unpenalised);
- isotonic regression: ``IsotonicRegression(out_of_bounds="clip")``.

They are compared by cross-fitting: items (not reviews, so that two reviewers of one item never
straddle a split) fall into ``FOLDS`` folds by a seeded hash; each fold's reviews are predicted
by a map fitted on the other folds. Every review thus gets a held-out calibrated confidence,
and the method with the lower held-out Brier score wins; with fewer than ``MIN_ISOTONIC``
reviews only Platt is tried (isotonic overfits small samples). The stored map is then fitted on
all the agent's reviews, and stored with its held-out figures (ECE and Brier of the raw
confidence and of the held-out calibrated confidence, over the same reviews).
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from crm.calibration_maps import CalibrationMaps, apply_map
from eval.calibration import metrics as mx
from eval.calibration.schemas import ItemWithReviews
from eval.calibration.summary import Observation, observations

logger = logging.getLogger(__name__)

FOLDS = 5
MIN_ISOTONIC = 40  # reviews below which isotonic is not tried
MIN_FIT = 6  # reviews below which an agent gets no map
DEFAULT_SPLIT_SEED = 20261125


def fold_of(key: str, *, seed: int = DEFAULT_SPLIT_SEED, folds: int = FOLDS) -> int:
    """The cross-fitting fold of an item, from its key (its recommendation id): a seeded hash.

    Keyed by the recommendation, not the item row's random id, so the same reviews of the same
    recommendations always fall into the same folds.
    """
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % folds


def fit_platt(confidences: Sequence[float], outcomes: Sequence[int]) -> dict[str, float]:
    """Platt parameters ``coef`` and ``intercept``; one class only gives a smoothed constant."""
    y = np.asarray(outcomes, dtype=int)
    if len(set(y.tolist())) < 2:
        # Laplace's rule of succession: never a certainty from one-sided evidence.
        rate = (y.sum() + 1) / (y.size + 2)
        return {"coef": 0.0, "intercept": math.log(rate / (1 - rate))}
    model = LogisticRegression(C=np.inf)  # no penalty: Platt scaling is a plain fit
    model.fit(np.asarray(confidences, dtype=float).reshape(-1, 1), y)
    return {"coef": float(model.coef_[0][0]), "intercept": float(model.intercept_[0])}


def fit_isotonic(confidences: Sequence[float], outcomes: Sequence[int]) -> dict[str, list[float]]:
    """Isotonic thresholds ``x`` (``X_thresholds_``) and values ``y`` (``y_thresholds_``)."""
    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    model.fit(np.asarray(confidences, dtype=float), np.asarray(outcomes, dtype=float))
    return {"x": model.X_thresholds_.tolist(), "y": model.y_thresholds_.tolist()}


# A map's parameters by method: Platt's two numbers, or isotonic's two lists of thresholds.
Fitter = Callable[[Sequence[float], Sequence[int]], dict[str, Any]]
FITTERS: dict[str, Fitter] = {"platt": fit_platt, "isotonic": fit_isotonic}


def fold_keys(items: Sequence[ItemWithReviews]) -> dict[str, str]:
    """Item id -> the key its fold is drawn from (the recommendation id)."""
    return {item.id: item.recommendation_id for item in items}


def out_of_fold(
    obs: Sequence[Observation],
    method: str,
    *,
    seed: int = DEFAULT_SPLIT_SEED,
    folds: int = FOLDS,
    keys: Mapping[str, str] | None = None,
) -> list[float]:
    """Each observation's calibrated confidence from a map fitted without its item's fold.

    When every item falls into one fold there is nothing to fit on: the raw value is kept.
    """
    keys = keys or {}
    fold = [fold_of(keys.get(o.item_id, o.item_id), seed=seed, folds=folds) for o in obs]
    predicted = [o.confidence for o in obs]
    for k in sorted(set(fold)):
        train = [o for o, f in zip(obs, fold, strict=True) if f != k]
        if not train:
            continue
        params = FITTERS[method](*_xy(train))
        for index, f in enumerate(fold):
            if f == k:
                predicted[index] = apply_map(method, params, obs[index].confidence)
    return predicted


class HeldOut(BaseModel):
    """How raw and calibrated confidence did on reviews the map never saw."""

    n: int = Field(description="Reviews, each predicted by a map fitted without its item's fold.")
    ece_raw: float | None = None
    ece_calibrated: float | None = None
    brier_raw: float | None = None
    brier_calibrated: float | None = None


class AgentRefit(BaseModel):
    """The outcome of refitting one agent."""

    agent: str
    map_id: str | None = Field(None, description="The new map's id; none when too few reviews.")
    method: str | None = None
    n_train: int
    heldout: HeldOut
    candidates: dict[str, float | None] = Field(
        default_factory=dict, description="Held-out Brier score of each method tried."
    )
    note: str | None = None


class RefitResult(BaseModel):
    """Every agent's refit from one batch, and the held-out figures over all of them."""

    batch_id: str
    split_seed: int
    folds: int
    agents: dict[str, AgentRefit]
    heldout: HeldOut = Field(
        description="Per-agent figures averaged, weighted by reviews (see ``combine_by_agent``)."
    )
    heldout_pooled: HeldOut = Field(description="Every agent's reviews binned together.")

    @property
    def ece_drop(self) -> float | None:
        """Relative drop of held-out ECE, raw -> calibrated (0.4 means 40% lower)."""
        raw, calibrated = self.heldout.ece_raw, self.heldout.ece_calibrated
        if raw is None or calibrated is None or raw == 0:
            return None
        return (raw - calibrated) / raw


def combine_by_agent(parts: Sequence[HeldOut]) -> HeldOut:
    """Agents' figures averaged with their review counts as weights.

    ECE is measured within each agent and then averaged: binning several agents together lets
    one agent's overconfidence cancel another's underconfidence in a shared bin, which would
    flatter the raw confidence. (For the Brier score, a mean over reviews, both ways agree.)
    """
    parts = [p for p in parts if p.n]
    total = sum(p.n for p in parts)
    if not total:
        return HeldOut(n=0)

    def weighted(name: str) -> float | None:
        values = [(getattr(p, name), p.n) for p in parts]
        if any(v is None for v, _ in values):
            return None
        return sum(v * n for v, n in values) / total

    return HeldOut(
        n=total,
        ece_raw=weighted("ece_raw"),
        ece_calibrated=weighted("ece_calibrated"),
        brier_raw=weighted("brier_raw"),
        brier_calibrated=weighted("brier_calibrated"),
    )


def heldout_figures(
    raw: Sequence[float], calibrated: Sequence[float], outcomes: Sequence[int]
) -> HeldOut:
    """ECE and Brier score of raw and calibrated confidence against the same outcomes."""
    if not outcomes:
        return HeldOut(n=0)
    return HeldOut(
        n=len(outcomes),
        ece_raw=mx.expected_calibration_error(raw, outcomes),
        ece_calibrated=mx.expected_calibration_error(calibrated, outcomes),
        brier_raw=mx.brier_score(raw, outcomes),
        brier_calibrated=mx.brier_score(calibrated, outcomes),
    )


def _xy(obs: Sequence[Observation]) -> tuple[list[float], list[int]]:
    return [o.confidence for o in obs], [int(o.correct) for o in obs]


def choose_method(
    obs: Sequence[Observation],
    *,
    seed: int = DEFAULT_SPLIT_SEED,
    keys: Mapping[str, str] | None = None,
) -> tuple[str, dict[str, list[float]], dict[str, float | None]]:
    """(method, held-out predictions per method tried, held-out Brier per method tried)."""
    tried = ("platt", "isotonic") if len(obs) >= MIN_ISOTONIC else ("platt",)
    _, outcomes = _xy(obs)
    predictions = {method: out_of_fold(obs, method, seed=seed, keys=keys) for method in tried}
    scores = {method: mx.brier_score(predictions[method], outcomes) for method in tried}
    # Lower held-out Brier wins; on a tie the simpler Platt map stays.
    best = min(
        tried, key=lambda m: (scores[m] if scores[m] is not None else math.inf, m != "platt")
    )
    return best, predictions, scores


def refit_agent(
    agent: str,
    obs: Sequence[Observation],
    *,
    maps: CalibrationMaps,
    batch_id: str,
    seed: int,
    keys: Mapping[str, str] | None = None,
) -> tuple[AgentRefit, list[float]]:
    """Choose, fit on every review, and store one agent's map; also its held-out predictions."""
    if len(obs) < MIN_FIT:
        note = f"{len(obs)} reviews; at least {MIN_FIT} are needed for a map"
        return AgentRefit(agent=agent, n_train=len(obs), heldout=HeldOut(n=0), note=note), []
    method, predictions, candidates = choose_method(obs, seed=seed, keys=keys)
    raw, outcomes = _xy(obs)
    heldout = heldout_figures(raw, predictions[method], outcomes)
    parameters: dict[str, Any] = FITTERS[method](raw, outcomes)
    stored = maps.add(
        agent=agent,
        method=method,
        parameters=parameters,
        n=len(obs),
        training_batch_id=batch_id,
        metrics={"heldout": heldout.model_dump(), "candidates": candidates,
                 "split_seed": seed, "folds": FOLDS},
    )  # fmt: skip
    logger.info("calibration map %s for %s: %s on %d reviews", stored.id, agent, method, len(obs))
    refit = AgentRefit(agent=agent, map_id=stored.id, method=method, n_train=len(obs),
                       heldout=heldout, candidates=candidates)  # fmt: skip
    return refit, predictions[method]


def observations_by_agent(items: Sequence[ItemWithReviews]) -> dict[str, list[Observation]]:
    """The batch's scored reviews grouped by agent, agents sorted."""
    grouped: dict[str, list[Observation]] = {}
    for observation in observations(items):
        grouped.setdefault(observation.agent, []).append(observation)
    return dict(sorted(grouped.items()))


def refit_batch(
    batch_id: str,
    items: Sequence[ItemWithReviews],
    *,
    maps: CalibrationMaps,
    seed: int = DEFAULT_SPLIT_SEED,
) -> RefitResult:
    """Fit and store a new map for every agent of the batch with enough reviews."""
    agents: dict[str, AgentRefit] = {}
    raw: list[float] = []
    calibrated: list[float] = []
    outcomes: list[int] = []
    for agent, obs in observations_by_agent(items).items():
        refit, predicted = refit_agent(
            agent, obs, maps=maps, batch_id=batch_id, seed=seed, keys=fold_keys(items)
        )
        agents[agent] = refit
        if refit.map_id is not None:
            raw += [o.confidence for o in obs]
            calibrated += predicted
            outcomes += [int(o.correct) for o in obs]
    return RefitResult(
        batch_id=batch_id,
        split_seed=seed,
        folds=FOLDS,
        agents=agents,
        heldout=combine_by_agent([a.heldout for a in agents.values() if a.map_id is not None]),
        heldout_pooled=heldout_figures(raw, calibrated, outcomes),
    )
