"""Category-level prose: who uses the devices, clinical context, evidence, service checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryProfile:
    """Wording shared by the products of one category; ``{name}`` is the product name."""

    noun: str
    users: str
    context: str
    evidence: str  # also uses {site}, {n}, {pct}, {drop}, {months}
    troubleshooting: tuple[str, str]
    checks: str


# Fictional evaluation sites; the evidence summaries are demo data, not real studies.
SITES: tuple[str, ...] = (
    "a tertiary (grade 3A) hospital in Chengdu",
    "a provincial people's hospital in Hangzhou",
    "a university-affiliated hospital in Wuhan",
    "a municipal hospital in Suzhou",
    "a county hospital in Shandong province",
    "a children's hospital in Guangzhou",
    "a regional medical centre in Xi'an",
)

PROFILES: Mapping[str, CategoryProfile] = {
    "patient monitoring": CategoryProfile(
        noun="patient monitor",
        users="nurses, physicians and biomedical engineers trained in patient monitoring",
        context="Abnormal vital signs usually precede in-hospital cardiac arrest by several "
        "hours, yet alarm fatigue erodes the value of monitoring when limits are poorly tuned. "
        "Wards that combine continuous monitoring with an escalation protocol recognise "
        "deterioration earlier and call rapid response teams sooner. The {name} supports that "
        "workflow with configurable limits, trend review and escalation prompts.",
        evidence="In a {months}-month post-market evaluation at {site}, {n} patients were "
        "monitored with the {name}. Reviewers rated waveform quality acceptable in {pct}% of "
        "sampled recordings, and non-actionable alarms fell by {drop}% after unit-specific "
        "default limits were introduced. No device-related adverse events were reported.",
        troubleshooting=(
            (
                "A noisy ECG trace on the {name} is nearly always caused by dried electrode gel, "
                "poor skin preparation or lead placement, so check those before replacing cables."
            ),
            (
                "Repeated NIBP failures usually point to the wrong cuff size, a kinked hose or a "
                "patient who moves during the measurement."
            ),
        ),
        checks="an electrical safety test to IEC 62353, NIBP pressure calibration, SpO2 "
        "simulator verification and a functional test of every alarm",
    ),
    "infusion": CategoryProfile(
        noun="infusion device",
        users="nurses, anaesthetists and pharmacists trained in infusion therapy",
        context="Infusion errors are among the most frequent medication errors in hospitals, "
        "and high-alert drugs such as insulin, heparin and vasopressors cause most of the "
        "harm. Dose error reduction software, barcode checks and interoperability with the "
        "medication order close most of these gaps, and the {name} was designed around them.",
        evidence="A {months}-month implementation study at {site} followed {n} infusions run "
        "with the {name}. Drug library compliance reached {pct}%, and the library intercepted "
        "{drop} potentially harmful programming errors per 10,000 infusions.",
        troubleshooting=(
            (
                "Repeated downstream occlusion alarms on the {name} are usually caused by a closed "
                "clamp, a kinked line or a blocked cannula rather than by the pump."
            ),
            (
                "If the drug library shown is out of date, check the network connection and ask "
                "pharmacy to republish the library."
            ),
        ),
        checks="an electrical safety test to IEC 62353, flow-rate accuracy verification with "
        "an infusion device analyser, occlusion pressure testing and an air-in-line sensor check",
    ),
    "ultrasound": CategoryProfile(
        noun="ultrasound system",
        users="sonographers, radiologists, cardiologists and trained point-of-care users",
        context="Ultrasound is the most widely used cross-sectional imaging modality in Chinese "
        "hospitals because it is free of ionising radiation, quick and available at the "
        "bedside. Image quality, workflow speed and probe reprocessing decide how many "
        "patients a department can scan each day, and the {name} addresses all three.",
        evidence="In an image quality comparison at {site}, two blinded readers scored {n} "
        "examinations performed with the {name} against the department's reference system. "
        "Diagnostic quality was rated equivalent or better in {pct}% of examinations, and the "
        "average examination took {drop}% less time thanks to automated measurements.",
        troubleshooting=(
            (
                "If images from the {name} look grainy or dark, review the preset, gain and depth "
                "before suspecting the probe."
            ),
            (
                "Studies missing from PACS usually mean that the DICOM destination or the worklist "
                "settings were changed."
            ),
        ),
        checks="an electrical safety test to IEC 62353, probe lens and element inspection, a "
        "phantom image quality check and a probe leakage current test",
    ),
    "ventilation": CategoryProfile(
        noun="respiratory care device",
        users="intensivists, respiratory therapists and critical care nurses",
        context="Lung-protective ventilation with low tidal volumes and adequate PEEP reduces "
        "mortality in acute respiratory distress syndrome, and early non-invasive or high-flow "
        "support can avoid intubation. Reliable alarms and quick response to patient effort "
        "are essential for synchrony, and they shaped the design of the {name}.",
        evidence="At {site}, {n} patients were supported with the {name} during a {months}-month "
        "evaluation. Delivered flow or volume was within 10% of the set value in {pct}% of "
        "verification checks, and respiratory therapists reported {drop}% shorter set-up "
        "times than with the previous fleet.",
        troubleshooting=(
            (
                "A persistent leak alarm on the {name} is most often a loose circuit connection, "
                "an ill-fitting interface or an uncuffed airway."
            ),
            (
                "If the pre-use check fails at the flow sensor step, replace or reprocess the "
                "sensor and repeat the check before connecting a patient."
            ),
        ),
        checks="an electrical safety test to IEC 62353, performance verification with a gas "
        "flow analyser, oxygen sensor calibration and inspection of valves and seals",
    ),
    "defibrillation": CategoryProfile(
        noun="resuscitation device",
        users="emergency physicians, nurses, paramedics and trained lay rescuers",
        context="Survival from cardiac arrest falls by roughly 7 to 10% for every minute "
        "without defibrillation or CPR. Early shocks and high-quality compressions with few "
        "interruptions are the strongest predictors of survival with a good neurological "
        "outcome, which is why the {name} is built for speed and readiness.",
        evidence="A registry review at {site} analysed {n} resuscitation events involving the "
        "{name} over {months} months. Readiness self-tests passed on {pct}% of scheduled days, "
        "and the median time from device arrival to first intervention was {drop} seconds.",
        troubleshooting=(
            (
                "If the {name} reports a failed self-test, check the battery and the expiry date "
                "of the pads or consumables first."
            ),
            (
                "Contact or position warnings usually come from sweat, chest hair or consumables "
                "past their shelf life."
            ),
        ),
        checks="an electrical safety test to IEC 62353, output verification with a calibrated "
        "analyser, review of the self-test log and battery and consumable expiry checks",
    ),
    "surgical": CategoryProfile(
        noun="surgical system",
        users="surgeons, anaesthetists, theatre nurses and sterile services staff",
        context="Operating theatre time is among the most expensive in a hospital. Equipment "
        "that sets up quickly, reprocesses easily and stays reliable through long cases "
        "shortens turnover and reduces cancelled lists, while infection prevention depends on "
        "validated reprocessing. The {name} was specified with theatre teams for this reason.",
        evidence="At {site}, the {name} was used in {n} procedures across general, "
        "orthopaedic and gynaecological lists over {months} months. Surgeons rated it good or "
        "excellent in {pct}% of cases, and set-up time fell by {drop}% compared with the "
        "previous equipment.",
        troubleshooting=(
            (
                "If the {name} does not respond to its controls, check the connections of cables, "
                "footswitches or handles and look for an error code on the display."
            ),
            (
                "Unexpected loss of function during a case is usually a cable or connector fault; "
                "keep a spare set in the theatre."
            ),
        ),
        checks="an electrical safety test to IEC 62353, output verification with calibrated "
        "test equipment and inspection of cables, handles and seals",
    ),
    "lab diagnostics": CategoryProfile(
        noun="in-vitro diagnostic analyser",
        users="laboratory technicians, point-of-care coordinators and trained clinical staff",
        context="Laboratory results inform most clinical decisions, and turnaround time and "
        "analytical quality are what clinicians notice first. ISO 15189 accreditation requires "
        "method verification, internal quality control and external quality assessment, "
        "and the {name} was validated with these requirements in mind.",
        evidence="A method verification at {site} compared {n} patient samples measured on "
        "the {name} with the laboratory's reference method. Correlation coefficients exceeded "
        "0.97 for all analytes, precision met CLSI EP15 targets for {pct}% of analytes, and "
        "median turnaround time fell by {drop}%.",
        troubleshooting=(
            (
                "If quality control results on the {name} drift, check reagent lot numbers, "
                "on-board stability and calibration status before running patient samples."
            ),
            (
                "Aspiration or clot errors usually mean a poorly mixed sample or a partially "
                "blocked probe that needs the cleaning routine."
            ),
        ),
        checks="an electrical safety test, optical and temperature verification, probe and "
        "fluidics inspection and a review of quality control records",
    ),
    "imaging": CategoryProfile(
        noun="diagnostic imaging system",
        users="radiologists, radiographers and medical physicists",
        context="Imaging demand in city and county hospitals has grown quickly under the "
        "tiered healthcare reform, and departments are judged on dose optimisation, uptime "
        "and reporting throughput. The {name} targets all three with dose reduction tools, "
        "remote diagnostics and a fast workflow.",
        evidence="During acceptance testing at {site}, radiologists reviewed {n} examinations "
        "acquired with the {name}. Image quality was rated diagnostic in {pct}% of them, and "
        "patient dose was {drop}% lower than on the previous system at equal image quality.",
        troubleshooting=(
            (
                "If the {name} refuses to start an acquisition, check interlocks, emergency stops "
                "and the status of the generator or magnet on the console."
            ),
            (
                "Images not arriving in PACS usually indicate a changed DICOM destination or a "
                "full local queue."
            ),
        ),
        checks="an electrical safety test, image quality checks with test phantoms, dose "
        "output verification by a medical physicist and a system log review",
    ),
    "sterilisation": CategoryProfile(
        noun="sterilisation system",
        users="CSSD technicians, infection control nurses and sterile services managers",
        context="Validated sterilisation of reusable instruments is a core requirement of the "
        "WS 310 standards for central sterile supply departments. Every load must be "
        "traceable to the patient and released on physical, chemical and biological "
        "indicators, and the {name} documents each of these steps.",
        evidence="During installation and performance qualification at {site}, the {name} "
        "processed {n} validation loads over {months} months. All biological indicators "
        "showed no growth, chemical indicators passed in {pct}% of loads at first reading, and "
        "average turnaround was {drop}% shorter than with the previous steriliser.",
        troubleshooting=(
            (
                "If the {name} aborts a cycle, read the cycle record for the failing phase; wet or "
                "overloaded loads and poor door seals are the usual causes."
            ),
            (
                "A failed air removal test usually indicates a door seal or vacuum pump problem "
                "and takes the unit out of use until it is repaired."
            ),
        ),
        checks="a pressure vessel and safety valve inspection, temperature and pressure sensor "
        "calibration, a vacuum leak test and a door seal check",
    ),
}
