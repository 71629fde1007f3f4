"""Relationship mapping: an account's stakeholder map and who to engage next, from CRM data."""

from agents.relationships.graph import GRAPH_ID, build_relationships_graph
from agents.relationships.mapping import build_stakeholder_map
from agents.relationships.models import (
    EngagementStep,
    ReportingLine,
    Stakeholder,
    StakeholderMap,
)
from agents.relationships.state import RelationshipsState
from agents.relationships.tooling import RelationshipsTools

__all__ = [
    "GRAPH_ID",
    "EngagementStep",
    "RelationshipsState",
    "RelationshipsTools",
    "ReportingLine",
    "Stakeholder",
    "StakeholderMap",
    "build_relationships_graph",
    "build_stakeholder_map",
]
