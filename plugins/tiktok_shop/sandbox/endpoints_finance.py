"""Finance: statements, payments, withdrawals, statement transactions, unsettled orders."""

from __future__ import annotations

import numpy as np
from flask import Flask, g, request

from . import documents as D
from .api_errors import invalid_param, ok
from .data import DAY, STATEMENT_ID_BASE, STATUS_CODE
from .ledger import Ledger, balance_entries, ledger, payment_id, statement_document
from .money import fmt
from .search import paged_search
from .server import Endpoint, api_route, sandbox

FINANCE = "Finance Information"
UNSETTLED_STATUSES = [STATUS_CODE[s] for s in ("AWAITING_SHIPMENT", "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED")]


def unsettled_mask(shop, book: Ledger) -> np.ndarray:
    """The orders the unsettled-orders endpoint lists: paid, not on a statement yet, no return."""
    cols, n = shop.orders, shop.orders.count
    return (book.statement_day_of_order < 0) & np.isin(cols.status[:n], UNSETTLED_STATUSES) & (cols.return_requested[:n] == 0)


WITHDRAWAL_TYPES = ("WITHDRAW", "SETTLE", "TRANSFER", "REVERSE")


def require_sort(field: str) -> bool:
    args = request.args
    if args.get("sort_field") != field:
        raise invalid_param(f"sort_field is required and only supports {field}")
    order = (args.get("sort_order") or "ASC").upper()
    if order not in ("ASC", "DESC"):
        raise invalid_param("sort_order must be ASC or DESC")
    return order == "DESC"


def int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise invalid_param(f"{name} must be a unix timestamp (integer)") from None


def window(values: np.ndarray, ge: str, lt: str) -> np.ndarray:
    mask = np.ones(len(values), dtype=bool)
    low, high = int_arg(ge), int_arg(lt)
    if low is not None:
        mask &= values >= low
    if high is not None:
        mask &= values < high
    return mask


def current_ledger() -> Ledger:
    box = sandbox()
    return ledger(box.data, g.shop, box.clock())


