"""The logistics rate card: delivery and installation cost per unit, by region and shipping class.

This is the one documented way a region may enter a price recommendation (docs/agents/budget.md,
"Fairness"): as a separate, itemised cost line of getting goods to the site, never as a factor
on the unit price. The rates are the distributor's published card; change them here and in the
docs together, and bump ``RATE_CARD_ID`` so recommendations name the card they used.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tools.errors import UnknownRegion

ShippingClass = Literal["parcel", "freight", "system"]

RATE_CARD_ID = "logistics-2026-01"
RATE_CARD_SOURCE = "logistics_rates"
# List-price breakpoints of the shipping classes (CNY): the same breakpoints the price book
# uses for its volume tiers, because they separate boxed devices, crated equipment and systems
# that need rigging and an installation engineer on site.
PARCEL_BELOW = Decimal(50_000)
FREIGHT_BELOW = Decimal(1_000_000)

# CNY per unit delivered and installed, by region and shipping class. Distance from the
# distributor's warehouses (Shanghai, Beijing, Guangzhou) is what makes them differ.
RATES: dict[str, dict[ShippingClass, Decimal]] = {
    "East": {"parcel": Decimal(150), "freight": Decimal(1_800), "system": Decimal(18_000)},
    "North": {"parcel": Decimal(200), "freight": Decimal(2_400), "system": Decimal(24_000)},
    "South": {"parcel": Decimal(200), "freight": Decimal(2_400), "system": Decimal(24_000)},
    "Central": {"parcel": Decimal(250), "freight": Decimal(3_000), "system": Decimal(30_000)},
    "West": {"parcel": Decimal(400), "freight": Decimal(5_000), "system": Decimal(48_000)},
}
REGIONS: tuple[str, ...] = tuple(RATES)


class LogisticsRate(BaseModel):
    """The rate card line that applies to one product delivered to one region."""

    model_config = ConfigDict(frozen=True)

    rate_card: str
    region: str
    shipping_class: ShippingClass
    cost_per_unit: Decimal
    currency: str = "CNY"

    @property
    def record_id(self) -> str:
        """Stable id of the card line, for provenance: ``<card>:<region>:<class>``."""
        return f"{self.rate_card}:{self.region}:{self.shipping_class}"


def shipping_class(list_price: Decimal) -> ShippingClass:
    """The shipping class of a product from its list price."""
    if list_price < PARCEL_BELOW:
        return "parcel"
    if list_price < FREIGHT_BELOW:
        return "freight"
    return "system"


def logistics_rate(region: str, *, list_price: Decimal) -> LogisticsRate:
    """The delivery and installation cost per unit of a product priced ``list_price`` in ``region``."""
    rates = RATES.get(region)
    if rates is None:
        raise UnknownRegion(region, REGIONS)
    kind = shipping_class(list_price)
    return LogisticsRate(
        rate_card=RATE_CARD_ID, region=region, shipping_class=kind, cost_per_unit=rates[kind]
    )
