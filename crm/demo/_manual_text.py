"""Section bodies of the user manual (document suffix UM), apart from power (``_power_text``)."""

from __future__ import annotations

from crm.demo._category_text import PROFILES
from crm.demo._section_context import SectionContext


def introduction(ctx: SectionContext) -> str:
    line = ctx.line
    opening = ctx.fill(
        (
            "This manual explains how to set up, operate, clean and look after the {name}.",
            "Read this user manual before using the {name} for the first time.",
            "The {name} user manual covers installation, daily operation, cleaning and care.",
        )
    )
    audience = f"It is written for {PROFILES[line.category].users}."
    purpose = f"Intended use: {line.intended_use}."
    safety = ctx.pick(
        (
            (
                "Warnings marked with a triangle describe hazards to patients or users; cautions "
                "describe risks of damage to the equipment. Keep the manual with the device, make it "
                "available to every new user and check the distributor's portal for revisions."
            ),
            (
                "Safety notices are marked WARNING when patients or users may be harmed and CAUTION "
                "when the equipment may be damaged. Keep this manual near the device and replace it "
                "whenever a new revision is issued with a software update."
            ),
            (
                "Pay attention to WARNING notices, which concern harm to people, and CAUTION notices, "
                "which concern damage to equipment. The latest revision of this manual is available "
                "from the distributor and supersedes printed copies."
            ),
        ),
        salt="safety",
    )
    training = ctx.fill(
        (
            (
                "Only staff who have completed the application training delivered at installation "
                "should operate the {name}; refresher sessions can be booked with the distributor."
            ),
            (
                "Application training on the {name} is included with every installation, and new "
                "staff can join later sessions free of charge."
            ),
            (
                "Users of the {name} must be trained first; our application specialists run on-site "
                "courses at installation and on request afterwards."
            ),
        ),
        salt="training",
    )
    return f"{opening} {audience} {purpose} {safety} {training}"


def alarms(ctx: SectionContext) -> str:
    summary = ctx.fill(
        (
            "The {name} provides {alarms}.",
            "Alarm functions of the {name} comprise {alarms}.",
            "To alert users, the {name} offers {alarms}.",
        ),
        alarms=ctx.spec("alarms"),
    )
    rules = ctx.pick(
        (
            (
                "Authorised users can adjust alarm limits and volume within the ranges allowed by the "
                "hospital configuration, and the defaults return when a new patient or case starts."
            ),
            (
                "Alarm limits, delays and volume are adjustable by authorised users only, and the "
                "hospital's default profile is restored for every new patient or case."
            ),
            (
                "Settings that weaken an alarm are password protected, and each new patient or case "
                "starts from the hospital's default alarm profile."
            ),
        ),
        salt="rules",
    )
    check = ctx.pick(
        (
            "Check the alarms during the daily pre-use test.",
            "Confirm that alarm sounds and lights work as part of the daily check.",
            "The start-up self-test sounds the alarm tones; listen for them every morning.",
        ),
        salt="check",
    )
    attend = ctx.fill(
        (
            (
                "Never silence an alarm without attending to its cause, and never rely on the {name} "
                "alone: trained staff must observe the patient or process."
            ),
            (
                "Silencing an alarm of the {name} does not remove its cause, so investigate every "
                "alarm at once and keep observing the patient or process."
            ),
            (
                "Respond to each alarm of the {name} at the bedside or machine; the device supports "
                "but does not replace trained observation."
            ),
        ),
        salt="attend",
    )
    log = ctx.pick(
        (
            "Every alarm is time-stamped in the event log for later review.",
            "The event log keeps a time-stamped record of all alarms for incident review.",
            "Alarm history can be exported from the event log for quality audits.",
            "All alarm events remain in the log, with date and time, for later analysis.",
            "Review the alarm log regularly to tune limits and reduce nuisance alarms.",
        ),
        salt="log",
    )
    return f"{summary} {rules} {check} {attend} {log}"