def register(app: Flask) -> None:
    @api_route(app, "GET", "/finance/202309/statements", Endpoint(FINANCE))
    def statements():
        shop, args = g.shop, request.args
        descending = require_sort("statement_time")
        book = current_ledger()
        times = book.days * DAY
        mask = window(times, "statement_time_ge", "statement_time_lt")
        status = args.get("payment_status")
        if status is not None:
            if status not in ("PAID", "FAILED", "PROCESSING"):
                raise invalid_param("payment_status must be PAID, FAILED or PROCESSING")
            mask &= np.array([book.statement_payment_status(int(d)) == status for d in book.days], dtype=bool)
        indices = np.nonzero(mask)[0]
        filters = {"path": "statements", **dict(sorted(args.items())), "page_token": None, "page_size": None, "timestamp": None, "sign": None}
        items, token, _ = paged_search(
            args, filters, indices, times[indices], low=1, high=100, default_size=20, descending=descending, build=lambda k: statement_document(shop, book, k)
        )
        return ok({"next_page_token": token, "statements": items})

    @api_route(app, "GET", "/finance/202309/payments", Endpoint(FINANCE))
    def payments():
        shop, args = g.shop, request.args
        descending = require_sort("create_time")
        book = current_ledger()
        created = np.array([book.payment_created(int(w)) for w in book.weeks], dtype=np.int64)
        indices = np.nonzero(window(created, "create_time_ge", "create_time_lt"))[0]

        def build(k: int) -> dict:
            week, value = int(book.weeks[k]), int(book.week_amount[k])
            paid = book.payment_paid(week)
            money = {"value": fmt(value, shop.decimals), "currency": shop.currency}
            return {
                "create_time": book.payment_created(week),
                "id": payment_id(shop, week),
                "status": "PAID" if paid <= book.now else "PROCESSING",
                "amount": money,
                "settlement_amount": money,
                "reserve_amount": {"value": fmt(0, shop.decimals), "currency": shop.currency},
                "payment_amount_before_exchange": money,
                "exchange_rate": "1",
                "paid_time": paid if paid <= book.now else 0,
                "bank_account": "****1234",
            }

        filters = {"path": "payments", **dict(sorted(args.items())), "page_token": None, "page_size": None, "timestamp": None, "sign": None}
        items, token, _ = paged_search(args, filters, indices, created[indices], low=1, high=100, default_size=20, descending=descending, build=build)
        return ok({"next_page_token": token, "payments": items})

    api_route(app, "GET", "/finance/202605/payments", Endpoint(FINANCE))(payments)

    @api_route(app, "GET", "/finance/202309/withdrawals", Endpoint(FINANCE))
    def withdrawals():
        shop, args = g.shop, request.args
        types = [t for t in (args.get("types") or "").split(",") if t]
        if not types:
            raise invalid_param("types is required (WITHDRAW, SETTLE, TRANSFER, REVERSE)")
        unknown = set(types) - set(WITHDRAWAL_TYPES)
        if unknown:
            raise invalid_param(f"unknown types: {', '.join(sorted(unknown))}")
        book = current_ledger()
        entries = balance_entries(shop, book)
        created = entries.created
        mask = window(created, "create_time_ge", "create_time_lt") & (created <= book.now) & np.isin(entries.types, types)
        indices = np.nonzero(mask)[0]

        def build(k: int) -> dict:
            return {
                "id": entries.ids[k],
                "type": entries.types[k],
                "amount": fmt(int(entries.amount[k]), shop.decimals),
                "currency": shop.currency,
                "status": "SUCCESS",
                "create_time": int(created[k]),
            }

        filters = {"path": "withdrawals", **dict(sorted(args.items())), "page_token": None, "page_size": None, "timestamp": None, "sign": None}
        items, token, total = paged_search(args, filters, indices, created[indices], low=1, high=100, default_size=20, descending=True, build=build)
        return ok({"next_page_token": token, "total_count": total, "withdrawals": items})

    @api_route(app, "GET", "/finance/202501/statements/{statement_id}/statement_transactions", Endpoint(FINANCE))
    def statement_transactions(statement_id):
        box, shop, args = sandbox(), g.shop, request.args
        descending = require_sort("order_create_time")
        decoded = box.data.decode(statement_id, STATEMENT_ID_BASE)
        book = current_ledger()
        if decoded is None or decoded[0] != shop.index or decoded[1] not in set(book.days.tolist()):
            raise invalid_param(f"statement {statement_id} does not exist in this shop")
        day = decoded[1]
        k = int(np.searchsorted(book.days, day))
        indices = np.nonzero(book.statement_day_of_order == day)[0]
        cols = shop.orders
        filters = {"path": "statement_transactions", "statement": statement_id, "desc": descending}
        items, token, total = paged_search(
            args,
            filters,
            indices,
            cols.create_time[indices],
            low=1,
            high=100,
            default_size=20,
            descending=descending,
            build_page=lambda page: [D.statement_transaction_document(box.data, shop, c) for c in box.data.order_cores(shop, page)],
        )
        money = lambda value: fmt(int(value), shop.decimals)  # noqa: E731
        return ok(
            {
                "next_page_token": token,
                "id": statement_id,
                "create_time": day * DAY,
                "status": book.statement_payment_status(day),
                "currency": shop.currency,
                "payable_amount": money(book.settlement[k]),
                "total_reserve_amount": money(0),
                "total_settlement_amount": money(book.settlement[k]),
                "total_settlement_breakdown": {
                    "total_revenue_amount": money(book.revenue[k]),
                    "total_shipping_cost_amount": money(book.shipping[k]),
                    "total_fee_tax_amount": money(book.fee[k]),
                    "total_adjustment_amount": money(0),
                },
                "total_count": total,
                "transactions": items,
            }
        )

    @api_route(app, "GET", "/finance/202501/orders/{order_id}/statement_transactions", Endpoint(FINANCE))
    def order_statement_transactions(order_id):
        box, shop = sandbox(), g.shop
        i = box.data.order_index(shop, order_id)
        if i is None:
            raise invalid_param(f"order {order_id} does not exist in this shop")
        core = box.data.order_core(shop, i)
        book = current_ledger()
        if book.statement_day_of_order[i] < 0:
            core.settle_time = 0  # settles later: nothing on a statement yet
        return ok(D.order_statement_transactions_document(box.data, shop, core))

    @api_route(app, "GET", "/finance/202507/orders/unsettled", Endpoint(FINANCE))
    def unsettled():
        box, shop, args = sandbox(), g.shop, request.args
        descending = require_sort("order_create_time")
        cols, n = shop.orders, shop.orders.count
        book = current_ledger()
        mask = unsettled_mask(shop, book)
        mask &= window(cols.create_time[:n], "search_time_ge", "search_time_lt")
        indices = np.nonzero(mask)[0]
        filters = {"path": "unsettled", **dict(sorted(args.items())), "page_token": None, "page_size": None, "timestamp": None, "sign": None}
        items, token, total = paged_search(
            args,
            filters,
            indices,
            cols.create_time[indices],
            low=1,
            high=100,
            default_size=20,
            descending=descending,
            build_page=lambda page: [D.unsettled_transaction_document(box.data, shop, c) for c in box.data.order_cores(shop, page)],
        )
        money = lambda column: fmt(int(getattr(cols, column)[indices].sum()), shop.decimals)  # noqa: E731
        return ok(
            {
                "next_page_token": token,
                "total_count": total,
                "sum_est_settlement_amount": money("settlement"),
                "sum_est_revenue_amount": money("revenue"),
                "sum_est_adjustment_amount": fmt(0, shop.decimals),
                "sum_est_fee_amount": money("fee"),
                "transactions": items,
            }
        )
