"""Logistics: the delivery options of a warehouse, the carriers of a delivery option, and a
package's handover time slots.

Built to the reference (``reference/official_reference.md``: "Get Warehouse Delivery Options",
"Get Shipping Providers", "Get Package Handover Time Slots") and the official samples
``logistics_202309_warehouses_warehouse_id_delivery_options``, ``logistics_202309_delivery_
options_delivery_option_id_shipping_providers`` and ``fulfillment_202309_packages_package_id_
handover_time_slots``:

- A sales warehouse offers STANDARD, EXPRESS and ECONOMY delivery and SEND_BY_SELLER; a return
  warehouse ships nothing. Limits are in inches and pounds for US shops, centimetres and grams
  elsewhere (the units the reference enumerates).
- Get Shipping Providers answers 21008116 for an option the shop has no subscription to and
  21008117 for one TikTok fulfils itself (here ECONOMY): the endpoint's documented errors.
- Handover slots: pickup and drop-off for a package awaiting shipment, van collection in the UK
  only ("Specific to UK"), pickup slots for the next three days, 09-12 and 13-17 on the shop's
  clock, every fifth day fully booked; the field is spelt ``avaliable``, as the reference and sample spell it. A package that is not
  awaiting shipment has nothing to hand over: 21001001, the endpoint's invalid-parameter code.
  The reference names no error for an unknown warehouse; the sandbox answers the API's generic
  invalid-parameter error, 36009004.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g

from .api_errors import ApiError, invalid_param, ok
from .data import DAY, PACKAGE_ID_BASE
from .documents import PROVIDER
from .server import Endpoint, api_route, sandbox

OPTION_ID_BASE = 6_955_034_615_128_000_000
NO_SUBSCRIPTION = (21008116, "No Subscription without specified delivery option.", 400)
FULFILLED_BY_TIKTOK = (21008117, "The delivery of the specified delivery_option_id is fulfilled by TikTok. No shipping provider will be returned.", 400)
NOTHING_TO_HAND_OVER = 21001001
PROVIDERS = {
    "STANDARD": (PROVIDER, ("7117858858072016686", "USPS"), ("7117858858072016687", "UPS")),
    "EXPRESS": (("7117858858072016688", "FedEx"), ("7117858858072016687", "UPS")),
    "ECONOMY": (),  # fulfilled by TikTok
    "SEND_BY_SELLER": (("7117858858072016686", "USPS"), ("7117858858072016687", "UPS"), ("7117858858072016688", "FedEx"), ("7117858858072016689", "DHL")),
}
KINDS = tuple(PROVIDERS)
STANDARD_OFFSET_HOURS = {"US": -8, "GB": 0, "ID": 7, "SG": 8, "MY": 8, "TH": 7, "VN": 7, "PH": 8}


@dataclass(frozen=True)
class DeliveryOption:
    id: str
    kind: str
    warehouse_id: str


def delivery_options(shop) -> list[DeliveryOption]:
    """Every sales warehouse's options; the id says whose they are."""
    found = []
    for w, warehouse in enumerate(shop.warehouses):
        if warehouse.type != "SALES_WAREHOUSE":
            continue
        for k, kind in enumerate(KINDS):
            found.append(DeliveryOption(str(OPTION_ID_BASE + shop.index * 1_000 + w * 10 + k), kind, warehouse.id))
    return found


def option_document(shop, option: DeliveryOption) -> dict:
    inches = shop.region == "US"
    scale = {"STANDARD": 1, "EXPRESS": 1, "ECONOMY": 2, "SEND_BY_SELLER": 3}[option.kind]
    return {
        "id": option.id,
        "name": f"TTS-{shop.region}-{option.kind[:3]}",
        "type": option.kind,
        "description": f"{option.kind.replace('_', ' ').title()} delivery from warehouse {option.warehouse_id}",
        "dimension_limit": {
            "max_height": 40 * scale if inches else 100 * scale,
            "max_length": 40 * scale if inches else 100 * scale,
            "max_width": 40 * scale if inches else 100 * scale,
            "unit": "INCH" if inches else "CM",
        },
        "weight_limit": {"max_weight": 50 * scale if inches else 20_000 * scale, "min_weight": 0 if inches else 1, "unit": "POUND" if inches else "GRAM"},
        "platform": ["TIKTOK_SHOP"],
    }


def register(app: Flask) -> None:
    @api_route(app, "GET", "/logistics/202309/warehouses/{warehouse_id}/delivery_options", Endpoint("Logistics Basic"))
    def warehouse_delivery_options(warehouse_id):
        shop = g.shop
        if all(w.id != warehouse_id for w in shop.warehouses):
            raise invalid_param(f"warehouse {warehouse_id} is not a warehouse of this shop")
        return ok({"delivery_options": [option_document(shop, o) for o in delivery_options(shop) if o.warehouse_id == warehouse_id]})

    @api_route(app, "GET", "/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers", Endpoint("Logistics Basic"))
    def shipping_providers(delivery_option_id):
        option = next((o for o in delivery_options(g.shop) if o.id == delivery_option_id), None)
        if option is None:
            raise ApiError(NO_SUBSCRIPTION)
        if not PROVIDERS[option.kind]:
            raise ApiError(FULFILLED_BY_TIKTOK)
        return ok({"shipping_providers": [{"id": pid, "name": name} for pid, name in PROVIDERS[option.kind]]})

    @api_route(app, "GET", "/fulfillment/202309/packages/{package_id}/handover_time_slots", Endpoint("Package Split And Combine"))
    def handover_time_slots(package_id):
        box, shop = sandbox(), g.shop
        decoded = box.data.decode(package_id, PACKAGE_ID_BASE)
        if decoded is None or decoded[0] != shop.index or not 0 <= decoded[1] < shop.orders.count or shop.orders.paid_time[decoded[1]] == 0:
            raise invalid_param(f"package {package_id} does not exist in this shop", NOTHING_TO_HAND_OVER)
        if box.data.order_core(shop, decoded[1]).status != "AWAITING_SHIPMENT":
            raise invalid_param(f"package {package_id} is not awaiting shipment: there is nothing to hand over", NOTHING_TO_HAND_OVER)
        # The shop's working hours, on its own clock (standard time: close enough for a test double).
        offset = STANDARD_OFFSET_HOURS.get(shop.region, 0) * 3_600
        now = box.clock()
        today = now + offset - (now + offset) % DAY - offset  # the shop's local midnight, as UTC
        slots = [(today + d * DAY + start * 3_600, today + d * DAY + end * 3_600) for d in (1, 2, 3) for start, end in ((9, 12), (13, 17))]
        return ok(
            {
                "can_pickup": True,
                "can_drop_off": True,
                "can_van_collection": shop.region == "GB",
                "drop_off_point_url": f"https://logistics.example.com/drop-off?region={shop.region}",
                "pickup_slots": [{"start_time": s, "end_time": e, "avaliable": (s // DAY) % 5 != 4} for s, e in slots],
            }
        )


def truth(shop) -> dict:
    """Ground truth for tests: what a sync of delivery options must hold."""
    options = delivery_options(shop)
    return {
        "count": len(options),
        "carriers": sum(len(PROVIDERS[o.kind]) for o in options),
        "fulfilled_by_platform": sum(1 for o in options if not PROVIDERS[o.kind]),
    }
