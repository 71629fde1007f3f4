"""Product lines for bedside care: patient monitoring and infusion.

Plain data, read by ``_product_lines``; each performance row is (spec key, label, value, unit).
Category-wide defaults (operating temperature, cleaning agents, mains supply) live there too.
"""

from __future__ import annotations

from typing import Any

_NOT_STERILE_MONITOR = (
    "the monitor itself is never sterilised; reusable cuffs, sensors and cables receive "
    "low-level disinfection between patients, and only single-use sterile transducers enter "
    "the sterile field"
)

CARE_LINES: tuple[dict[str, Any], ...] = (
    {
        "product_id": "PRD-001",
        "sku": "CAR-M12-BSM",
        "name": "Cardiona M12 Bedside Monitor",
        "category": "patient monitoring",
        "manufacturer": "Cardiona Medical Electronics Co., Ltd.",
        "origin": "domestic",
        "form": "bedside",
        "standard": "IEC 80601-2-49",
        "base_list_price": 48_000,
        "max_discount_pct": 18.0,
        "description": "A modular 12.1-inch bedside monitor with plug-in parameter modules and "
        "a configurable multi-channel waveform layout for wards and step-down units.",
        "intended_use": "continuous monitoring of adult, paediatric and neonatal patients in "
        "general wards, emergency departments and step-down units",
        "specs": {
            "weight_kg": 4.6,
            "dimensions_mm": "318 x 152 x 264",
            "ip_rating": "IPX1",
            "display": "a 12.1-inch colour TFT touchscreen with 1280 x 800 pixels",
            "battery_life_hours": 4.0,
            "charge_time_hours": 3.5,
            "battery_type": "lithium-ion 10.8 V 4,500 mAh",
            "alarms": "three-level (high, medium, low) physiological and technical alarms per "
            "IEC 60601-1-8, a light bar visible from the corridor and volume from 45 to 85 dB(A)",
            "connectivity": "HL7 v2.6 ADT and ORU messaging over Ethernet or dual-band Wi-Fi, "
            "plus a live link to the Cardiona central station",
            "consumables": "single-use ECG electrodes, reusable and disposable SpO2 sensors, "
            "NIBP cuffs in five sizes, temperature probes and 50 mm thermal recorder paper",
            "sterilisation": _NOT_STERILE_MONITOR,
            "maintenance_interval_months": 12,
            "warranty_years": 3,
            "certifications": "NMPA Class II registration, CE marking under the EU MDR as Class "
            "IIb, IEC 60601-1 and IEC 60601-1-2",
        },
        "performance": (
            (
                "monitored_parameters",
                "Monitored parameters",
                (
                    "ECG (3/5/12-lead), SpO2, NIBP, "
                    "respiration, two temperatures, two invasive pressures and optional EtCO2"
                ),
                "",
            ),
            ("trend_storage_hours", "Trend storage", 120, " hours"),
            ("arrhythmia_types", "Arrhythmia types detected", 27, ""),
        ),
    },
    {
        "product_id": "PRD-002",
        "sku": "CAR-T5-TRM",
        "name": "Cardiona T5 Transport Monitor",
        "category": "patient monitoring",
        "manufacturer": "Cardiona Medical Electronics Co., Ltd.",
        "origin": "domestic",
        "form": "portable",
        "standard": "IEC 80601-2-49",
        "base_list_price": 36_500,
        "max_discount_pct": 15.0,
        "description": "A rugged 5.5-inch monitor that travels with the patient between "
        "departments and hands its trends over to the receiving bedside monitor.",
        "intended_use": "monitoring during intra-hospital transport, in lifts, on stretchers "
        "and in ambulances",
        "specs": {
            "weight_kg": 1.3,
            "dimensions_mm": "190 x 82 x 150",
            "ip_rating": "IP44",
            "display": "a 5.5-inch sunlight-readable colour touchscreen",
            "operating_temp_c": "-10 to 50 °C",
            "battery_life_hours": 6.5,
            "charge_time_hours": 2.5,
            "battery_type": "hot-swappable lithium-ion 7.2 V 3,400 mAh",
            "alarms": "three-level physiological and technical alarms with a 360-degree alarm "
            "lamp and a vibration alert for noisy transport corridors",
            "connectivity": "Wi-Fi and Bluetooth Low Energy, HL7 v2.6 export when docked and "
            "automatic trend hand-over to the receiving Cardiona M12",
            "consumables": "single-use ECG electrodes, SpO2 sensors, transport NIBP cuffs and a "
            "bed-rail and stretcher mounting bracket",
            "sterilisation": "the monitor is not sterilisable and is wipe-disinfected between "
            "patients; its cables must never be autoclaved",
            "maintenance_interval_months": 12,
            "warranty_years": 2,
            "certifications": "NMPA Class II registration, CE marking under the EU MDR as Class "
            "IIb, EN 1789 for road ambulances",
        },
        "performance": (
            (
                "monitored_parameters",
                "Monitored parameters",
                "ECG, SpO2, NIBP, temperature and optional sidestream EtCO2",
                "",
            ),
            ("drop_height_m", "Drop resistance", 0.75, " m onto concrete on every face"),
        ),
    },
    {
        "product_id": "PRD-003",
        "sku": "CAR-S3-VSM",
        "name": "Cardiona S3 Vital Signs Monitor",
        "category": "patient monitoring",
        "manufacturer": "Cardiona Medical Electronics Co., Ltd.",
        "origin": "domestic",
        "form": "pole-mounted",
        "standard": "IEC 80601-2-30",
        "base_list_price": 12_800,
        "max_discount_pct": 15.0,
        "description": "A spot-check vital signs monitor on a rolling stand that calculates an "
        "early warning score and files readings straight into the medical record.",
        "intended_use": "intermittent vital signs rounds on general wards and in outpatient "
        "clinics",
        "specs": {
            "weight_kg": 2.1,
            "dimensions_mm": "240 x 130 x 210",
            "ip_rating": "IPX2",
            "display": "a 7-inch colour touchscreen",
            "battery_life_hours": 10.0,
            "charge_time_hours": 4.0,
            "battery_type": "lithium-ion 10.8 V 2,600 mAh",
            "alarms": "limit alarms for every spot-check parameter and a NEWS2 escalation "
            "prompt when the early warning score crosses the ward threshold",
            "connectivity": "HL7 v2.5 results to the electronic medical record over Wi-Fi, with "
            "a barcode scanner for patient and nurse identification",
            "consumables": "reusable NIBP cuffs, SpO2 finger clips and disposable probe covers "
            "for the predictive thermometer",
            "sterilisation": "the monitor and stand are not sterilisable; thermometer probes "
            "are protected by single-use covers and wiped between patients",
            "maintenance_interval_months": 24,
            "warranty_years": 2,
            "certifications": "NMPA Class II registration, CE marking under the EU MDR as Class "
            "IIa, ISO 81060-2 for NIBP accuracy",
        },
        "performance": (
            ("nibp_time_s", "Typical NIBP measurement time", 25, " s"),
            ("record_capacity", "Stored patient records", 10_000, ""),
            ("thermometry", "Thermometry", "predictive oral and axillary, about 10 s", ""),
        ),
    },
    {
        "product_id": "PRD-004",
        "sku": "CAR-W1-TEL",
        "name": "Cardiona W1 Telemetry Monitor",
        "category": "patient monitoring",
        "manufacturer": "Cardiona Medical Electronics Co., Ltd.",
        "origin": "domestic",
        "form": "wearable",
        "standard": "IEC 60601-2-27",
        "base_list_price": 8_900,
        "max_discount_pct": 12.0,
        "description": "A pocket-sized ECG telemetry transmitter that lets cardiac patients walk "
        "the ward while a central station watches their rhythm.",
        "intended_use": "ambulatory ECG and SpO2 telemetry for cardiology and post-operative "
        "patients",
        "specs": {
            "weight_kg": 0.18,
            "dimensions_mm": "98 x 62 x 22",
            "ip_rating": "IP67",
            "display": "a 2.4-inch OLED status display",
            "battery_life_hours": 48.0,
            "charge_time_hours": 2.0,
            "battery_type": "rechargeable lithium-polymer",
            "alarms": "arrhythmia alarms (asystole, VF/VT, bradycardia, tachycardia) and "
            "lead-off alerts forwarded to the central station and nurses' handsets",
            "connectivity": "the hospital Wi-Fi network, HL7 v2.6 ORU to the EMR and alarm "
            "forwarding through the nurse-call middleware",
            "consumables": "single-use telemetry ECG electrodes, disposable shower pouches and a "
            "5-lead patient cable",
            "sterilisation": "not sterilisable; the transmitter is wiped down and the pouch "
            "discarded between patients",
            "maintenance_interval_months": 24,
            "warranty_years": 2,
            "certifications": "NMPA Class II registration, CE marking under the EU MDR as Class "
            "IIb, SRRC radio type approval",
        },
        "performance": (
            ("ecg_leads", "ECG leads", "3 or 5 leads, 2 channels analysed", ""),
            ("arrhythmia_types", "Arrhythmia types detected", 27, ""),
        ),
    },
    {
        "product_id": "PRD-005",
        "sku": "FLP-V8-VIP",
        "name": "FlowPilot V8 Volumetric Pump",
        "category": "infusion",
        "manufacturer": "InfuMed Technologies (Suzhou) Co., Ltd.",
        "origin": "domestic",
        "form": "pole-mounted",
        "standard": "IEC 60601-2-24",
        "base_list_price": 21_500,
        "max_discount_pct": 18.0,
        "description": "A large-volume infusion pump with a dose error reduction drug library "
        "and auto-programming from the electronic medication order.",
        "intended_use": "continuous and intermittent intravenous infusion of fluids, drugs, "
        "blood and parenteral nutrition in adults and children",
        "specs": {
            "weight_kg": 2.4,
            "dimensions_mm": "135 x 190 x 225",
            "ip_rating": "IP34",
            "display": "a 4.3-inch colour touchscreen",
            "battery_life_hours": 8.0,
            "charge_time_hours": 5.0,
            "battery_type": "lithium-ion 7.4 V 2,900 mAh",
            "battery_use": "of continuous operation at 25 mL/h",
            "alarms": "upstream and downstream occlusion, air-in-line, door open, near end of "
            "infusion, KVO, low battery and drug-library dose-limit alarms in three priorities",
            "connectivity": "Wi-Fi pump-to-EMR interoperability with HL7 v2.6 auto-programming "
            "and auto-documentation, plus drug library updates over the network",
            "consumables": "FlowPilot anti-free-flow administration sets (standard, "
            "light-protective and blood sets) with a 96-hour change interval",
            "sterilisation": "the pump is not sterilisable; administration sets are supplied "
            "sterile by ethylene oxide for single use",
            "maintenance_interval_months": 12,
            "warranty_years": 3,
            "certifications": "NMPA Class III registration, CE marking under the EU MDR as "
            "Class IIb",
        },
        "performance": (
            ("flow_rate_range", "Flow rate range", "0.1 to 1,200 mL/h", ""),
            ("flow_accuracy", "Flow accuracy", "±5%", ""),
            ("drug_library_entries", "Drug library capacity", 5_000, " entries"),
        ),
    },
    {
        "product_id": "PRD-006",
        "sku": "FLP-S6-SYP",
        "name": "FlowPilot S6 Syringe Pump",
        "category": "infusion",
        "manufacturer": "InfuMed Technologies (Suzhou) Co., Ltd.",
        "origin": "domestic",
        "form": "pole-mounted",
        "standard": "IEC 60601-2-24",
        "base_list_price": 14_800,
        "max_discount_pct": 18.0,
        "description": "A precision syringe pump for small-volume, high-potency infusions in "
        "intensive care, anaesthesia and neonatology.",
        "intended_use": "precise syringe infusion of vasoactive drugs, sedation, insulin and "
        "neonatal therapy",
        "specs": {
            "weight_kg": 2.0,
            "dimensions_mm": "320 x 130 x 115",
            "ip_rating": "IPX3",
            "display": "a 3.5-inch colour LCD",
            "battery_life_hours": 10.0,
            "charge_time_hours": 4.5,
            "battery_type": "lithium-ion 7.4 V 2,200 mAh",
            "battery_use": "of continuous operation at 5 mL/h with a 50 mL syringe",
            "alarms": "occlusion at three selectable pressure levels, syringe nearly empty, "
            "syringe disengaged, end of infusion and low battery alarms",
            "connectivity": "RS-232 and Wi-Fi, HL7 v2.6 infusion data export and docking to the "
            "FlowPilot D12 Infusion Workstation",
            "consumables": "5, 10, 20, 30 and 50/60 mL syringes of the major brands and "
            "extension lines with an anti-siphon valve",
            "sterilisation": "not sterilisable; syringes and extension lines are sterile "
            "single-use items",
            "maintenance_interval_months": 12,
            "warranty_years": 3,
            "certifications": "NMPA Class III registration, CE marking under the EU MDR as "
            "Class IIb",
        },
        "performance": (
            ("flow_rate_range", "Flow rate range", "0.01 to 1,500 mL/h", ""),
            ("flow_accuracy", "Flow accuracy", "±2%", ""),
            ("bolus_rate", "Bolus rate", "up to 1,500 mL/h", ""),
        ),
    },
    {
        "product_id": "PRD-007",
        "sku": "FLP-A2-PCA",
        "name": "FlowPilot A2 Ambulatory Pain Pump",
        "category": "infusion",
        "manufacturer": "InfuMed Technologies (Suzhou) Co., Ltd.",
        "origin": "domestic",
        "form": "wearable",
        "standard": "IEC 60601-2-24",
        "base_list_price": 9_600,
        "max_discount_pct": 12.0,
        "description": "A lightweight patient-controlled analgesia pump worn on a belt, with a "
        "lockable medication cassette and a clinician app for pain protocols.",
        "intended_use": "patient-controlled intravenous, epidural and nerve-block analgesia "
        "after surgery and in palliative care",
        "specs": {
            "weight_kg": 0.39,
            "dimensions_mm": "110 x 70 x 38",
            "ip_rating": "IPX4",
            "display": "a 2.8-inch monochrome LCD",
            "battery_life_hours": 72.0,
            "charge_time_hours": 3.0,
            "battery_type": "rechargeable lithium-ion",
            "battery_use": "of continuous operation at a basal rate of 5 mL/h",
            "alarms": "occlusion, air-in-line, reservoir low, lockout-attempt logging and low "
            "battery alarms",
            "connectivity": "Bluetooth link to the FlowPilot clinician app with HL7 v2.5 or CSV "
            "export of demand history",
            "consumables": "single-use 100 mL and 250 mL medication cassettes with a "
            "tamper-evident lock and a PCA demand button",
            "sterilisation": "not sterilisable; cassettes are supplied sterile for single use",
            "maintenance_interval_months": 24,
            "warranty_years": 2,
            "certifications": "NMPA Class III registration, CE marking under the EU MDR as "
            "Class IIb",
        },
        "performance": (
            ("basal_rate_range", "Basal rate", "0.1 to 50 mL/h", ""),
            ("bolus_dose_range", "PCA bolus dose", "0.1 to 20 mL", ""),
            ("lockout_range", "Lockout interval", "5 to 240 min", ""),
        ),
    },
    {
        "product_id": "PRD-008",
        "sku": "FLP-D12-IWS",
        "name": "FlowPilot D12 Infusion Workstation",
        "category": "infusion",
        "manufacturer": "InfuMed Technologies (Suzhou) Co., Ltd.",
        "origin": "domestic",
        "form": "pole-mounted",
        "standard": "IEC 60601-1",
        "base_list_price": 58_000,
        "max_discount_pct": 15.0,
        "description": "A pole-mounted docking station that powers, networks and supervises up "
        "to twelve FlowPilot pumps from a single cable.",
        "intended_use": "grouping and supervising multiple infusion pumps at one ICU or "
        "theatre bed space",
        "specs": {
            "weight_kg": 9.5,
            "dimensions_mm": "340 x 260 x 780",
            "ip_rating": "IPX1",
            "display": "a 10.1-inch central status display",
            "power_supply": "100-240 V AC, 50/60 Hz, 400 VA",
            "alarms": "an aggregated alarm view for all docked pumps with a unified alarm lamp "
            "and remote silencing from the nurse station",
            "connectivity": "one Ethernet connection for all docked pumps and an HL7 v2.6 "
            "gateway to the EMR and the infusion management server",
            "consumables": "no consumables of its own; pole clamps and rail adaptors are "
            "optional accessories",
            "sterilisation": "not sterilisable; the frame and docking slots are wiped down",
            "maintenance_interval_months": 24,
            "warranty_years": 3,
            "certifications": "NMPA Class II registration, CE marking under the EU MDR as "
            "Class I accessory",
        },
        "performance": (
            ("docking_capacity", "Docking capacity", 12, " pumps"),
            ("docked_charging", "Docked charging", "charges every docked pump simultaneously", ""),
        ),
    },
)
