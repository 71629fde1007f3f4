"""The feature types of the behaviour tools, and how pages and records are classified."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crm.records import ActivityRecord

WINDOWS: tuple[int, ...] = (30, 90)
HISTORY_DAYS = 365  # how far back a score looks; recency features saturate here
INBOUND_KINDS: frozenset[str] = frozenset(
    {"web_visit", "content_download", "email_in", "call_answered", "meeting", "tender_announcement"}
)
COMMERCIAL_PATHS: tuple[str, ...] = (
    "/pricing",
    "/financing",
    "/service/warranty",
    "/service/installation",
    "/training",
)
TECHNICAL_PAGE_TYPES: frozenset[str] = frozenset({"specs", "compare"})
PRODUCT_PAGE_TYPES: frozenset[str] = frozenset({"product", "specs", "case_study", "compare"})
SENIOR = frozenset({"executive", "director"})
OPEN_DEAL_RANK = {"prospecting": 1, "qualification": 2, "proposal": 3, "negotiation": 4}
# Simple counts: feature stem -> the activity kind counted, per window.
KIND_COUNTS = {
    "web_visits": "web_visit",
    "downloads": "content_download",
    "emails_in": "email_in",
    "emails_out": "email_out",
    "calls_answered": "call_answered",
    "calls_missed": "call_missed",
    "meetings": "meeting",
    "tenders": "tender_announcement",
}


@dataclass(frozen=True)
class Feature:
    """One number about the behaviour, with the records it was computed from."""

    name: str
    value: float
    description: str
    source: str = "activities"
    record_ids: tuple[str, ...] = ()
    window_days: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "description": self.description,
            "source": self.source,
            "record_ids": list(self.record_ids),
            "window_days": self.window_days,
        }


@dataclass(frozen=True)
class BehaviourFeatures:
    """The features of one subject (account or contact) as of one moment."""

    subject: dict[str, str]
    as_of: datetime
    features: dict[str, Feature]
    product_interest: list[dict[str, Any]] = field(default_factory=list)

    def value(self, name: str) -> float:
        """A feature's value (0 for a feature that was not computed)."""
        feature = self.features.get(name)
        return feature.value if feature else 0.0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BehaviourFeatures:
        """Rebuild from :meth:`as_dict` output."""
        return cls(
            subject=dict(data["subject"]),
            as_of=datetime.fromisoformat(data["as_of"]),
            features={
                name: Feature(**{**f, "record_ids": tuple(f["record_ids"])})
                for name, f in data["features"].items()
            },
            product_interest=list(data.get("product_interest", [])),
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, for graph state and storage."""
        return {
            "subject": dict(self.subject),
            "as_of": self.as_of.isoformat(),
            "features": {name: f.as_dict() for name, f in self.features.items()},
            "product_interest": self.product_interest,
        }


def meta_of(activity: ActivityRecord, key: str) -> Any:
    return (activity.meta or {}).get(key)


def url_path(activity: ActivityRecord) -> str:
    url = activity.url or ""
    start = url.find("/", url.find("//") + 2) if "//" in url else url.find("/")
    return url[start:] if start >= 0 else ""


def is_commercial(activity: ActivityRecord) -> bool:
    return activity.kind == "web_visit" and url_path(activity).startswith(COMMERCIAL_PATHS)


def is_technical(activity: ActivityRecord) -> bool:
    page = meta_of(activity, "page_type")
    path = url_path(activity)
    return activity.kind == "web_visit" and (
        page in TECHNICAL_PAGE_TYPES or path.endswith(("/specs", "/compare"))
    )


def is_product_page(activity: ActivityRecord) -> bool:
    page = meta_of(activity, "page_type")
    return (
        activity.kind == "web_visit"
        and activity.product_id is not None
        and (page in PRODUCT_PAGE_TYPES or url_path(activity).startswith("/products/"))
    )


def newest_first(records: Iterable[Any], when: str) -> tuple[str, ...]:
    return tuple(
        r.id for r in sorted(records, key=lambda r: (getattr(r, when), r.id), reverse=True)
    )


class FeatureBuilder:
    """Collects features; ids are kept newest first."""

    def __init__(self) -> None:
        self.features: dict[str, Feature] = {}

    def count(
        self,
        name: str,
        records: Sequence[Any],
        description: str,
        *,
        window: int | None,
        source: str = "activities",
        when: str = "occurred_at",
    ) -> None:
        self.features[name] = Feature(
            name, float(len(records)), description, source, newest_first(records, when), window
        )

    def number(
        self,
        name: str,
        value: float,
        description: str,
        ids: Sequence[str] = (),
        *,
        source: str = "activities",
        window: int | None = None,
    ) -> None:
        self.features[name] = Feature(name, float(value), description, source, tuple(ids), window)
