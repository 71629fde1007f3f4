"""Product lines for ultrasound and diagnostic imaging (X-ray, CT, MRI)."""

from __future__ import annotations

from typing import Any

_PROBE_CLEANING = (
    "70% isopropyl alcohol wipes for the system, quaternary ammonium wipes for probes and "
    "0.55% ortho-phthalaldehyde (OPA) for high-level disinfection of semi-critical probes"
)

IMAGING_LINES: tuple[dict[str, Any], ...] = (
    {
        "product_id": "PRD-009",
        "sku": "VTS-H3-HHU",
        "name": "VitaScan H3 Handheld Ultrasound",
        "category": "ultrasound",
        "manufacturer": "Vitalis Imaging Co., Ltd.",
        "origin": "domestic",
        "form": "handheld",
        "standard": "IEC 60601-2-37",
        "base_list_price": 68_000,
        "max_discount_pct": 20.0,
        "description": "A pocket ultrasound probe with a dual linear and phased array head that "
        "pairs with a tablet or phone for bedside point-of-care scans.",
        "intended_use": "point-of-care ultrasound for emergency, critical care, vascular access "
        "and general practice",
        "specs": {
            "weight_kg": 0.35,
            "dimensions_mm": "156 x 56 x 35",
            "ip_rating": "IP67",
            "display": "the screen of a paired iOS or Android tablet or phone",
            "battery_life_hours": 2.5,
            "charge_time_hours": 1.5,
            "battery_type": "wireless-charging lithium-ion",
            "battery_use": "of continuous scanning",
            "cleaning_agents": _PROBE_CLEANING,
            "alarms": "probe over-temperature, low battery and connection loss notifications "
            "(the device has no physiological alarms)",
            "connectivity": "Wi-Fi Direct to the paired smart device and DICOM 3.0 storage to "
            "PACS through the hospital network",
            "consumables": "sterile and non-sterile probe covers, ultrasound gel and a wireless "
            "charging pad",
            "sterilisation": "the probe is not steam sterilisable; it is compatible with "
            "low-temperature hydrogen peroxide plasma, and sterile procedures use a sterile "
            "probe cover",
            "maintenance_interval_months": 24,
            "warranty_years": 3,
            "certifications": "NMPA Class II registration, CE marking under the EU MDR as Class "
            "IIa",
        },
        "performance": (
            ("transducer", "Transducer", "dual head: linear 5 to 10 MHz, phased 2 to 5 MHz", ""),
            ("imaging_modes", "Imaging modes", "B, M, colour Doppler and PW Doppler", ""),
            ("max_depth_cm", "Maximum depth", 30, " cm"),
        ),
    },
    {
        "product_id": "PRD-010",
        "sku": "VTS-P12-PUS",
        "name": "VitaScan P12 Portable Ultrasound",
        "category": "ultrasound",
        "manufacturer": "Vitalis Imaging Co., Ltd.",
        "origin": "domestic",
        "form": "portable",
        "standard": "IEC 60601-2-37",
        "base_list_price": 320_000,
        "max_discount_pct": 22.0,
        "description": "A laptop-style colour Doppler system for shared use between wards, "
        "anaesthesia and the emergency department.",
        "intended_use": "general, abdominal, vascular, musculoskeletal, obstetric and "
        "point-of-care imaging",
        "specs": {
            "weight_kg": 5.8,
            "dimensions_mm": "360 x 330 x 60",
            "ip_rating": "IPX1",
            "display": "a 15.6-inch high-resolution LED monitor and a 10.1-inch touch panel",
            "battery_life_hours": 6.5,
            "charge_time_hours": 3.0,
            "battery_type": "lithium-ion 14.4 V 6,800 mAh",
            "cleaning_agents": _PROBE_CLEANING,
            "alarms": "system over-temperature, low battery and probe fault alerts",
            "connectivity": "DICOM 3.0 storage, worklist, MPPS and structured reports, an HL7 "
            "v2.5 order interface through the RIS, Wi-Fi and Ethernet",
            "consumables": "ultrasound gel, sterile probe covers, biopsy needle guides and "
            "thermal video printer paper",
            "sterilisation": "probes are never autoclaved; endocavity probes receive high-level "
            "disinfection with OPA or peracetic acid, and biopsy needle guides are steam "
            "sterilisable at 134 °C",
            "maintenance_interval_months": 12,
            "warranty_years": 3,
            "certifications": "NMPA Class II registration, CE marking under the EU MDR as Class "
            "IIa",
        },
        "performance": (
            ("transducer_ports", "Transducer ports", 3, ""),
            ("frequency_range", "Frequency range", "1 to 18 MHz", ""),
            (
                "imaging_modes",
                "Imaging modes",
                "B, M, colour, power and PW/CW Doppler plus strain elastography",
                "",
            ),
        ),
    },
    {
        "product_id": "PRD-011",
        "sku": "VTS-C40-CUS",
        "name": "VitaScan C40 Cart Ultrasound",
        "category": "ultrasound",
        "manufacturer": "Vitalis Imaging Co., Ltd.",
        "origin": "domestic",
        "form": "cart",
        "standard": "IEC 60601-2-37",
        "base_list_price": 980_000,
        "max_discount_pct": 20.0,
        "description": "A high-end shared-service ultrasound platform for radiology, with "
        "contrast imaging, shear wave elastography and fusion navigation.",
        "intended_use": "general imaging, contrast-enhanced ultrasound, liver elastography and "
        "interventional guidance in radiology departments",
        "specs": {
            "weight_kg": 78.0,
            "dimensions_mm": "560 x 850 x 1,420",
            "ip_rating": "IPX1",
            "display": "a 21.5-inch full HD LED monitor on an articulating arm and a 13.3-inch "
            "touchscreen",
            "power_supply": "220 V AC ±10%, 50 Hz, 600 VA",
            "cleaning_agents": _PROBE_CLEANING,
            "alarms": "system temperature, storage capacity and probe fault alerts",
            "connectivity": "DICOM 3.0 storage, worklist, MPPS and structured reports, HL7 v2.5 "
            "through the RIS, gigabit Ethernet and Wi-Fi",
            "consumables": "ultrasound gel, sterile probe covers, biopsy guides and contrast "
            "agent administration sets",
            "sterilisation": "probes are not sterilisable by steam; biopsy guides are steam "
            "sterilised at 134 °C and probes used in sterile fields are sheathed",
            "maintenance_interval_months": 12,
            "warranty_years": 3,
            "certifications": "NMPA Class II registration, CE marking under the EU MDR as Class "
            "IIa",
        },
        "performance": (
            ("transducer_ports", "Transducer ports", 4, ""),
            ("frequency_range", "Frequency range", "1 to 22 MHz", ""),
            ("image_storage", "Image storage", "1 TB solid-state drive", ""),
        ),
    },
    {
        "product_id": "PRD-012",
        "sku": "VTS-E90-CAR",
        "name": "VitaScan E90 Cardiac Ultrasound",
        "category": "ultrasound",
        "manufacturer": "Vitalis Imaging Co., Ltd.",
        "origin": "domestic",
        "form": "cart",
        "standard": "IEC 60601-2-37",
        "base_list_price": 1_850_000,
        "max_discount_pct": 18.0,
        "description": "A premium echocardiography system with real-time 3D transoesophageal "
        "imaging and automated strain analysis.",
        "intended_use": "adult, paediatric and foetal echocardiography, including 3D "
        "transoesophageal echo guidance of structural heart procedures",
        "specs": {
            "weight_kg": 92.0,
            "dimensions_mm": "590 x 940 x 1,480",
            "ip_rating": "IPX1",
            "display": "a 23.8-inch OLED monitor and a 15.6-inch touchscreen",
            "power_supply": "220 V AC ±10%, 50 Hz, 900 VA",
            "cleaning_agents": _PROBE_CLEANING,
            "alarms": "TEE probe tip over-temperature cut-out, system temperature and probe "
            "fault alerts",
            "connectivity": "DICOM 3.0 with cardiac structured reports, HL7 v2.5 through the "
            "cardiology information system, gigabit Ethernet and Wi-Fi",
            "consumables": "TEE bite blocks, sterile probe sheaths, ECG electrodes and gel",
            "sterilisation": "TEE probes are high-level disinfected with OPA in an automated "
            "endoscope reprocessor and are never steam sterilised",
            "maintenance_interval_months": 6,
            "warranty_years": 3,
            "certifications": "NMPA Class III registration, CE marking under the EU MDR as Class "
            "IIa",
        },
        "performance": (
            ("transducer_ports", "Transducer ports", 5, ""),
            ("frame_rate", "Maximum frame rate", "1,200 frames per second", ""),
            ("three_d_imaging", "3D imaging", "real-time 3D TEE and 4D transthoracic", ""),
        ),
    },
    {
        "product_id": "PRD-026",
        "sku": "ORB-M5-MDR",
        "name": "OrbiRay M5 Mobile DR X-Ray",
        "category": "imaging",
        "manufacturer": "Orbis Imaging Technologies Co., Ltd.",
        "origin": "domestic",
        "form": "cart",
        "standard": "IEC 60601-2-54",
        "base_list_price": 1_180_000,
        "max_discount_pct": 15.0,
        "description": "A motorised mobile digital radiography unit with a wireless flat-panel "
        "detector for bedside chest and trauma imaging.",
        "intended_use": "bedside radiography in ICUs, wards, emergency departments and "
        "operating theatres",
        "specs": {
            "weight_kg": 420.0,
            "dimensions_mm": "1,350 x 580 x 1,950",
            "ip_rating": "IPX0",
            "display": "a 19-inch touchscreen console",
            "power_supply": "220 V AC, 50 Hz single-phase outlet for charging",
            "battery_life_hours": 8.0,
            "charge_time_hours": 6.0,
            "battery_type": "sealed lithium iron phosphate (LiFePO4)",
            "battery_use": "of standby and imaging, about 200 exposures",
            "alarms": "exposure interlock, detector link loss, collision sensor, tube "
            "overheat and low battery alarms",
            "connectivity": "DICOM 3.0 storage, worklist, MPPS and dose structured reports over "
            "Wi-Fi or Ethernet",
            "consumables": "detector protective covers, disposable detector bags and "
            "positioning aids",
            "sterilisation": "not sterilisable; the detector is sheathed in a disposable bag "
            "for theatre and isolation use",
            "maintenance_interval_months": 6,
            "warranty_years": 2,
            "certifications": "NMPA Class II registration, CE marking under the EU MDR as Class "
            "IIb, GBZ 130 radiation protection compliance",
        },
        "performance": (
            ("generator_power_kw", "Generator power", 32, " kW"),
            ("detector", "Detector", "wireless CsI flat panel, 35 x 43 cm, 139 µm pixels", ""),
            ("drive_speed", "Motorised drive", "up to 5 km/h", ""),
        ),
    },
    {
        "product_id": "PRD-027",
        "sku": "ORB-CT64-CTS",
        "name": "OrbiCT 64 CT Scanner",
        "category": "imaging",
        "manufacturer": "Orbis Imaging Technologies Co., Ltd.",
        "origin": "domestic",
        "form": "floor-standing",
        "standard": "IEC 60601-2-44",
        "base_list_price": 6_800_000,
        "max_discount_pct": 12.0,
        "description": "A 64-slice computed tomography scanner with iterative dose reduction "
        "and cardiac gating for county and city hospitals.",
        "intended_use": "whole-body CT imaging including CT angiography, cardiac and perfusion "
        "studies",
        "specs": {
            "weight_kg": 2_100.0,
            "dimensions_mm": "2,050 x 980 x 1,950 (gantry)",
            "ip_rating": "IPX0",
            "display": "dual 24-inch LCD monitors at the operator console",
            "operating_temp_c": "18 to 26 °C",
            "power_supply": "380 V AC three-phase, 50 Hz, 100 kVA",
            "alarms": "tube overheat, gantry collision, contrast injector interlock, door "
            "interlock and emergency stop alarms",
            "connectivity": "DICOM 3.0 storage, worklist, MPPS and dose structured reports, HL7 "
            "through the RIS and 10-gigabit Ethernet",
            "consumables": "contrast injector syringes, table pads, positioning aids and "
            "quality assurance phantoms",
            "sterilisation": "not applicable; patient-contact surfaces are cleaned and "
            "disinfected between patients",
            "maintenance_interval_months": 3,
            "warranty_years": 2,
            "certifications": "NMPA Class III registration, CE marking under the EU MDR as "
            "Class IIb, GBZ 130 radiation protection compliance",
        },
        "performance": (
            ("detector_rows", "Detector rows", 64, ""),
            ("rotation_time_s", "Fastest rotation time", 0.35, " s"),
            ("gantry_aperture_mm", "Gantry aperture", 700, " mm"),
        ),
    },
    {
        "product_id": "PRD-028",
        "sku": "ORB-MR15-MRI",
        "name": "OrbiMR 1.5T MRI System",
        "category": "imaging",
        "manufacturer": "Orbis Imaging Technologies Co., Ltd.",
        "origin": "domestic",
        "form": "floor-standing",
        "standard": "IEC 60601-2-33",
        "base_list_price": 9_800_000,
        "max_discount_pct": 12.0,
        "description": "A 1.5 tesla superconducting MRI system with a zero boil-off magnet and "
        "a 70 cm wide bore for anxious and larger patients.",
        "intended_use": "neurological, musculoskeletal, body, cardiac and breast magnetic "
        "resonance imaging",
        "specs": {
            "weight_kg": 4_300.0,
            "dimensions_mm": "2,100 x 1,750 x 2,400 (magnet)",
            "ip_rating": "IPX0",
            "display": "dual 24-inch LCD monitors at the operator console and an in-room "
            "touch panel",
            "operating_temp_c": "18 to 22 °C",
            "power_supply": "380 V AC three-phase, 50 Hz, 90 kVA",
            "alarms": "quench, helium level, cryocooler, oxygen level in the scan room, "
            "specific absorption rate (SAR) limit and patient call alarms",
            "connectivity": "DICOM 3.0 storage, worklist and MPPS, HL7 through the RIS and "
            "10-gigabit Ethernet",
            "consumables": "MR-conditional ECG electrodes, ear protection, coil pads and "
            "contrast injector syringes",
            "sterilisation": "not applicable; coils and the patient table are cleaned and "
            "disinfected between patients",
            "maintenance_interval_months": 3,
            "warranty_years": 2,
            "certifications": "NMPA Class III registration, CE marking under the EU MDR as "
            "Class IIa",
        },
        "performance": (
            ("field_strength_t", "Field strength", 1.5, " T"),
            ("bore_diameter_cm", "Bore diameter", 70, " cm"),
            ("gradients", "Gradients", "45 mT/m amplitude, 200 T/m/s slew rate", ""),
        ),
    },
)
