"""Win probability: a logistic regression fitted on the CRM's closed deals, or a hand rule.

The model learns from each won or lost deal's pre-close behaviour (``tools.deal_history``):
meetings, e-mails, whether an executive or director was met, how far the price moved from list
towards floor, and whether the account is strategic. It is used only where it beats the hand
rule: at fit time both are scored by ROC AUC on the same deals (the model out of fold, 5-fold
cross-validation), and the rule is kept when there are too few deals, one outcome only, or the
model does not do better. Either way the result is a plain logistic formula whose weights are
shown with every score.

Fitted models are cached per process and database; ``forget_win_models`` drops them (after an
import of deals, say).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from crm.reader import CRMSource
from crm.scope import AccountScope
from crm.store import CRMStore
from governance.consent_gate import ConsentGatedCRM
from tools.behaviour import BehaviourFeatures
from tools.deal_history import DealHistoryRow, closed_deal_history

logger = logging.getLogger(__name__)

INPUTS: tuple[str, ...] = ("meetings", "emails", "senior_met", "price_position", "strategic")
MIN_DEALS = 30
FOLDS = 5
# The hand rule, a sales rule of thumb set without looking at any data: meetings and a senior
# contact win deals, e-mails help a little.
RULE_WEIGHTS = {
    "meetings": 0.5,
    "emails": 0.1,
    "senior_met": 0.5,
    "price_position": 0.0,
    "strategic": 0.0,
}
RULE_INTERCEPT = -0.8
NEUTRAL_PRICE_POSITION = 0.4  # used for a price when no quote has been given yet


@dataclass(frozen=True)
class WinModel:
    """A logistic formula over ``INPUTS``, with where it came from and how well it did."""

    kind: Literal["logistic_regression", "hand_rule"]
    intercept: float
    weights: dict[str, float]
    deals: int = 0
    won_share: float | None = None
    cv_auc: float | None = None
    rule_auc: float | None = None
    price_position_default: float = NEUTRAL_PRICE_POSITION
    fit_seconds: float = 0.0
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def inputs(self, features: BehaviourFeatures) -> dict[str, float]:
        """The model's inputs from current behaviour (90-day window, newest quote)."""
        price = features.features.get("quote_price_position")
        return {
            "meetings": features.value("meetings_90d"),
            "emails": features.value("emails_in_90d") + features.value("emails_out_90d"),
            "senior_met": float(features.value("senior_contacts_engaged_90d") >= 1),
            "price_position": price.value if price else self.price_position_default,
            "strategic": features.value("strategic_account"),
        }

    def probability(self, inputs: dict[str, float]) -> float:
        logit = self.intercept + sum(self.weights[name] * inputs[name] for name in INPUTS)
        return 1.0 / (1.0 + math.exp(-max(min(logit, 30.0), -30.0)))

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "intercept": round(self.intercept, 4),
            "weights": {k: round(v, 4) for k, v in self.weights.items()},
            "deals": self.deals,
            "won_share": self.won_share,
            "cv_auc": self.cv_auc,
            "rule_auc": self.rule_auc,
            "reason": self.reason,
        }


HAND_RULE = WinModel(
    kind="hand_rule", intercept=RULE_INTERCEPT, weights=dict(RULE_WEIGHTS), reason="no history"
)


def _row_inputs(row: DealHistoryRow) -> list[float]:
    return [
        float(row.meetings),
        float(row.emails),
        float(row.senior_met),
        row.price_position,
        float(row.strategic),
    ]


def fit_win_model(rows: Sequence[DealHistoryRow]) -> WinModel:
    """Fit on closed deals; the hand rule when the model cannot be shown to beat it."""
    started = time.perf_counter()
    outcomes = [row.won for row in rows]
    if (
        len(rows) < MIN_DEALS
        or len(set(outcomes)) < 2
        or min(outcomes.count(True), outcomes.count(False)) < FOLDS
    ):
        reason = f"{len(rows)} closed deals, too few (or one outcome only) to fit on"
        return _rule(reason, rows)
    # scikit-learn is imported here: only fitting needs it, scoring is the formula above.
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    x = np.array([_row_inputs(row) for row in rows])
    y = np.array(outcomes, dtype=int)
    model = LogisticRegression(C=1.0, max_iter=1000)
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    out_of_fold = cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1]
    cv_auc = float(roc_auc_score(y, out_of_fold))
    rule_auc = float(
        roc_auc_score(y, [HAND_RULE.probability(dict(zip(INPUTS, r, strict=True))) for r in x])
    )
    default_price = float(x[:, INPUTS.index("price_position")].mean())
    if cv_auc <= rule_auc:
        reason = f"the fitted model (AUC {cv_auc:.3f}) did not beat the hand rule ({rule_auc:.3f})"
        return _rule(reason, rows, cv_auc=cv_auc, rule_auc=rule_auc)
    model.fit(x, y)
    return WinModel(
        kind="logistic_regression",
        intercept=float(model.intercept_[0]),
        weights=dict(zip(INPUTS, (float(w) for w in model.coef_[0]), strict=True)),
        deals=len(rows),
        won_share=round(float(y.mean()), 3),
        cv_auc=round(cv_auc, 3),
        rule_auc=round(rule_auc, 3),
        price_position_default=round(default_price, 3),
        fit_seconds=round(time.perf_counter() - started, 3),
        reason=f"out-of-fold AUC {cv_auc:.3f} beats the hand rule's {rule_auc:.3f}",
    )


def _rule(
    reason: str,
    rows: Sequence[DealHistoryRow],
    *,
    cv_auc: float | None = None,
    rule_auc: float | None = None,
) -> WinModel:
    won = [row.won for row in rows]
    return WinModel(
        kind="hand_rule",
        intercept=RULE_INTERCEPT,
        weights=dict(RULE_WEIGHTS),
        deals=len(rows),
        won_share=round(sum(won) / len(won), 3) if won else None,
        cv_auc=None if cv_auc is None else round(cv_auc, 3),
        rule_auc=None if rule_auc is None else round(rule_auc, 3),
        reason=reason,
    )


_CACHE: dict[str, WinModel] = {}
_LOCK = threading.Lock()


def win_model_for(crm: CRMSource) -> WinModel:
    """The win model of ``crm``'s database, fitted on first use and cached for the process."""
    key = _key(crm)
    with _LOCK:  # one fit per database, however many requests arrive at once
        model = _CACHE.get(key)
        if model is None:
            started = time.perf_counter()
            model = fit_win_model(closed_deal_history(_whole_history(crm)))
            logger.info(
                "win model for %s: %s (%s) in %.2f s",
                key,
                model.kind,
                model.reason,
                time.perf_counter() - started,
            )
            _CACHE[key] = model
        return model


def install_win_model(crm: CRMSource, model: WinModel) -> None:
    """Use ``model`` for ``crm``'s database from now on (one fitted elsewhere, or in tests)."""
    with _LOCK:
        _CACHE[_key(crm)] = model


def forget_win_models() -> None:
    """Drop every cached model: the next score refits on the data as it is then."""
    with _LOCK:
        _CACHE.clear()


def _whole_history(crm: CRMSource) -> CRMSource:
    """``crm`` over every account. The model is one per database, shared by every user and
    cached: fitting it on the account scope of whichever run asked first would make everyone's
    scores depend on who that was. Consent still applies; what a user sees of the model is a
    score for an account in their own scope."""
    if isinstance(crm, ConsentGatedCRM | CRMStore):
        return crm.scoped(AccountScope.unrestricted())
    return crm


def _key(crm: CRMSource) -> str:
    return crm.engine.url.render_as_string(hide_password=True)
