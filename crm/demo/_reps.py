"""The distributor's sales reps and which accounts each owns, decided by territory alone.

Owners are a pure function of an account's city: no random draw, so adding reps to the demo
changes no account, contact, deal or event id and no hidden truth. A region is one rep's
territory, or two reps' when it is large; the region's cities are then dealt to its reps in
the order the vocabulary lists them (Shanghai to the first East rep, Hangzhou to the second...).
"""

from __future__ import annotations

from typing import Any

from crm.demo import _vocab as v

EMAIL_DOMAIN = "sales.distributor.example"
# (id, name, Chinese name, region, team); a region's reps in the order its cities are dealt.
REPS: tuple[tuple[str, str, str, str, str], ...] = (
    ("REP-001", "Chen Jing", "陈静", "East", "East China"),
    ("REP-002", "Zhou Min", "周敏", "East", "East China"),
    ("REP-003", "Wang Lei", "王磊", "North", "North China"),
    ("REP-004", "Zhao Yan", "赵燕", "North", "North China"),
    ("REP-005", "Huang Tao", "黄涛", "South", "South and Central China"),
    ("REP-006", "Liu Yang", "刘洋", "Central", "South and Central China"),
    ("REP-007", "Yang Fan", "杨帆", "West", "West China"),
    ("REP-008", "Sun Li", "孙丽", "West", "West China"),
)


def rep_rows() -> list[dict[str, Any]]:
    """The ``reps`` table of the demo."""
    return [
        {
            "id": rep_id,
            "name": name,
            "name_zh": name_zh,
            "email": f"{name.lower().replace(' ', '.')}@{EMAIL_DOMAIN}",
            "region": region,
            "team": team,
        }
        for rep_id, name, name_zh, region, team in REPS
    ]


def _city_owners() -> dict[str, str]:
    owners: dict[str, str] = {}
    for region, cities in v.REGIONS.items():
        reps = [rep[0] for rep in REPS if rep[3] == region]
        if not reps:
            raise ValueError(f"no rep covers the region {region!r}")
        for index, city in enumerate(cities):
            owners[city] = reps[index % len(reps)]
    return owners


CITY_OWNER: dict[str, str] = _city_owners()


def owner_of(account_row: dict[str, Any]) -> str:
    """The rep who owns an account, from its city (every demo city has one)."""
    return CITY_OWNER[str(account_row["city"])]
