"""The Shopee streams: what each fetches, how it pages, where its cursor stands.

- products: get_item_list by update time (offset paging; an item's update_time also moves on
  stock and price changes, API.md 4.7), then get_item_base_info by 50 and get_model_list for
  items with models. Writes products, variants (models) and stock per location.
- settlements: get_escrow_list by release time, each escrow detailed by
  get_escrow_detail_batch: the order's settled transaction, grouped by release day.
- wallet: get_wallet_transaction_list over windows of at most 15 days by creation time, by
  page number: the ledger of the available balance, and each withdrawal as a payout.
- returns: get_return_list over windows of at most 15 days, by page number.
- lost_pushes: get_lost_push_message, pushes Shopee could not deliver, into the inbox of the
  account of each push's shop; confirmed consumed page by page.
- orders: get_order_list over windows of at most 15 days (the API's limit, API.md 4.3), by
  creation time on the first backfill and by update time afterwards, cursor-paged, each page
  detailed by get_order_detail (50 per call, so a page of 50 is one detail call); the page's
  orders whose escrow Shopee still holds are estimated by get_escrow_detail_batch (one call).

A run's windows end at the second the run started; the next run starts at that watermark less
a lookback. The cursor is checkpointed with each page, so a killed run resumes on its page.
"""

from __future__ import annotations

import orjson
from sqlalchemy import delete, func, select, update

from erp_integrations.extensions import db
from erp_integrations.mapping import MappingError
from erp_integrations.models import (
    AfterSale,
    FinanceStatement,
    OrderStatusChange,
    Payout,
    SalesOrder,
    Shipment,
    StatementTransaction,
    Withdrawal,
)
from erp_integrations.storage import bulk_upsert, insert_missing
from erp_integrations.sync.status_history import history_rows
from erp_integrations.toolkit import CatalogProduct, CatalogVariant, Stock, Stream, store_catalog

from .config import CURRENCIES
from .mappers import (
    EscrowEstimateMapper,
    ItemMapper,
    ModelMapper,
    OrderLineMapper,
    OrderMapper,
    PackageMapper,
    ReturnMapper,
    SettlementMapper,
    WalletMapper,
    WithdrawalPayoutMapper,
)

LOOKBACK = 15 * 60
DAY = 86_400
WINDOW = 15 * DAY
ORDER_PAGE = 50  # one get_order_detail call per page
ITEM_PAGE = 100
ESCROW_PAGE = 50  # one get_escrow_detail_batch call per page
RETURN_PAGE = 50
WALLET_PAGE = 100  # the most get_wallet_transaction_list gives
# A withdrawal stays pending until the bank has it (a couple of days): read again that long.
WALLET_LOOKBACK = 3 * DAY
DETAIL_FIELDS = "buyer_user_id,item_list,pay_time,package_list,total_amount,cancel_by,cancel_reason,pickup_done_time,estimated_shipping_fee,shipping_carrier"
# (status, the order column holding Shopee's time of it): the times get_order_detail reports.
STATUS_TIMES = (("READY_TO_SHIP", "paid_at"), ("SHIPPED", "collected_at"))


def history_start(context) -> int:
    months = int((context.account.config or {}).get("history_months") or 6)
    return int(context.started_at.timestamp()) - months * 31 * DAY


def _run_end(context) -> int:
    return int(context.started_at.timestamp())


# -- products -------------------------------------------------------------------------------------


def sync_products(context, client) -> None:
    cursor = context.cursor
    end = _run_end(context)
    if cursor.get("window"):
        start, end, offset = cursor["window"]
    else:
        watermark = None if context.full else cursor.get("watermark")
        start, offset = (int(watermark) - LOOKBACK if watermark else None), 0
    watermark = cursor.get("watermark")
    while True:
        query = {"offset": offset, "page_size": ITEM_PAGE, "item_status": ["NORMAL", "UNLIST"], "update_time_to": end}
        if start is not None:
            query["update_time_from"] = start
        page = client.call("GET", "/api/v2/product/get_item_list", query=query)
        ids = [str(i["item_id"]) for i in page.get("item") or []]
        store_items(context, client, ids)
        context.api_calls = client.api_calls
        if page.get("has_next_page"):
            offset = int(page["next_offset"])
            context.checkpoint({"watermark": watermark, "window": [start, end, offset]})
        else:
            context.checkpoint({"watermark": end})
            return


