"""JSON documents in the official response shapes, built from the seeded records.

Money goes out as strings in the shop's currency, ids as strings, times as unix seconds.
Personal data is synthetic and masked the way TikTok masks it.
"""

from __future__ import annotations

from ..cancel_reasons import seller_cancel_reasons
from .data import (
    CANCEL_ID_BASE,
    CANCEL_REASONS,
    PACKAGE_ID_BASE,
    RETURN_ID_BASE,
    RETURN_REASONS,
    SHOP_STRIDE,
    OrderCore,
    Product,
    Shop,
    ShopData,
    statement_time,
)
from .money import fmt

# The text TikTok shows for a seller's cancel reason, from the same table the reasons come from.
SELLER_REASON_TEXT = {
    name: text for table in (seller_cancel_reasons(m, s) for m in ("US", "GB", "ID") for s in ("UNPAID", "AWAITING_SHIPMENT")) for name, text in table
}

FIRST_NAMES = ("Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie")
LAST_NAMES = ("Lee", "Kim", "Garcia", "Nguyen", "Smith", "Tan", "Rossi", "Okafor")
STREETS = ("Market St", "Orchard Rd", "High St", "Main Ave", "Sunset Blvd", "King St")
PROVIDER = ("6617675021119438849", "TT Virtual express")

