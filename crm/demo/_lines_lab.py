"""Product lines for laboratory and point-of-care diagnostics."""

from __future__ import annotations

from typing import Any

_LAB_STERILISATION = (
    "not applicable: the analyser is never sterilised; the sample path is decontaminated with "
    "the daily cleaning routine and biohazard waste is handled under hospital policy"
)

LAB_LINES: tuple[dict[str, Any], ...] = (
    {
        "product_id": "PRD-023",
        "sku": "LBC-G5-BGA",
        "name": "LabCore G5 Blood Gas Analyser",
        "category": "lab diagnostics",
        "manufacturer": "Lanting Diagnostics Co., Ltd.",
        "origin": "domestic",
        "form": "portable",
        "standard": "IEC 61010-2-101",
        "base_list_price": 128_000,
        "max_discount_pct": 20.0,
        "description": "A cartridge-based blood gas, electrolyte and metabolite analyser for "
        "the ICU, emergency department and operating theatre.",
        "intended_use": "point-of-care blood gas, electrolyte, glucose and lactate testing on "
        "arterial, venous and capillary whole blood",
        "specs": {
            "weight_kg": 5.2,
            "dimensions_mm": "230 x 280 x 320",
            "ip_rating": "IP20",
            "display": "an 8-inch touchscreen",
            "battery_life_hours": 3.0,
            "charge_time_hours": 3.5,
            "battery_type": "lithium-ion",
            "battery_use": "of testing away from mains power",
            "cleaning_agents": "70% ethanol or 1,000 ppm available chlorine for the exterior and "
            "sample port",
            "alarms": "quality control failure, cartridge expiry, clot detection and low "
            "battery alerts",
            "connectivity": "HL7 v2.5 and ASTM E1394 to the LIS, POCT1-A2 to the point-of-care "
            "data manager, Ethernet and Wi-Fi",
            "consumables": "multi-use test cartridges valid for 28 days on board, quality "
            "control ampoules and heparinised arterial sampling syringes",
            "sterilisation": "not applicable: the sample path lives inside the disposable "
            "cartridge, which is discarded as biohazard waste",
            "maintenance_interval_months": 12,
            "warranty_years": 2,
            "certifications": "NMPA Class II IVD registration, CE marking under the EU IVDR as "
            "Class C",
        },
        "performance": (
            (
                "test_menu",
                "Test menu",
                "pH, pCO2, pO2, Na, K, Ca, Cl, glucose, lactate and Hct",
                "",
            ),
            ("time_to_result_s", "Time to result", 65, " s"),
            ("sample_volume_ul", "Sample volume", 95, " µL"),
        ),
    },
    {
        "product_id": "PRD-024",
        "sku": "LBC-H50-HEM",
        "name": "LabCore H50 Haematology Analyser",
        "category": "lab diagnostics",
        "manufacturer": "Lanting Diagnostics Co., Ltd.",
        "origin": "domestic",
        "form": "benchtop",
        "standard": "IEC 61010-2-101",
        "base_list_price": 380_000,
        "max_discount_pct": 22.0,
        "description": "A five-part differential haematology analyser with an autoloader for "
        "busy hospital and outpatient laboratories.",
        "intended_use": "complete blood count with five-part white cell differential in "
        "clinical laboratories",
        "specs": {
            "weight_kg": 38.0,
            "dimensions_mm": "520 x 560 x 510",
            "ip_rating": "IP20",
            "display": "a 15-inch touchscreen workstation",
            "power_supply": "100-240 V AC, 50/60 Hz, 400 VA",
            "cleaning_agents": "70% ethanol for the exterior and the manufacturer's probe "
            "cleanser with 0.5% sodium hypochlorite for the fluidics",
            "alarms": "reagent low, waste full, aspiration error, clog detection and quality "
            "control rule (Westgard) violation alarms",
            "connectivity": "HL7 v2.5 and ASTM E1394 bidirectional LIS interface and barcode "
            "sample identification",
            "consumables": "diluent, lyse reagents, probe cleanser, calibrators and three-level "
            "controls",
            "sterilisation": _LAB_STERILISATION,
            "maintenance_interval_months": 6,
            "warranty_years": 2,
            "certifications": "NMPA Class II IVD registration, CE marking under the EU IVDR as "
            "Class A",
        },
        "performance": (
            ("throughput_per_hour", "Throughput", 60, " samples per hour"),
            ("reported_parameters", "Reported parameters", 29, ""),
            ("sample_volume_ul", "Sample volume", 20, " µL whole blood"),
        ),
    },
    {
        "product_id": "PRD-025",
        "sku": "LBC-C800-CHM",
        "name": "LabCore C800 Chemistry Analyser",
        "category": "lab diagnostics",
        "manufacturer": "Lanting Diagnostics Co., Ltd.",
        "origin": "domestic",
        "form": "floor-standing",
        "standard": "IEC 61010-2-101",
        "base_list_price": 1_450_000,
        "max_discount_pct": 20.0,
        "description": "A floor-standing clinical chemistry analyser with integrated ion "
        "selective electrodes and refrigerated reagent storage.",
        "intended_use": "routine and emergency clinical chemistry, immunoturbidimetry and "
        "electrolyte testing in central laboratories",
        "specs": {
            "weight_kg": 560.0,
            "dimensions_mm": "1,500 x 850 x 1,250",
            "ip_rating": "IP20",
            "display": "a 21.5-inch workstation monitor",
            "operating_temp_c": "15 to 32 °C",
            "power_supply": "220 V AC, 50 Hz, 3.5 kVA",
            "cleaning_agents": "70% ethanol for covers, 0.5% sodium hypochlorite for the sample "
            "probe wash station and the alkaline detergent supplied for the cuvettes",
            "alarms": "reagent and sample short, cuvette blank error, water quality, ISE "
            "calibration failure and Westgard rule alarms",
            "connectivity": "HL7 v2.5 and ASTM E1394 bidirectional LIS interface with host "
            "query and barcode reading",
            "consumables": "reagent packs, ISE electrodes and solutions, cuvette detergent, "
            "calibrators and quality controls",
            "sterilisation": _LAB_STERILISATION,
            "maintenance_interval_months": 3,
            "warranty_years": 2,
            "certifications": "NMPA Class II IVD registration, CE marking under the EU IVDR as "
            "Class A",
        },
        "performance": (
            (
                "throughput_per_hour",
                "Throughput",
                800,
                " photometric tests per hour (1,200 with ISE)",
            ),
            ("reagent_positions", "Refrigerated reagent positions", 90, ""),
            ("water_requirement", "Water requirement", "deionised water below 1 µS/cm", ""),
        ),
    },
)
