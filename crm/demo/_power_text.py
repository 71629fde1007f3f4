"""The user manual's "Power and battery" section: battery run time, or that it is mains powered."""

from __future__ import annotations

from crm.demo._section_context import SectionContext, hours_phrase


def power(ctx: SectionContext) -> str:
    """Battery devices state run time and charge time; the others say they are mains powered."""
    return _battery_power(ctx) if ctx.line.has_battery else _mains_power(ctx)


def _battery_power(ctx: SectionContext) -> str:
    use = ctx.line.battery_use
    hours = hours_phrase(float(ctx.specs["battery_life_hours"]))
    rechargeable = "charge_time_hours" in ctx.specs
    runtime = ctx.fill(
        (
            "The {kind} battery of the {name} provides up to {hours} {use} on a full charge.",
            "On battery power the {name} runs for up to {hours} {use}, using its {kind} battery.",
            "A fully charged {kind} battery keeps the {name} running for up to {hours} {use}.",
        )
        if rechargeable
        else (
            "A new {kind} battery powers the {name} for up to {hours} {use}.",
            "The {name} runs for up to {hours} {use} on a new {kind} battery.",
        ),
        kind=ctx.spec("battery_type"),
        hours=hours,
        use=use,
    )
    if rechargeable:
        charge = ctx.fill(
            (
                (
                    "Recharging from empty takes about {charge} while the {name} is connected to "
                    "mains power ({supply}), and the device can be used while it charges."
                ),
                (
                    "A full recharge takes approximately {charge} on mains power ({supply}); the "
                    "{name} stays usable during charging."
                ),
            ),
            salt="charge",
            charge=hours_phrase(float(ctx.specs["charge_time_hours"])),
            supply=ctx.spec("power_supply"),
        )
        care = ctx.pick(
            (
                (
                    "Keep the device on mains power whenever it is not in use so that it is fully "
                    "charged for the next patient."
                ),
                "Leave it plugged in between uses; the charger prevents overcharging.",
                (
                    "Return it to mains power or its charger after every use so that the next user "
                    "starts with a full battery."
                ),
            ),
            salt="care",
        )
    else:
        charge = f"The battery is not rechargeable. Power source: {ctx.spec('power_supply')}."
        care = (
            "Replace the battery after any rescue that used it heavily, when the readiness "
            "indicator reports a low battery, or at the expiry date printed on the pack."
        )
    warning = ctx.fill(
        (
            (
                "A low-battery alarm warns the user well before shutdown, and the remaining capacity "
                "of the {name} is shown at all times."
            ),
            (
                "The {name} displays the remaining battery capacity continuously and raises a "
                "low-battery alarm in good time before it switches off."
            ),
            (
                "Remaining charge is always visible on the {name}, and a low-battery alarm sounds "
                "early enough to finish the task or change to mains power."
            ),
            (
                "A battery gauge on the {name} shows the charge left, and an audible warning is given "
                "before the battery is exhausted."
            ),
            (
                "Before the battery of the {name} runs flat, a low-battery alarm gives the user time "
                "to reach a power outlet."
            ),
        ),
        salt="warning",
    )
    ageing = ctx.pick(
        (
            (
                "Run time falls as the battery ages; the service manual describes the capacity test "
                "and when to replace the pack. Use only batteries supplied by the manufacturer."
            ),
            (
                "Capacity declines with age and charge cycles, so batteries are tested at each "
                "preventive maintenance visit. Third-party batteries are not approved."
            ),
            (
                "Expect shorter run times from an old pack: replace it when the capacity test in the "
                "service manual fails, and only with a genuine battery."
            ),
        ),
        salt="ageing",
    )
    return f"{runtime} {charge} {warning} {care} {ageing}"


def _mains_power(ctx: SectionContext) -> str:
    supply = ctx.fill(
        (
            "The {name} is mains powered and has no internal battery. It runs from {supply}.",
            "There is no internal battery: the {name} is mains powered from {supply}.",
            "The {name} is mains powered only ({supply}) and contains no battery for operation.",
            "Being mains powered, the {name} draws its power from {supply} and has no battery.",
            "No battery is fitted: the {name} is mains powered and needs {supply}.",
        ),
        supply=ctx.spec("power_supply"),
    )
    earthing = ctx.pick(
        (
            (
                "Connect it to a properly earthed hospital-grade socket or the dedicated supply "
                "prepared during installation, and never use extension leads or multi-socket strips."
            ),
            (
                "Use only the earthed outlet or dedicated circuit prepared at installation; extension "
                "leads and multiple socket strips are not permitted."
            ),
            (
                "A protective earth connection is mandatory, so plug it only into the outlet or "
                "circuit that our engineers tested at installation."
            ),
        ),
        salt="earthing",
    )
    continuity = ctx.pick(
        (
            (
                "For uninterrupted operation during power cuts, connect it to the hospital's "
                "emergency power circuit or an uninterruptible power supply sized by the distributor."
            ),
            (
                "Where work must continue through a power cut, supply it from the emergency power "
                "circuit or from a UPS that we can size for you."
            ),
            (
                "Power cuts stop the device unless it is fed from the emergency circuit or a suitably "
                "rated UPS, which the distributor can quote."
            ),
        ),
        salt="continuity",
    )
    restart = ctx.fill(
        (
            (
                "After a power interruption the {name} restarts in a safe state and records the "
                "interruption in its event log, so check the log and repeat any interrupted task or "
                "cycle before continuing."
            ),
            (
                "When power returns, the {name} starts up in a safe state and logs the interruption; "
                "review the log and repeat whatever task or cycle was cut short."
            ),
        ),
        salt="restart",
    )
    return f"{supply} {earthing} {continuity} {restart}"
