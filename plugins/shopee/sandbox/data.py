"""Seeded Shopee shops: items with models and stock per location, orders with lines and
packages, and each order's escrow. The same seed gives the same shops, so tests compare what
the ERP synced with ``ShopData.stats`` (the ground truth).

Facts the data follows (shared API.md, section 4): order statuses and their path (4.3), prices
with two decimals in SG/MY/BR/MX and whole units elsewhere (4.7, from the get_model_list
price_info text), ``model_id`` 0 for an item without variants (3.5), stock per location in
``stock_info_v2.seller_stock`` (4.7), an item's ``update_time`` moving on stock and price
changes too (4.7), ``total_amount`` present only once the order is paid (4.3), the wallet's
signed amounts with the balance after each transaction and its type names (4.4,
get_wallet_transaction_list and "TransactionType").
"""

from __future__ import annotations

import random
import string
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# The sandbox keeps its own copy of the markets' currencies on purpose: an emulator that
# imported the connector's constants could not catch a mistake in them.
CURRENCIES = {
    "SG": "SGD",
    "MY": "MYR",
    "TH": "THB",
    "VN": "VND",
    "PH": "PHP",
    "ID": "IDR",
    "TW": "TWD",
    "BR": "BRL",
    "MX": "MXN",
    "CO": "COP",
    "CL": "CLP",
}
TWO_DECIMALS = {"SG", "MY", "BR", "MX"}
# (status, weight): most orders of a living shop are done; a few wait on the seller.
STATUSES = (
    ("COMPLETED", 50),
    ("TO_CONFIRM_RECEIVE", 6),
    ("SHIPPED", 10),
    ("PROCESSED", 6),
    ("READY_TO_SHIP", 10),
    ("UNPAID", 4),
    ("IN_CANCEL", 2),
    ("CANCELLED", 9),
    ("TO_RETURN", 3),
)
PAID = frozenset({"READY_TO_SHIP", "PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "TO_RETURN", "IN_CANCEL"})
# Paid orders whose escrow is held until its release after completion (IN_CANCEL and
# TO_RETURN wait on a dispute instead).
ESCROW_HELD = frozenset({"READY_TO_SHIP", "PROCESSED", "RETRY_SHIP", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED"})
PICKED_UP = frozenset({"SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED", "TO_RETURN"})
CARRIERS = ("Standard Delivery", "SPX Express", "Ninja Van")
DAY = 86_400
RELEASE_DELAY = DAY
# The seeded history ends an hour before ``as_of``: a sync's lookback then finds it settled,
# and whatever changes later is what a test or the control API changed.
QUIET = 3_600
# Fees taken from each order's goods before escrow (the rates are the sandbox's own).
COMMISSION, SERVICE, TRANSACTION = Decimal("0.06"), Decimal("0.03"), Decimal("0.02")
# The seller withdraws most of the wallet to the bank once a week; a withdrawal is PENDING
# until the bank has it, two days later. One released order in ADJUSTED_EVERY is adjusted
# afterwards (a fee corrected), so the ledger holds a signed transfer too.
WITHDRAW_EVERY, WITHDRAW_SHARE, WITHDRAWAL_DAYS = 7 * DAY, Decimal("0.9"), 2
ADJUSTED_EVERY, ADJUSTMENT = 23, Decimal("0.02")


def quantize(amount: Decimal, region: str) -> Decimal:
    return amount.quantize(Decimal("0.01") if region in TWO_DECIMALS else Decimal("1"), rounding=ROUND_HALF_UP)


@dataclass
class Model:
    model_id: int  # 0: the item has no variants
    sku: str
    name: str
    price: Decimal
    stock: int
    reserved: int = 0


@dataclass
class Item:
    item_id: int
    name: str
    sku: str
    category_id: int
    status: str
    create_time: int
    update_time: int
    has_model: bool
    models: list[Model]

    def model(self, model_id: int) -> Model | None:
        return next((m for m in self.models if m.model_id == model_id), None)


@dataclass
class Line:
    item: Item
    model: Model
    quantity: int
    original_price: Decimal
    discounted_price: Decimal
    order_item_id: int


@dataclass
class Order:
    order_sn: str
    status: str
    create_time: int
    update_time: int
    pay_time: int | None
    lines: list[Line]
    shipping_fee: Decimal
    buyer_user_id: int
    package_number: str
    carrier: str
    pickup_done_time: int | None
    cancel_by: str = ""
    cancel_reason: str = ""
    tracking_number: str = ""
    # A day after the order completed (the sandbox's own delay). Seeded orders completed long
    # enough ago have theirs; one completed during a run is released a day later.
    release_time: int | None = None

    def goods(self) -> Decimal:
        return sum((line.discounted_price * line.quantity for line in self.lines), Decimal(0))

    def total_amount(self) -> Decimal | None:
        return self.goods() + self.shipping_fee if self.pay_time else None

    def released_at(self, now: int) -> int | None:
        """When the escrow reached the seller, once that moment has passed."""
        return self.release_time if self.release_time is not None and self.release_time <= now else None


@dataclass
class Return:
    """A buyer's return or refund request (API.md 4.5)."""

    return_sn: str
    order: Order
    line: Line  # the line returned
    status: str
    reason: str
    solution: int  # 0: return and refund, 1: refund only
    refund_amount: Decimal
    create_time: int
    update_time: int


# (status, weight) of a return, and the reasons buyers give (API.md 4.5's enums).
RETURN_STATUSES = (
    ("REQUESTED", 2),
    ("PROCESSING", 2),
    ("ACCEPTED", 4),
    ("REFUND_PAID", 6),
    ("CLOSED", 2),
    ("CANCELLED", 2),
    ("JUDGING", 1),
    ("SELLER_DISPUTE", 1),
)
RETURN_REASONS = ("NONRECEIPT", "WRONG_ITEM", "ITEM_DAMAGED", "DIFF_DESC", "CHANGE_MIND", "ITEM_MISSING")
# A return counts as refunded once accepted or paid (API.md 4.5 suggests CLOSED with an amount
# too; the sandbox closes returns without a refund, so CLOSED is not refunded here).
REFUNDED_RETURN = frozenset({"ACCEPTED", "REFUND_PAID"})


@dataclass
class Shop:
    index: int
    shop_id: int
    name: str
    region: str
    location_id: str
    items: dict[int, Item] = field(default_factory=dict)
    orders: list[Order] = field(default_factory=list)  # by create_time
    by_sn: dict[str, Order] = field(default_factory=dict)
    returns: list[Return] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return CURRENCIES[self.region]


class ShopData:
    def __init__(self, seed: int, shops: int, orders: int, items: int, as_of: int, regions: tuple[str, ...] = ("SG",), days: int = 120):
        self.as_of = as_of
        self.shops = [self._shop(random.Random(f"{seed}:{i}"), i, regions[i % len(regions)], orders, items, days) for i in range(shops)]

    def shop(self, shop_id: int | str | None) -> Shop | None:
        try:
            wanted = int(shop_id)
        except (TypeError, ValueError):
            return None
        return next((s for s in self.shops if s.shop_id == wanted), None)

    def _shop(self, rng: random.Random, index: int, region: str, n_orders: int, n_items: int, days: int) -> Shop:
        shop = Shop(index, 600_000 + index, f"Sandbox Shopee {region} {index + 1}", region, f"{region}Z")
        for k in range(n_items):
            item_id = 1_000_000_000 + index * 100_000 + k
            created = self.as_of - rng.randint(days, 3 * days) * DAY
            has_model = rng.random() < 0.5
            base = Decimal(rng.randint(300, 9_000)) / (100 if region in TWO_DECIMALS else Decimal("0.01"))
            if has_model:
                models = [
                    Model(item_id * 10 + m, f"SHP-{index}-{k}-{m}", size, quantize(base * Decimal(1 + m) / 2, region), rng.randint(0, 80))
                    for m, size in enumerate(("S", "M", "L", "XL")[: rng.randint(2, 4)])
                ]
            else:
                models = [Model(0, "", "", quantize(base, region), rng.randint(0, 200))]
            status = "NORMAL" if rng.random() < 0.9 else "UNLIST"
            updated = min(self.as_of - QUIET, created + rng.randint(0, days) * DAY)
            shop.items[item_id] = Item(item_id, f"Sandbox item {index}-{k}", f"ITEM-{index}-{k}", 100_000 + k % 7, status, created, updated, has_model, models)
        sellable = [i for i in shop.items.values() if i.status == "NORMAL"]
        weights = [w for _, w in STATUSES]
        for n in range(n_orders):
            created = self.as_of - QUIET - days * DAY + (n * days * DAY) // max(n_orders, 1) - rng.randint(0, 600)
            status = rng.choices([s for s, _ in STATUSES], weights)[0]
            lines = []
            for _ in range(rng.randint(1, 3)):
                item = rng.choice(sellable)
                model = rng.choice(item.models)
                discount = Decimal(rng.choice((0, 0, 5, 10, 20))) / 100
                lines.append(Line(item, model, rng.randint(1, 3), model.price, quantize(model.price * (1 - discount), region), item.item_id * 100 + len(lines)))
            settled = self.as_of - QUIET
            paid = min(settled, created + rng.randint(60, 3_600)) if status in PAID or (status == "CANCELLED" and rng.random() < 0.5) else None
            picked = min(settled, (paid or created) + rng.randint(1, 3) * DAY) if status in PICKED_UP else None
            updated = min(settled, max(created, picked or paid or created) + rng.randint(60, 5 * DAY))
            order = Order(
                order_sn=_order_sn(rng, created),
                status=status,
                create_time=created,
                update_time=updated,
                pay_time=paid,
                lines=lines,
                shipping_fee=quantize(Decimal(rng.choice((0, 150, 299, 450))) / (100 if region in TWO_DECIMALS else Decimal("0.01")), region),
                buyer_user_id=rng.randint(10_000_000, 99_999_999),
                package_number=f"OFG{rng.randint(10**14, 10**15 - 1)}",
                carrier=rng.choice(CARRIERS),
                pickup_done_time=picked,
            )
            if status == "COMPLETED" and updated + RELEASE_DELAY <= settled:
                order.release_time = updated + RELEASE_DELAY
            if status == "CANCELLED":
                order.cancel_by = rng.choice(("buyer", "seller", "system"))
                order.cancel_reason = {"buyer": "Need to change delivery address", "seller": "Out of Stock", "system": "Unpaid Order"}[order.cancel_by]
            if status in PICKED_UP or status == "PROCESSED":
                order.tracking_number = f"SPXSG{rng.randint(10**11, 10**12 - 1)}"
            shop.orders.append(order)
            shop.by_sn[order.order_sn] = order
            if status == "TO_RETURN" or (status == "COMPLETED" and rng.random() < 0.06):
                shop.returns.append(_return(rng, order, region, self.as_of))
        return shop

    def stats(self, shop: Shop, now: int) -> dict:
        """The ground truth a full sync must reproduce."""
        totals, released, held, release_days = Counter(), Counter(), Counter(), set()
        for order in shop.orders:
            when = order.released_at(now)
            if when is not None:
                released["orders"] += 1
                released["escrow"] += escrow(order, shop.region)["escrow_amount"]
                release_days.add(time.strftime("%Y-%m-%d", time.gmtime(when)))
            elif order.status in ESCROW_HELD:
                held["orders"] += 1
                held["escrow"] += escrow(order, shop.region)["escrow_amount"]
                # Delivered (to confirm, or completed) more than 30 days ago and still held.
                if order.status in ("TO_CONFIRM_RECEIVE", "COMPLETED") and order.update_time < now - 30 * DAY:
                    held["late_orders"] += 1
                    held["late_escrow"] += escrow(order, shop.region)["escrow_amount"]
        for order in shop.orders:
            if order.pay_time:
                totals[shop.currency] += order.total_amount()
        models = [m for item in shop.items.values() for m in item.models]
        return {
            "shop_id": shop.shop_id,
            "orders": len(shop.orders),
            "order_lines": sum(len(o.lines) for o in shop.orders),
            "orders_by_status": dict(Counter(o.status for o in shop.orders)),
            # Goods after discounts of the orders a report counts (neither unpaid nor cancelled).
            "gmv": str(sum((o.goods() for o in shop.orders if o.status not in ("UNPAID", "CANCELLED")), Decimal(0))),
            "total_amount": {currency: str(amount) for currency, amount in totals.items()},
            "items": len(shop.items),
            "models": len(models),
            "stock": sum(m.stock for m in models),
            "price_sum": str(sum((m.price for m in models), Decimal(0))),
            "escrow_released": {"orders": released["orders"], "amount": str(released["escrow"]), "days": len(release_days)},
            # What Shopee still owes: the escrow of paid orders not released yet.
            "escrow_held": {"orders": held["orders"], "amount": str(held["escrow"])},
            "escrow_held_30_days_after_delivery": {"orders": held["late_orders"], "amount": str(held["late_escrow"])},
            "wallet": wallet_truth(shop, now),
            "returns": {
                "count": len(shop.returns),
                "by_status": dict(Counter(r.status for r in shop.returns)),
                "refunded": str(sum((r.refund_amount for r in shop.returns if r.status in REFUNDED_RETURN), Decimal(0))),
            },
        }


def _return(rng: random.Random, order: Order, region: str, as_of: int) -> Return:
    status = rng.choices([s for s, _ in RETURN_STATUSES], [w for _, w in RETURN_STATUSES])[0]
    created = min(as_of - QUIET - 600, (order.pickup_done_time or order.update_time) + rng.randint(DAY, 5 * DAY))
    line = rng.choice(order.lines)
    solution = rng.choice((0, 1))
    refund = quantize(line.discounted_price * line.quantity, region) if status != "CANCELLED" else Decimal(0)
    return Return(
        f"{order.order_sn}R{rng.randint(100, 999)}",
        order,
        line,
        status,
        rng.choice(RETURN_REASONS),
        solution,
        refund,
        created,
        min(as_of - QUIET, created + rng.randint(600, 3 * DAY)),
    )


def _order_sn(rng: random.Random, created: int) -> str:
    """Shopee's order_sn: the creation date as YYMMDD, then eight letters and digits."""
    day = time.strftime("%y%m%d", time.gmtime(created))
    return day + "".join(rng.choices(string.ascii_uppercase + string.digits, k=8))


def escrow(order: Order, region: str) -> dict:
    """The order's income as get_escrow_detail gives it: goods less the fees; shipping passes
    through (the buyer paid it, the carrier got it)."""
    goods = order.goods()
    commission = quantize(goods * COMMISSION, region)
    service = quantize(goods * SERVICE, region)
    transaction = quantize((goods + order.shipping_fee) * TRANSACTION, region)
    return {
        "goods": goods,
        "commission_fee": commission,
        "service_fee": service,
        "seller_transaction_fee": transaction,
        "escrow_amount": goods - commission - service - transaction,
    }


def wallet(shop: Shop, now: int) -> list[dict]:
    """The shop's wallet up to ``now``, oldest first, as get_wallet_transaction_list gives
    each transaction (API.md 4.4): a signed amount, the balance after it, the type's name.
    Every released escrow is credited at its release; withdrawals and adjustments follow the
    constants above. Derived from the orders on each call, so a release during a run shows up
    at once, and earlier transactions never change (a withdrawal depends only on what came
    before it) but for a pending withdrawal's status."""
    released = sorted((t, o.order_sn, o) for o in shop.orders if (t := o.released_at(now)) is not None)
    events = []
    for when, sn, order in released:
        amount = escrow(order, shop.region)["escrow_amount"]
        events.append((when, "ESCROW_VERIFIED_ADD", amount, sn))
        if int(sn[-4:], 36) % ADJUSTED_EVERY == 0:
            events.append((when + 3_600, "ADJUSTMENT_MINUS", -quantize(amount * ADJUSTMENT, shop.region), sn))
    events = [e for e in sorted(events) if e[0] <= now]
    out, balance, withdrawals = [], Decimal(0), 0
    next_withdrawal = events[0][0] + WITHDRAW_EVERY if events else None

    def add(when, kind, amount, sn="", **extra):
        nonlocal balance
        balance += amount
        out.append(
            {
                "status": "COMPLETED",
                "transaction_type": kind,
                "amount": amount,
                "current_balance": balance,
                "create_time": when,
                "order_sn": sn,
                "refund_sn": "",
                "withdrawal_type": "",
                "withdrawal_id": 0,
                "root_withdrawal_id": 0,
                "transaction_fee": Decimal(0),
                "description": "",
                "buyer_name": "",
                "reason": "",
                "money_flow": "MONEY_IN" if amount >= 0 else "MONEY_OUT",
                "transaction_tab_type": "wallet_order_income" if kind == "ESCROW_VERIFIED_ADD" else "wallet_adjustment_filter",
                "txn_title": kind.replace("_", " ").title(),
                "pay_order_list": [{"order_sn": sn, "shop_name": shop.name}] if sn else [],
                "shop_name": shop.name,
                **extra,
            }
        )

    def withdraw_until(moment):
        nonlocal next_withdrawal, withdrawals
        while next_withdrawal is not None and next_withdrawal <= moment:
            amount = quantize(balance * WITHDRAW_SHARE, shop.region)
            if amount > 0:
                withdrawals += 1
                number = shop.shop_id * 1_000_000 + withdrawals
                add(
                    next_withdrawal,
                    "WITHDRAWAL_CREATED",
                    -amount,
                    status="COMPLETED" if next_withdrawal + WITHDRAWAL_DAYS * DAY <= now else "PENDING",
                    withdrawal_type="WITHDRAWAL_TO_BANK",
                    withdrawal_id=number,
                    root_withdrawal_id=number,
                    money_flow="MONEY_OUT",
                    transaction_tab_type="wallet_withdrawals",
                )
            next_withdrawal += WITHDRAW_EVERY

    for when, kind, amount, sn in events:
        withdraw_until(when - 1)
        add(when, kind, amount, sn)
    withdraw_until(now)
    return out


def wallet_truth(shop: Shop, now: int) -> dict:
    """What a synced wallet must add up to: the balance after the last transaction, and the
    withdrawals the bank has (completed) and has not yet (pending)."""
    ledger = wallet(shop, now)
    paid = [t for t in ledger if t["transaction_type"] == "WITHDRAWAL_CREATED" and t["status"] == "COMPLETED"]
    pending = [t for t in ledger if t["transaction_type"] == "WITHDRAWAL_CREATED" and t["status"] == "PENDING"]
    return {
        "transactions": len(ledger),
        "balance": str(ledger[-1]["current_balance"] if ledger else Decimal(0)),
        "withdrawals_paid": {"count": len(paid), "amount": str(-sum((t["amount"] for t in paid), Decimal(0)))},
        "withdrawals_pending": {"count": len(pending), "amount": str(-sum((t["amount"] for t in pending), Decimal(0)))},
    }
