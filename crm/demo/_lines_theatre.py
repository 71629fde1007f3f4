"""Product lines for the operating theatre and the sterile supply department."""

from __future__ import annotations

from typing import Any

THEATRE_LINES: tuple[dict[str, Any], ...] = (
    {
        "product_id": "PRD-019",
        "sku": "HLN-E400-ESU",
        "name": "Helion E400 Electrosurgical Unit",
        "category": "surgical",
        "manufacturer": "Helion Surgical Systems Co., Ltd.",
        "origin": "domestic",
        "form": "benchtop",
        "standard": "IEC 60601-2-2",
        "base_list_price": 168_000,
        "max_discount_pct": 18.0,
        "description": "A 400 W electrosurgical generator with monopolar, bipolar and vessel "
        "sealing outputs and automatic tissue-impedance feedback.",
        "intended_use": "cutting, coagulation and vessel sealing in open, laparoscopic and "
        "endoscopic surgery",
        "specs": {
            "weight_kg": 9.8,
            "dimensions_mm": "380 x 460 x 160",
            "ip_rating": "IPX1",
            "display": "a 10.4-inch touchscreen",
            "power_supply": "220-240 V AC, 50/60 Hz, 800 VA",
            "alarms": "return electrode contact quality monitoring, activation tones, output "
            "fault and prolonged activation alarms",
            "connectivity": "USB event log export and an optional Ethernet link to the Helion "
            "OR integration system; no patient data is exchanged",
            "consumables": "single-use split return electrodes, monopolar pencils, bipolar "
            "forceps cables and vessel-sealing instruments",
            "sterilisation": "the generator is not sterilisable; reusable bipolar forceps and "
            "cables are steam sterilised at 134 °C for 4 minutes in a pre-vacuum cycle",
            "maintenance_interval_months": 12,
            "warranty_years": 2,
            "certifications": "NMPA Class III registration, CE marking under the EU MDR as "
            "Class IIb",
        },
        "performance": (
            ("max_output_w", "Maximum monopolar cut output", 400, " W"),
            ("vessel_sealing", "Vessel sealing", "vessels up to 7 mm", ""),
            (
                "output_modes",
                "Output modes",
                "pure cut, blend, soft coagulation, spray coagulation and bipolar",
                "",
            ),
        ),
    },
    {
        "product_id": "PRD-020",
        "sku": "HLN-L8-SLT",
        "name": "Helion L8 LED Surgical Light",
        "category": "surgical",
        "manufacturer": "Helion Surgical Systems Co., Ltd.",
        "origin": "domestic",
        "form": "ceiling-mounted",
        "standard": "IEC 60601-2-41",
        "base_list_price": 225_000,
        "max_discount_pct": 15.0,
        "description": "A ceiling-mounted dual-head LED operating light with shadow management "
        "and an optional integrated HD camera.",
        "intended_use": "illumination of the surgical field in operating theatres and "
        "procedure rooms",
        "specs": {
            "weight_kg": 38.0,
            "dimensions_mm": "720 x 720 x 145 (per light head)",
            "ip_rating": "IPX2",
            "display": "a wall-mounted touch control panel and sterile handle controls",
            "power_supply": "100-240 V AC, 50/60 Hz, 150 W per light head",
            "alarms": "LED module failure and power fault indicators on the wall panel",
            "connectivity": "Ethernet integration with the operating room video system; no "
            "patient data is handled",
            "consumables": "single-use sterile handle covers; LED modules are rated for 60,000 "
            "hours",
            "sterilisation": "the detachable handle is steam sterilisable at 134 °C; the light "
            "head is wipe-disinfected",
            "maintenance_interval_months": 12,
            "warranty_years": 3,
            "certifications": "NMPA Class II registration, CE marking under the EU MDR as Class I",
        },
        "performance": (
            ("central_illuminance_lux", "Central illuminance", 160_000, " lux"),
            ("colour_temperature", "Colour temperature", "3,800 to 5,000 K adjustable", ""),
            ("colour_rendering", "Colour rendering index", "Ra 96", ""),
        ),
    },
    {
        "product_id": "PRD-021",
        "sku": "HLN-K4-ENC",
        "name": "Helion K4 4K Endoscopy Camera",
        "category": "surgical",
        "manufacturer": "Helion Surgical Systems Co., Ltd.",
        "origin": "domestic",
        "form": "cart",
        "standard": "IEC 60601-2-18",
        "base_list_price": 1_280_000,
        "max_discount_pct": 18.0,
        "description": "A 4K ultra-high-definition laparoscopy tower with an LED light source "
        "and indocyanine green fluorescence imaging.",
        "intended_use": "visualisation in laparoscopic, thoracoscopic, arthroscopic and "
        "urological minimally invasive surgery",
        "specs": {
            "weight_kg": 24.0,
            "dimensions_mm": "420 x 410 x 150 (camera control unit)",
            "ip_rating": "IPX1",
            "display": "a 32-inch 4K surgical monitor",
            "power_supply": "100-240 V AC, 50/60 Hz, 500 VA",
            "alarms": "light source over-temperature, camera head disconnection and recording "
            "storage full alerts",
            "connectivity": "DICOM 3.0 image export, an HL7 v2.5 worklist and 4K video over "
            "12G-SDI and HDMI 2.0",
            "consumables": "sterile camera drapes, fibre-optic light cables and recording USB "
            "media",
            "sterilisation": "the camera head is compatible with low-temperature hydrogen "
            "peroxide plasma sterilisation, and light cables are steam sterilisable at 134 °C "
            "for 3 minutes",
            "maintenance_interval_months": 12,
            "warranty_years": 2,
            "certifications": "NMPA Class II registration, CE marking under the EU MDR as "
            "Class IIa",
        },
        "performance": (
            ("resolution", "Resolution", "3840 x 2160 (4K UHD)", ""),
            ("light_source", "Light source", "LED, 30,000-hour lifespan", ""),
            ("fluorescence", "Fluorescence imaging", "indocyanine green (ICG) overlay", ""),
        ),
    },
    {
        "product_id": "PRD-022",
        "sku": "HLN-B2-DRL",
        "name": "Helion B2 Surgical Power Drill",
        "category": "surgical",
        "manufacturer": "Helion Surgical Systems Co., Ltd.",
        "origin": "domestic",
        "form": "handheld",
        "standard": "IEC 60601-1",
        "base_list_price": 86_000,
        "max_discount_pct": 18.0,
        "description": "A cordless orthopaedic power tool system with drill, reamer and "
        "oscillating saw attachments on one handpiece.",
        "intended_use": "drilling, reaming and sawing of bone in trauma and orthopaedic surgery",
        "specs": {
            "weight_kg": 1.35,
            "dimensions_mm": "250 x 60 x 210 (handpiece)",
            "ip_rating": "IPX6",
            "display": "an LED battery status indicator on the handpiece",
            "battery_life_hours": 1.5,
            "charge_time_hours": 1.0,
            "battery_type": "aseptically transferred lithium-ion",
            "battery_use": "of intermittent drilling",
            "cleaning_agents": "an enzymatic detergent for manual pre-cleaning, a 93 °C "
            "washer-disinfector cycle for the handpiece and 70% alcohol wipes for the charger",
            "alarms": "an audible low-battery warning and a motor over-temperature cut-out",
            "connectivity": "no data connectivity; the charger reports battery pack health "
            "with status LEDs",
            "consumables": "single-use drill bits, Kirschner wires, saw blades and aseptic "
            "transfer kits",
            "sterilisation": "the handpiece and attachments are steam sterilisable at 134 °C for "
            "3 minutes in a pre-vacuum cycle; battery packs are never sterilised and are fitted "
            "with the aseptic transfer kit",
            "maintenance_interval_months": 12,
            "warranty_years": 2,
            "certifications": "NMPA Class II registration, CE marking under the EU MDR as "
            "Class IIa",
        },
        "performance": (
            ("drill_speed", "Drill speed", "0 to 1,200 rpm", ""),
            ("max_torque", "Maximum torque", "6.5 N·m", ""),
            ("attachments", "Attachments", "drill, reamer, oscillating saw and wire driver", ""),
        ),
    },
    {
        "product_id": "PRD-029",
        "sku": "STX-B23-AUT",
        "name": "Sterilux B23 Benchtop Autoclave",
        "category": "sterilisation",
        "manufacturer": "Sterilux Infection Control AG",
        "origin": "imported",
        "form": "benchtop",
        "standard": "EN 13060",
        "base_list_price": 78_000,
        "max_discount_pct": 15.0,
        "description": "A Class B benchtop steam steriliser with fractionated pre-vacuum for "
        "wrapped, hollow and porous loads in clinics and small theatres.",
        "intended_use": "steam sterilisation of wrapped and unwrapped instruments, hollow "
        "loads and textiles in clinics, dental departments and day surgery",
        "specs": {
            "weight_kg": 52.0,
            "dimensions_mm": "460 x 620 x 450",
            "ip_rating": "IP20",
            "display": "a 4.3-inch colour touchscreen",
            "power_supply": "220-240 V AC, 50 Hz, 2,300 W",
            "cleaning_agents": "a mild detergent and demineralised water for the chamber and "
            "70% alcohol for the exterior; chlorine-based agents never go inside the chamber",
            "alarms": "door interlock, over-temperature, over-pressure, cycle failure, water "
            "quality and low water alarms",
            "connectivity": "USB cycle record export, an Ethernet traceability interface to "
            "CSSD software and a built-in printer",
            "consumables": "Bowie-Dick test packs, Helix process challenge devices, Class 5 and "
            "6 chemical indicators, biological indicators and sterilisation pouches",
            "sterilisation": "Class B cycles at 134 °C for 3.5 minutes for instruments, 121 °C "
            "for 20 minutes for textiles and rubber, and a 134 °C 18-minute prion cycle",
            "maintenance_interval_months": 6,
            "warranty_years": 2,
            "certifications": "NMPA Class II registration (imported device), CE marking under "
            "the EU MDR as Class IIb, PED pressure vessel conformity",
        },
        "performance": (
            ("chamber_volume_l", "Chamber volume", 23, " L"),
            (
                "cycle_time",
                "Typical cycle time",
                ("about 45 minutes for a wrapped load including drying"),
                "",
            ),
            ("max_load_kg", "Maximum instrument load", 4.5, " kg"),
        ),
    },
    {
        "product_id": "PRD-030",
        "sku": "STX-P100-PLS",
        "name": "Sterilux P100 Plasma Steriliser",
        "category": "sterilisation",
        "manufacturer": "Sterilux Infection Control AG",
        "origin": "imported",
        "form": "floor-standing",
        "standard": "ISO 14937",
        "base_list_price": 880_000,
        "max_discount_pct": 15.0,
        "description": "A 100-litre low-temperature hydrogen peroxide gas plasma steriliser for "
        "heat- and moisture-sensitive instruments such as endoscopes and cameras.",
        "intended_use": "terminal sterilisation of heat- and moisture-sensitive reusable "
        "devices in central sterile services departments",
        "specs": {
            "weight_kg": 290.0,
            "dimensions_mm": "780 x 1,050 x 1,800",
            "ip_rating": "IP20",
            "display": "a 10-inch colour touchscreen",
            "power_supply": "220 V AC, 50 Hz, 3 kVA",
            "cleaning_agents": "70% alcohol for the exterior and a neutral detergent for the "
            "chamber and shelves",
            "alarms": "cassette expiry, load too wet, vacuum failure, plasma fault, door "
            "interlock and cycle cancelled alarms",
            "connectivity": "Ethernet traceability interface to CSSD software, USB export and a "
            "built-in label printer",
            "consumables": "hydrogen peroxide sterilant cassettes, Tyvek pouches, chemical and "
            "biological indicators and polypropylene trays",
            "sterilisation": "low-temperature hydrogen peroxide gas plasma at 45 to 55 °C for "
            "heat-sensitive instruments; liquids, powders, linen and cellulose are excluded",
            "maintenance_interval_months": 6,
            "warranty_years": 2,
            "certifications": "NMPA Class III registration (imported device), CE marking under "
            "the EU MDR as Class IIb",
        },
        "performance": (
            ("chamber_volume_l", "Chamber volume", 100, " L"),
            ("cycle_time", "Cycle time", "47 minutes standard, 28 minutes fast", ""),
            ("sterilant", "Sterilant", "59% hydrogen peroxide in sealed cassettes", ""),
        ),
    },
)
