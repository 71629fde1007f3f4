"""Section bodies of the product datasheet (document suffix DS)."""

from __future__ import annotations

from crm.demo._category_text import PROFILES
from crm.demo._section_context import SectionContext, end_sentence, format_spec, with_article

_FORM_TEXT = {
    "bedside": "The {name} stands on a bedside shelf or mounts on a wall or rail bracket, and "
    "its recessed handle lets staff carry it from bed to bed.",
    "portable": "Built to be carried, the {name} has an integrated handle and clips onto bed "
    "rails, stretchers and transport trolleys.",
    "pole-mounted": "A rotating clamp fixes the {name} to IV poles of 15 to 40 mm diameter, "
    "and a rolling stand is available as an option.",
    "wearable": "The {name} is worn by the patient in a pouch or on a belt clip, so the "
    "patient remains free to walk around the ward.",
    "handheld": "The {name} is held in one hand during use and rests in a protective wall "
    "holder or charging cradle between patients.",
    "cart": "The {name} rides on a cart with four locking castors, a height-adjustable "
    "control panel and storage space for accessories.",
    "benchtop": "The {name} is a benchtop unit that needs a stable, level surface with free "
    "ventilation space around it; a matching trolley is optional.",
    "floor-standing": "The {name} is a floor-standing installation, so floor loading, "
    "access routes and room preparation are agreed with our project team before delivery.",
    "ceiling-mounted": "The {name} hangs from a ceiling mount whose spring arms hold the "
    "light heads in any position without drifting.",
}

_SOLID = {
    "0": "not protected against solid objects",
    "2": "protected against fingers",
    "4": "protected against wires over 1 mm",
    "5": "dust protected",
    "6": "dust-tight",
    "X": "",
}
_WATER = {
    "0": "not protected against water",
    "1": "protected against vertically dripping water",
    "2": "protected against dripping water when tilted by up to 15 degrees",
    "3": "protected against spraying water",
    "4": "protected against splashing water from any direction",
    "6": "protected against powerful water jets",
    "7": "protected against temporary immersion to a depth of 1 m",
}


def ip_meaning(ip_rating: str) -> str:
    """Explain an IEC 60529 code such as 'IPX4' or 'IP67' in words."""
    solid, water = ip_rating[2], ip_rating[3]
    parts = [_SOLID.get(solid, ""), _WATER.get(water, "")]
    return " and ".join(part for part in parts if part)


def overview(ctx: SectionContext) -> str:
    line = ctx.line
    profile = PROFILES[line.category]
    opening = end_sentence(
        ctx.fill(
            (
                "The {name} is {noun} from {maker}",
                "Made by {maker}, the {name} is {noun} in our {category} range",
                "{maker} designs and builds the {name}, {noun}",
            ),
            noun=with_article(profile.noun),
            maker=line.manufacturer,
            category=line.category,
        )
    )
    origin = (
        "It is designed and manufactured in China, and spare parts are stocked in the "
        "distributor's regional warehouses."
        if line.origin == "domestic"
        else "It is manufactured abroad and imported by us as the manufacturer's authorised "
        "agent in China, with spare parts stocked locally."
    )
    closing = ctx.fill(
        (
            (
                "This datasheet gathers the physical, performance, environmental and regulatory data "
                "of the {name} for procurement teams, biomedical engineers and clinical users; "
                "operation is described in the user manual and upkeep in the service manual."
            ),
            (
                "Tender committees and biomedical engineers will find the key data of the {name} on "
                "the following pages, while operating and servicing details are in the user and "
                "service manuals."
            ),
        )
    )
    return " ".join(
        (opening, line.description, f"It is intended for {line.intended_use}.", origin, closing)
    )


