"""ragas metrics of the technical Q&A agent's answers against the reviewers' references.

The metrics that need no judge model always run:

- context precision and recall (ragas' ID-based metrics): the documentation sections the answer
  cited against the sections the reviewer marked as supporting the right answer
  (``relevant_sources``: cited chunks they ticked, and sections they named that were not cited).
  Chunk ids (``SEC-00007#0``) count as their section (``SEC-00007``), so a reviewer naming a
  section and the agent citing one of its chunks agree. Precision is the share of cited sections
  that are relevant; recall the share of relevant sections that were cited;
- string similarity and ROUGE-L of the answer against the reference answer (the reviewer's
  corrected answer, or the answer itself when the reviewer marked it correct without
  correcting it).

The LLM-judged metrics (faithfulness, answer relevancy) run only when the caller passes a
:class:`QAJudge` holding ragas LLM and embedding objects it built for a configured judge model.
Nothing here builds a model client: ragas would otherwise quietly create an OpenAI one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field
from ragas import SingleTurnSample

# ragas 0.4 has the ID-based metrics only in its classic modules (not yet in ``collections``);
# importing them from ``ragas.metrics`` warns that the package path is deprecated.
from ragas.metrics._context_precision import IDBasedContextPrecision
from ragas.metrics._context_recall import IDBasedContextRecall
from ragas.metrics.collections import NonLLMStringSimilarity, RougeScore

from eval.calibration.metrics import mean
from eval.calibration.schemas import ItemWithReviews

logger = logging.getLogger(__name__)

DOC_SOURCE = "product_docs"
_SOURCES_MARK = "\n\nSources:\n"


@dataclass(frozen=True)
class QAJudge:
    """A judge model for the LLM-judged metrics, as ragas objects the caller built.

    ``llm`` is a ragas ``InstructorBaseRagasLLM`` and ``embeddings`` a ragas
    ``BaseRagasEmbedding`` (answer relevancy compares question embeddings).
    """

    llm: Any
    embeddings: Any


@dataclass(frozen=True)
class QASample:
    """One reviewed answer, with what ragas compares."""

    question: str | None
    response: str
    retrieved_ids: list[str]
    retrieved_contexts: list[str]
    reference: str | None
    reference_ids: list[str] | None


class QAMetrics(BaseModel):
    """Means over the reviewed Q&A answers; a metric with no usable sample is ``None``."""

    samples: int = Field(description="Scores of Q&A items (one sample each).")
    context_precision: float | None = None
    context_recall: float | None = None
    context_samples: int = Field(0, description="Samples with relevant sources marked.")
    string_similarity: float | None = None
    rouge_l: float | None = None
    reference_samples: int = Field(0, description="Samples with a reference answer.")
    faithfulness: float | None = None
    answer_relevancy: float | None = None
    judged: bool = Field(False, description="Whether a judge model scored the LLM-judged metrics.")


def section_of(record_id: str) -> str:
    """The documentation section a chunk id belongs to (``SEC-00007#0`` -> ``SEC-00007``)."""
    return record_id.split("#", 1)[0]


def _sections(ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(section_of(i) for i in ids))


def answer_text(content: str) -> str:
    """The answer without the sources block the agent appends."""
    return content.split(_SOURCES_MARK, 1)[0].strip()


def qa_samples(items: Sequence[ItemWithReviews]) -> list[QASample]:
    """One sample per score of a Q&A item."""
    samples = []
    for item in items:
        recommendation = item.recommendation
        facts = [fact for fact in recommendation.provenance if fact.source == DOC_SOURCE]
        by_id = {fact.record_id: str(fact.value) for fact in facts}
        response = answer_text(recommendation.content)
        question = recommendation.data.get("question")
        for review in item.scored():
            reference = review.corrected_answer or (response if review.correct else None)
            marked = review.relevant_sources
            samples.append(
                QASample(
                    question=question if isinstance(question, str) else None,
                    response=response,
                    retrieved_ids=_sections(list(by_id)),
                    retrieved_contexts=list(by_id.values()),
                    reference=reference,
                    reference_ids=_sections(marked) if marked else None,
                )
            )
    return samples


def qa_metrics(items: Sequence[ItemWithReviews], *, judge: QAJudge | None = None) -> QAMetrics:
    """The Q&A metrics of ``items``' scores; LLM-judged ones only with ``judge``."""
    samples = qa_samples(items)
    precision, recall = IDBasedContextPrecision(), IDBasedContextRecall()
    similarity, rouge = NonLLMStringSimilarity(), RougeScore(rouge_type="rougeL")
    # Recall counts an answer that cited nothing as 0; precision needs something cited.
    marked = [
        SingleTurnSample(
            retrieved_context_ids=s.retrieved_ids, reference_context_ids=s.reference_ids
        )
        for s in samples
        if s.reference_ids
    ]
    cited = [s for s in marked if s.retrieved_context_ids]
    referenced = [s for s in samples if s.reference]
    result = QAMetrics(
        samples=len(samples),
        context_samples=len(marked),
        context_precision=mean([precision.single_turn_score(s) for s in cited]),
        context_recall=mean([recall.single_turn_score(s) for s in marked]),
        reference_samples=len(referenced),
        # One batch call: per-call overhead dominates this cheap metric (ROUGE is the reverse).
        string_similarity=mean(
            [
                r.value
                for r in similarity.batch_score(
                    [{"reference": s.reference, "response": s.response} for s in referenced]
                )
            ]
        ),
        rouge_l=mean(
            [rouge.score(reference=s.reference, response=s.response).value for s in referenced]
        ),
    )
    if judge is None:
        return result
    return result.model_copy(update=_judged(samples, judge))


def _judged(samples: Sequence[QASample], judge: QAJudge) -> dict[str, Any]:
    # Imported here: these metrics are only reached with a judge model configured.
    from ragas.metrics.collections import AnswerRelevancy, Faithfulness

    faithfulness = Faithfulness(llm=judge.llm)
    relevancy = AnswerRelevancy(llm=judge.llm, embeddings=judge.embeddings)
    asked = [s for s in samples if s.question]
    if len(asked) < len(samples):
        logger.info(
            "%d Q&A samples carry no question; judged metrics skip them", len(samples) - len(asked)
        )
    return {
        "judged": True,
        "faithfulness": mean(
            [
                faithfulness.score(
                    user_input=s.question,
                    response=s.response,
                    retrieved_contexts=s.retrieved_contexts,
                ).value
                for s in asked
                if s.retrieved_contexts
            ]
        ),
        "answer_relevancy": mean(
            [relevancy.score(user_input=s.question, response=s.response).value for s in asked]
        ),
    }
