"""Shopee documents onto the ERP tables. A variant's external id is ``item_id:model_id``
(``model_id`` 0 for an item without variants, API.md 3.5), so an order line's model and a
catalog model meet on the same key."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from erp_integrations.mapping import Mapper, const, dig, integer, money, text, unix
from erp_integrations.models import AfterSale, OrderLine, Payout, Product, ProductVariant, SalesOrder, Shipment, StatementTransaction, Withdrawal


def variant_id(item_id, model_id) -> str:
    return f"{item_id}:{model_id or 0}"


def _price(document):
    info = document.get("price_info") or []
    return money("current_price")(info[0]) if info else None


def _currency(document):
    info = document.get("price_info") or []
    return text("currency")(info[0]) if info else None


class ItemMapper(Mapper):
    model = Product
    columns = {
        "external_id": text("item_id"),
        "title": text("item_name"),
        "status": text("item_status"),
        "category_id": text("category_id"),
        "brand": text("brand.original_brand_name"),
        "remote_created_at": unix("create_time"),
        "remote_updated_at": unix("update_time"),
    }


class ModelMapper(Mapper):
    """A model from get_model_list, or an item without models standing for its own (model 0)."""

    model = ProductVariant
    columns = {
        "external_id": lambda d: variant_id(d["item_id"], d.get("model_id")),
        "seller_sku": lambda d: text("model_sku")(d) or text("item_sku")(d),
        "name": lambda d: " / ".join(d.get("options") or []) or None,
        "price": _price,
        "currency": _currency,
    }


def _sub_total(document):
    lines = document.get("item_list") or []
    if not lines:
        return None
    return sum(money("model_discounted_price")(line) * int(line.get("model_quantity_purchased") or 0) for line in lines)


class OrderMapper(Mapper):
    model = SalesOrder
    columns = {
        "external_id": text("order_sn"),
        "status": text("order_status"),
        "remote_created_at": unix("create_time"),
        "remote_updated_at": unix("update_time"),
        "paid_at": unix("pay_time"),
        "collected_at": unix("pickup_done_time"),
        "cancel_reason": lambda d: text("cancel_reason")(d) or text("buyer_cancel_reason")(d),
        "cancellation_initiator": text("cancel_by"),
        "buyer_user_id": text("buyer_user_id"),
        "is_cod": lambda d: bool(d.get("cod")),
        "currency": text("currency"),
        "sub_total": _sub_total,
        "shipping_fee": money("estimated_shipping_fee"),
        # total_amount is what the buyer paid, known once the order is paid (API.md 4.3).
        "total_amount": lambda d: money("total_amount")(d) if d.get("pay_time") else None,
    }


class OrderLineMapper(Mapper):
    model = OrderLine
    columns = {
        "external_id": lambda d: f"{d['order_sn']}:{d.get('order_item_id')}:{d.get('model_id') or 0}",
        "product_external_id": text("item_id"),
        "sku_external_id": lambda d: variant_id(d["item_id"], d.get("model_id")),
        "seller_sku": lambda d: text("model_sku")(d) or text("item_sku")(d),
        "product_name": text("item_name"),
        "sku_name": text("model_name"),
        "quantity": integer("model_quantity_purchased"),
        "currency": text("currency"),
        "original_price": money("model_original_price"),
        "sale_price": money("model_discounted_price"),
        "package_external_id": lambda d: dig(d, "package_number"),
    }


def _amount(name: str):
    read = money(f"order_income.{name}")
    return lambda d: read(d) or Decimal(0)


def _release_day(document) -> str:
    released = datetime.fromtimestamp(int(document["release"]["escrow_release_time"]), UTC)
    return f"escrow-release:{released:%Y-%m-%d}"


class SettlementMapper(Mapper):
    """A released escrow (get_escrow_detail's order_income, API.md 4.4) as the order's settled
    transaction. Fees are negative, as on TikTok's statements; ``escrow_amount`` is Shopee's own
    total and is kept as given, never recomputed (API.md 4.4)."""

    model = StatementTransaction
    columns = {
        "external_id": lambda d: f"escrow:{d['order_sn']}",
        "order_external_id": text("order_sn"),
        "statement_external_id": _release_day,
        "remote_updated_at": unix("release.escrow_release_time"),
        "currency": text("currency"),
        "revenue_amount": _amount("order_selling_price"),
        "fee_amount": lambda d: -(_amount("commission_fee")(d) + _amount("service_fee")(d) + _amount("seller_transaction_fee")(d)),
        "platform_commission_amount": lambda d: -_amount("commission_fee")(d),
        "shipping_cost_amount": lambda d: _amount("buyer_paid_shipping_fee")(d) - _amount("actual_shipping_fee")(d),
        "settlement_amount": money("order_income.escrow_amount"),
    }


class EscrowEstimateMapper(Mapper):
    """An escrow Shopee still holds: get_escrow_detail answers for an order before its release,
    with the escrow_amount it expects to pay ("it changes until the order completes", API.md
    4.4), so the row is the order's estimate, replaced at each sync until the release settles it.
    The order's creation time comes from the ERP's order (``order_created_at`` on the document)."""

    model = StatementTransaction
    columns = {
        **{k: v for k, v in SettlementMapper.columns.items() if k not in ("statement_external_id", "remote_updated_at")},
        "external_id": lambda d: f"unsettled:{d['order_sn']}",
        "order_created_at": lambda d: d.get("order_created_at"),
    }


# Wallet transaction types (API.md 4.4, "TransactionType") as the ERP's ledger kinds: sales
# money entering the balance (SETTLE), money leaving it for the bank (WITHDRAW), a cancelled
# withdrawal coming back (REVERSE); every other type (adjustments, ads, refunds, loans) is a
# TRANSFER that keeps Shopee's sign. The available balance is then their signed sum.
WALLET_KINDS = {"ESCROW_VERIFIED_ADD": "SETTLE", "WITHDRAWAL_CREATED": "WITHDRAW", "WITHDRAWAL_CANCELLED": "REVERSE"}
# A withdrawal's status as a payout's (the ERP's words are TikTok's: PAID, PROCESSING, FAILED).
PAYOUT_STATUS = {"COMPLETED": "PAID", "PENDING": "PROCESSING", "INITIAL": "PROCESSING", "FAILED": "FAILED"}


def wallet_id(document) -> str:
    """get_wallet_transaction_list gives no transaction id (API.md 4.4's field list), so a
    transaction is named by what identifies it: its type, time, the order, return or
    withdrawal it concerns, and its amount. A pending withdrawal keeps its name when it
    completes (the status is not part of it), so the row is updated, not doubled."""
    subject = document.get("order_sn") or document.get("refund_sn") or document.get("withdrawal_id") or ""
    return f"{document.get('transaction_type')}:{document.get('create_time')}:{subject}:{document.get('amount')}"


class WalletMapper(Mapper):
    """A wallet transaction as a row of the ledger the available balance is read from."""

    model = Withdrawal
    columns = {
        "external_id": wallet_id,
        "type": lambda d: WALLET_KINDS.get(d.get("transaction_type") or "", "TRANSFER"),
        "status": text("status"),
        "amount": money("amount"),
        "fee": money("transaction_fee"),
        "remote_created_at": unix("create_time"),
    }


class WithdrawalPayoutMapper(Mapper):
    """A withdrawal to the bank as a payout. The wallet gives only the withdrawal's creation
    time, so a completed one counts as paid then."""

    model = Payout
    columns = {
        "external_id": lambda d: f"withdrawal:{d['withdrawal_id']}",
        "status": lambda d: PAYOUT_STATUS.get(d.get("status") or "", d.get("status")),
        "amount": lambda d: abs(money("amount")(d)),
        "remote_created_at": unix("create_time"),
        "paid_at": lambda d: unix("create_time")(d) if d.get("status") == "COMPLETED" else None,
    }


class ReturnMapper(Mapper):
    """A return or refund request (get_return_list, API.md 4.5): ``return_solution`` 0 is a
    return and refund, 1 a refund only."""

    model = AfterSale
    columns = {
        "external_id": text("return_sn"),
        "kind": const("return"),
        "order_external_id": text("order_sn"),
        "type": lambda d: "REFUND" if d.get("return_solution") == 1 else "RETURN_AND_REFUND",
        "status": text("status"),
        "role": const("BUYER"),
        "reason": lambda d: text("text_reason")(d) or text("reason")(d),
        "currency": text("currency"),
        "refund_total": money("refund_amount"),
        "remote_created_at": unix("create_time"),
        "remote_updated_at": unix("update_time"),
    }


class PackageMapper(Mapper):
    """A package of an order's ``package_list`` (API.md 4.3). Its tracking number is not in the
    order detail; the ERP learns it when it ships the package itself."""

    model = Shipment
    columns = {
        "external_id": text("package_number"),
        "order_external_ids": lambda d: [d["order_sn"]],
        "status": text("logistics_status"),
        "shipping_provider": text("shipping_carrier"),
        "remote_created_at": unix("create_time"),
        "remote_updated_at": unix("update_time"),
        "shipped_at": unix("pickup_done_time"),
    }