def connectivity(ctx: SectionContext) -> str:
    value = ctx.spec("connectivity")
    summary = ctx.fill(
        (
            "The {name} supports {c}.",
            "For data exchange, the {name} provides {c}.",
            "Connectivity of the {name}: {c}.",
        ),
        c=value,
    )
    documents = [
        label
        for marker, label in (
            ("HL7", "an HL7 interface specification"),
            ("DICOM", "a DICOM conformance statement"),
        )
        if marker in value
    ]
    conformance = (
        f"The distributor supplies {' and '.join(documents)} on request."
        if documents
        else ctx.fill(
            (
                (
                    "The {name} has no HL7 or DICOM interface, so it exchanges no orders or results "
                    "with the hospital information system; exported files use the manufacturer's own "
                    "format."
                ),
                (
                    "There is no HL7 or DICOM interface on the {name}; the records it exports are read "
                    "with the manufacturer's software."
                ),
            ),
            salt="conformance",
        )
    )
    setup = ctx.pick(
        (
            (
                "Network settings are configured by the hospital IT department together with our "
                "application specialists during installation. Configuration menus are protected by "
                "role-based user accounts, and data in transit is encrypted with TLS where the "
                "receiving system supports it."
            ),
            (
                "Our engineers configure the connection with the hospital IT team at installation. "
                "Service and network menus require a password, and encrypted transport is used "
                "wherever the hospital system supports it; security patches arrive with software "
                "updates."
            ),
            (
                "Integration is planned with the hospital's information department before delivery "
                "and tested during installation. Access to network settings is restricted to "
                "administrator accounts, and encrypted connections are preferred wherever possible."
            ),
        ),
        salt="setup",
    )
    fallback = ctx.fill(
        (
            (
                "If the network is unavailable, the {name} keeps working stand-alone and sends "
                "buffered records once the connection returns."
            ),
            (
                "A network outage does not stop the {name}; records are queued and transmitted when "
                "the link is restored."
            ),
        )
        if documents
        else (
            (
                "Software updates for the {name} are installed by service engineers from a signed "
                "package."
            ),
            (
                "Engineers install signed software updates for the {name} on site during maintenance "
                "visits."
            ),
        ),
        salt="fallback",
    )
    return f"{summary} {conformance} {setup} {fallback}"


def cleaning(ctx: SectionContext) -> str:
    agents = ctx.fill(
        (
            "Clean and disinfect the {name} after each patient using {agents}.",
            "Approved cleaning and disinfection agents for the {name} are {agents}.",
            "Between patients, wipe the {name} down with {agents}.",
        ),
        agents=ctx.spec("cleaning_agents"),
    )
    method = ctx.pick(
        (
            (
                "Apply the agent with a damp, not wet, cloth, never spray directly onto the device and "
                "keep liquid out of connectors and vents."
            ),
            (
                "Use a lint-free cloth moistened with the agent rather than a spray, and keep fluids "
                "away from sockets, vents and seams."
            ),
            (
                "Wipe with a moist cloth or a pre-soaked wipe; liquid must not run into connectors, "
                "vents or gaps in the housing."
            ),
            (
                "Work from clean to dirty areas with a moistened wipe, and never immerse the device "
                "or pour liquid over it."
            ),
        ),
        salt="method",
    )
    contact = ctx.pick(
        (
            (
                "Respect the contact time on the disinfectant's label and let surfaces dry before "
                "use."
            ),
            (
                "Leave the disinfectant wet for the contact time its manufacturer specifies, then let "
                "it air-dry."
            ),
            "Surfaces must stay wet for the full contact time and be dry before the next use.",
        ),
        salt="contact",
    )
    avoid = ctx.pick(
        (
            (
                "Do not use acetone, undiluted bleach, abrasive pads or other agents not listed "
                "here, because they can crack plastics and cloud displays."
            ),
            (
                "Agents not listed here, especially acetone, strong solvents and abrasive cleaners, "
                "may damage the housing and void the warranty."
            ),
            (
                "Solvents, scouring pads and unlisted chemicals can embrittle plastics and seals and "
                "must not be used."
            ),
        ),
        salt="avoid",
    )
    soil = ctx.fill(
        (
            "Visible soiling must be removed before disinfection.",
            (
                "Remove blood and other visible soil from the {name} first, because disinfectants do "
                "not work through organic residue."
            ),
            "Pre-clean any visible contamination before disinfecting the {name}.",
            "Organic soil on the {name} must be wiped off before the disinfectant is applied.",
            "Disinfection of the {name} only works on surfaces already cleaned of visible dirt.",
        ),
        salt="soil",
    )
    return f"{agents} {method} {contact} {avoid} {soil}"