def physical(ctx: SectionContext) -> str:
    size = ctx.fill(
        (
            "The {name} weighs {w} kg and measures {d} mm (width x depth x height).",
            "With dimensions of {d} mm (W x D x H), the {name} has a weight of {w} kg.",
            "Physical size of the {name}: {d} mm (W x D x H), with a weight of {w} kg.",
        ),
        w=ctx.spec("weight_kg"),
        d=ctx.spec("dimensions_mm"),
    )
    display = ctx.fill(
        (
            "Information is presented on {display}.",
            "Its user interface runs on {display}.",
            "Operators read and control the device on {display}.",
        ),
        display=ctx.spec("display"),
    )
    form = _FORM_TEXT[ctx.line.form].format(name=ctx.name)
    closing = ctx.fill(
        (
            (
                "The housing is made of flame-retardant polymer that resists the disinfectants listed "
                "in the user manual, and its seams are sealed so that dirt cannot collect. Labels, "
                "serial number and UDI barcode sit on the rear panel where they remain readable."
            ),
            (
                "Enclosure materials of the {name} withstand the approved cleaning agents, and "
                "rounded edges with sealed joints make wipe-down quick. The rating plate with the "
                "serial number and UDI barcode is on the rear or base."
            ),
        ),
        salt="closing",
    )
    return f"{size} {display} {form} {closing}"


def performance(ctx: SectionContext) -> str:
    intro = ctx.fill(
        (
            "Key performance figures of the {name} are listed below.",
            "The {name} delivers the following performance.",
            "Performance data for the {name}, as configured in the standard offer:",
        )
    )
    figures = [
        f"{perf.label}: {format_spec(ctx.specs[perf.key])}{perf.unit}."
        for perf in ctx.line.performance
    ]
    standard = ctx.fill(
        (
            (
                "Performance is verified against {standard} and the manufacturer's test protocols "
                "under reference conditions."
            ),
            (
                "Figures are measured under reference conditions following {standard} and the "
                "manufacturer's own verification procedures."
            ),
        ),
        salt="standard",
        standard=ctx.line.standard,
    )
    caveat = ctx.fill(
        (
            (
                "Actual results depend on configuration, options and clinical use, and the "
                "configuration quoted in the customer's offer is binding."
            ),
            (
                "Results in daily use vary with configuration and options; only the configuration "
                "written into the offer is contractually binding."
            ),
            (
                "The offer, not this datasheet, fixes the delivered configuration, and real-world "
                "figures depend on the options chosen and on clinical use."
            ),
        ),
        salt="caveat",
    )
    upgrades = ctx.fill(
        (
            (
                "Software options and hardware upgrades can be added after installation without "
                "returning the {name} to the factory, and our application specialists can "
                "demonstrate each figure on site during evaluation."
            ),
            (
                "Options for the {name} can be activated later by certified engineers on site, and a "
                "demonstration unit can be arranged so the clinical team can verify these figures."
            ),
            (
                "Hospitals can upgrade the {name} in the field as needs grow; ask the account manager "
                "for an on-site demonstration of any figure listed here."
            ),
        ),
        salt="upgrades",
    )
    return " ".join((intro, *figures, standard, caveat, upgrades))


