"""Section bodies of the service manual (SM) and the clinical evidence summary (CE)."""

from __future__ import annotations

from crm.demo._category_text import PROFILES, SITES
from crm.demo._section_context import SectionContext

# A fault typical of how the device is handled, so troubleshooting differs within a category.
_FORM_TIPS = {
    "bedside": "If the {name} was knocked off its shelf or bracket, inspect the housing and "
    "mounting before returning it to service.",
    "portable": "After a drop or a hard knock during transport, inspect the {name} for cracks "
    "and run the self-test before the next patient.",
    "pole-mounted": "A {name} that wobbles on the pole usually has a worn clamp pad, which "
    "can be replaced without tools.",
    "wearable": "If the {name} loses its link while the patient walks about, check for dead "
    "zones in wireless coverage before suspecting the device.",
    "handheld": "A {name} that was dropped must be checked for cracks in the housing or lens "
    "before its next use.",
    "cart": "If the {name} cart is hard to steer, check that all castor brakes are released "
    "and the wheels are free of debris.",
    "benchtop": "Vibration or overheating of the {name} often means its vents are blocked or "
    "the surface under it is not level.",
    "floor-standing": "Error messages at start-up of the {name} often follow a room "
    "temperature excursion, so check the air conditioning log first.",
    "ceiling-mounted": "If the {name} drifts from its position, the spring arm brakes need "
    "adjustment by a service engineer.",
}


def maintenance(ctx: SectionContext) -> str:
    interval = ctx.fill(
        (
            "Preventive maintenance of the {name} is due every {m} months.",
            (
                "Schedule preventive maintenance for the {name} every {m} months, counted from "
                "installation."
            ),
            (
                "The manufacturer's preventive maintenance interval for the {name} is every {m} "
                "months."
            ),
            "Plan a preventive maintenance visit for the {name} every {m} months.",
            "Every {m} months the {name} needs a preventive maintenance visit.",
        ),
        m=ctx.spec("maintenance_interval_months"),
    )
    checks = ctx.pick(
        (
            "Each visit includes {checks}.",
            "A visit covers {checks}.",
            "The maintenance checklist comprises {checks}.",
        ),
        salt="checks",
    ).format(checks=PROFILES[ctx.line.category].checks)
    battery = (
        " The battery capacity is measured at every visit and the pack is replaced when it "
        "falls below 80% of its rated capacity."
        if ctx.line.has_battery
        else ""
    )
    who = ctx.fill(
        (
            (
                "Maintenance must be carried out by hospital biomedical engineers trained by the "
                "manufacturer or by the distributor's certified engineers, using calibrated test "
                "equipment. Record every visit in the hospital's equipment management system and "
                "attach the signed checklist."
            ),
            (
                "Only engineers certified on this model may open the device. Calibrated test "
                "equipment is required, and each visit is documented in the equipment management "
                "system with the signed checklist and the parts replaced."
            ),
            (
                "Work on the {name} is reserved for manufacturer-trained engineers with calibrated "
                "tools, and the signed checklist of each visit belongs in the equipment file."
            ),
        ),
        salt="who",
    )
    between = ctx.pick(
        (
            (
                "Between visits users run the daily pre-use check from the user manual, and the "
                "equipment management system flags the next due date 30 days in advance."
            ),
            (
                "Users carry out the pre-use check described in the user manual every day, while the "
                "hospital's asset system reminds engineering a month before each visit is due."
            ),
            (
                "Daily user checks continue between visits, and we send a reminder four weeks before "
                "the next scheduled maintenance."
            ),
            (
                "Outside the scheduled visits, the user's daily pre-use check remains the first line "
                "of defence, and overdue maintenance is flagged in the service portal."
            ),
        ),
        salt="between",
    )
    return f"{interval} {checks}{battery} {who} {between}"


def troubleshooting(ctx: SectionContext) -> str:
    first, second = PROFILES[ctx.line.category].troubleshooting
    opening = ctx.fill(
        (
            "Most faults reported on the {name} are resolved without a service visit.",
            "Before calling for service on the {name}, work through the checks below.",
            "This section lists the most common issues seen on the {name} in the field.",
            "Field experience with the {name} shows a few recurring issues, listed here.",
            "Common problems with the {name} and their usual causes are described below.",
        )
    )
    battery = (
        " If run time on battery is clearly shorter than specified, perform the battery "
        "capacity test described under preventive maintenance."
        if ctx.line.has_battery
        else ""
    )
    closing = ctx.pick(
        (
            (
                "If a problem persists, note the error code and software version shown in the system "
                "information screen and call the distributor's 24-hour service hotline; remote "
                "diagnostics are available for networked devices."
            ),
            (
                "Unresolved faults should be reported to our 24-hour hotline with the error code, "
                "serial number and software version, and networked units can often be diagnosed "
                "remotely."
            ),
            (
                "When the steps above do not help, take the device out of use, label it as faulty and "
                "contact the service hotline with its serial number and the error code displayed."
            ),
        ),
        salt="closing",
    )
    tips = " ".join(tip.format(name=ctx.name) for tip in (first, second, _FORM_TIPS[ctx.line.form]))
    return f"{opening} {tips}{battery} {closing}"