def store_items(context, client, item_ids: list[str]) -> None:
    """Items, their models and stock per location."""
    documents = []
    for first in range(0, len(item_ids), 50):
        documents += client.call("GET", "/api/v2/product/get_item_base_info", query={"item_id_list": item_ids[first : first + 50]}).get("item_list") or []
    if not documents:
        return
    store_catalog(context, [CatalogProduct(ItemMapper.row(item), [_variant(model) for model in _models(client, item)]) for item in documents])


def _variant(model: dict) -> CatalogVariant:
    """A model with its seller stock per location; reserved stock is the model's, not a
    location's, so each location carries it (API.md 4.7, ``stock_info_v2``)."""
    info = model.get("stock_info_v2") or {}
    reserved = int((info.get("summary_info") or {}).get("total_reserved_stock") or 0)
    stock = [Stock(entry.get("location_id") or "-", int(entry.get("stock") or 0), reserved) for entry in info.get("seller_stock") or []]
    return CatalogVariant(ModelMapper.row(model), stock)


def _models(client, item: dict) -> list[dict]:
    """The item's models with their options named; an item without models is its own model 0
    (its price and stock are on the item, API.md 4.7)."""
    if not item.get("has_model"):
        return [{**item, "model_id": 0}]
    data = client.call("GET", "/api/v2/product/get_model_list", query={"item_id": item["item_id"]})
    tiers = data.get("tier_variation") or []
    models = []
    for model in data.get("model") or []:
        options = [
            tiers[t]["option_list"][i]["option"]
            for t, i in enumerate(model.get("tier_index") or [])
            if t < len(tiers) and i < len(tiers[t].get("option_list") or [])
        ]
        models.append({**model, "item_id": item["item_id"], "item_sku": item.get("item_sku"), "options": options})
    return models


# -- orders ---------------------------------------------------------------------------------------


def sliced(context, client, fetch_page, *, backfill_mode: str, update_mode: str, lookback: int = LOOKBACK) -> None:
    """Page through [start, run start] in slices of at most 15 days, checkpointing after each
    page. ``fetch_page(mode, slice_start, slice_end, token)`` fetches, writes and returns the
    next page's token (None after the slice's last page); ``mode`` names the time field, by
    creation on a first backfill and by update afterwards. An incremental run starts
    ``lookback`` seconds before the last watermark."""
    cursor, now = context.cursor, _run_end(context)
    if cursor.get("window"):
        start, end, slice_start, token, mode = cursor["window"]
    elif cursor.get("watermark") and not context.full:
        start, end, slice_start, token, mode = int(cursor["watermark"]) - lookback, now, None, None, update_mode
    else:
        start, end, slice_start, token, mode = history_start(context), now, None, None, backfill_mode
    slice_start = start if slice_start is None else slice_start
    watermark = cursor.get("watermark")
    while True:
        slice_end = min(slice_start + WINDOW, end)
        token = fetch_page(mode, slice_start, slice_end, token)
        context.api_calls = client.api_calls
        if token is None:
            if slice_end >= end:
                context.checkpoint({"watermark": end})
                return
            slice_start = slice_end
        context.checkpoint({"watermark": watermark, "window": [start, end, slice_start, token, mode]})


def sync_orders(context, client) -> None:
    def fetch_page(mode, since, until, token):
        query = {"time_range_field": mode, "time_from": since, "time_to": until, "page_size": ORDER_PAGE, "cursor": token or ""}
        page = client.call("GET", "/api/v2/order/get_order_list", query=query)
        sns = [o["order_sn"] for o in page.get("order_list") or []]
        if sns:
            details = client.call("GET", "/api/v2/order/get_order_detail", query={"order_sn_list": sns, "response_optional_fields": DETAIL_FIELDS})
            store_orders(context, client, details.get("order_list") or [])
        return (page.get("next_cursor") or "") if page.get("more") else None

    sliced(context, client, fetch_page, backfill_mode="create_time", update_mode="update_time")


def sync_settlements(context, client) -> None:
    """Escrow released to the seller (get_escrow_list by release time, page numbers), each
    order's escrow detailed by get_escrow_detail_batch (50 per call)."""

    def fetch_page(mode, since, until, page_no):
        page_no = page_no or 1
        query = {"release_time_from": since, "release_time_to": until, "page_size": ESCROW_PAGE, "page_no": page_no}
        page = client.call("GET", "/api/v2/payment/get_escrow_list", query=query)
        released = {e["order_sn"]: e for e in page.get("escrow_list") or []}
        if released:
            store_settlements(context, released, escrow_details(client, list(released), "released"))
        return page_no + 1 if page.get("more") else None

    sliced(context, client, fetch_page, backfill_mode="release_time", update_mode="release_time")
    forget_released_estimates(context.account_id)


