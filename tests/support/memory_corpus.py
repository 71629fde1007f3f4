"""Made-up product documentation with look-alike products, for memory tests and measurements.

Products of one family share section headings and phrasing and differ in model number and
figures, which is the hard case for retrieval: "battery life of VitaScan P12" must not land on
the VitaScan P10's battery section.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from memory import DocSection


@dataclass(frozen=True)
class Product:
    product_id: str
    name: str
    battery_hours: float
    weight_kg: float
    warranty_years: int
    connectivity: str


PRODUCTS = (
    Product(
        "PRD-010", "VitaScan P12 Portable Ultrasound", 6.5, 5.8, 3, "DICOM 3.0 to PACS over Wi-Fi"
    ),
    Product(
        "PRD-011", "VitaScan P10 Portable Ultrasound", 4.0, 6.4, 2, "DICOM 3.0 over wired Ethernet"
    ),
    Product("PRD-009", "VitaScan H3 Handheld Ultrasound", 2.5, 0.35, 3, "Wi-Fi Direct to a tablet"),
    Product("PRD-020", "AirFlow V7 ICU Ventilator", 3.0, 24.0, 2, "HL7 to the central station"),
    Product(
        "PRD-021",
        "AirFlow T2 Transport Ventilator",
        8.0,
        4.9,
        2,
        "Bluetooth to the ambulance tablet",
    ),
    Product("PRD-030", "VitalWatch M5 Patient Monitor", 4.5, 2.1, 5, "HL7 over the hospital LAN"),
    Product("PRD-031", "VitalWatch M8 Patient Monitor", 5.5, 3.2, 5, "HL7 and wireless telemetry"),
    Product("PRD-040", "LabCore A9 Chemistry Analyser", 0.0, 310.0, 1, "LIS over ASTM serial"),
)

TOPICS = (
    "Battery and power",
    "Cleaning and disinfection",
    "Connectivity",
    "Warranty and service",
    "Dimensions and weight",
    "Alarms",
)

_FILLER = (
    "Read the whole chapter before first use and keep this manual with the device.",
    "Only trained clinical staff should operate the system.",
    "Service intervals are listed in the maintenance schedule at the end of the manual.",
    "Contact the distributor's technical support line if a fault persists.",
    "Figures are typical values measured at 25 degrees Celsius.",
    "Accessories not listed here have not been validated with the device.",
)


def _body(product: Product, topic: str, rng: random.Random, filler: int, name_in_body: bool) -> str:
    # Real manuals mostly say "the device": then only the section's metadata names the product.
    short = " ".join(product.name.split()[:2]) if name_in_body else "device"
    core = {
        "Battery and power": (
            f"The {short} runs for {product.battery_hours} hours on its internal lithium-ion "
            "battery with typical use and recharges fully in three hours from the mains adapter."
            if product.battery_hours
            else f"The {short} has no internal battery and must be connected to the mains; a UPS "
            "is recommended to protect running assays."
        ),
        "Cleaning and disinfection": (
            f"Wipe the housing of the {short} with 70% isopropyl alcohol after every patient. "
            "Do not immerse the unit and do not use abrasive cleaners."
        ),
        "Connectivity": f"The {short} sends results and images by {product.connectivity}.",
        "Warranty and service": (
            f"The {short} carries a {product.warranty_years}-year warranty on parts and labour, "
            "extendable by a service contract with preventive maintenance visits."
        ),
        "Dimensions and weight": f"The {short} weighs {product.weight_kg} kg including the stand.",
        "Alarms": (
            f"The {short} raises audible and visual alarms for low battery, disconnection and "
            "technical faults, prioritised high, medium and low."
        ),
    }[topic]
    extra = " ".join(rng.choice(_FILLER) for _ in range(filler))
    return f"{core} {extra}".strip()


def product_sections(
    products: tuple[Product, ...] = PRODUCTS,
    *,
    documents_per_product: int = 1,
    filler: int = 2,
    name_in_body: bool = False,
    seed: int = 7,
) -> list[DocSection]:
    """One section per topic per document per product; ``filler`` sentences pad each body."""
    rng = random.Random(seed)
    sections: list[DocSection] = []
    for product in products:
        for doc in range(documents_per_product):
            document_id = f"{product.product_id}-DOC{doc}"
            for ordinal, topic in enumerate(TOPICS):
                sections.append(
                    DocSection(
                        section_id=f"{document_id}-S{ordinal}",
                        document_id=document_id,
                        document_title=f"{product.name} instructions for use, part {doc + 1}",
                        product_id=product.product_id,
                        product_name=product.name,
                        heading=topic,
                        page=ordinal + 2,
                        ordinal=ordinal,
                        body=_body(product, topic, rng, filler, name_in_body),
                    )
                )
    return sections


QUESTIONS = {
    "Battery and power": "What is the battery life of the {short}?",
    "Cleaning and disinfection": "How should I clean the {short} between patients?",
    "Connectivity": "How does the {short} send data to other systems?",
    "Warranty and service": "How long is the warranty on the {short}?",
    "Dimensions and weight": "How heavy is the {short}?",
    "Alarms": "Which alarms does the {short} have?",
}


def questions(products: tuple[Product, ...] = PRODUCTS) -> list[tuple[str, str, str]]:
    """(question, expected product_id, expected heading) for every product and topic."""
    return [
        (template.format(short=" ".join(product.name.split()[:2])), product.product_id, topic)
        for product in products
        for topic, template in QUESTIONS.items()
    ]
