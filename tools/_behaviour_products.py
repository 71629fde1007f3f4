"""Product interest and focus: which products the browsing is about, and how narrowly."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from crm.records import ActivityRecord
from tools._behaviour_record import FeatureBuilder, is_product_page, newest_first


def product_interest(recent: list[ActivityRecord], as_of: datetime) -> list[dict[str, Any]]:
    """Per product: page visits in 30 and 90 days and downloads in 90 days, busiest first."""
    month = as_of - timedelta(days=30)
    per: dict[str, dict[str, Any]] = {}
    for a in recent:
        if a.product_id is None or a.kind not in ("web_visit", "content_download"):
            continue
        if a.kind == "web_visit" and not is_product_page(a):
            continue
        row = per.setdefault(
            a.product_id,
            {
                "product_id": a.product_id,
                "visits_30d": 0,
                "visits_90d": 0,
                "downloads_90d": 0,
                "activity_ids": [],
            },
        )
        if a.kind == "web_visit":
            row["visits_90d"] += 1
            row["visits_30d"] += a.occurred_at >= month
        else:
            row["downloads_90d"] += 1
        row["activity_ids"].append(a.id)
    return sorted(
        per.values(), key=lambda r: (-(r["visits_90d"] + 3 * r["downloads_90d"]), r["product_id"])
    )


def product_focus(
    b: FeatureBuilder, recent: list[ActivityRecord], interest: list[dict[str, Any]]
) -> None:
    """How much of the browsing is about products, and about a shortlist of at most three."""
    visits = [a for a in recent if a.kind == "web_visit"]
    product_visits = [a for a in visits if is_product_page(a)]
    b.number(
        "product_focus_90d",
        round(len(product_visits) / max(len(visits), 1), 3),
        "share of web visits in the last 90 days that were product pages",
        newest_first(product_visits, "occurred_at"),
        window=90,
    )
    top = sorted(interest, key=lambda r: (-r["visits_90d"], r["product_id"]))[:3]
    on_top = {p["product_id"] for p in top}
    shortlist = [a for a in product_visits if a.product_id in on_top]
    b.number(
        "shortlist_share_90d",
        round(len(shortlist) / max(len(product_visits), 1), 3),
        "share of product-page visits in the last 90 days on the three most visited products",
        newest_first(shortlist, "occurred_at"),
        window=90,
    )