def sync_wallet(context, client) -> None:
    """The wallet's transactions by creation time (get_wallet_transaction_list, pages counted
    from 0, API.md 4.4) into the ledger the available balance is read from, and each
    withdrawal to the bank as a payout. The wallet has no update time, so an incremental run
    reads the last WALLET_LOOKBACK again: a withdrawal pending then has completed since."""
    currency = CURRENCIES.get((context.account.region or "").upper())

    def fetch_page(mode, since, until, page_no):
        page_no = page_no or 0
        query = {"page_no": page_no, "page_size": WALLET_PAGE, "create_time_from": since, "create_time_to": until}
        page = client.call("GET", "/api/v2/payment/get_wallet_transaction_list", query=query)
        ledger = page.get("transaction_list") or []
        rows = [WalletMapper.row(t, account_id=context.account_id, currency=currency) for t in ledger]
        payouts = [
            WithdrawalPayoutMapper.row(t, account_id=context.account_id, currency=currency)
            for t in ledger
            if t.get("transaction_type") == "WITHDRAWAL_CREATED" and t.get("withdrawal_id")
        ]
        context.count("withdrawals", bulk_upsert(Withdrawal, rows, account=context.account).written)
        context.count("payouts", bulk_upsert(Payout, payouts, account=context.account).written)
        return page_no + 1 if page.get("more") else None

    sliced(context, client, fetch_page, backfill_mode="create_time", update_mode="create_time", lookback=WALLET_LOOKBACK)


def sync_lost_pushes(context, client) -> None:
    """Pushes Shopee gave up delivering: get_lost_push_message lists the earliest 100 lost in
    the last three days for the whole partner app (public level, API.md 4.8). Each goes into the
    inbox of the account bound to its shop, as if it had arrived (its id is its body's hash,
    so reading it twice stores it once), then the page is confirmed consumed. A push for a
    shop no account here holds is left out; the inbox job acts on the others as on any push."""
    from erp_integrations.models import IntegrationAccount
    from erp_integrations.webhooks.inbox import store_recovered, wake_processor

    from .webhooks import delivery_of

    while True:
        page = client.call("GET", "/api/v2/push/get_lost_push_message", shop=False)
        messages = page.get("push_message_list") or []
        if not messages:
            context.checkpoint({"watermark": _run_end(context)})
            return
        shops = {str(m.get("shop_id")) for m in messages if m.get("shop_id")}
        accounts = dict(
            db.session.execute(
                select(IntegrationAccount.external_shop_id, IntegrationAccount.id).where(
                    IntegrationAccount.connector == "shopee", IntegrationAccount.external_shop_id.in_(shops)
                )
            ).all()
        )
        recovered = []
        for message in messages:
            account_id = accounts.get(str(message.get("shop_id")))
            if account_id is not None:
                # The sample's data is an object, the schema's a string (API.md 4.8): either.
                data = orjson.loads(message["data"]) if isinstance(message.get("data"), str) else message.get("data") or {}
                body = orjson.dumps({"data": data, "shop_id": message.get("shop_id"), "code": message.get("code"), "timestamp": message.get("timestamp")})
                recovered.append((account_id, delivery_of(body), body))
        woken = store_recovered("shopee", recovered)
        context.count("webhook_events", len(recovered))
        # Stored (committed) before confirmed: a failure in between re-reads the page next
        # time, and the inbox keeps each push once.
        context.checkpoint({"watermark": _run_end(context)})
        client.call("POST", "/api/v2/push/confirm_consumed_lost_push_message", body={"last_message_id": page.get("last_message_id")}, shop=False)
        context.api_calls = client.api_calls
        for account_id in woken:
            wake_processor(account_id)
        if not page.get("has_next_page"):
            return


