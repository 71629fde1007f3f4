"""The judge model of ragas' LLM-judged metrics, configured by setting, run offline through the
scripted model (ragas' litellm adapter, instructor's JSON mode, the local MiniLM embeddings)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from test_eval_calibration_summary import _item, _review

from core.settings import Settings
from eval.calibration import qa_metrics as qa
from eval.calibration.judge import judge_from_settings
from llm.scripted import scripted_model
from tests.support.calibration_world import qa_recommendation

NOW = datetime(2026, 10, 15, tzinfo=UTC)


def test_no_judge_model_means_only_the_metrics_that_need_none(tmp_path) -> None:
    assert judge_from_settings(Settings(data_dir=tmp_path)) is None


@pytest.mark.slow  # loads the MiniLM embedding model for answer relevancy
def test_a_configured_judge_scores_faithfulness_and_relevancy(tmp_path) -> None:
    rec = qa_recommendation(5, created_at=NOW, confidence=0.8)
    item = _item(0, rec, [_review("item-0", "ann", 4, True)])
    judge = judge_from_settings(Settings(data_dir=tmp_path, judge_model="scripted/judge"))
    assert judge is not None
    claim = "The pump delivers 6 l/min at 2 bar."
    statements = json.dumps({"statements": [claim]})
    unsupported = json.dumps(
        {"statements": [{"statement": claim, "reason": "not in the context", "verdict": 0}]}
    )
    # Answer relevancy asks the judge which question the answer fits, then compares embeddings.
    same_question = json.dumps({"question": rec.data["question"], "noncommittal": 0})
    with scripted_model(responses=[statements, unsupported, *[same_question] * 3]):
        result = qa.qa_metrics([item], judge=judge)
    assert result.judged
    assert result.faithfulness == pytest.approx(0.0)  # the judge's verdict, not a constant
    assert result.answer_relevancy == pytest.approx(1.0, abs=1e-6)
