"""The sandbox's seeded shop data.

Every record is a pure function of (seed, shop, index, as_of): the same seed gives the same
shop on every machine. Orders are never all held as documents: at start the generator walks
them once to fill compact numpy columns (times, status, money in minor units) that searches
filter and sort on; a page's documents are rebuilt from the seed when served. About 60 bytes a
order, so a million orders take ~60 MB of columns and no per-order objects.

The timeline of an order (created, paid, shipped, delivered, completed; or cancelled; or
returned after delivery) is drawn from its seed; its status is the last stage reached by
``as_of``, the moment the data set describes. Later changes come only through the control API
(``mutations``), so statuses never drift while a test compares counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .money import REGION_CURRENCY

DAY = 86_400
HOUR = 3_600

ORDER_STATUSES = (
    "UNPAID",
    "ON_HOLD",
    "AWAITING_SHIPMENT",
    "PARTIALLY_SHIPPING",
    "AWAITING_COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "COMPLETED",
    "CANCELLED",
)
STATUS_CODE = {name: code for code, name in enumerate(ORDER_STATUSES)}
PRODUCT_STATUSES = ("ACTIVATE", "SELLER_DEACTIVATED", "DRAFT", "PLATFORM_DEACTIVATED")

FATE_NORMAL, FATE_CANCELLED, FATE_RETURNED = 0, 1, 2
RETURN_TYPES = ("REFUND", "RETURN_AND_REFUND")
CONTENT_TYPES = ("VIDEO", "LIVE", "SHOP", "PROMOTION_PAGE", "LINKSHARE")

ADJECTIVES = ("Classic", "Organic", "Vintage", "Cozy", "Sleek", "Handmade", "Portable", "Premium", "Eco", "Mini")
NOUNS = ("Mug", "Hoodie", "Lamp", "Backpack", "Candle", "Notebook", "Sneakers", "Water Bottle", "Scarf", "Phone Case", "Serum", "Tote")
VARIANTS = ("Black", "White", "Red", "Blue", "Green", "S", "M", "L", "XL")
CANCEL_REASONS = ("Buyer changed mind", "Pricing error", "Out of stock", "Payment not completed")
RETURN_REASONS = ("Item not as described", "Wrong size", "Damaged on arrival", "No longer needed")

# Id spaces: decodable back to (shop, index) so lookups by id need no map.
ORDER_ID_BASE = 576_000_000_000_000_000
PRODUCT_ID_BASE = 1_729_000_000_000_000_000
SKU_ID_BASE = 1_730_000_000_000_000_000
PACKAGE_ID_BASE = 1_152_000_000_000_000_000
RETURN_ID_BASE = 4_035_000_000_000_000_000
CANCEL_ID_BASE = 4_036_000_000_000_000_000
STATEMENT_ID_BASE = 7_300_000_000_000_000_000
PAYMENT_ID_BASE = 7_400_000_000_000_000_000
WITHDRAWAL_ID_BASE = 7_500_000_000_000_000_000
LIVE_ID_BASE = 7_600_000_000_000_000_000
WAREHOUSE_ID_BASE = 7_068_000_000_000_000_000
SHOP_STRIDE = 10**12


MASK64 = 0xFFFFFFFFFFFFFFFF


class SplitMix64:
    """A tiny seeded generator (splitmix64). ``random.Random(seed)`` spends ~20 us seeding its
    Mersenne Twister state, which at a million orders is most of the start-up time."""

    __slots__ = ("state",)

    def __init__(self, seed: int):
        self.state = seed & MASK64

    def next64(self) -> int:
        self.state = z = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def random(self) -> float:
        return (self.next64() >> 11) * (1.0 / 9007199254740992.0)

    def randrange(self, low: int, high: int | None = None) -> int:
        if high is None:
            low, high = 0, low
        return low + int(self.random() * (high - low))

    def choice(self, options):
        return options[int(self.random() * len(options))]

    def getrandbits(self, bits: int) -> int:
        value, have = 0, 0
        while have < bits:
            value = (value << 64) | self.next64()
            have += 64
        return value >> (have - bits)


DRAWS_PER_ORDER = 48  # more than one order's timeline, lines and money ever consume


def draw_matrix(key: int, start: int, stop: int) -> np.ndarray:
    """Uniform floats in [0, 1) for orders start..stop-1, DRAWS_PER_ORDER each: splitmix64's
    finaliser over a counter, vectorised, so a million orders' draws take a second and any
    order's draws can be recomputed alone."""
    return draw_rows(key, np.arange(start, stop, dtype=np.uint64))


