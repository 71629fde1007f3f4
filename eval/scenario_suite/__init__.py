"""The labelled scenario suite: cases over the demo CRM, their generator, and the runner."""

from eval.scenario_suite.cases import SUITE_VERSION, NumericRange, ScenarioCase, load_suite

__all__ = ["SUITE_VERSION", "NumericRange", "ScenarioCase", "load_suite"]
