"""Technical Q&A: product questions answered from the documentation, with citations."""

from agents.technical_qa.graph import GRAPH_ID, build_technical_qa_graph
from agents.technical_qa.state import TechnicalQAState
from agents.technical_qa.tooling import TechnicalQATools

__all__ = [
    "GRAPH_ID",
    "TechnicalQAState",
    "TechnicalQATools",
    "build_technical_qa_graph",
]