def draw_rows(key: int, indices: np.ndarray) -> np.ndarray:
    """The draws of the given orders (any indices, one row each)."""
    indices = np.asarray(indices, dtype=np.uint64)
    counters = (indices[:, None] * np.uint64(DRAWS_PER_ORDER) + np.arange(DRAWS_PER_ORDER, dtype=np.uint64)[None, :]).ravel()
    with np.errstate(over="ignore"):
        z = counters * np.uint64(0x9E3779B97F4A7C15) + np.uint64(key & MASK64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return ((z >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)).reshape(len(indices), DRAWS_PER_ORDER)


class RowDraws:
    """One order's precomputed draws, consumed in order."""

    __slots__ = ("values", "position")

    def __init__(self, values: list[float]):
        self.values, self.position = values, 0

    def random(self) -> float:
        value = self.values[self.position]
        self.position += 1
        return value


def seeded(*parts: int) -> SplitMix64:
    value = 0
    for part in parts:
        value = (value * 1_000_003 + part) & MASK64
    return SplitMix64(value)


@dataclass
class Sku:
    id: str
    seller_sku: str
    name: str
    price: int  # minor units
    # warehouse index -> [available, committed]
    stock: list[list[int]]


@dataclass
class Product:
    index: int
    id: str
    title: str
    status: str
    create_time: int
    update_time: int
    skus: list[Sku]


@dataclass
class Warehouse:
    id: str
    name: str
    type: str
    is_default: bool


@dataclass
class OrderCore:
    """What searches and money need; the document adds the rest from another seed stream."""

    index: int
    create_time: int
    stages: list[tuple[str, int]]  # (status, time) reached, in order
    fate: int
    # (product index, sku index, original unit price, seller discount, platform discount)
    lines: list[tuple[int, int, int, int, int]]
    ship_original: int
    ship_seller_discount: int
    ship_platform_discount: int
    tax_rate_bp: int  # basis points of sub_total
    retail_delivery_fee: int
    buyer: int
    creator: int  # -1: not an affiliate order
    commission_bps: int  # hundredths of a percent
    content_type: str
    return_type: str | None
    return_stages: list[tuple[str, int]]
    settle_time: int  # 0: never settles

    @property
    def status(self) -> str:
        return self.stages[-1][0]

    @property
    def update_time(self) -> int:
        return max(self.stages[-1][1], self.return_stages[-1][1] if self.return_stages else 0)

    def stage_time(self, status: str) -> int:
        for name, at in self.stages:
            if name == status:
                return at
        return 0

    # Money, with the documented formulas, computed once (plain attributes: a million orders
    # pass through here at start, and property lookups would dominate):
    #   sub_total = original_total_product_price - seller_discount - platform_discount
    #   shipping_fee = original_shipping_fee - shipping seller discount - shipping platform discount
    #   total_amount = sub_total + shipping_fee + tax + retail_delivery_fee
    # Settlement: the platform reimburses its own discounts, takes a 6 % commission and the
    # affiliate commission; the seller bears its shipping discount.
    def __post_init__(self) -> None:
        self.original_total = sum(line[2] for line in self.lines)
        self.seller_discount = sum(line[3] for line in self.lines)
        self.platform_discount = sum(line[4] for line in self.lines)
        self.sub_total = self.original_total - self.seller_discount - self.platform_discount
        self.shipping_fee = self.ship_original - self.ship_seller_discount - self.ship_platform_discount
        self.product_tax = (self.sub_total * self.tax_rate_bp + 5_000) // 10_000
        self.total = self.sub_total + self.shipping_fee + self.product_tax + self.retail_delivery_fee
        self.revenue = self.sub_total + self.platform_discount
        self.platform_commission = (self.revenue * 600 + 5_000) // 10_000
        self.affiliate_commission = (self.sub_total * self.commission_bps + 5_000) // 10_000 if self.creator >= 0 else 0
        self.fee = -(self.platform_commission + self.affiliate_commission)
        self.shipping_cost = -self.ship_seller_discount
        self.settlement = self.revenue + self.fee + self.shipping_cost


@dataclass
class LiveSession:
    id: str
    title: str
    username: str
    start_time: int
    end_time: int
    gmv: int
    sku_orders: int
    units: int
    customers: int
    viewers: int
    views: int
    pcu: int
    acu: int
    products_added: int


@dataclass
class Shop:
    index: int
    id: str
    cipher: str
    name: str
    region: str
    currency: str
    decimals: int
    code: str
    seller_type: str
    products: list[Product] = field(default_factory=list)
    warehouses: list[Warehouse] = field(default_factory=list)
    creators: list[str] = field(default_factory=list)
    live_sessions: list[LiveSession] = field(default_factory=list)
    orders: OrderColumns | None = None
    # Promotions (promotions.py), seeded the first time an endpoint asks for them.
    activities: list = field(default_factory=list)
    coupons: list = field(default_factory=list)
    promotions_seeded: bool = False


class OrderColumns:
    """Compact per-order columns; index i is order i of the shop."""

    def __init__(self, capacity: int):
        self.count = 0
        self.create_time = np.zeros(capacity, dtype=np.int64)
        self.update_time = np.zeros(capacity, dtype=np.int64)
        self.status = np.zeros(capacity, dtype=np.int8)
        self.fate = np.zeros(capacity, dtype=np.int8)
        self.total = np.zeros(capacity, dtype=np.int64)
        self.lines = np.zeros(capacity, dtype=np.int8)
        self.settle_time = np.zeros(capacity, dtype=np.int64)
        self.settlement = np.zeros(capacity, dtype=np.int64)
        self.revenue = np.zeros(capacity, dtype=np.int64)
        self.fee = np.zeros(capacity, dtype=np.int64)
        self.shipping_cost = np.zeros(capacity, dtype=np.int64)
        self.creator = np.full(capacity, -1, dtype=np.int16)
        self.commission = np.zeros(capacity, dtype=np.int64)
        self.return_requested = np.zeros(capacity, dtype=np.int64)  # 0: no return
        self.return_update_time = np.zeros(capacity, dtype=np.int64)
        self.cancel_time = np.zeros(capacity, dtype=np.int64)  # 0: not cancelled
        self.paid_time = np.zeros(capacity, dtype=np.int64)  # 0: unpaid (no package yet)

    def grow(self, extra: int) -> None:
        for name, column in list(vars(self).items()):
            if isinstance(column, np.ndarray):
                filler = np.full(extra, -1 if name == "creator" else 0, dtype=column.dtype)
                setattr(self, name, np.concatenate([column, filler]))

    def store(self, core: OrderCore) -> None:
        i = core.index
        if i >= len(self.create_time):
            self.grow(max(1024, len(self.create_time) // 4))
        self.count = max(self.count, i + 1)
        self.create_time[i] = core.create_time
        self.update_time[i] = core.update_time
        self.status[i] = STATUS_CODE[core.status]
        self.fate[i] = core.fate
        self.total[i] = core.total
        self.lines[i] = len(core.lines)
        settled = core.settle_time and core.status != "CANCELLED" and not core.return_stages
        self.settle_time[i] = core.settle_time if settled else 0
        # Estimated until settle_time is set; the ledger only sums settled orders.
        self.settlement[i] = core.settlement
        self.revenue[i] = core.revenue
        self.fee[i] = core.fee
        self.shipping_cost[i] = core.shipping_cost
        self.creator[i] = core.creator
        self.commission[i] = core.affiliate_commission
        self.return_requested[i] = core.return_stages[0][1] if core.return_stages else 0
        self.return_update_time[i] = core.return_stages[-1][1] if core.return_stages else 0
        self.cancel_time[i] = core.stage_time("CANCELLED")
        self.paid_time[i] = core.stage_time("AWAITING_SHIPMENT")


class ShopData:
    """Generates, and then serves, the data of one sandbox: its shops and their records."""

    def __init__(self, seed: int, shops: int, orders: int, as_of: int, span_days: int = 180):
        self.seed = seed
        self.as_of = as_of
        self.span = span_days * DAY
        self.orders_per_shop = orders
        self.start = as_of - self.span
        # Mutations through the control API: order index -> stages added after as_of.
        self.order_mutations: dict[tuple[int, int], list[tuple[str, int]]] = {}
        # order index -> (return type, return stages added after as_of)
        self.return_mutations: dict[tuple[int, int], tuple[str, list[tuple[str, int]]]] = {}
        self.created_orders: dict[tuple[int, int], OrderCore] = {}
        # Seller-shipped packages: order key -> {tracking_number, shipping_provider_id, handover_method}
        self.shipments: dict[tuple[int, int], dict] = {}
        # Buyer cancellation requests opened through the control API: key -> [(status, time)]
        self.cancellation_requests: dict[tuple[int, int], list[tuple[str, int]]] = {}
        self.seller_cancellations: dict[tuple[int, int], str] = {}  # Cancel Order: key -> its reason
        self.settled_now: dict[tuple[int, int], int] = {}  # settled through the control API
        self.version = 0  # bumped by every mutation; caches of aggregates key on it
        self.shops = [self._make_shop(s) for s in range(shops)]
        for shop in self.shops:
            self._fill_orders(shop)

    # -- shops and catalog ------------------------------------------------------------------

    def _make_shop(self, s: int) -> Shop:
        regions = list(REGION_CURRENCY)
        region = regions[s % len(regions)]
        currency, decimals = REGION_CURRENCY[region]
        rng = seeded(self.seed, s, 1)
        shop = Shop(
            index=s,
            id=str(7_494_000_000_000_000_000 + s * 1_000_003 + self.seed % 1_000),
            cipher=f"ROW_{rng.getrandbits(96):024x}",
            name=f"Sandbox Shop {s + 1} ({region})",
            region=region,
            currency=currency,
            decimals=decimals,
            code=f"{region}LC{rng.randrange(10**6):06d}",
            seller_type="LOCAL" if s % 3 != 2 else "CROSS_BORDER",
        )
        shop.warehouses = [
            Warehouse(str(WAREHOUSE_ID_BASE + s * 10 + 0), f"{region} main warehouse", "SALES_WAREHOUSE", True),
            Warehouse(str(WAREHOUSE_ID_BASE + s * 10 + 1), f"{region} overflow warehouse", "SALES_WAREHOUSE", False),
            Warehouse(str(WAREHOUSE_ID_BASE + s * 10 + 2), f"{region} returns", "RETURN_WAREHOUSE", False),
        ]
        scale = 100 if decimals == 0 else 1  # IDR/VND prices in the thousands, not cents
        for j in range(max(20, min(5_000, self.orders_per_shop // 50))):
            shop.products.append(self._make_product(shop, j, scale))
        shop.creators = [f"creator_{self.seed % 97:02d}_{s}_{c:03d}" for c in range(40)]
        live_count = max(5, self.orders_per_shop // 250)
        for k in range(live_count):
            shop.live_sessions.append(self._make_live(shop, k, scale))
        return shop

    def _make_product(self, shop: Shop, j: int, scale: int) -> Product:
        rng = seeded(self.seed, shop.index, 2, j)
        title = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {j + 1}"
        roll = rng.random()
        status = "ACTIVATE" if roll < 0.85 else "SELLER_DEACTIVATED" if roll < 0.95 else "DRAFT" if roll < 0.98 else "PLATFORM_DEACTIVATED"
        created = self.start - rng.randrange(0, 30 * DAY)
        updated = created + rng.randrange(0, self.span)
        skus = []
        for k in range(rng.choice((1, 1, 2, 3, 4))):
            variant = VARIANTS[(j + k) % len(VARIANTS)]
            skus.append(
                Sku(
                    id=str(SKU_ID_BASE + shop.index * SHOP_STRIDE + j * 10 + k),
                    seller_sku=f"SKU-{shop.index}-{j:05d}-{k}",
                    name=variant,
                    price=rng.randrange(499, 19_999) * scale,
                    stock=[[rng.randrange(0, 500), rng.randrange(0, 20)], [rng.randrange(0, 200), 0]],
                )
            )
        return Product(j, str(PRODUCT_ID_BASE + shop.index * SHOP_STRIDE + j), title, status, created, updated, skus)

    def _make_live(self, shop: Shop, k: int, scale: int) -> LiveSession:
        rng = seeded(self.seed, shop.index, 3, k)
        start = self.start + (k * self.span) // max(1, max(5, self.orders_per_shop // 250)) + rng.randrange(0, DAY)
        start = min(start, self.as_of - 4 * HOUR)
        viewers = rng.randrange(200, 50_000)
        units = rng.randrange(5, 400)
        return LiveSession(
            id=str(LIVE_ID_BASE + shop.index * SHOP_STRIDE + k),
            title=f"LIVE sale #{k + 1}",
            username=shop.creators[k % len(shop.creators)],
            start_time=start,
            end_time=start + rng.randrange(30 * 60, 3 * HOUR),
            gmv=units * rng.randrange(900, 4_000) * scale,
            sku_orders=max(1, units - rng.randrange(0, units // 2 + 1)),
            units=units,
            customers=max(1, units // 2),
            viewers=viewers,
            views=viewers + rng.randrange(0, viewers),
            pcu=rng.randrange(20, 2_000),
            acu=rng.randrange(5, 500),
            products_added=rng.randrange(3, 40),
        )

    # -- orders -------------------------------------------------------------------------------

    def active_products(self, shop: Shop) -> list[Product]:
        cached = getattr(shop, "_active", None)
        if cached is None:
            cached = [p for p in shop.products if p.status == "ACTIVATE"] or shop.products
            shop._active = cached  # type: ignore[attr-defined]
        return cached

    def order_core(self, shop: Shop, i: int) -> OrderCore:
        return self.order_cores(shop, [i])[0]

    def order_cores(self, shop: Shop, indices) -> list[OrderCore]:
        """The orders at ``indices``, their draws computed in one vectorised step (a page's
        worth costs about what one order would)."""
        indices = [int(i) for i in indices]
        generated = [i for i in indices if (shop.index, i) not in self.created_orders]
        rows = dict(zip(generated, draw_rows(self._order_key(shop, 4), np.array(generated, dtype=np.uint64)).tolist(), strict=True)) if generated else {}
        cores = []
        for i in indices:
            core = self.created_orders.get((shop.index, i)) or self._generated_core(shop, i, rows[i])
            cores.append(self._with_mutations(shop, core))
        return cores

    def _with_mutations(self, shop: Shop, core: OrderCore) -> OrderCore:
        key = (shop.index, core.index)
        extra = self.order_mutations.get(key)
        returns = self.return_mutations.get(key)
        if extra or returns:
            changes = {"stages": core.stages + (extra or [])}
            if returns:
                changes["return_type"] = core.return_type or returns[0]
                changes["return_stages"] = core.return_stages + returns[1]
            core = replace(core, **changes)
        if key in self.settled_now:
            core = replace(core, settle_time=self.settled_now[key])
        return core

    def _order_key(self, shop: Shop, stream: int) -> int:
        return seeded(self.seed, shop.index, stream).next64()

    def _generated_core(self, shop: Shop, i: int, draws: list[float] | None = None) -> OrderCore:
        if draws is None:
            draws = draw_matrix(self._order_key(shop, 4), i, i + 1)[0].tolist()
        n = self.orders_per_shop
        slot = max(1, self.span // max(1, n))
        created = self.start + (i * self.span) // max(1, n) + int(draws[-1] * slot)
        return self._build_core(shop, i, created, RowDraws(draws), cut_at=self.as_of)

    def new_order_core(self, shop: Shop, i: int, created: int) -> OrderCore:
        """An order placed through the control API: UNPAID now; it moves only when told."""
        draws = draw_matrix(self._order_key(shop, 5), i, i + 1)[0].tolist()
        core = self._build_core(shop, i, created, RowDraws(draws), cut_at=created)
        core.settle_time = 0
        return core

    def _build_core(self, shop: Shop, i: int, created: int, rng: RowDraws, cut_at: int) -> OrderCore:
        products = self.active_products(shop)
        draw = rng.random

        def pick(options):
            return options[int(draw() * len(options))]

        def between(low, high):
            return low + int(draw() * (high - low))

        lines = []
        for _ in range(pick((1, 1, 1, 2, 2, 3, 4, 5))):
            product = products[between(0, len(products))]
            k = between(0, len(product.skus))
            price = product.skus[k].price
            seller_discount = price * pick((0, 0, 0, 5, 10, 15)) // 100
            platform_discount = price * pick((0, 0, 0, 0, 5, 10)) // 100
            lines.append((product.index, k, price, seller_discount, platform_discount))
        scale = 100 if shop.decimals == 0 else 1
        ship_original = pick((0, 499, 599, 799)) * scale
        ship_seller = ship_original * pick((0, 0, 50, 100)) // 100
        ship_platform = (ship_original - ship_seller) * pick((0, 0, 50)) // 100
        tax_rate = pick((0, 600, 725, 825)) if shop.region == "US" else 0
        retail_fee = 28 if shop.region == "US" and draw() < 0.05 else 0
        fate_roll = draw()
        fate = FATE_CANCELLED if fate_roll < 0.03 else FATE_RETURNED if fate_roll < 0.08 else FATE_NORMAL
        paid = created + between(30, 1_800)
        stages = [("UNPAID", created), ("AWAITING_SHIPMENT", paid)]
        return_stages: list[tuple[str, int]] = []
        return_type = None
        settle = 0
        if fate == FATE_CANCELLED:
            stages.append(("CANCELLED", paid + between(600, DAY)))
        else:
            rts = paid + between(HOUR, 2 * DAY)
            transit = rts + between(2 * HOUR, 12 * HOUR)
            delivered = transit + between(DAY, 5 * DAY)
            completed = delivered + 7 * DAY + between(0, 2 * DAY)
            stages += [("AWAITING_COLLECTION", rts), ("IN_TRANSIT", transit), ("DELIVERED", delivered), ("COMPLETED", completed)]
            settle = delivered + 8 * DAY + between(0, 3 * DAY)
            if fate == FATE_RETURNED:
                return_type = pick(RETURN_TYPES)
                requested = delivered + between(HOUR, 3 * DAY)
                if return_type == "REFUND":
                    return_stages = [("RETURN_OR_REFUND_REQUEST_PENDING", requested), ("RETURN_OR_REFUND_REQUEST_COMPLETE", requested + 2 * DAY)]
                else:
                    return_stages = [
                        ("RETURN_OR_REFUND_REQUEST_PENDING", requested),
                        ("AWAITING_BUYER_SHIP", requested + DAY),
                        ("BUYER_SHIPPED_ITEM", requested + 3 * DAY),
                        ("RETURN_OR_REFUND_REQUEST_COMPLETE", requested + 7 * DAY),
                    ]
        creator = between(0, 40) if draw() < 0.3 else -1
        commission = between(10, 41) * 50 if creator >= 0 else 0
        content_type = pick(CONTENT_TYPES)
        stages = [s for s in stages if s[1] <= cut_at] or stages[:1]
        return_stages = [s for s in return_stages if s[1] <= cut_at]
        return OrderCore(
            index=i,
            create_time=created,
            stages=stages,
            fate=fate,
            lines=lines,
            ship_original=ship_original,
            ship_seller_discount=ship_seller,
            ship_platform_discount=ship_platform,
            tax_rate_bp=tax_rate,
            retail_delivery_fee=retail_fee,
            buyer=between(0, 10**9),
            creator=creator,
            commission_bps=commission,
            content_type=content_type,
            return_type=return_type if return_stages else None,
            return_stages=return_stages,
            settle_time=settle if settle and statement_time(settle) <= cut_at else 0,
        )

    def _fill_orders(self, shop: Shop, chunk: int = 50_000) -> None:
        columns = OrderColumns(self.orders_per_shop)
        key = self._order_key(shop, 4)
        for start in range(0, self.orders_per_shop, chunk):
            stop = min(start + chunk, self.orders_per_shop)
            for offset, draws in enumerate(draw_matrix(key, start, stop).tolist()):
                columns.store(self._generated_core(shop, start + offset, draws))
        shop.orders = columns

    # -- ids ----------------------------------------------------------------------------------

    def shop_by(self, key: str) -> Shop | None:
        for shop in self.shops:
            if key in (shop.id, shop.cipher):
                return shop
        return None

    @staticmethod
    def decode(id_text: str, base: int) -> tuple[int, int] | None:
        try:
            value = int(id_text) - base
        except (TypeError, ValueError):
            return None
        if value < 0:
            return None
        return divmod(value, SHOP_STRIDE)

    def order_index(self, shop: Shop, order_id: str) -> int | None:
        decoded = self.decode(order_id, ORDER_ID_BASE)
        if decoded is None or decoded[0] != shop.index or not 0 <= decoded[1] < shop.orders.count:
            return None
        return decoded[1]

    @staticmethod
    def order_id(shop: Shop, i: int) -> str:
        return str(ORDER_ID_BASE + shop.index * SHOP_STRIDE + i)

    def product_by_id(self, shop: Shop, product_id: str) -> Product | None:
        decoded = self.decode(product_id, PRODUCT_ID_BASE)
        if decoded is None or decoded[0] != shop.index or not 0 <= decoded[1] < len(shop.products):
            return None
        return shop.products[decoded[1]]

    def sku_by_id(self, shop: Shop, sku_id: str) -> tuple[Product, Sku] | None:
        decoded = self.decode(sku_id, SKU_ID_BASE)
        if decoded is None or decoded[0] != shop.index:
            return None
        j, k = divmod(decoded[1], 10)
        if not 0 <= j < len(shop.products) or not 0 <= k < len(shop.products[j].skus):
            return None
        return shop.products[j], shop.products[j].skus[k]

    # -- mutations (control API) --------------------------------------------------------------

    def add_order(self, shop: Shop, created: int) -> OrderCore:
        i = shop.orders.count
        core = self.new_order_core(shop, i, created)
        self.created_orders[(shop.index, i)] = core
        shop.orders.store(core)
        self.version += 1
        return core

    def add_scripted_order(self, shop: Shop, created: int, now: int, prices: list[int], fate: int, creator: int, commission_bps: int) -> OrderCore:
        """An order with exactly these unit prices (minor units, one line each), no discount,
        shipping or tax, that has lived its whole life by ``now``: paid 10 minutes after it was
        placed, shipped an hour later, delivered a day after that, completed a week later and
        settled eight days after delivery; or cancelled an hour after payment; or refunded in
        full (a REFUND request a day after delivery, complete two days later). Tests build shops
        whose figures are known in advance from these (the income examples in the README)."""
        product = self.active_products(shop)[0]
        paid = created + 600
        stages = [("UNPAID", created), ("AWAITING_SHIPMENT", paid)]
        return_stages: list[tuple[str, int]] = []
        settle = 0
        if fate == FATE_CANCELLED:
            stages.append(("CANCELLED", paid + HOUR))
        else:
            delivered = paid + HOUR + 2 * HOUR + DAY
            stages += [("AWAITING_COLLECTION", paid + HOUR), ("IN_TRANSIT", paid + 3 * HOUR), ("DELIVERED", delivered), ("COMPLETED", delivered + 7 * DAY)]
            if fate == FATE_RETURNED:
                return_stages = [("RETURN_OR_REFUND_REQUEST_PENDING", delivered + DAY), ("RETURN_OR_REFUND_REQUEST_COMPLETE", delivered + 3 * DAY)]
            else:
                settle = delivered + 8 * DAY
        core = OrderCore(
            index=shop.orders.count,
            create_time=created,
            stages=[s for s in stages if s[1] <= now] or stages[:1],
            fate=fate,
            lines=[(product.index, 0, price, 0, 0) for price in prices],
            ship_original=0,
            ship_seller_discount=0,
            ship_platform_discount=0,
            tax_rate_bp=0,
            retail_delivery_fee=0,
            buyer=created % 1_000_003,
            creator=creator,
            commission_bps=commission_bps if creator >= 0 else 0,
            content_type="VIDEO",
            return_type="REFUND" if return_stages and return_stages[0][1] <= now else None,
            return_stages=[s for s in return_stages if s[1] <= now],
            settle_time=settle if settle and statement_time(settle) <= now else 0,
        )
        self.created_orders[(shop.index, core.index)] = core
        shop.orders.store(core)
        self.version += 1
        return core

    def move_order(self, shop: Shop, i: int, status: str, at: int) -> OrderCore:
        self.order_mutations.setdefault((shop.index, i), []).append((status, at))
        core = self.order_core(shop, i)
        shop.orders.store(core)
        self.version += 1
        return core

    def move_return(self, shop: Shop, i: int, status: str, at: int, return_type: str = "REFUND") -> OrderCore:
        key = (shop.index, i)
        kind, stages = self.return_mutations.get(key, (return_type, []))
        self.return_mutations[key] = (kind, stages + [(status, at)])
        core = self.order_core(shop, i)
        shop.orders.store(core)
        self.version += 1
        return core

    def settle(self, shop: Shop, i: int, at: int) -> OrderCore:
        """Settle a delivered order now (control API): it lands on tomorrow's statement."""
        key = (shop.index, i)
        core = self.order_core(shop, i)
        if key in self.created_orders:
            self.created_orders[key].settle_time = at
        else:
            self.settled_now[key] = at
        core.settle_time = at
        shop.orders.store(core)
        self.version += 1
        return core


def statement_time(settle_time: int) -> int:
    """Statements are generated daily at 00:00 UTC for what settled the day before."""
    return (settle_time // DAY + 1) * DAY