def warranty(ctx: SectionContext) -> str:
    years = ctx.spec("warranty_years")
    cover = ctx.fill(
        (
            (
                "The {name} is covered by a {y}-year warranty from the date of installation "
                "acceptance, including parts, labour and travel."
            ),
            (
                "A {y}-year warranty on parts and labour applies to the {name}, starting on the date "
                "the installation acceptance form is signed."
            ),
            (
                "Warranty for the {name}: {y}-year coverage of parts, labour and engineer travel "
                "from installation acceptance."
            ),
            (
                "We warrant the {name} for {y} years ({y}-year warranty) from installation "
                "acceptance, covering parts, labour and travel."
            ),
            (
                "Each {name} ships with a {y}-year warranty that starts at installation acceptance "
                "and covers parts and labour."
            ),
        ),
        y=years,
    )
    exclusions = ctx.pick(
        (
            (
                "Consumables, accessories and damage from drops, liquid ingress, unapproved cleaning "
                "agents or unauthorised repair are excluded."
            ),
            (
                "The warranty does not cover consumables, accessories, misuse, liquid damage or repairs "
                "by unauthorised parties."
            ),
            (
                "Exclusions: consumables and accessories, physical or liquid damage, unapproved "
                "cleaning agents and third-party repairs."
            ),
        ),
        salt="exclusions",
    )
    if ctx.line.has_battery:
        # Batteries wear out with use, so their cover is shorter than the device's.
        exclusions += " Batteries are covered for 12 months."
    else:
        exclusions += " Wear parts listed in the service manual are covered for 12 months."
    response = ctx.fill(
        (
            (
                "During the warranty we answer service calls within 4 hours and reach hospitals in "
                "provincial capitals within 24 hours, elsewhere within 48 hours."
            ),
            (
                "Service calls under warranty get a remote response within 4 hours and an engineer on "
                "site within one working day in most cities."
            ),
            (
                "Warranty repairs are handled by our regional service centres, with a loan unit "
                "provided when a repair takes longer than three working days."
            ),
            (
                "Warranty service includes a 4-hour remote response and an on-site visit within 24 "
                "hours in provincial capitals or 48 hours in other cities."
            ),
        ),
        salt="response",
    )
    extension = ctx.pick(
        (
            (
                "Extended service contracts with preventive maintenance, loan units and uptime "
                "guarantees can be added at purchase or before the warranty ends."
            ),
            (
                "Service contracts that extend cover, include preventive maintenance and guarantee "
                "uptime can be bought with the device or at any time during the warranty."
            ),
            (
                "Before the warranty ends, the account manager will offer an extended contract with "
                "scheduled maintenance and a loan unit during repairs."
            ),
        ),
        salt="extension",
    )
    return f"{cover} {exclusions} {response} {extension}"


def clinical_context(ctx: SectionContext) -> str:
    profile = PROFILES[ctx.line.category]
    positioning = ctx.fill(
        (
            "The {name} is positioned for {use}.",
            "Within this context, the {name} is intended for {use}.",
        ),
        use=ctx.line.intended_use,
    )
    scope = ctx.pick(
        (
            (
                "This summary presents the available evidence for procurement and clinical evaluation "
                "committees; it does not replace the instructions for use."
            ),
            (
                "The evidence below is summarised for value analysis and tender committees and does "
                "not replace the instructions for use."
            ),
            (
                "Clinical and procurement reviewers can use this summary alongside the instructions "
                "for use, which remain the binding document."
            ),
        ),
        salt="scope",
    )
    return " ".join((profile.context.format(name=ctx.name), positioning, scope))


def evidence(ctx: SectionContext) -> str:
    index = ctx.line.index
    # Numbers follow from the product index, not the seed: evidence should not change with it.
    summary = PROFILES[ctx.line.category].evidence.format(
        name=ctx.name,
        site=SITES[index % len(SITES)],
        n=60 + (index * 47) % 420,
        pct=91 + (index * 7) % 8,
        drop=12 + (index * 5) % 25,
        months=6 + (index % 4) * 3,
    )
    caveat = ctx.fill(
        (
            (
                "The evaluation was sponsored by {maker}; it was a single-site study, and results in "
                "other settings may differ."
            ),
            (
                "{maker} funded this single-centre evaluation, so results should be read with that in "
                "mind and may differ elsewhere."
            ),
        ),
        maker=ctx.line.manufacturer,
    )
    more = ctx.fill(
        (
            (
                "The full clinical evaluation report for the {name}, with a literature review of the "
                "device class and post-market surveillance data, is available to tender committees "
                "on request."
            ),
            (
                "Tender committees may request the complete clinical evaluation report of the {name}, "
                "including the literature review and post-market surveillance data."
            ),
            (
                "A full clinical evaluation report for the {name} and its post-market surveillance "
                "summary can be provided under a confidentiality agreement."
            ),
        ),
        salt="more",
    )
    return f"{summary} {caveat} {more}"
