"""Section bodies of the user manual (document suffix UM)."""

from __future__ import annotations

from crm.demo._category_text import PROFILES
from crm.demo._section_context import SectionContext, hours_phrase


def introduction(ctx: SectionContext) -> str:
    line = ctx.line
    opening = ctx.fill((
        "This manual explains how to set up, operate, clean and look after the {name}.",
        "Read this user manual before using the {name} for the first time.",
        "The {name} user manual covers installation, daily operation, cleaning and care.",
    ))
    audience = f"It is written for {PROFILES[line.category].users}."
    purpose = f"Intended use: {line.intended_use}."
    safety = ctx.fill((
        "Warnings marked with a triangle describe hazards to patients or users; cautions "
        "describe risks of damage to the equipment. Keep the manual with the device, make it "
        "available to every new user and check the distributor's portal for revisions.",
        "Safety notices are marked WARNING when patients or users may be harmed and CAUTION "
        "when the equipment may be damaged. Keep this manual near the device and replace it "
        "whenever a new revision is issued with a software update.",
    ), salt="safety")
    training = (
        f"Only staff who have completed the application training delivered at installation "
        f"should operate the {ctx.name}; refresher sessions can be booked with the distributor."
    )
    return " ".join((opening, audience, purpose, safety, training))


def power(ctx: SectionContext) -> str:
    return _battery_power(ctx) if ctx.line.has_battery else _mains_power(ctx)


def _battery_power(ctx: SectionContext) -> str:
    use = ctx.line.battery_use
    hours = hours_phrase(float(ctx.specs["battery_life_hours"]))
    runtime = ctx.fill((
        "The {kind} battery of the {name} provides up to {hours} {use} on a full charge.",
        "On battery power the {name} runs for up to {hours} {use}, using its {kind} battery.",
        "A fully charged {kind} battery keeps the {name} running for up to {hours} {use}.",
    ), kind=ctx.spec("battery_type"), hours=hours, use=use)
    if "charge_time_hours" in ctx.specs:
        charge = ctx.fill((
            "Recharging from empty takes about {charge} while the {name} is connected to "
            "mains power ({supply}), and the device can be used while it charges.",
            "A full recharge takes approximately {charge} on mains power ({supply}); the "
            "{name} stays usable during charging.",
        ), salt="charge", charge=hours_phrase(float(ctx.specs["charge_time_hours"])),
           supply=ctx.spec("power_supply"))
        care = (
            "Keep the device on mains power whenever it is not in use so that it is fully "
            "charged for the next patient."
        )
    else:
        charge = f"The battery is not rechargeable. Power source: {ctx.spec('power_supply')}."
        care = (
            "Replace the battery after any rescue that used it heavily, when the readiness "
            "indicator reports a low battery, or at the expiry date printed on the pack."
        )
    warning = ctx.fill((
        "A low-battery alarm warns the user well before shutdown, and the remaining capacity "
        "of the {name} is shown at all times.",
        "The {name} displays the remaining battery capacity continuously and raises a "
        "low-battery alarm in good time before it switches off.",
    ), salt="warning")
    ageing = (
        "Run time falls as the battery ages; the service manual describes the capacity test "
        "and when to replace the pack. Use only batteries supplied by the manufacturer."
    )
    return " ".join((runtime, charge, warning, care, ageing))


def _mains_power(ctx: SectionContext) -> str:
    supply = ctx.fill((
        "The {name} is mains powered and has no internal battery. It runs from {supply}.",
        "There is no internal battery: the {name} is mains powered from {supply}.",
        "The {name} is mains powered only ({supply}) and contains no battery for operation.",
    ), supply=ctx.spec("power_supply"))
    earthing = ctx.fill((
        "Connect it to a properly earthed hospital-grade socket or the dedicated supply "
        "prepared during installation, and never use extension leads or multi-socket strips.",
        "Use only the earthed outlet or dedicated circuit prepared at installation; extension "
        "leads and multiple socket strips are not permitted.",
    ), salt="earthing")
    continuity = (
        "For uninterrupted operation during power cuts, connect it to the hospital's "
        "emergency power circuit or an uninterruptible power supply sized by the distributor."
    )
    restart = (
        f"After a power interruption the {ctx.name} restarts in a safe state and records the "
        "interruption in its event log, so check the log and repeat any interrupted task or "
        "cycle before continuing."
    )
    return " ".join((supply, earthing, continuity, restart))


