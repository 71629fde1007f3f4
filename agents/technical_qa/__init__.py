"""Technical Q&A: product questions answered from the documentation, with citations."""

from agents.technical_qa.graph import GRAPH_ID, build_technical_qa_graph
from agents.technical_qa.state import TechnicalQAState

__all__ = ["GRAPH_ID", "TechnicalQAState", "build_technical_qa_graph"]
