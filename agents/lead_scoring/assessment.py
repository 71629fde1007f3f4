"""A lead's whole assessment (stage, score, grade, route) and the Recommendation made of it.

``assess_lead`` is deterministic and makes no model call: the event intake uses it directly,
the graph wraps it with a narration. Every number the summary states is the value of one of
the recommendation's provenance facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agents.lead_scoring.next_specialist import Route, route_lead
from agents.lead_scoring.scoring import LeadScore, score_lead
from agents.lead_scoring.stage import StageCall, infer_stage
from agents.lead_scoring.win_model import WinModel
from core.recommendation import (
    Action,
    Fact,
    ModelInfo,
    PromptInfo,
    Recommendation,
    snapshot_sha256,
)
from tools.behaviour import BehaviourFeatures

AGENT = "lead_scoring"
KIND = "lead_score"


@dataclass(frozen=True)
class LeadAssessment:
    """Everything the lead scoring agent concluded, with the features it stood on."""

    features: BehaviourFeatures
    stage: StageCall
    score: LeadScore
    route: Route
    secondary: tuple[Route, ...]
    win_model: WinModel

    @property
    def subject(self) -> dict[str, str]:
        return dict(self.features.subject)

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable, for graph state and storage."""
        return {
            "subject": self.subject,
            "as_of": self.features.as_of.isoformat(),
            "stage": self.stage.stage,
            "score": self.score.score,
            "grade": self.score.grade,
            "confidence": self.score.confidence,
            "win_probability": self.score.win_probability,
            "coverage": self.score.coverage,
            "stage_evidence": self.stage.as_dict(),
            "score_parts": [part.as_dict() for part in self.score.parts],
            "route": self.route.as_dict(),
            "secondary_routes": [route.as_dict() for route in self.secondary],
            "win_model": self.win_model.as_dict(),
        }

    def used_features(self) -> list[str]:
        """Names of the features the stage, score and route were decided on, in that order."""
        names = [s.feature for s in self.stage.held] + [
            s.gate[0] for s in self.stage.held if s.gate
        ]
        names += [
            "meetings_90d",
            "emails_in_90d",
            "emails_out_90d",
            "senior_contacts_engaged_90d",
            "quote_price_position",
            "strategic_account",
            "inbound_trend",
            "days_since_inbound",
            "history_days",
            *self.route.features,
        ]
        return [n for n in dict.fromkeys(names) if n in self.features.features]

    def facts(self) -> list[Fact]:
        """Provenance: each used feature (newest record behind it), and the score's parts."""
        subject_id = self.subject.get("contact_id") or self.subject["account_id"]
        subject_source = "contacts" if "contact_id" in self.subject else "accounts"
        as_of = self.features.as_of
        facts = []
        for name in self.used_features():
            feature = self.features.features[name]
            has_records = bool(feature.record_ids)
            facts.append(
                Fact(
                    source=feature.source if has_records else subject_source,
                    record_id=feature.record_ids[0] if has_records else subject_id,
                    field=name,
                    value=_plain(feature.value),
                    as_of=as_of,
                )
            )
        facts.append(
            Fact(
                source=f"win_model:{self.win_model.kind}",
                record_id=subject_id,
                field="win_probability",
                value=self.score.win_probability,
                as_of=as_of,
            )
        )
        facts.append(
            Fact(
                source="lead_scoring",
                record_id=subject_id,
                field="score",
                value=self.score.score,
                as_of=as_of,
            )
        )
        facts += [
            Fact(
                source="lead_scoring",
                record_id=subject_id,
                field=f"score.{part.name}",
                value=part.points,
                as_of=as_of,
            )
            for part in self.score.parts
        ]
        return facts

    def summary(self) -> str:
        """The deterministic account of the assessment, for reps and for the narrating model."""
        s, f = self.score, self.features
        why = "; ".join(
            f"{sig.name} ({sig.feature} {_plain(f.value(sig.feature))})" for sig in self.stage.held
        )
        parts = ", ".join(f"{p.name} {p.points:+d}" for p in s.parts)
        lines = [
            f"{_who(self.subject)}: {self.stage.stage} stage, score {s.score}, grade {s.grade}.",
            f"Stage evidence: {why or 'no buying signal; little activity'}.",
            f"Score parts: {parts}; win probability {s.win_probability}"
            f" ({self.win_model.kind.replace('_', ' ')}).",
            f"Activate {self.route.agent}: {self.route.reason}.",
        ]
        if self.secondary:
            lines.append("Also relevant: " + "; ".join(r.agent for r in self.secondary) + ".")
        return "\n".join(lines)

    def snapshot_sha256(self) -> str:
        """sha256 of the inputs: the features with their record ids, and the win model."""
        return snapshot_sha256(
            {"features": self.features.as_dict(), "win_model": self.win_model.as_dict()}
        )

    def recommendation(
        self,
        *,
        content: str | None = None,
        model: ModelInfo | None = None,
        prompt: PromptInfo | None = None,
    ) -> Recommendation:
        """The Recommendation of this assessment; ``content`` defaults to the summary."""
        route = self.route
        return Recommendation(
            kind=KIND,
            agent=AGENT,
            subject=self.subject,
            content=content or self.summary(),
            confidence=self.score.confidence,
            provenance=self.facts(),
            actions=[
                Action(
                    kind="activate_agent",
                    description=f"Activate {route.agent}: {route.reason}",
                    payload={"agent": route.agent, "rule": route.rule, **route.context},
                    requires_approval=False,  # it only reads and advises; nothing is changed
                ),
                Action(
                    kind="update_grade",
                    description=f"Set the lead grade to {self.score.grade}",
                    payload={"grade": self.score.grade, "score": self.score.score},
                ),
            ],
            data={"lead_score": self.as_dict()},
            model=model,
            prompt=prompt,
            input_sha256=self.snapshot_sha256(),
        )


def assess_lead(features: BehaviourFeatures, win_model: WinModel) -> LeadAssessment:
    """Stage, score, grade and route from ``features``; deterministic, no model call."""
    stage = infer_stage(features)
    score = score_lead(features, stage, win_model)
    route, secondary = route_lead(features, stage.stage)
    return LeadAssessment(features, stage, score, route, tuple(secondary), win_model)


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _who(subject: dict[str, str]) -> str:
    if "contact_id" in subject:
        return f"Contact {subject['contact_id']} of account {subject['account_id']}"
    return f"Account {subject['account_id']}"
