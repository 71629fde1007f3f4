"""Product lines for ventilation and defibrillation (resuscitation)."""

from __future__ import annotations

from typing import Any

RESPIRATORY_LINES: tuple[dict[str, Any], ...] = (
    {
        "product_id": "PRD-013",
        "sku": "BRL-V600-ICU",
        "name": "BreathLine V600 ICU Ventilator",
        "category": "ventilation",
        "manufacturer": "AeroVita Respiratory GmbH",
        "origin": "imported",
        "form": "cart",
        "standard": "ISO 80601-2-12",
        "base_list_price": 420_000,
        "max_discount_pct": 16.0,
        "description": "A turbine-assisted intensive care ventilator covering invasive, "
        "non-invasive and high-flow therapy from neonates to adults.",
        "intended_use": "invasive and non-invasive ventilation of adult, paediatric and "
        "neonatal patients in intensive care",
        "specs": {
            "weight_kg": 45.0,
            "dimensions_mm": "550 x 600 x 1,350",
            "ip_rating": "IP21",
            "display": "an 18.5-inch rotatable touchscreen",
            "battery_life_hours": 2.0,
            "charge_time_hours": 5.0,
            "battery_type": "internal lithium-ion",
            "alarms": "high and low airway pressure, minute volume, apnoea, disconnection, "
            "FiO2, gas supply failure and power failure alarms in three priorities",
            "connectivity": "HL7 v2.6 ORU to the ICU information system, an RS-232 data port "
            "and Ethernet",
            "consumables": "single-use breathing circuits, expiratory valve kits, HMEs, "
            "bacterial and viral filters and oxygen cells replaced every 12 months",
            "sterilisation": "the expiratory valve and flow sensor are steam sterilisable at "
            "134 °C for 5 minutes; breathing circuits are single use",
            "maintenance_interval_months": 6,
            "warranty_years": 2,
            "certifications": "NMPA Class III registration (imported device), CE marking under "
            "the EU MDR as Class IIb",
        },
        "performance": (
            (
                "ventilation_modes",
                "Ventilation modes",
                "VC, PC, PRVC, SIMV, CPAP/PSV, APRV, NIV and high-flow oxygen",
                "",
            ),
            ("tidal_volume_range", "Tidal volume", "2 to 2,500 mL", ""),
            ("peak_flow_l_min", "Peak inspiratory flow", 180, " L/min"),
        ),
    },
    {
        "product_id": "PRD-014",
        "sku": "BRL-T300-TRV",
        "name": "BreathLine T300 Transport Ventilator",
        "category": "ventilation",
        "manufacturer": "AeroVita Respiratory GmbH",
        "origin": "imported",
        "form": "portable",
        "standard": "ISO 80601-2-84",
        "base_list_price": 168_000,
        "max_discount_pct": 15.0,
        "description": "A turbine-driven ventilator for transport and emergency care that runs "
        "without compressed air and clips onto stretchers.",
        "intended_use": "ventilation during intra- and inter-hospital transport and in "
        "emergency departments",
        "specs": {
            "weight_kg": 4.5,
            "dimensions_mm": "290 x 180 x 230",
            "ip_rating": "IP34",
            "display": "an 8-inch touchscreen with a rotary knob",
            "operating_temp_c": "-18 to 50 °C",
            "battery_life_hours": 6.0,
            "charge_time_hours": 4.0,
            "battery_type": "hot-swappable lithium-ion",
            "alarms": "airway pressure, leakage, apnoea, oxygen supply, patient disconnection "
            "and battery alarms with a high-intensity alarm LED",
            "connectivity": "USB data export, Bluetooth and HL7 v2.5 through the docking station",
            "consumables": "single-use patient circuits, HME filters, masks and oxygen "
            "cylinder hoses",
            "sterilisation": "the reusable expiratory valve is steam sterilisable at 134 °C; "
            "the housing is wipe-disinfected",
            "maintenance_interval_months": 12,
            "warranty_years": 2,
            "certifications": "NMPA Class III registration (imported device), CE marking under "
            "the EU MDR as Class IIb, RTCA DO-160 for air transport",
        },
        "performance": (
            ("ventilation_modes", "Ventilation modes", "VC, PC, SIMV, CPAP/PSV and NIV", ""),
            ("tidal_volume_range", "Tidal volume", "50 to 2,000 mL", ""),
            ("gas_source", "Gas source", "internal turbine; no compressed air required", ""),
        ),
    },
    {
        "product_id": "PRD-015",
        "sku": "BRL-F60-HFO",
        "name": "BreathLine F60 High Flow Oxygen System",
        "category": "ventilation",
        "manufacturer": "AeroVita Respiratory GmbH",
        "origin": "imported",
        "form": "pole-mounted",
        "standard": "ISO 80601-2-90",
        "base_list_price": 45_000,
        "max_discount_pct": 15.0,
        "description": "A heated, humidified high-flow nasal oxygen therapy system with an "
        "integrated blower and oxygen blender.",
        "intended_use": "high-flow nasal oxygen therapy for spontaneously breathing patients "
        "in wards, emergency departments and ICUs",
        "specs": {
            "weight_kg": 6.2,
            "dimensions_mm": "240 x 200 x 290",
            "ip_rating": "IP21",
            "display": "a 4.3-inch colour touchscreen",
            "power_supply": "100-240 V AC, 50/60 Hz, 300 VA",
            "alarms": "high and low flow, FiO2 deviation, gas temperature, circuit "
            "disconnection and empty water chamber alarms",
            "connectivity": "HL7 v2.5 through an RS-232 gateway and USB trend export",
            "consumables": "heated breathing tubes with auto-fill humidifier chambers and nasal "
            "cannulas in small, medium and large",
            "sterilisation": "tubes and chambers are single-patient use; the internal gas path "
            "is cleaned by a 20-minute built-in thermal disinfection cycle",
            "maintenance_interval_months": 12,
            "warranty_years": 2,
            "certifications": "NMPA Class II registration (imported device), CE marking under "
            "the EU MDR as Class IIa",
        },
        "performance": (
            ("flow_range_l_min", "Flow range", "2 to 80 L/min", ""),
            ("fio2_range", "FiO2 range", "21 to 100%", ""),
            ("gas_temperature", "Humidified gas temperature", "31, 34 or 37 °C", ""),
        ),
    },
    {
        "product_id": "PRD-016",
        "sku": "PLG-A3-AED",
        "name": "PulseGuard A3 AED",
        "category": "defibrillation",
        "manufacturer": "PulseGuard Resuscitation Inc.",
        "origin": "imported",
        "form": "portable",
        "standard": "IEC 60601-2-4",
        "base_list_price": 18_900,
        "max_discount_pct": 12.0,
        "description": "A public-access automated external defibrillator with voice coaching, "
        "CPR feedback and a child mode for lay rescuers.",
        "intended_use": "defibrillation of sudden cardiac arrest victims by lay and trained "
        "rescuers in hospitals, clinics and public places",
        "specs": {
            "weight_kg": 1.9,
            "dimensions_mm": "240 x 190 x 70",
            "ip_rating": "IP56",
            "display": "a status indicator with an illustrated pictogram panel",
            "operating_temp_c": "0 to 50 °C",
            "battery_life_hours": 12.0,
            "battery_type": "non-rechargeable lithium manganese dioxide (LiMnO2)",
            "power_supply": "the internal battery only; the AED has no mains connection",
            "battery_use": "of monitoring",
            "alarms": "voice and visual prompts, daily, weekly and monthly self-tests with a "
            "status indicator and an audible service alert",
            "connectivity": "Wi-Fi self-test status reporting and USB download of ECG and event "
            "records",
            "consumables": "pre-connected adult and paediatric defibrillation pads with a "
            "30-month shelf life and replacement batteries",
            "sterilisation": "not sterilisable; defibrillation pads are single use",
            "maintenance_interval_months": 12,
            "warranty_years": 8,
            "certifications": "NMPA Class III registration (imported device), CE marking under "
            "the EU MDR as Class III",
        },
        "performance": (
            ("energy_levels", "Energy", "150 J and 200 J biphasic (adult), 50 J (child)", ""),
            ("charge_time_200j_s", "Capacitor charge time to 200 J", 8, " s"),
            ("shocks_per_battery", "Shocks per battery", 200, ""),
        ),
    },
    {
        "product_id": "PRD-017",
        "sku": "PLG-D9-MDF",
        "name": "PulseGuard D9 Monitor Defibrillator",
        "category": "defibrillation",
        "manufacturer": "PulseGuard Resuscitation Inc.",
        "origin": "imported",
        "form": "portable",
        "standard": "IEC 60601-2-4",
        "base_list_price": 138_000,
        "max_discount_pct": 15.0,
        "description": "A manual and AED-mode monitor defibrillator with pacing, 12-lead ECG "
        "and capnography for crash carts and ambulances.",
        "intended_use": "manual and semi-automatic defibrillation, synchronised cardioversion, "
        "pacing and monitoring in emergency and critical care",
        "specs": {
            "weight_kg": 6.8,
            "dimensions_mm": "330 x 240 x 280",
            "ip_rating": "IP44",
            "display": "a 10.1-inch high-contrast colour display",
            "battery_life_hours": 5.0,
            "charge_time_hours": 2.5,
            "battery_type": "dual hot-swappable lithium-ion",
            "battery_use": "of monitoring with both packs installed",
            "alarms": "physiological alarms for ECG, SpO2, NIBP and EtCO2, shock advisory "
            "prompts and a daily readiness self-test alert",
            "connectivity": "HL7 v2.6 ORU and 12-lead ECG transmission over 4G or Wi-Fi to the "
            "chest pain centre",
            "consumables": "multifunction pads, paddles, ECG electrodes, sidestream EtCO2 "
            "sampling lines and 80 mm recorder paper",
            "sterilisation": "not sterilisable; internal paddles are steam sterilisable at "
            "134 °C for 10 minutes",
            "maintenance_interval_months": 6,
            "warranty_years": 5,
            "certifications": "NMPA Class III registration (imported device), CE marking under "
            "the EU MDR as Class IIb",
        },
        "performance": (
            ("max_energy_j", "Maximum energy", 360, " J biphasic"),
            ("charge_time_max_s", "Charge time to maximum energy", 7, " s"),
            ("pacing_range", "Non-invasive pacing", "0 to 200 mA", ""),
        ),
    },
    {
        "product_id": "PRD-018",
        "sku": "PLG-C1-CPR",
        "name": "PulseGuard C1 Mechanical CPR Device",
        "category": "defibrillation",
        "manufacturer": "PulseGuard Resuscitation Inc.",
        "origin": "imported",
        "form": "portable",
        "standard": "IEC 60601-1",
        "base_list_price": 198_000,
        "max_discount_pct": 12.0,
        "description": "A piston-driven chest compression device that delivers guideline CPR "
        "during transport and long resuscitations.",
        "intended_use": "external cardiac compression in adults in cardiac arrest, including "
        "during transport and percutaneous coronary intervention",
        "specs": {
            "weight_kg": 8.0,
            "dimensions_mm": "520 x 250 x 560",
            "ip_rating": "IP43",
            "display": "a status panel with LED indicators",
            "battery_life_hours": 0.75,
            "charge_time_hours": 1.5,
            "battery_type": "lithium-ion polymer",
            "battery_use": "of continuous compressions",
            "alarms": "suction cup position, high temperature, low battery and compression "
            "fault alarms with voice prompts",
            "connectivity": "Wi-Fi upload of case data and Bluetooth link to the PulseGuard D9",
            "consumables": "single-use suction cups and patient straps",
            "sterilisation": "not sterilisable; the back plate and upper part are wiped with "
            "disinfectant after every use",
            "maintenance_interval_months": 12,
            "warranty_years": 2,
            "certifications": "NMPA Class III registration (imported device), CE marking under "
            "the EU MDR as Class IIb",
        },
        "performance": (
            ("compression_depth", "Compression depth", "53 mm ±2 mm", ""),
            ("compression_rate", "Compression rate", 102, " per minute"),
            ("chest_height_range", "Patient chest height", "170 to 303 mm", ""),
        ),
    },
)