def environmental(ctx: SectionContext) -> str:
    ip_rating = ctx.spec("ip_rating")
    temperature = ctx.fill(
        (
            "The {name} is specified for an operating temperature range of {t}.",
            "Operating temperature range of the {name}: {t}.",
            "Use the {name} within an ambient operating temperature range of {t}.",
            "The {name} works reliably at ambient temperatures of {t}.",
            "Rated operating temperature for the {name}: {t}.",
        ),
        t=ctx.spec("operating_temp_c"),
    )
    ingress = ctx.fill(
        (
            "It carries an ingress protection rating of {ip} under IEC 60529, meaning it is {m}.",
            "Its ingress protection rating is {ip} (IEC 60529): the enclosure is {m}.",
        ),
        salt="ip",
        ip=ip_rating,
        m=ip_meaning(ip_rating),
    )
    humidity = ctx.fill(
        (
            (
                "Relative humidity during operation may range from 15 to 90%, non-condensing, at "
                "altitudes up to 3,000 m."
            ),
            (
                "The device tolerates 10 to 93% relative humidity without condensation and "
                "atmospheric pressure from 70 to 106 kPa."
            ),
            (
                "Permitted humidity is 20 to 90% relative humidity, non-condensing, up to an altitude "
                "of 3,000 m."
            ),
        ),
        salt="humidity",
    )
    storage = ctx.pick(
        (
            (
                "For storage and transport keep it in its original packaging between -20 and 55 °C, "
                "and let it reach room temperature before switching on."
            ),
            (
                "Store and ship it packed at -20 to 60 °C; after cold transport wait until it has "
                "warmed to room temperature before use."
            ),
            (
                "In storage, -10 to 50 °C in the original carton is acceptable, but condensation must "
                "have cleared before the first start-up."
            ),
        ),
        salt="storage",
    )
    room = ctx.fill(
        (
            (
                "The room housing the {name} needs air conditioning that holds these conditions "
                "around the clock, including nights and holidays."
            ),
            (
                "Site planning for the {name} includes dedicated air conditioning, because the room "
                "must stay within these limits at all times."
            ),
        )
        if ctx.line.form == "floor-standing"
        else (
            (
                "Keep the {name} away from direct sunlight, heaters and air-conditioning outlets, and "
                "do not block its ventilation openings."
            ),
            (
                "Do not cover the vents of the {name} or place it next to radiators or in direct "
                "sunlight."
            ),
            (
                "Heat sources and blocked vents shorten the life of the {name}, so leave space around "
                "it and avoid direct sunlight."
            ),
        ),
        salt="room",
    )
    return f"{temperature} {ingress} {humidity} {storage} {room}"


def regulatory(ctx: SectionContext) -> str:
    line = ctx.line
    approvals = ctx.fill(
        (
            "The {name} holds the following approvals: {c}.",
            "Regulatory status of the {name}: {c}.",
            "Certifications held by the {name} include {c}.",
            "The {name} is approved as follows: {c}.",
            "Approvals for the {name}: {c}.",
        ),
        c=ctx.spec("certifications"),
    )
    holder = end_sentence(
        ctx.fill(
            (
                (
                    "As a domestically manufactured device, its NMPA registration certificate is held by "
                    "{maker}"
                ),
                "The NMPA registration certificate of this domestic device is held by {maker}",
            )
            if line.origin == "domestic"
            else (
                (
                    "As an imported device, its NMPA registration is held by {maker}, with our company "
                    "acting as the registered agent in China for adverse event reporting and recalls"
                ),
                (
                    "This imported device is registered with the NMPA by {maker}; we are its legal agent "
                    "in China and handle vigilance reporting and field safety actions"
                ),
            ),
            salt="holder",
            maker=line.manufacturer,
        )
    )
    standard = ctx.fill(
        (
            "Type testing covers the particular standard {standard}.",
            "The device-specific standard applied in type testing is {standard}.",
            "Besides the general safety standards, type tests follow {standard}.",
        ),
        salt="standard",
        standard=line.standard,
    )
    files = ctx.pick(
        (
            (
                "Copies of the registration certificate, the declaration of conformity and the "
                "latest type-test reports are available from the distributor for tender files."
            ),
            (
                "For tender files the distributor provides certified copies of the registration "
                "certificate, the conformity declaration and the type-test reports."
            ),
            (
                "Tender teams can request the registration certificate, the declaration of "
                "conformity and recent type-test reports from our regulatory affairs desk."
            ),
        ),
        salt="files",
    )
    udi = ctx.fill(
        (
            (
                "Every unit carries a unique device identifier (UDI) registered in the national UDI "
                "database, and renewals are tracked so tenders never cite an expired certificate."
            ),
            (
                "Each {name} is labelled with a UDI listed in the national database, and we monitor "
                "registration renewal dates on behalf of our customers."
            ),
            (
                "UDI labelling follows the NMPA rules, so each unit can be traced from the warehouse "
                "to the ward, and certificate renewals are monitored continuously."
            ),
        ),
        salt="udi",
    )
    return f"{approvals} {holder} {standard} {files} {udi}"
