"""Budget estimation: a price range for a deal and the account's budget, every factor sourced."""

from agents.budget.analysis import Analysis, analyse
from agents.budget.evidence import BudgetTools
from agents.budget.factors import Factor
from agents.budget.graph import GRAPH_ID, build_budget_graph
from agents.budget.replay import (
    FactorChange,
    RegionReplay,
    deal_request,
    estimate,
    replay_with_region,
)
from agents.budget.request import BudgetRequest, LineRequest
from agents.budget.state import BudgetState
from agents.figures import ungrounded_numbers

__all__ = [
    "GRAPH_ID",
    "Analysis",
    "BudgetRequest",
    "BudgetState",
    "BudgetTools",
    "Factor",
    "FactorChange",
    "LineRequest",
    "RegionReplay",
    "analyse",
    "build_budget_graph",
    "deal_request",
    "estimate",
    "replay_with_region",
    "ungrounded_numbers",
]