# Paid orders, not cancelled or in dispute, whose escrow Shopee holds until it releases it
# after completion (API.md 4.4: escrow_amount "changes until the order completes").
ESCROW_HELD = ("READY_TO_SHIP", "PROCESSED", "RETRY_SHIP", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED")


# Shopee gives no delivery time. TO_CONFIRM_RECEIVE is "delivered, waiting for the buyer to
# confirm" (API.md 4.3), so the update time an order is first seen with there (or, first seen
# completed, with its completion) stands for its delivery: never earlier than the delivery,
# so an order is never called late for its settlement before it is.
DELIVERED = ("TO_CONFIRM_RECEIVE", "COMPLETED")


def mark_delivered(account_id: int, order_sns: list[str]) -> None:
    if order_sns:
        db.session.execute(
            update(SalesOrder)
            .where(SalesOrder.account_id == account_id, SalesOrder.external_id.in_(order_sns), SalesOrder.delivered_at.is_(None))
            .values(delivered_at=SalesOrder.remote_updated_at)
        )


def estimate_escrow(context, client, orders: list[dict]) -> None:
    """What Shopee still owes, kept with the orders: each order just stored that is paid and
    whose escrow Shopee still holds gets its estimate from get_escrow_detail_batch (one call
    for a page of up to 50 orders), replacing the last one; an order no longer held
    (cancelled, in dispute, released) loses it. Shopee has no list of held escrow (its income
    detail lists by release date, 14 days a call), so the orders the sync already reads say
    which to ask for, and an idle run asks for nothing."""
    account_id = context.account_id
    sns = [o["external_id"] for o in orders]
    settled = set(
        db.session.scalars(
            select(StatementTransaction.order_external_id).where(
                StatementTransaction.account_id == account_id, StatementTransaction.is_settled, StatementTransaction.order_external_id.in_(sns)
            )
        )
    )
    held = {o["external_id"]: o["remote_created_at"] for o in orders if o["status"] in ESCROW_HELD and o["external_id"] not in settled}
    gone = [f"unsettled:{sn}" for sn in sns if sn not in held]
    db.session.execute(delete(StatementTransaction).where(StatementTransaction.account_id == account_id, StatementTransaction.external_id.in_(gone)))
    if not held:
        return
    currency = CURRENCIES.get(context.account.region or "")
    rows = [
        EscrowEstimateMapper.row({**d, "currency": currency, "order_created_at": held[d["order_sn"]]}, account_id=account_id, type="ORDER", is_settled=False)
        for d in escrow_details(client, list(held), "held")
        if d.get("order_sn") in held
    ]
    context.count("unsettled_transactions", bulk_upsert(StatementTransaction, rows, account=context.account).written)


def forget_released_estimates(account_id: int) -> None:
    """Estimates of orders whose release is stored: an orders page read while the settlements
    stream stored the release may have written one back."""
    settled = select(StatementTransaction.order_external_id).where(StatementTransaction.account_id == account_id, StatementTransaction.is_settled)
    db.session.execute(
        delete(StatementTransaction).where(
            StatementTransaction.account_id == account_id,
            StatementTransaction.is_settled.is_(False),
            StatementTransaction.order_external_id.in_(settled),
        )
    )


def escrow_details(client, order_sns: list[str], what: str) -> list[dict]:
    """get_escrow_detail_batch for up to 50 orders; any order Shopee could not detail fails the
    page (retried with the run) rather than leaving a hole in the books."""
    answer = client.request("POST", "/api/v2/payment/get_escrow_detail_batch", body={"order_sn_list": order_sns})
    # The official error example names the list escrow_detail_list (API.md 4.4): read either.
    elements = answer.get("response") if isinstance(answer.get("response"), list) else answer.get("escrow_detail_list") or []
    failed = [e for e in elements if e.get("fail_error")]
    if failed:
        reasons = "; ".join(
            f"{(e.get('escrow_detail') or {}).get('order_sn')}: {e.get('fail_error')} {e.get('fail_message') or ''}".strip() for e in failed[:5]
        )
        raise MappingError(f"Shopee could not detail {len(failed)} {what} escrow(s): {reasons}")
    return [e.get("escrow_detail") or {} for e in elements]


def sync_returns(context, client) -> None:
    """Returns by update time (by creation on the first backfill), pages counted from 0."""

    def fetch_page(mode, since, until, page_no):
        page_no = page_no or 0
        query = {"page_no": page_no, "page_size": RETURN_PAGE, f"{mode}_from": since, f"{mode}_to": until}
        page = client.call("GET", "/api/v2/returns/get_return_list", query=query)
        rows = [ReturnMapper.row(r, account_id=context.account_id) for r in page.get("return") or []]
        written = bulk_upsert(AfterSale, rows, key=("account_id", "kind", "external_id"), account=context.account).written
        context.count("returns", written)
        return page_no + 1 if page.get("more") else None

    sliced(context, client, fetch_page, backfill_mode="create_time", update_mode="update_time")


def store_orders(context, client, documents: list[dict]) -> None:
    account, account_id = context.account, context.account_id
    if not documents:
        return
    rows = [OrderMapper.row(d, account_id=account_id) for d in documents]
    sns = [r["external_id"] for r in rows]
    before = dict(
        db.session.execute(
            db.select(SalesOrder.external_id, SalesOrder.status).where(SalesOrder.account_id == account_id, SalesOrder.external_id.in_(sns))
        ).all()
    )
    written = bulk_upsert(SalesOrder, rows, account=account).ids
    changed, lines, packages = [], [], []
    for document, row in zip(documents, rows, strict=True):
        order_id = written.get((account_id, row["external_id"]))
        if order_id is None:
            continue  # older than what is stored: skipped, and so are its lines
        if before.get(row["external_id"]) != row["status"]:
            changed.append((order_id, row, before.get(row["external_id"])))
        in_package = {
            (p["item_id"], p["model_id"]): pkg.get("package_number") for pkg in document.get("package_list") or [] for p in pkg.get("item_list") or []
        }
        times = {k: document.get(k) for k in ("create_time", "update_time", "pickup_done_time")}
        packages += [
            PackageMapper.row({**pkg, **times, "order_sn": row["external_id"]}, account_id=account_id)
            for pkg in document.get("package_list") or []
            if pkg.get("package_number")
        ]
        for line in document.get("item_list") or []:
            source = {
                **line,
                "order_sn": row["external_id"],
                "currency": row["currency"],
                "package_number": in_package.get((line.get("item_id"), line.get("model_id"))),
            }
            lines.append(OrderLineMapper.row(source, account_id=account_id, order_id=order_id, remote_updated_at=row["remote_updated_at"]))
    insert_missing(OrderStatusChange, history_rows(account_id, changed, STATUS_TIMES), key=("order_id", "to_status", "remote_updated_at"))
    bulk_upsert(OrderLineMapper.model, lines, account=account)
    if packages:
        context.count("packages", bulk_upsert(Shipment, packages, account=account).written)
    context.count("orders", len(written))
    context.count("order_lines", len(lines))
    mark_delivered(account_id, [row["external_id"] for row in rows if row["status"] in DELIVERED and (account_id, row["external_id"]) in written])
    estimate_escrow(context, client, [row for row in rows if (account_id, row["external_id"]) in written])


def store_settlements(context, released: dict[str, dict], details: list[dict]) -> None:
    """Each released escrow as its order's settled transaction, grouped by release day into a
    statement. Shopee has no statements: the day's releases are what reached the wallet
    together, and the statement's sums are its transactions' (so the finance figures and the
    statements view read Shopee as they read TikTok)."""
    account, account_id = context.account, context.account_id
    currency = CURRENCIES.get(account.region or "")
    rows = [
        SettlementMapper.row({**detail, "release": released[detail["order_sn"]], "currency": currency}, account_id=account_id, type="ORDER", is_settled=True)
        for detail in details
        if detail.get("order_sn") in released
    ]
    bulk_upsert(StatementTransaction, rows, account=account)
    # Released now: the order's estimate is history.
    estimates = [f"unsettled:{r['order_external_id']}" for r in rows]
    db.session.execute(delete(StatementTransaction).where(StatementTransaction.account_id == account_id, StatementTransaction.external_id.in_(estimates)))
    days = {r["statement_external_id"] for r in rows}
    t = StatementTransaction
    sums = db.session.execute(
        db.select(
            t.statement_external_id,
            t.currency,
            func.sum(t.revenue_amount),
            func.sum(t.fee_amount),
            func.sum(t.shipping_cost_amount),
            func.sum(t.settlement_amount),
            func.max(t.remote_updated_at),
        )
        .where(t.account_id == account_id, t.statement_external_id.in_(days))
        .group_by(t.statement_external_id, t.currency)
    ).all()
    statements = [
        {
            "account_id": account_id,
            "external_id": day,
            "currency": cur,
            "revenue_amount": revenue,
            "fee_amount": fees,
            "shipping_cost_amount": shipping,
            "adjustment_amount": 0,
            "settlement_amount": settlement,
            "net_sales_amount": revenue,
            "statement_time": latest,
            "remote_updated_at": latest,
            "payment_status": "PAID",
        }
        for day, cur, revenue, fees, shipping, settlement, latest in sums
    ]
    bulk_upsert(FinanceStatement, statements, account=account)
    context.count("statement_transactions", len(rows))
    context.count("statements", len(statements))


# Stock comes with the items: the products stream runs for either toggle. The money an order
# earns (escrow, wallet) comes with the orders: Shopee has no finance toggle.
STREAMS = (
    Stream("products", sync_products, ("product_catalog", "inventory"), ("product",)),
    Stream("orders", sync_orders, "orders", ("order",)),
    Stream("settlements", sync_settlements, "orders", ("payment",)),
    Stream("wallet", sync_wallet, "orders", ("payment",)),
    Stream("returns", sync_returns, "returns", ("returns",)),
    Stream("lost_pushes", sync_lost_pushes, "orders", ("push",)),
)