PACKAGE_STATUS_OF_ORDER = {
    "UNPAID": "PROCESSING",
    "ON_HOLD": "PROCESSING",
    "AWAITING_SHIPMENT": "PROCESSING",
    "PARTIALLY_SHIPPING": "FULFILLING",
    "AWAITING_COLLECTION": "FULFILLING",
    "IN_TRANSIT": "FULFILLING",
    "DELIVERED": "COMPLETED",
    "COMPLETED": "COMPLETED",
    "CANCELLED": "CANCELLED",
}
LINE_PACKAGE_STATUS = {
    "UNPAID": "TO_FULFILL",
    "ON_HOLD": "TO_FULFILL",
    "AWAITING_SHIPMENT": "TO_FULFILL",
    **{k: v for k, v in PACKAGE_STATUS_OF_ORDER.items() if k not in ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT")},
}


def money(shop: Shop, minor: int) -> str:
    return fmt(minor, shop.decimals)


def amount(shop: Shop, minor: int) -> dict:
    return {"amount": money(shop, minor), "currency": shop.currency}


def package_id(shop: Shop, i: int) -> str:
    return str(PACKAGE_ID_BASE + shop.index * SHOP_STRIDE + i)


def return_id(shop: Shop, i: int) -> str:
    return str(RETURN_ID_BASE + shop.index * SHOP_STRIDE + i)


def cancel_id(shop: Shop, i: int) -> str:
    return str(CANCEL_ID_BASE + shop.index * SHOP_STRIDE + i)


def line_item_id(data: ShopData, shop: Shop, i: int, k: int) -> str:
    return str(int(data.order_id(shop, i)) * 10 + k)


def tracking_number(shop: Shop, i: int) -> str:
    return f"TT{shop.index}{i:011d}"


def _address(shop: Shop, buyer: int, full: bool) -> dict:
    first, last = FIRST_NAMES[buyer % 8], LAST_NAMES[(buyer // 8) % 8]
    street = f"{buyer % 900 + 100} {STREETS[(buyer // 64) % len(STREETS)]}"
    postal = f"{buyer % 90000 + 10000}"
    address = {
        "full_address": f"{street}, {postal}, {shop.region}",
        "phone_number": f"(+1)***-***-{buyer % 10000:04d}",
        "name": f"{first} {last}",
        "first_name": first,
        "last_name": last,
        "address_detail": "",
        "address_line1": street,
        "address_line2": "",
        "address_line3": "",
        "address_line4": "",
        "postal_code": postal,
        "region_code": shop.region,
    }
    if full:
        address["first_name_local_script"] = ""
        address["last_name_local_script"] = ""
        address["post_town"] = ""
        address["district_info"] = [{"address_level_name": "Country", "address_name": shop.region, "address_level": "L0"}]
        address["delivery_preferences"] = {"drop_off_location": "Front Door"}
    return address


def order_document(data: ShopData, shop: Shop, core: OrderCore) -> dict:
    i = core.index
    order_id = data.order_id(shop, i)
    status = core.status
    paid = core.stage_time("AWAITING_SHIPMENT")
    rts = core.stage_time("AWAITING_COLLECTION")
    shipped = rts > 0
    cancelled = status == "CANCELLED"
    line_items = []
    for k, (product_index, sku_index, price, seller_discount, platform_discount) in enumerate(core.lines):
        product = shop.products[product_index]
        sku = product.skus[sku_index]
        line_items.append(
            {
                "id": line_item_id(data, shop, i, k),
                "sku_id": sku.id,
                "combined_listing_skus": [],
                "display_status": status,
                "product_name": product.title,
                "seller_sku": sku.seller_sku,
                "sku_image": f"https://sandbox.invalid/img/{sku.id}.jpg",
                "sku_name": sku.name,
                "product_id": product.id,
                "sale_price": money(shop, price - seller_discount - platform_discount),
                "platform_discount": money(shop, platform_discount),
                "seller_discount": money(shop, seller_discount),
                "sku_type": "NORMAL",
                "cancel_reason": CANCEL_REASONS[i % len(CANCEL_REASONS)] if cancelled else "",
                "original_price": money(shop, price),
                "rts_time": rts,
                "package_status": LINE_PACKAGE_STATUS[status],
                "currency": shop.currency,
                "shipping_provider_name": PROVIDER[1] if shipped else "",
                "cancel_user": "BUYER" if cancelled else "",
                "shipping_provider_id": PROVIDER[0] if shipped else "",
                "is_gift": False,
                "item_tax": [
                    {
                        "tax_type": "SALES_TAX",
                        "tax_amount": money(shop, (price - seller_discount - platform_discount) * core.tax_rate_bp // 10_000),
                        "tax_rate": f"{core.tax_rate_bp / 10_000:.4f}",
                    }
                ],
                "tracking_number": tracking_number(shop, i) if shipped else "",
                "package_id": package_id(shop, i) if paid else "",
                "retail_delivery_fee": money(shop, core.retail_delivery_fee if k == 0 else 0),
                "buyer_service_fee": money(shop, 0),
                "small_order_fee": money(shop, 0),
                "handling_duration_days": "2",
                "is_dangerous_good": False,
                "needs_prescription": False,
                "pfand_fee": money(shop, 0),
                "gift_retail_price": money(shop, 0),
            }
        )
    document = {
        "id": order_id,
        "buyer_message": "",
        "cancellation_initiator": "BUYER" if cancelled else "",
        "shipping_provider_id": PROVIDER[0] if shipped else "",
        "create_time": core.create_time,
        "shipping_provider": PROVIDER[1] if shipped else "",
        "packages": [{"id": package_id(shop, i)}] if paid else [],
        "payment": {
            "currency": shop.currency,
            "sub_total": money(shop, core.sub_total),
            "shipping_fee": money(shop, core.shipping_fee),
            "seller_discount": money(shop, core.seller_discount),
            "platform_discount": money(shop, core.platform_discount),
            "total_amount": money(shop, core.total),
            "original_total_product_price": money(shop, core.original_total),
            "original_shipping_fee": money(shop, core.ship_original),
            "shipping_fee_seller_discount": money(shop, core.ship_seller_discount),
            "shipping_fee_platform_discount": money(shop, core.ship_platform_discount),
            "tax": money(shop, core.product_tax),
            "small_order_fee": money(shop, 0),
            "shipping_fee_tax": money(shop, 0),
            "product_tax": money(shop, core.product_tax),
            "retail_delivery_fee": money(shop, core.retail_delivery_fee),
            "buyer_service_fee": money(shop, 0),
            "handling_fee": money(shop, 0),
            "shipping_insurance_fee": money(shop, 0),
            "item_insurance_fee": money(shop, 0),
            "item_insurance_tax": money(shop, 0),
            "shipping_fee_cofunded_discount": money(shop, 0),
        },
        "status": status,
        "fulfillment_type": "FULFILLMENT_BY_SELLER",
        "delivery_type": "HOME_DELIVERY",
        "paid_time": paid,
        "rts_sla_time": (paid + 2 * 86_400) if paid else 0,
        "tts_sla_time": (paid + 5 * 86_400) if paid else 0,
        "cancel_reason": CANCEL_REASONS[i % len(CANCEL_REASONS)] if cancelled else "",
        "update_time": core.update_time,  # a return's progress updates its order too
        "payment_method_name": "CCDC",
        "rts_time": rts,
        "tracking_number": tracking_number(shop, i) if shipped else "",
        "split_or_combine_tag": "",
        "has_updated_recipient_address": False,
        "cancel_order_sla_time": core.create_time + 86_400,
        "warehouse_id": shop.warehouses[0].id,
        "request_cancel_time": core.stage_time("CANCELLED"),
        "shipping_type": "TIKTOK",
        "user_id": f"70{core.buyer:017d}",
        "seller_note": "",
        "delivery_sla_time": (paid + 7 * 86_400) if paid else 0,
        "is_cod": False,
        "delivery_option_id": "7091146663229654785",
        "cancel_time": core.stage_time("CANCELLED"),
        "need_upload_invoice": "NO_NEED",
        "delivery_option_name": "Standard Shipping",
        "cpf": "",
        "line_items": line_items,
        "buyer_email": f"buyer{core.buyer}@scs.tiktokw.us",
        "delivery_due_time": (paid + 7 * 86_400) if paid else 0,
        "is_sample_order": False,
        "shipping_due_time": (paid + 2 * 86_400) if paid else 0,
        "collection_due_time": (paid + 3 * 86_400) if paid else 0,
        "delivery_option_required_delivery_time": (paid + 7 * 86_400) if paid else 0,
        "is_on_hold_order": status == "ON_HOLD",
        "delivery_time": core.stage_time("DELIVERED"),
        "is_replacement_order": False,
        "collection_time": core.stage_time("IN_TRANSIT"),
        "replaced_order_id": "",
        "is_buyer_request_cancel": False,
        "pick_up_cut_off_time": 0,
        "fast_dispatch_sla_time": 0,
        "commerce_platform": "TIKTOK_SHOP",
        "order_type": "NORMAL",
        "release_date": 0,
        "handling_duration": {"days": "2", "type": "BUSINESS_DAY"},
        "auto_combine_group_id": "",
        "cpf_name": "",
        "is_exchange_order": False,
        "exchange_source_order_id": "",
        "consultation_id": "",
        "fast_delivery_program": "",
        "fulfillment_priority_level": 0,
        "recommended_shipping_time": (paid + 86_400) if paid else 0,
        "payment_method_code": "CCDC",
        "payment_card_type": "",
        "payment_auth_code": "",
        "channel_entity_national_registry_id": "",
    }
    # The recipient's address is not available before the order is paid.
    if status not in ("UNPAID", "ON_HOLD"):
        document["recipient_address"] = _address(shop, core.buyer, full=True)
    return document


def price_detail_document(shop: Shop, core: OrderCore, data: ShopData) -> dict:
    def block(list_price, sale, seller, platform, ship_list, ship_sale, ship_seller, ship_platform, tax, total):
        return {
            "currency": shop.currency,
            "total": money(shop, total),
            "payment": money(shop, total),
            "sku_list_price": money(shop, list_price),
            "sku_sale_price": money(shop, sale),
            "subtotal": money(shop, sale),
            "subtotal_deduction_seller": money(shop, seller),
            "subtotal_deduction_platform": money(shop, platform),
            "subtotal_tax_amount": money(shop, tax),
            "voucher_deduction_platform": money(shop, 0),
            "voucher_deduction_seller": money(shop, 0),
            "shipping_list_price": money(shop, ship_list),
            "shipping_sale_price": money(shop, ship_sale),
            "shipping_fee_deduction_seller": money(shop, ship_seller),
            "shipping_fee_deduction_platform": money(shop, ship_platform),
            "shipping_fee_deduction_platform_voucher": money(shop, 0),
            "tax_amount": money(shop, tax),
            "tax_rate": f"{core.tax_rate_bp / 10_000:.4f}",
            "net_price_amount": money(shop, sale),
            "cod_fee": money(shop, 0),
            "sku_gift_original_price": money(shop, 0),
            "sku_gift_net_price": money(shop, 0),
        }

    document = block(
        core.original_total,
        core.sub_total,
        core.seller_discount,
        core.platform_discount,
        core.ship_original,
        core.shipping_fee,
        core.ship_seller_discount,
        core.ship_platform_discount,
        core.product_tax,
        core.total,
    )
    document["cod_fee_net_amount"] = money(shop, 0)
    lines = []
    for k, (_, _, price, seller, platform) in enumerate(core.lines):
        sale = price - seller - platform
        tax = sale * core.tax_rate_bp // 10_000
        line = {"id": line_item_id(data, shop, core.index, k), **block(price, sale, seller, platform, 0, 0, 0, 0, tax, sale + tax)}
        line["cod_fee_amount"] = money(shop, 0)
        lines.append(line)
    document["line_items"] = lines
    return document


def package_document(data: ShopData, shop: Shop, core: OrderCore, detail: bool, shipment: dict | None = None) -> dict:
    i = core.index
    status = PACKAGE_STATUS_OF_ORDER[core.status]
    shipped = core.stage_time("AWAITING_COLLECTION") > 0
    skus = {}
    for product_index, sku_index, *_ in core.lines:
        product = shop.products[product_index]
        sku = product.skus[sku_index]
        entry = skus.setdefault(sku.id, {"id": sku.id, "name": sku.name, "image_url": f"https://sandbox.invalid/img/{sku.id}.jpg", "quantity": 0})
        entry["quantity"] += 1
    tracking = (shipment or {}).get("tracking_number") or (tracking_number(shop, i) if shipped else "")
    common = {
        "orders": [{"id": data.order_id(shop, i), "skus": list(skus.values())}],
        "create_time": core.stage_time("AWAITING_SHIPMENT") or core.create_time,
        "update_time": core.stages[-1][1],
        "tracking_number": tracking,
        "shipping_provider_name": PROVIDER[1] if tracking else "",
        "shipping_provider_id": (shipment or {}).get("shipping_provider_id") or (PROVIDER[0] if tracking else ""),
        "order_line_item_ids": [line_item_id(data, shop, i, k) for k in range(len(core.lines))],
    }
    if not detail:
        return {"id": package_id(shop, i), **common, "status": status}
    return {
        "package_id": package_id(shop, i),
        **common,
        "package_status": status,
        "split_and_combine_tag": "",
        "has_multi_skus": len(skus) > 1,
        "note_tag": "",
        "shipping_type": "TIKTOK",
        "delivery_option_name": "Standard Shipping",
        "delivery_option_id": "7091146663229654785",
        "last_mile_tracking_number": tracking,
        "pickup_slot": {"start_time": 0, "end_time": 0},
        "handover_method": (shipment or {}).get("handover_method", "DROP_OFF"),
        "recipient_address": {k: v for k, v in _address(shop, core.buyer, full=False).items() if k not in ("first_name", "last_name")},
        "sender_address": {k: v for k, v in _address(shop, 7, full=False).items() if k not in ("first_name", "last_name")},
        "weight": {"value": "0.5", "unit": "KILOGRAM"},
        "dimension": {"length": "20", "width": "15", "height": "10", "unit": "CM"},
        "insurance": {"is_purchased": False, "coverage_amount": money(shop, 0), "is_claim_eligible": False, "claim_status": ""},
    }


def _refund_amount(shop: Shop, core: OrderCore) -> dict:
    return {
        "currency": shop.currency,
        "refund_total": money(shop, core.total),
        "refund_subtotal": money(shop, core.sub_total),
        "refund_shipping_fee": money(shop, core.shipping_fee),
        "refund_tax": money(shop, core.product_tax),
        "retail_delivery_fee": money(shop, core.retail_delivery_fee),
        "buyer_service_fee": money(shop, 0),
    }


def _line_refund(shop: Shop, core: OrderCore, k: int) -> dict:
    _, _, price, seller, platform = core.lines[k]
    sale = price - seller - platform
    tax = sale * core.tax_rate_bp // 10_000
    return {
        "currency": shop.currency,
        "refund_total": money(shop, sale + tax),
        "refund_subtotal": money(shop, sale),
        "refund_shipping_fee": money(shop, 0),
        "refund_tax": money(shop, tax),
        "retail_delivery_fee": money(shop, 0),
        "buyer_service_fee": money(shop, 0),
    }


def _after_sale_lines(data: ShopData, shop: Shop, core: OrderCore, id_field: str, base_id: int) -> list[dict]:
    """The lines of a return or cancellation: one per order line, refunding it whole."""
    lines = []
    for k, (product_index, sku_index, *_rest) in enumerate(core.lines):
        product = shop.products[product_index]
        sku = product.skus[sku_index]
        lines.append(
            {
                id_field: str(base_id * 10 + k),
                "order_line_item_id": line_item_id(data, shop, core.index, k),
                "sku_id": sku.id,
                "sku_name": sku.name,
                "product_name": product.title,
                "seller_sku": sku.seller_sku,
                "product_image": {"url": f"https://sandbox.invalid/img/{sku.id}.jpg", "width": 200, "height": 200},
                "refund_amount": _line_refund(shop, core, k),
            }
        )
    return lines


def return_document(data: ShopData, shop: Shop, core: OrderCore, return_type: str) -> dict:
    i = core.index
    lines = _after_sale_lines(data, shop, core, "return_line_item_id", int(return_id(shop, i)))
    status = core.return_stages[-1][0]
    return {
        "order_id": data.order_id(shop, i),
        "return_id": return_id(shop, i),
        "return_type": return_type,
        "return_status": status,
        "arbitration_status": "",
        "role": "BUYER",
        "return_reason": "ecom_order_delivered_refund_and_return_reason_not_as_described",
        "return_reason_text": RETURN_REASONS[i % len(RETURN_REASONS)],
        "shipment_type": "PLATFORM" if return_type == "RETURN_AND_REFUND" else "",
        "handover_method": "DROP_OFF" if return_type == "RETURN_AND_REFUND" else "",
        "return_tracking_number": f"RT{shop.index}{i:011d}"
        if status in ("BUYER_SHIPPED_ITEM", "RETURN_OR_REFUND_REQUEST_COMPLETE") and return_type == "RETURN_AND_REFUND"
        else "",
        "return_provider_name": PROVIDER[1] if return_type == "RETURN_AND_REFUND" else "",
        "return_provider_id": PROVIDER[0] if return_type == "RETURN_AND_REFUND" else "",
        "pre_return_id": "",
        "next_return_id": "",
        "can_buyer_keep_item": return_type == "REFUND",
        "update_time": core.return_stages[-1][1],
        "seller_next_action_response": [{"action": "SELLER_RESPOND_REQUEST", "deadline": core.return_stages[0][1] + 2 * 86_400}]
        if status == "RETURN_OR_REFUND_REQUEST_PENDING"
        else [],
        "create_time": core.return_stages[0][1],
        "return_line_items": lines,
        "discount_amount": [
            {
                "currency": shop.currency,
                "product_seller_discount": money(shop, core.seller_discount),
                "shipping_fee_platform_discount": money(shop, core.ship_platform_discount),
                "shipping_fee_seller_discount": money(shop, core.ship_seller_discount),
                "product_platform_discount": money(shop, core.platform_discount),
            }
        ],
        "shipping_fee_amount": [
            {
                "currency": shop.currency,
                "seller_paid_return_shipping_fee": money(shop, 0),
                "platform_paid_return_shipping_fee": money(shop, 0),
                "buyer_paid_return_shipping_fee": money(shop, 0),
            }
        ],
        "refund_amount": _refund_amount(shop, core),
        "return_shipping_document_type": "",
        "return_method": "",
        "is_combined_return": "false",
        "combined_return_id": "",
        "seller_proposed_return_type": "",
        "partial_refund": {"currency": shop.currency, "amount": money(shop, 0)},
        "buyer_rejected_partial_refund": False,
        "return_warehouse_address": {"full_address": f"{shop.warehouses[2].name}, {shop.region}"},
    }


def cancellation_document(data: ShopData, shop: Shop, core: OrderCore, status: str, created: int, updated: int, seller_reason: str | None = None) -> dict:
    """A buyer's cancellation, or (``seller_reason``) the seller's own through Cancel Order."""
    i = core.index
    lines = _after_sale_lines(data, shop, core, "cancel_line_item_id", int(cancel_id(shop, i)))
    return {
        "order_id": data.order_id(shop, i),
        "cancel_type": "SELLER_CANCEL" if seller_reason else "BUYER_CANCEL",
        "cancel_status": status,
        "role": "SELLER" if seller_reason else "BUYER",
        "cancel_reason": seller_reason or "buyer_changed_mind",
        "cancel_reason_text": SELLER_REASON_TEXT.get(seller_reason, seller_reason) if seller_reason else CANCEL_REASONS[i % len(CANCEL_REASONS)],
        "create_time": created,
        "update_time": updated,
        "seller_next_action_response": [{"action": "SELLER_RESPOND_CANCEL", "deadline": created + 86_400}] if status == "CANCELLATION_REQUEST_PENDING" else [],
        "refund_amount": _refund_amount(shop, core),
        "cancel_line_items": lines,
        "cancel_id": cancel_id(shop, i),
    }


def affiliate_status(core: OrderCore, creator_side: bool) -> str:
    if core.status == "CANCELLED":
        return "REFUNDED" if creator_side else "CANCELLED"
    if core.return_stages:
        return "REFUNDED" if creator_side else "DEDUCTED"
    if core.settle_time:
        return "SETTLED" if creator_side else "COMPLETED"
    return "ORDERED" if creator_side else "PROCESSING"


# Rewards on top of the commission, creator side: every fourth attributed order earns a bonus
# commission of 10 % of its commission base (commission_bonus_rate 1000), every sixth a creator
# commission reward fee of 2 % (creator_commission_reward_rate 200). Rates are hundredths of a
# percent, as the official sample's (affiliate_creator_202410_orders_search).
BONUS_RATE_BPS, REWARD_RATE_BPS = 1000, 200


def reward_rates(core: OrderCore) -> tuple[int, int]:
    return (BONUS_RATE_BPS if core.index % 4 == 0 else 0, REWARD_RATE_BPS if core.index % 6 == 0 else 0)


def order_rewards(core: OrderCore) -> tuple[int, int]:
    """The order's bonus commission and reward fee in minor units (estimated; actual once settled)."""
    base = sum(price - seller - platform for _, _, price, seller, platform in core.lines)
    return tuple((base * rate + 5_000) // 10_000 for rate in reward_rates(core))


def split_over(total: int, weights: list[int]) -> list[int]:
    """``total`` shared out in proportion to ``weights``, the last share taking the remainder."""
    whole = sum(weights) or 1
    shares = [(total * w + whole // 2) // whole for w in weights[:-1]]
    return shares + [total - sum(shares)]


def affiliate_order_document(data: ShopData, shop: Shop, core: OrderCore, creator_side: bool) -> dict:
    """One affiliate order (the whole order attributed to one creator's content)."""
    settled = affiliate_status(core, creator_side) in ("COMPLETED", "SETTLED")
    refunded = core.status == "CANCELLED" or bool(core.return_stages)
    line_bases = [price - seller - platform for _, _, price, seller, platform in core.lines]
    # Round per line, and give the last line the remainder, so the lines add up to the
    # order's commission exactly (a creator's statement must match to the cent).
    line_commissions = [(b * core.commission_bps + 5_000) // 10_000 for b in line_bases[:-1]]
    line_commissions.append(core.affiliate_commission - sum(line_commissions))
    bonus_rate, reward_rate = reward_rates(core)
    bonus, reward = order_rewards(core)
    line_bonuses, line_rewards = split_over(bonus, line_bases), split_over(reward, line_bases)
    skus = []
    for k, (product_index, _sku_index, price, _seller, _platform) in enumerate(core.lines):
        product = shop.products[product_index]
        line_base, line_commission = line_bases[k], line_commissions[k]
        actual_base = line_base if settled else 0
        actual = line_commission if settled else 0
        common = {
            "campaign_id": "",
            "open_collaboration_id": f"729{core.creator:016d}",
            "target_collaboration_id": "",
            "product_id": product.id,
            "price": amount(shop, price),
            "content_type": core.content_type,
            "content_id": f"73{core.index:017d}",
            "quantity": 1,
            "commission_tier_setting": "",
            "commission_model": "STANDARD",
            "estimated_commission_base": amount(shop, line_base),
            "actual_commission_base": amount(shop, actual_base),
            "refunded_quantity": 1 if refunded and core.status == "CANCELLED" else 0,
            "returned_quantity": 1 if core.return_stages else 0,
        }
        if creator_side:
            skus.append(
                {
                    "id": line_item_id(data, shop, core.index, k),
                    **common,
                    "product_name": product.title,
                    "shop_name": shop.name,
                    "commission_rate": core.commission_bps,
                    "commission_bonus_rate": bonus_rate,
                    "shop_ads_commission_rate": 0,
                    "estimated_bonus_commission": amount(shop, line_bonuses[k]),
                    "estimated_shop_ads_commission": amount(shop, 0),
                    "estimated_commission": amount(shop, line_commission),
                    "actual_commission": amount(shop, actual),
                    "actual_bonus_commission": amount(shop, line_bonuses[k] if settled else 0),
                    "actual_shop_ads_commission": amount(shop, 0),
                    "tag": "",
                    "creator_commission_reward_rate": reward_rate,
                    "estimated_creator_commission_reward_fee": amount(shop, line_rewards[k]),
                    "actual_creator_commission_reward_fee": amount(shop, line_rewards[k] if settled else 0),
                }
            )
        else:
            skus.append(
                {
                    **common,
                    "creator_username": shop.creators[core.creator],
                    "commission_rate": str(core.commission_bps),
                    "shop_ads_commission_rate": "0",
                    "estimated_paid_shop_ads_commission": amount(shop, 0),
                    "estimated_paid_commission": amount(shop, line_commission),
                    "actual_paid_commission": amount(shop, actual),
                    "actual_paid_shop_ads_commission": amount(shop, 0),
                    "estimated_cofunded_creator_bonus_amount": amount(shop, 0),
                    "actual_cofunded_creator_bonus_amount": amount(shop, 0),
                }
            )
    return {
        "id": data.order_id(shop, core.index),
        "create_time": core.create_time,
        "delivery_time": core.stage_time("DELIVERED"),
        "status": affiliate_status(core, creator_side),
        "skus": skus,
    }


# Field names of the finance breakdowns, per operation (they differ between 202501 and 202507).
SETTLED_FEES = (
    "platform_commission_amount",
    "referral_fee_amount",
    "refund_administration_fee_amount",
    "transaction_fee_amount",
    "credit_card_handling_fee_amount",
    "affiliate_commission_amount",
    "affiliate_commission_amount_before_pit",
    "affiliate_partner_commission_amount",
    "affiliate_ads_commission_amount",
    "sfp_service_fee_amount",
    "live_specials_fee_amount",
    "bonus_cashback_service_fee_amount",
    "mall_service_fee_amount",
    "voucher_xtra_service_fee_amount",
    "flash_sales_service_fee_amount",
    "cofunded_promotion_service_fee_amount",
    "pre_order_service_fee_amount",
    "tsp_commission_amount",
    "dt_handling_fee_amount",
    "epr_pob_service_fee_amount",
    "seller_paylater_handling_fee_amount",
    "fee_per_item_sold_amount",
    "cofunded_creator_bonus_amount",
    "dynamic_commission_amount",
    "external_affiliate_marketing_fee_amount",
    "vn_fix_infrastructure_fee",
    "affiliate_commission_deposit",
    "affiliate_commission_release",
    "tap_shop_ads_commission",
    "shipping_fee_guarantee_service_fee",
    "installation_service_fee",
    "campaign_resource_fee",
)
SETTLED_TAXES = (
    "vat_amount",
    "import_vat_amount",
    "customs_duty_amount",
    "customs_clearance_amount",
    "sst_amount",
    "gst_amount",
    "iva_amount",
    "isr_amount",
    "anti_dumping_duty_amount",
    "local_vat_amount",
    "pit_amount",
)
SETTLED_SHIPPING = (
    "actual_shipping_fee_amount",
    "shipping_fee_discount_amount",
    "customer_paid_shipping_fee_amount",
    "return_shipping_fee_amount",
    "replacement_shipping_fee_amount",
    "exchange_shipping_fee_amount",
    "signature_confirmation_fee_amount",
    "shipping_insurance_fee_amount",
    "fbt_fulfillment_fee_reimbursement_amount",
    "return_shipping_label_fee_amount",
    "seller_self_shipping_service_fee_amount",
    "return_shipping_fee_paid_buyer_amount",
    "failed_delivery_subsidy_amount",
    "shipping_fee_guarantee_reimbursement",
    "fbt_free_shipping_fee_amount",
    "free_return_subsidy_amount",
)
SETTLED_SHIPPING_SUPPLEMENT = (
    "platform_shipping_fee_discount_amount",
    "promo_shipping_incentive_amount",
    "shipping_fee_subsidy_amount",
    "seller_shipping_fee_discount_amount",
    "customer_shipping_fee_offset_amount",
    "fbm_shipping_cost_amount",
    "fbt_shipping_cost_amount",
    "fbt_fulfillment_fee_amount",
    "fbt_fulfillment_fee_reimbursement_amount",
    "return_refund_subsidy_amount",
    "refunded_customer_shipping_fee_amount",
    "customer_shipping_fee",
    "refund_customer_shipping_fee",
)
# Per order (SKU transactions) the guarantee reimbursement moved into the supplement.
ORDER_SHIPPING = tuple(name for name in SETTLED_SHIPPING if name != "shipping_fee_guarantee_reimbursement")
ORDER_SHIPPING_SUPPLEMENT = SETTLED_SHIPPING_SUPPLEMENT[:11] + ("shipping_fee_guarantee_reimbursement",)
TRANSACTION_SUPPLEMENT = (
    "customer_payment_amount",
    "customer_refund_amount",
    "platform_discount_amount",
    "platform_discount_refund_amount",
    "seller_cofunded_discount_amount",
    "seller_cofunded_discount_refund_amount",
    "platform_cofunded_discount_amount",
    "platform_cofunded_discount_refund_amount",
    "retail_delivery_fee_amount",
    "retail_delivery_fee_payment_amount",
    "retail_delivery_fee_refund_amount",
    "sales_tax_amount",
    "sales_tax_payment_amount",
    "sales_tax_refund_amount",
)
UNSETTLED_FEES = (
    "platform_commission_amount",
    "referral_fee_amount",
    "refund_administration_fee_amount",
    "transaction_fee_amount",
    "credit_card_handling_fee_amount",
    "affiliate_commission_amount",
    "affiliate_commission_before_pit_amount",
    "pit_withheld_from_ads_commission_amount",
    "affiliate_partner_commission_amount",
    "affiliate_ads_commission_amount",
    "sfp_service_fee_amount",
    "live_specials_fee_amount",
    "bonus_cashback_service_fee_amount",
    "mall_service_fee_amount",
    "retail_delivery_fee_amount",
    "retail_delivery_fee_payment_amount",
    "retail_delivery_fee_refund_amount",
)
UNSETTLED_TAXES = (
    "sales_tax_amount",
    "sales_tax_payment_amount",
    "sales_tax_refund_amount",
    "vat_amount",
    "import_vat_amount",
    "customs_duty_amount",
    "customs_clearance_amount",
    "sst_amount",
    "gst_amount",
)
UNSETTLED_SHIPPING = SETTLED_SHIPPING[:8]
UNSETTLED_SHIPPING_SUPPLEMENT = (
    "customer_shipping_fee_offset_amount",
    "shipping_fee_subsidy_amount",
    "platform_shipping_fee_discount_amount",
    "fbm_shipping_cost_amount",
    "fbt_shipping_cost_amount",
    "promo_shipping_incentive_amount",
    "fbt_fulfillment_fee_amount",
    "seller_shipping_fee_discount_amount",
)


def _filled(shop: Shop, names: tuple[str, ...], values: dict[str, int]) -> dict:
    return {name: money(shop, values.get(name, 0)) for name in names}


def fee_breakdown(shop: Shop, core: OrderCore, unsettled: bool = False) -> dict:
    commission = -core.affiliate_commission
    values = {
        "platform_commission_amount": -core.platform_commission,
        "affiliate_commission_amount": commission,
        "affiliate_commission_amount_before_pit": commission,
        "affiliate_commission_before_pit_amount": commission,
    }
    if unsettled:
        return {"fee": _filled(shop, UNSETTLED_FEES, values), "tax": _filled(shop, UNSETTLED_TAXES, {})}
    return {"fee": _filled(shop, SETTLED_FEES, values), "tax": _filled(shop, SETTLED_TAXES, {})}


def revenue_breakdown(shop: Shop, core: OrderCore) -> dict:
    zero = money(shop, 0)
    return {
        "subtotal_before_discount_amount": money(shop, core.original_total),
        "refund_subtotal_before_discount_amount": zero,
        "seller_discount_amount": money(shop, -core.seller_discount),
        "seller_discount_refund_amount": zero,
        "cod_service_fee_amount": zero,
        "refund_cod_service_fee_amount": zero,
    }


SHIPPING_VARIANTS = {
    "statement": (SETTLED_SHIPPING, SETTLED_SHIPPING_SUPPLEMENT),
    "order": (ORDER_SHIPPING, ORDER_SHIPPING_SUPPLEMENT),
    "unsettled": (UNSETTLED_SHIPPING, UNSETTLED_SHIPPING_SUPPLEMENT),
}


def shipping_breakdown(shop: Shop, core: OrderCore, variant: str = "statement") -> dict:
    values = {
        "actual_shipping_fee_amount": -core.ship_original,
        "shipping_fee_discount_amount": core.ship_platform_discount,
        "customer_paid_shipping_fee_amount": core.shipping_fee,
        "platform_shipping_fee_discount_amount": core.ship_platform_discount,
        "seller_shipping_fee_discount_amount": -core.ship_seller_discount,
        "customer_shipping_fee": core.shipping_fee,
    }
    names, supplement = SHIPPING_VARIANTS[variant]
    return {**_filled(shop, names, values), "supplementary_component": _filled(shop, supplement, values)}


def statement_transaction_document(data: ShopData, shop: Shop, core: OrderCore) -> dict:
    return {
        "id": f"8{shop.index}{core.index:016d}",
        "type": "ORDER",
        "order_id": data.order_id(shop, core.index),
        "order_create_time": core.create_time,
        "adjustment_id": "",
        "adjustment_order_id": "",
        "adjustment_amount": money(shop, 0),
        "settlement_amount": money(shop, core.settlement),
        "revenue_amount": money(shop, core.revenue),
        "revenue_breakdown": revenue_breakdown(shop, core),
        "shipping_cost_amount": money(shop, core.shipping_cost),
        "shipping_cost_breakdown": shipping_breakdown(shop, core),
        "fee_tax_amount": money(shop, core.fee),
        "fee_tax_breakdown": fee_breakdown(shop, core),
        "reserve_id": "",
        "reserve_amount": money(shop, 0),
        "associated_order_id": "",
        "reserve_status": "",
        "estimated_release_time": "",
        "supplementary_component": _filled(
            shop,
            TRANSACTION_SUPPLEMENT,
            {
                "customer_payment_amount": core.total,
                "platform_discount_amount": core.platform_discount,
                "sales_tax_amount": core.product_tax,
                "retail_delivery_fee_amount": core.retail_delivery_fee,
            },
        ),
    }


def statement_id(shop: Shop, day: int) -> str:
    from .data import STATEMENT_ID_BASE

    return str(STATEMENT_ID_BASE + shop.index * SHOP_STRIDE + day)


def order_statement_transactions_document(data: ShopData, shop: Shop, core: OrderCore) -> dict:
    settled = bool(core.settle_time)
    sku_transactions = []
    for k, (product_index, sku_index, _price, _seller, _platform) in enumerate(core.lines):
        product = shop.products[product_index]
        sku = product.skus[sku_index]
        if not settled:
            continue
        sku_transactions.append(
            {
                "sku_id": sku.id,
                "sku_name": sku.name,
                "statement_id": statement_id(shop, statement_time(core.settle_time) // 86_400),
                "product_name": product.title,
                "quantity": "1",
                # Whole-order figures sit on the first SKU so the lines add up to the order.
                "settlement_amount": money(shop, core.settlement if k == 0 else 0),
                "revenue_amount": money(shop, core.revenue if k == 0 else 0),
                "revenue_breakdown": revenue_breakdown(shop, core),
                "shipping_cost_amount": money(shop, core.shipping_cost if k == 0 else 0),
                "shipping_cost_breakdown": shipping_breakdown(shop, core, "order"),
                "fee_tax_amount": money(shop, core.fee if k == 0 else 0),
                "fee_tax_breakdown": fee_breakdown(shop, core),
            }
        )
    return {
        "order_id": data.order_id(shop, core.index),
        "order_create_time": core.create_time,
        "currency": shop.currency,
        "revenue_amount": money(shop, core.revenue if settled else 0),
        "fee_and_tax_amount": money(shop, core.fee if settled else 0),
        "shipping_cost_amount": money(shop, core.shipping_cost if settled else 0),
        "settlement_amount": money(shop, core.settlement if settled else 0),
        "sku_transactions": sku_transactions,
        "total_count": len(sku_transactions),
    }


def unsettled_transaction_document(data: ShopData, shop: Shop, core: OrderCore) -> dict:
    settlement = core.revenue + core.fee + core.shipping_cost
    return {
        "type": "ORDER",
        "id": f"9{shop.index}{core.index:016d}",
        "status": "NOT_SETTLED",
        "currency": shop.currency,
        "estimated_settlement": "",
        "unsettled_reason": "DELIVERED_NOT_YET_SETTLED" if core.stage_time("DELIVERED") else "NOT_DELIVERED",
        "order_create_time": core.create_time,
        "order_delivery_time": core.stage_time("DELIVERED"),
        "order_id": data.order_id(shop, core.index),
        "adjustment_id": "",
        "adjustment_order_id": "",
        "est_adjustment_amount": money(shop, 0),
        "est_settlement_amount": money(shop, settlement),
        "est_revenue_amount": money(shop, core.revenue),
        "revenue_breakdown": revenue_breakdown(shop, core),
        "est_shipping_cost_amount": money(shop, core.shipping_cost),
        "shipping_cost_breakdown": shipping_breakdown(shop, core, "unsettled"),
        "est_fee_tax_amount": money(shop, core.fee),
        "fee_tax_breakdown": fee_breakdown(shop, core, unsettled=True),
    }


def product_summary(shop: Shop, product: Product, stock_of) -> dict:
    return {
        "id": product.id,
        "title": product.title,
        "status": product.status,
        "skus": [
            {
                "id": sku.id,
                "seller_sku": sku.seller_sku,
                "price": {"currency": shop.currency, "tax_exclusive_price": money(shop, sku.price), "sale_price": money(shop, sku.price)},
                "inventory": _sku_inventory(shop, sku, stock_of),
                **_sku_extras(shop, product, sku),
            }
            for sku in product.skus
        ],
        "sales_regions": [shop.region],
        "product_families": [],
        "create_time": product.create_time,
        "update_time": product.update_time,
        "product_sync_fail_reasons": [],
        "is_not_for_sale": False,
        "recommended_categories": [],
        "listing_quality_tier": "GOOD",
        "integrated_platform_statuses": [],
        "audit": {"status": "APPROVED", "pre_approved_reasons": []},
        "has_draft": False,
    }


def product_detail(shop: Shop, product: Product, stock_of) -> dict:
    return {
        "id": product.id,
        "status": product.status,
        "title": product.title,
        "category_chains": [{"id": "600001", "parent_id": "0", "local_name": "Home Supplies", "is_leaf": True}],
        "brand": {"id": "", "name": ""},
        "main_images": [
            {
                "height": 600,
                "width": 600,
                "thumb_urls": [f"https://sandbox.invalid/img/{product.id}_t.jpg"],
                "uri": f"tos-sandbox/{product.id}",
                "urls": [f"https://sandbox.invalid/img/{product.id}.jpg"],
            }
        ],
        "description": f"<p>{product.title}</p>",
        "package_dimensions": {"length": "20", "width": "15", "height": "10", "unit": "CENTIMETER"},
        "package_weight": {"value": "0.5", "unit": "KILOGRAM"},
        "skus": [
            {
                "id": sku.id,
                "seller_sku": sku.seller_sku,
                "price": {
                    "tax_exclusive_price": money(shop, sku.price),
                    "sale_price": money(shop, sku.price),
                    "currency": shop.currency,
                    "unit_price": money(shop, sku.price),
                },
                "inventory": _sku_inventory(shop, sku, stock_of),
                "sales_attributes": [{"id": "100000", "name": "Variant", "value_id": f"7{sku.id[-8:]}", "value_name": sku.name}],
                "external_sku_id": "",
                "identifier_code": {"code": "", "type": "GTIN"},
                "combined_skus": [],
                "sku_unit_count": "1",
                "external_urls": [],
                "extra_identifier_codes": [],
                **_sku_extras(shop, product, sku),
            }
            for sku in product.skus
        ],
        "is_cod_allowed": False,
        "product_attributes": [],
        "update_time": product.update_time,
        "create_time": product.create_time,
        "external_product_id": "",
        "is_not_for_sale": False,
        "listing_quality_tier": "GOOD",
        "audit": {"status": "APPROVED", "pre_approved_reasons": []},
        "has_draft": False,
        "product_status": product.status,
        "certifications": [],
        "audit_failed_reasons": [],
        "delivery_options": [],
        "product_types": ["COMMON"],
        "recommended_categories": [],
        "manufacturer_ids": [],
        "responsible_person_ids": [],
        "integrated_platform_statuses": [],
        "shipping_insurance_requirement": "NOT_SUPPORTED",
        "minimum_order_quantity": 1,
        "is_pre_owned": False,
        "prescription_requirement": {"needs_prescription": False},
        "product_families": [],
        "primary_combined_product_id": "",
        "is_replicated": False,
        "shipping_template_id": "",
    }


def _sku_inventory(shop: Shop, sku, stock_of) -> list[dict]:
    return [
        {"warehouse_id": shop.warehouses[w].id, "quantity": stock_of(sku, w)[0], "backorder_quantity": 0, "handling_time": 0} for w in range(len(sku.stock))
    ]


def _sku_extras(shop: Shop, product: Product, sku) -> dict:
    live = product.status == "ACTIVATE"
    return {
        "list_price": {"amount": money(shop, sku.price), "currency": shop.currency},
        "external_list_prices": [],
        "status_info": {"status": "NORMAL" if live else "DEACTIVATED", "deactivation_source": "" if live else "SELLER"},
        "fees": [],
    }