def alarms(ctx: SectionContext) -> str:
    summary = ctx.fill((
        "The {name} provides {alarms}.",
        "Alarm functions of the {name} comprise {alarms}.",
        "To alert users, the {name} offers {alarms}.",
    ), alarms=ctx.spec("alarms"))
    rules = ctx.fill((
        "Authorised users can adjust alarm limits and volume within the ranges allowed by the "
        "hospital configuration, and the defaults return when a new patient or case starts.",
        "Alarm limits, delays and volume are adjustable by authorised users only, and the "
        "hospital's default profile is restored for every new patient or case.",
    ), salt="rules")
    practice = (
        "Check the alarms during the daily pre-use test. Never silence an alarm without "
        f"attending to its cause, and never rely on the {ctx.name} alone: trained staff must "
        "observe the patient or process. Every alarm is time-stamped in the event log for later "
        "review."
    )
    return " ".join((summary, rules, practice))


def connectivity(ctx: SectionContext) -> str:
    value = ctx.spec("connectivity")
    summary = ctx.fill((
        "The {name} supports {c}.",
        "For data exchange, the {name} provides {c}.",
        "Connectivity of the {name}: {c}.",
    ), c=value)
    documents = [
        label for marker, label in (("HL7", "an HL7 interface specification"),
                                    ("DICOM", "a DICOM conformance statement"))
        if marker in value
    ]
    conformance = (
        f"The distributor supplies {' and '.join(documents)} on request."
        if documents
        else "No patient data leaves the device, so no interface specification is required."
    )
    setup = ctx.fill((
        "Network settings are configured by the hospital IT department together with our "
        "application specialists during installation. Configuration menus are protected by "
        "role-based user accounts, and data in transit is encrypted with TLS where the "
        "receiving system supports it.",
        "Our engineers configure the connection with the hospital IT team at installation. "
        "Service and network menus require a password, and encrypted transport is used "
        "wherever the hospital system supports it; security patches arrive with software "
        "updates.",
    ), salt="setup")
    return " ".join((summary, conformance, setup))


def cleaning(ctx: SectionContext) -> str:
    agents = ctx.fill((
        "Clean and disinfect the {name} after each patient using {agents}.",
        "Approved cleaning and disinfection agents for the {name} are {agents}.",
        "Between patients, wipe the {name} down with {agents}.",
    ), agents=ctx.spec("cleaning_agents"))
    method = (
        "Apply the agent with a damp, not wet, cloth, never spray directly onto the device and "
        "keep liquid out of connectors and vents. Respect the contact time on the "
        "disinfectant's label and let surfaces dry before use."
    )
    avoid = ctx.fill((
        "Do not use acetone, undiluted bleach, abrasive pads or other agents not listed "
        "here, because they can crack plastics and cloud displays.",
        "Agents not listed here, especially acetone, strong solvents and abrasive cleaners, "
        "may damage the housing and void the warranty.",
    ), salt="avoid")
    return " ".join((agents, method, avoid, "Visible soiling must be removed before disinfection."))


def sterilisation(ctx: SectionContext) -> str:
    summary = ctx.fill((
        "Sterilisation and reprocessing of the {name}: {s}.",
        "For the {name}, {s}.",
        "Reprocessing rules for the {name} are as follows: {s}.",
    ), s=ctx.spec("sterilisation"))
    validation = (
        "The reprocessing instructions are validated by the manufacturer according to "
        "ISO 17664; follow the hospital's CSSD procedures and the WS 310 standards where they "
        "apply."
    )
    inspection = ctx.fill((
        "Inspect every reprocessed part for cracks, discolouration or damaged seals and "
        "withdraw damaged items from use. Record reprocessing in the traceability system so "
        "each item can be linked to the patient it was used on.",
        "After each cycle check reusable parts of the {name} for wear, cracks and corrosion, "
        "and remove any damaged item from circulation. Traceability records must link "
        "reprocessed items to patients.",
    ), salt="inspection")
    return " ".join((summary, validation, inspection))


def consumables(ctx: SectionContext) -> str:
    summary = ctx.fill((
        "Approved consumables and accessories for the {name}: {items}.",
        "The {name} is used with the following consumables and accessories: {items}.",
        "Order these consumables and accessories for the {name}: {items}.",
    ), items=ctx.spec("consumables"))
    approval = (
        "Use only items approved by the manufacturer; third-party products may affect accuracy "
        "or safety and can void the warranty."
    )
    ordering = ctx.fill((
        "Consumables can be ordered through the distributor on standing monthly orders, and "
        "each item carries its own NMPA registration where one is required. Store them in "
        "their packaging at room temperature and use them before the printed expiry date.",
        "The distributor offers standing orders and consignment stock for consumables; every "
        "registrable item has its own NMPA certificate. Keep stock dry, rotate it first in "
        "first out and discard anything past its expiry date.",
    ), salt="ordering")
    return " ".join((summary, approval, ordering))
