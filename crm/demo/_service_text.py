"""Section bodies of the service manual (SM) and the clinical evidence summary (CE)."""

from __future__ import annotations

from crm.demo._category_text import PROFILES, SITES
from crm.demo._section_context import SectionContext


def maintenance(ctx: SectionContext) -> str:
    interval = ctx.fill((
        "Preventive maintenance of the {name} is due every {m} months.",
        "Schedule preventive maintenance for the {name} every {m} months, counted from "
        "installation.",
        "The manufacturer's preventive maintenance interval for the {name} is every {m} "
        "months.",
    ), m=ctx.spec("maintenance_interval_months"))
    checks = f"Each visit includes {PROFILES[ctx.line.category].checks}."
    battery = (
        " The battery capacity is measured at every visit and the pack is replaced when it "
        "falls below 80% of its rated capacity."
        if ctx.line.has_battery
        else ""
    )
    who = ctx.fill((
        "Maintenance must be carried out by hospital biomedical engineers trained by the "
        "manufacturer or by the distributor's certified engineers, using calibrated test "
        "equipment. Record every visit in the hospital's equipment management system and "
        "attach the signed checklist.",
        "Only engineers certified on this model may open the device. Calibrated test "
        "equipment is required, and each visit is documented in the equipment management "
        "system with the signed checklist and the parts replaced.",
    ), salt="who")
    return f"{interval} {checks}{battery} {who}"


def troubleshooting(ctx: SectionContext) -> str:
    first, second = PROFILES[ctx.line.category].troubleshooting
    opening = ctx.fill((
        "Most faults reported on the {name} are resolved without a service visit.",
        "Before calling for service on the {name}, work through the checks below.",
        "This section lists the most common issues seen on the {name} in the field.",
    ))
    battery = (
        " If run time on battery is clearly shorter than specified, perform the battery "
        "capacity test described under preventive maintenance."
        if ctx.line.has_battery
        else ""
    )
    closing = (
        "If a problem persists, note the error code and software version shown in the system "
        "information screen and call the distributor's 24-hour service hotline; remote "
        "diagnostics are available for networked devices."
    )
    return f"{opening} {first.format(name=ctx.name)} {second.format(name=ctx.name)}{battery} {closing}"


def warranty(ctx: SectionContext) -> str:
    years = ctx.spec("warranty_years")
    cover = ctx.fill((
        "The {name} is covered by a {y}-year warranty from the date of installation "
        "acceptance, including parts, labour and travel.",
        "A {y}-year warranty on parts and labour applies to the {name}, starting on the date "
        "the installation acceptance form is signed.",
        "Warranty for the {name}: {y}-year coverage of parts, labour and engineer travel "
        "from installation acceptance.",
    ), y=years)
    exclusions = (
        "Consumables, accessories and damage from drops, liquid ingress, unapproved cleaning "
        "agents or unauthorised repair are excluded, and batteries are covered for 12 months."
    )
    response = ctx.fill((
        "During the warranty we answer service calls within 4 hours and reach hospitals in "
        "provincial capitals within 24 hours, elsewhere within 48 hours.",
        "Warranty service includes a 4-hour remote response and an on-site visit within 24 "
        "hours in provincial capitals or 48 hours in other cities.",
    ), salt="response")
    extension = (
        "Extended service contracts with preventive maintenance, loan units and uptime "
        "guarantees can be added at purchase or before the warranty ends."
    )
    return " ".join((cover, exclusions, response, extension))


def clinical_context(ctx: SectionContext) -> str:
    profile = PROFILES[ctx.line.category]
    positioning = ctx.fill((
        "The {name} is positioned for {use}.",
        "Within this context, the {name} is intended for {use}.",
    ), use=ctx.line.intended_use)
    scope = (
        "This summary presents the available evidence for procurement and clinical evaluation "
        "committees; it does not replace the instructions for use."
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
    caveat = ctx.fill((
        "The evaluation was sponsored by {maker}; it was a single-site study, and results in "
        "other settings may differ.",
        "{maker} funded this single-centre evaluation, so results should be read with that in "
        "mind and may differ elsewhere.",
    ), maker=ctx.line.manufacturer)
    more = (
        f"The full clinical evaluation report for the {ctx.name}, with a literature review of "
        "the device class and post-market surveillance data, is available to tender "
        "committees on request."
    )
    return " ".join((summary, caveat, more))
