"""The thirty demo product lines: fixed identity and base specifications, before any seed.

Names, ids, SKUs and categories never depend on the seed, so a question such as "battery life
of the VitaScan P12 Portable Ultrasound" stays valid whatever seed built the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from crm.demo._lines_care import CARE_LINES
from crm.demo._lines_imaging import IMAGING_LINES
from crm.demo._lines_lab import LAB_LINES
from crm.demo._lines_respiratory import RESPIRATORY_LINES
from crm.demo._lines_theatre import THEATRE_LINES

SpecValue = str | int | float

_MAINS = "100-240 V AC, 50/60 Hz"

# Category-wide values that individual lines may override.
CATEGORY_DEFAULTS: Mapping[str, Mapping[str, SpecValue]] = {
    "patient monitoring": {
        "operating_temp_c": "0 to 40 °C",
        "power_supply": _MAINS,
        "cleaning_agents": "70% isopropyl alcohol, 0.5% sodium hypochlorite or quaternary "
        "ammonium disinfectant wipes",
    },
    "infusion": {
        "operating_temp_c": "5 to 40 °C",
        "power_supply": _MAINS,
        "cleaning_agents": "quaternary ammonium or 70% isopropyl alcohol wipes, and a "
        "1,000 mg/L chlorine solution after patients in contact isolation",
    },
    "ultrasound": {"operating_temp_c": "10 to 40 °C", "power_supply": _MAINS},
    "ventilation": {
        "operating_temp_c": "5 to 40 °C",
        "power_supply": _MAINS,
        "cleaning_agents": "70% ethanol, quaternary ammonium or accelerated hydrogen peroxide "
        "wipes for the housing and touchscreen",
    },
    "defibrillation": {
        "operating_temp_c": "0 to 45 °C",
        "power_supply": _MAINS,
        "cleaning_agents": "70% isopropyl alcohol, 3% hydrogen peroxide or quaternary ammonium "
        "wipes",
    },
    "surgical": {
        "operating_temp_c": "10 to 40 °C",
        "power_supply": _MAINS,
        "cleaning_agents": "quaternary ammonium or 70% alcohol wipes for housings and "
        "0.1% sodium hypochlorite for blood contamination",
    },
    "lab diagnostics": {"operating_temp_c": "15 to 30 °C", "power_supply": _MAINS},
    "imaging": {
        "operating_temp_c": "15 to 30 °C",
        "power_supply": _MAINS,
        "cleaning_agents": "70% alcohol, quaternary ammonium or 0.1% sodium hypochlorite wipes "
        "on patient-contact surfaces",
    },
    "sterilisation": {"operating_temp_c": "5 to 40 °C", "power_supply": _MAINS},
}

REQUIRED_SPECS: tuple[str, ...] = (
    "weight_kg",
    "dimensions_mm",
    "ip_rating",
    "display",
    "operating_temp_c",
    "power_supply",
    "alarms",
    "connectivity",
    "cleaning_agents",
    "sterilisation",
    "consumables",
    "maintenance_interval_months",
    "warranty_years",
    "certifications",
)
FORMS = frozenset(
    {
        "bedside",
        "portable",
        "pole-mounted",
        "wearable",
        "handheld",
        "cart",
        "benchtop",
        "floor-standing",
        "ceiling-mounted",
    }
)


@dataclass(frozen=True)
class PerformanceSpec:
    """One category-specific figure shown in the datasheet's performance section."""

    key: str
    label: str
    value: SpecValue
    unit: str


@dataclass(frozen=True)
class ProductLine:
    """A product as designed: everything except the seed-dependent numbers and prose."""

    index: int
    product_id: str
    sku: str
    name: str
    category: str
    manufacturer: str
    origin: str  # "domestic" or "imported": decides the NMPA registration wording
    form: str
    standard: str
    description: str
    intended_use: str
    base_list_price: int
    max_discount_pct: float
    battery_use: str
    specs: Mapping[str, SpecValue]  # base values, performance figures included
    performance: tuple[PerformanceSpec, ...]

    @property
    def has_battery(self) -> bool:
        """True when the device runs on an internal battery at all."""
        return "battery_life_hours" in self.specs


def _line_from_raw(raw: Mapping[str, Any]) -> ProductLine:
    specs: dict[str, SpecValue] = dict(CATEGORY_DEFAULTS[raw["category"]])
    raw_specs = dict(raw["specs"])
    # How the battery is used is wording for the manual, not a specification of its own.
    battery_use = str(raw_specs.pop("battery_use", "of continuous operation"))
    specs.update(raw_specs)
    performance = tuple(PerformanceSpec(*row) for row in raw["performance"])
    for perf in performance:
        specs[perf.key] = perf.value
    line = ProductLine(
        index=int(raw["product_id"].removeprefix("PRD-")),
        product_id=raw["product_id"],
        sku=raw["sku"],
        name=raw["name"],
        category=raw["category"],
        manufacturer=raw["manufacturer"],
        origin=raw["origin"],
        form=raw["form"],
        standard=raw["standard"],
        description=raw["description"],
        intended_use=raw["intended_use"],
        base_list_price=raw["base_list_price"],
        max_discount_pct=raw["max_discount_pct"],
        battery_use=battery_use,
        specs=MappingProxyType(specs),
        performance=performance,
    )
    _check_line(line)
    return line


def _check_line(line: ProductLine) -> None:
    # A typo in the hand-written data should fail at import, not produce a silent gap in a
    # document that a retrieval test later cites.
    missing = [key for key in REQUIRED_SPECS if key not in line.specs]
    if missing:
        raise ValueError(f"{line.product_id} lacks specs {missing}")
    if line.has_battery and "battery_type" not in line.specs:
        raise ValueError(f"{line.product_id} has a battery life but no battery_type")
    if line.form not in FORMS or line.origin not in {"domestic", "imported"}:
        raise ValueError(f"{line.product_id} has an unknown form or origin")
    if not 0 < line.max_discount_pct < 50:
        raise ValueError(f"{line.product_id} has an implausible max discount")


def _load_lines() -> tuple[ProductLine, ...]:
    raws = (*CARE_LINES, *RESPIRATORY_LINES, *IMAGING_LINES, *THEATRE_LINES, *LAB_LINES)
    lines = sorted((_line_from_raw(raw) for raw in raws), key=lambda line: line.index)
    for field in ("product_id", "sku", "name"):
        values = [getattr(line, field) for line in lines]
        if len(set(values)) != len(values):
            raise ValueError(f"duplicate product {field} in the demo catalogue")
    return tuple(lines)


PRODUCT_LINES: tuple[ProductLine, ...] = _load_lines()
