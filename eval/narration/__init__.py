"""The narration suite: model-written text from every agent, and how much of it stands the checks."""

from eval.narration.cases import AGENTS, NarrationCase, narration_cases
from eval.narration.runner import NarrationReport, NarrationResult, recheck, run_narrations

__all__ = [
    "AGENTS",
    "NarrationCase",
    "NarrationReport",
    "NarrationResult",
    "narration_cases",
    "recheck",
    "run_narrations",
]