def sterilisation(ctx: SectionContext) -> str:
    summary = ctx.fill(
        (
            "Sterilisation and reprocessing of the {name}: {s}.",
            "For the {name}, {s}.",
            "Reprocessing rules for the {name} are as follows: {s}.",
        ),
        s=ctx.spec("sterilisation"),
    )
    validation = ctx.pick(
        (
            (
                "The reprocessing instructions are validated by the manufacturer according to "
                "ISO 17664; follow the hospital's CSSD procedures and the WS 310 standards where they "
                "apply."
            ),
            (
                "These instructions were validated under ISO 17664, and local practice must also "
                "meet the WS 310 requirements for sterile supply departments."
            ),
            (
                "Validation of these steps follows ISO 17664; the hospital's own CSSD procedures and "
                "WS 310 apply in addition."
            ),
        ),
        salt="validation",
    )
    limits = ctx.pick(
        (
            (
                "Single-use items must never be reprocessed, and reusable parts may only go through "
                "the number of validated cycles stated on their labels."
            ),
            (
                "Items labelled for single use are discarded after use; reusable parts have a "
                "maximum number of validated cycles."
            ),
            (
                "Never reprocess single-use items, and retire reusable parts when they reach their "
                "validated cycle limit."
            ),
        ),
        salt="limits",
    )
    inspection = ctx.fill(
        (
            (
                "Inspect every reprocessed part for cracks, discolouration or damaged seals and "
                "withdraw damaged items from use. Record reprocessing in the traceability system so "
                "each item can be linked to the patient it was used on."
            ),
            (
                "After each cycle check reusable parts of the {name} for wear, cracks and corrosion, "
                "and remove any damaged item from circulation. Traceability records must link "
                "reprocessed items to patients."
            ),
        ),
        salt="inspection",
    )
    return f"{summary} {validation} {limits} {inspection}"


def consumables(ctx: SectionContext) -> str:
    summary = ctx.fill(
        (
            "Approved consumables and accessories for the {name}: {items}.",
            "The {name} is used with the following consumables and accessories: {items}.",
            "Order these consumables and accessories for the {name}: {items}.",
        ),
        items=ctx.spec("consumables"),
    )
    approval = ctx.pick(
        (
            (
                "Use only items approved by the manufacturer; third-party products may affect accuracy "
                "or safety and can void the warranty."
            ),
            (
                "Unapproved third-party supplies can compromise performance and safety and are not "
                "covered by the warranty."
            ),
            (
                "Only manufacturer-approved supplies are validated with the device; others may void "
                "the warranty."
            ),
        ),
        salt="approval",
    )
    ordering = ctx.pick(
        (
            (
                "Consumables can be ordered through the distributor on standing monthly orders, and "
                "each item carries its own NMPA registration where one is required. Store them in "
                "their packaging at room temperature and use them before the printed expiry date."
            ),
            (
                "The distributor offers standing orders and consignment stock for consumables; every "
                "registrable item has its own NMPA certificate. Keep stock dry, rotate it first in "
                "first out and discard anything past its expiry date."
            ),
            (
                "Supplies are delivered from the distributor's regional warehouses within two working "
                "days, and registrable items carry their own NMPA certificates. Check expiry dates "
                "when stock arrives and store it dry."
            ),
        ),
        salt="ordering",
    )
    review = ctx.pick(
        (
            (
                "Usage and reorder levels can be reviewed with your account manager at each quarterly "
                "business review."
            ),
            "Your account manager can set up reorder points based on the department's usage.",
            "Ask the account manager for a usage report to tune stock levels.",
        ),
        salt="review",
    )
    return f"{summary} {approval} {ordering} {review}"
