"""Lead scoring: buying stage, score, grade and the specialist to activate, from behaviour."""

from agents.lead_scoring.assessment import LeadAssessment, assess_lead
from agents.lead_scoring.graph import GRAPH_ID, build_lead_scoring_graph
from agents.lead_scoring.stage import STAGES, StageCall, infer_stage
from agents.lead_scoring.state import LeadScoringState
from agents.lead_scoring.tooling import LeadScoringTools
from agents.lead_scoring.win_model import WinModel, forget_win_models, win_model_for

__all__ = [
    "GRAPH_ID",
    "STAGES",
    "LeadAssessment",
    "LeadScoringState",
    "LeadScoringTools",
    "StageCall",
    "WinModel",
    "assess_lead",
    "build_lead_scoring_graph",
    "forget_win_models",
    "infer_stage",
    "win_model_for",
]
