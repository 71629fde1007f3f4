"""Next best action: concrete next steps for an account or deal, with approval-gated actions."""

from agents.next_action.graph import GRAPH_ID, build_next_action_graph
from agents.next_action.history import AccountHistory, load_history
from agents.next_action.planning import NextStep, plan_steps
from agents.next_action.state import NextActionState
from agents.next_action.tooling import NextActionTools

__all__ = [
    "GRAPH_ID",
    "AccountHistory",
    "NextActionState",
    "NextActionTools",
    "NextStep",
    "build_next_action_graph",
    "load_history",
    "plan_steps",
]
