"""Assembles each product's documents from its specs and says where every fact is stated.

The layout below is the single source of truth for both: ``build_documents`` writes each
section from it, and ``fact_location`` answers from it, so a citation check can never drift
from the text that was generated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from crm.demo import _datasheet_text as ds
from crm.demo import _manual_text as um
from crm.demo import _power_text as pw
from crm.demo import _service_text as sm
from crm.demo._catalogue_types import CatalogueDocSection, CatalogueDocument
from crm.demo._product_lines import ProductLine, SpecValue
from crm.demo._section_context import SectionContext

Renderer = Callable[[SectionContext], str]


@dataclass(frozen=True)
class SectionLayout:
    heading: str
    page: int
    render: Renderer


@dataclass(frozen=True)
class DocumentLayout:
    suffix: str
    kind: str
    title: str  # appended to the product name
    sections: tuple[SectionLayout, ...]


PHYSICAL = "Physical specifications"
PERFORMANCE = "Performance specifications"
ENVIRONMENTAL = "Environmental specifications"
REGULATORY = "Regulatory approvals"
POWER = "Power and battery"
ALARMS = "Alarms and alerts"
CONNECTIVITY = "Connectivity and data exchange"
CLEANING = "Cleaning and disinfection"
STERILISATION = "Sterilisation and reprocessing"
CONSUMABLES = "Consumables and accessories"
MAINTENANCE = "Preventive maintenance"
WARRANTY = "Warranty and service coverage"

LAYOUT: tuple[DocumentLayout, ...] = (
    DocumentLayout(
        "DS",
        "datasheet",
        "Datasheet",
        (
            SectionLayout("Product overview", 1, ds.overview),
            SectionLayout(PHYSICAL, 1, ds.physical),
            SectionLayout(PERFORMANCE, 2, ds.performance),
            SectionLayout(ENVIRONMENTAL, 2, ds.environmental),
            SectionLayout(REGULATORY, 3, ds.regulatory),
        ),
    ),
    DocumentLayout(
        "UM",
        "user_manual",
        "User Manual",
        (
            SectionLayout("Introduction and intended use", 1, um.introduction),
            SectionLayout(POWER, 1, pw.power),
            SectionLayout(ALARMS, 2, um.alarms),
            SectionLayout(CONNECTIVITY, 2, um.connectivity),
            SectionLayout(CLEANING, 3, um.cleaning),
            SectionLayout(STERILISATION, 3, um.sterilisation),
            SectionLayout(CONSUMABLES, 4, um.consumables),
        ),
    ),
    DocumentLayout(
        "SM",
        "service_manual",
        "Service Manual",
        (
            SectionLayout(MAINTENANCE, 1, sm.maintenance),
            SectionLayout("Troubleshooting", 1, sm.troubleshooting),
            SectionLayout(WARRANTY, 2, sm.warranty),
        ),
    ),
    DocumentLayout(
        "CE",
        "clinical_evidence",
        "Clinical Evidence Summary",
        (
            SectionLayout("Clinical context", 1, sm.clinical_context),
            SectionLayout("Evidence summary", 1, sm.evidence),
        ),
    ),
)

# Where each general spec is stated; a line's performance figures go to PERFORMANCE.
FACT_SECTIONS: Mapping[str, tuple[str, str]] = {
    "weight_kg": ("DS", PHYSICAL),
    "dimensions_mm": ("DS", PHYSICAL),
    "display": ("DS", PHYSICAL),
    "ip_rating": ("DS", ENVIRONMENTAL),
    "operating_temp_c": ("DS", ENVIRONMENTAL),
    "certifications": ("DS", REGULATORY),
    "battery_life_hours": ("UM", POWER),
    "charge_time_hours": ("UM", POWER),
    "battery_type": ("UM", POWER),
    "power_supply": ("UM", POWER),
    "alarms": ("UM", ALARMS),
    "connectivity": ("UM", CONNECTIVITY),
    "cleaning_agents": ("UM", CLEANING),
    "sterilisation": ("UM", STERILISATION),
    "consumables": ("UM", CONSUMABLES),
    "maintenance_interval_months": ("SM", MAINTENANCE),
    "warranty_years": ("SM", WARRANTY),
}
# Asked of a mains-powered device, these still have an answer: its power section says it is
# mains powered and has no battery.
POWER_KEYS = frozenset({"battery_life_hours", "charge_time_hours", "battery_type", "power_supply"})


def document_id(product_id: str, suffix: str) -> str:
    """'DOC-PRD-001-UM' for the user manual of PRD-001."""
    return f"DOC-{product_id}-{suffix}"


def fact_location(
    product_id: str, specs: Mapping[str, object], spec_key: str
) -> tuple[str, str] | None:
    """(document id, heading) stating ``spec_key``, or None when no section states it."""
    if spec_key not in specs and spec_key not in POWER_KEYS:
        return None
    suffix, heading = FACT_SECTIONS.get(spec_key, ("DS", PERFORMANCE))
    return document_id(product_id, suffix), heading


def _version(line: ProductLine, position: int) -> str:
    # Documents are revised at different times, so versions differ per product and kind.
    return f"{1 + (line.index + position) % 3}.{(line.index * (position + 3)) % 7}"


def build_documents(
    line: ProductLine, specs: Mapping[str, SpecValue]
) -> tuple[CatalogueDocument, ...]:
    """Write every document of a product from its seed-adjusted specs."""
    documents = []
    for position, layout in enumerate(LAYOUT):
        sections = tuple(
            CatalogueDocSection(
                heading=section.heading,
                page=section.page,
                body=section.render(
                    SectionContext(line=line, specs=specs, heading=section.heading)
                ),
            )
            for section in layout.sections
        )
        documents.append(
            CatalogueDocument(
                document_id=document_id(line.product_id, layout.suffix),
                title=f"{line.name} {layout.title}",
                kind=layout.kind,
                version=_version(line, position),
                sections=sections,
            )
        )
    return tuple(documents)
