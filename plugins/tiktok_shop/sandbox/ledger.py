"""Finance views computed from the order columns: daily statements, weekly payments and the
withdrawals that pay them out. One computation serves the API and the ground-truth stats, so
they cannot disagree. Cached per data version: mutations invalidate it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import DAY, PAYMENT_ID_BASE, SHOP_STRIDE, WITHDRAWAL_ID_BASE, Shop, ShopData
from .documents import statement_id


@dataclass
class Ledger:
    days: np.ndarray  # statement day numbers (statement_time // DAY), ascending
    count: np.ndarray  # orders per statement
    revenue: np.ndarray
    fee: np.ndarray
    shipping: np.ndarray
    settlement: np.ndarray
    statement_day_of_order: np.ndarray  # per order: its statement day, or -1
    weeks: np.ndarray  # payment weeks, ascending
    week_amount: np.ndarray
    now: int

    def payment_created(self, week: int) -> int:
        return int((week + 1) * 7 * DAY)

    def payment_paid(self, week: int) -> int:
        return self.payment_created(week) + DAY

    def statement_payment_status(self, day: int) -> str:
        week = day // 7
        if self.payment_created(week) > self.now:
            return "PROCESSING"
        return "PAID" if self.payment_paid(week) <= self.now else "PROCESSING"


def payment_id(shop: Shop, week: int) -> str:
    return str(PAYMENT_ID_BASE + shop.index * SHOP_STRIDE + week)


def withdrawal_id(shop: Shop, week: int) -> str:
    return str(WITHDRAWAL_ID_BASE + shop.index * SHOP_STRIDE + week)


_cache: dict[tuple[int, int, int, int], Ledger] = {}


def ledger(data: ShopData, shop: Shop, now: int) -> Ledger:
    # Statements appear at 00:00 UTC; a ledger is valid for the rest of the day.
    key = (id(data), shop.index, data.version, now // DAY)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    cols, n = shop.orders, shop.orders.count
    settle = cols.settle_time[:n]
    statement_day = np.where(settle > 0, settle // DAY + 1, -1)
    visible = (statement_day > 0) & (statement_day * DAY <= now)
    statement_day = np.where(visible, statement_day, -1)
    days, inverse = np.unique(statement_day[visible], return_inverse=True)
    sums = {}
    for name in ("revenue", "fee", "shipping_cost", "settlement"):
        total = np.zeros(len(days), dtype=np.int64)
        np.add.at(total, inverse, getattr(cols, name)[:n][visible])
        sums[name] = total
    count = np.bincount(inverse, minlength=len(days)).astype(np.int64)
    weeks_all = days // 7
    weeks, week_inverse = np.unique(weeks_all, return_inverse=True)
    week_amount = np.zeros(len(weeks), dtype=np.int64)
    np.add.at(week_amount, week_inverse, sums["settlement"])
    paid_weeks = np.array([(w + 1) * 7 * DAY <= now for w in weeks], dtype=bool)
    result = Ledger(
        days, count, sums["revenue"], sums["fee"], sums["shipping_cost"], sums["settlement"], statement_day, weeks[paid_weeks], week_amount[paid_weeks], now
    )
    if len(_cache) > 64:
        _cache.clear()
    _cache[key] = result
    return result


@dataclass
class BalanceEntries:
    """The seller's balance ledger as ``finance/202309/withdrawals`` lists it: a SETTLE entry
    when a statement lands (at its statement time, the statement's settlement amount) and a
    WITHDRAW entry when a payment reaches the bank. Amounts are positive, as in the official
    sample; the type says which way the money moved (README, "Reports": available balance)."""

    created: np.ndarray
    types: list[str]
    amount: np.ndarray
    ids: list[str]


SETTLE_ID_OFFSET = 5 * 10**11  # settle entries take the upper half of a shop's withdrawal ids


def balance_entries(shop: Shop, book: Ledger) -> BalanceEntries:
    settle_created = (book.days * DAY).astype(np.int64)
    withdraw_created = np.array([book.payment_paid(int(w)) for w in book.weeks], dtype=np.int64)
    return BalanceEntries(
        np.concatenate([settle_created, withdraw_created]),
        ["SETTLE"] * len(book.days) + ["WITHDRAW"] * len(book.weeks),
        np.concatenate([book.settlement, book.week_amount]).astype(np.int64),
        [str(WITHDRAWAL_ID_BASE + shop.index * SHOP_STRIDE + SETTLE_ID_OFFSET + int(d)) for d in book.days] + [withdrawal_id(shop, int(w)) for w in book.weeks],
    )


def statement_document(shop: Shop, book: Ledger, k: int) -> dict:
    from .money import fmt

    day = int(book.days[k])
    week = day // 7
    status = book.statement_payment_status(day)
    return {
        "id": statement_id(shop, day),
        "statement_time": day * DAY,
        "settlement_amount": fmt(int(book.settlement[k]), shop.decimals),
        "currency": shop.currency,
        "revenue_amount": fmt(int(book.revenue[k]), shop.decimals),
        "fee_amount": fmt(int(book.fee[k]), shop.decimals),
        "adjustment_amount": fmt(0, shop.decimals),
        "payment_status": status,
        "payment_id": payment_id(shop, week) if book.payment_created(week) <= book.now else "",
        "net_sales_amount": fmt(int(book.revenue[k]), shop.decimals),
        "shipping_cost_amount": fmt(int(book.shipping[k]), shop.decimals),
    }
