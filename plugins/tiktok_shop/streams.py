"""The TikTok Shop streams: what each fetches, how it pages, where its cursor stands.

Cursors are windows over a remote time field. A run's window ends with the second the run
started in (TikTok's times are whole seconds; never later, so nothing written during the run
is skipped next time) and starts at the last watermark minus a lookback, which also re-reads
anything written later within that same second. The first run backfills the
account's history window by creation time, which the API pages cheapest; later runs follow
update time. After every page the window and the page token are checkpointed with the page's
rows, so a killed run resumes on the page it was on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from erp_integrations.toolkit import AuthError, MarketplaceError, ReauthorizationRequired, Stream, TokenExpired

from . import store
from .mappers.finance import StatementMapper

LOOKBACK = 15 * 60
AFFILIATE_TRAILING = 30 * 86_400  # affiliate orders change state without a searchable update time
ANALYTICS_TRAILING = 2 * 86_400  # LIVE and daily figures are final about a day later
DAY = 86_400


def history_start(context) -> int:
    # Months of 31 days: "six months" never falls short of a calendar half-year.
    months = int((context.account.config or {}).get("history_months") or 6)
    return int(context.started_at.timestamp()) - months * 31 * DAY


def windowed(
    context,
    client,
    fetch: Callable,
    save: Callable,
    *,
    backfill_by_creation: bool,
    trailing: int = LOOKBACK,
    start_override: int | None = None,
    prepare: Callable | None = None,
) -> None:
    """Page through [start, end) and checkpoint after each page.

    ``fetch(start, end, page_token, mode)`` returns (documents, next_token); mode is "create"
    during a first backfill, "update" afterwards. ``prepare(documents)``, when given, runs on
    the download thread too (mapping, which needs no database), and ``save`` gets its result."""
    cursor = context.cursor
    now = int(context.started_at.timestamp()) + 1  # exclusive end: through the run's start second
    if cursor.get("window"):
        start, end, token, mode = cursor["window"]
    elif cursor.get("watermark") and not context.full:
        start, end, token, mode = int(cursor["watermark"]) - trailing, now, None, "update"
    else:
        start = history_start(context) if start_override is None else start_override
        end, token, mode = now, None, ("create" if backfill_by_creation else "update")
    watermark = cursor.get("watermark")
    if prepare is not None:
        fetch = _then(fetch, prepare)
    with Prefetcher(client, fetch) as pages:
        pending = pages.submit(start, end, token, mode)
        while True:
            documents, token = pages.result(pending)
            if token:
                pending = pages.submit(start, end, token, mode)  # the next page downloads while this one is written
            save(documents)
            context.api_calls = client.api_calls
            if token:
                context.checkpoint({"watermark": watermark, "window": [start, end, token, mode]})
            else:
                context.checkpoint({"watermark": end})
                return


def _then(fetch: Callable, prepare: Callable) -> Callable:
    def fetch_and_prepare(*args):
        documents, token = fetch(*args)
        return prepare(documents), token

    return fetch_and_prepare


class Prefetcher:
    """Fetches the next page on a background thread while the current one is written.

    The thread only does HTTP: the access token is taken (and, after a 105002 in the
    background, refreshed) on the calling thread, which owns the database session."""

    def __init__(self, client, fetch: Callable):
        self.client, self.fetch = client, fetch
        self.keeper = client.token_source
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tiktok-prefetch")

    def __enter__(self) -> Prefetcher:
        self.client.token_source = None
        return self

    def __exit__(self, *exc) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.client.token_source = self.keeper

    def submit(self, *args) -> tuple[Future, tuple]:
        if self.keeper is not None:
            self.client.access_token = self.keeper.current()
        return self.pool.submit(self.fetch, *args), args

    def result(self, pending: tuple[Future, tuple]):
        future, args = pending
        try:
            return future.result()
        except AuthError as exc:
            token_problem = isinstance(exc, TokenExpired) or (exc.code == 36009004 and "token" in exc.message.lower())
            if self.keeper is None or not token_problem or isinstance(exc, ReauthorizationRequired):
                raise
            self.client.access_token = self.keeper.refresh(stale=self.client.access_token)
            return self.fetch(*args)


def _time_body(prefix_create: str, prefix_update: str, start: int, end: int, mode: str) -> dict:
    field = prefix_create if mode == "create" else prefix_update
    return {f"{field}_ge": start, f"{field}_lt": end}


# -- streams --------------------------------------------------------------------------------


def _search_stream(path: str, items_key: str, page_size: int, save: Callable, map_page: Callable | None = None) -> Callable:
    """A stream over a search endpoint that filters and sorts by create_time/update_time.
    ``map_page(account_id, documents)``, when given, maps a page on the download thread and
    ``save`` gets its result; otherwise ``save`` gets the documents."""

    def sync(context, client) -> None:
        def fetch(start, end, token, mode):
            sort = "create_time" if mode == "create" else "update_time"
            query = {"page_size": page_size, "sort_field": sort, "sort_order": "ASC"}
            return client.page("POST", path, items_key, query=query, body=_time_body("create_time", "update_time", start, end, mode), token=token)

        account_id = context.account.id
        prepare = None if map_page is None else (lambda documents: map_page(account_id, documents))
        windowed(context, client, fetch, lambda page: save(context, page), backfill_by_creation=True, prepare=prepare)

    return sync


# Orders are the bulk of a backfill: each page is mapped while the one before it is written.
sync_orders = _search_stream("/order/202309/orders/search", "orders", 100, store.write_orders, map_page=store.map_orders)
sync_packages = _search_stream("/fulfillment/202309/packages/search", "packages", 50, store.store_packages)
sync_returns = _search_stream("/return_refund/202309/returns/search", "return_orders", 50, store.store_returns)
sync_cancellations = _search_stream("/return_refund/202309/cancellations/search", "cancellations", 50, store.store_cancellations)


def _products_fetch(client, with_inventory: bool):
    def fetch(start, end, token, mode):
        # Product filters take an inclusive upper bound (update_time_le), unlike orders.
        products, next_token = client.page(
            "POST",
            "/product/202502/products/search",
            "products",
            query={"page_size": 100},
            body={"update_time_ge": start, "update_time_le": end - 1},
            token=token,
        )
        inventory = None
        if with_inventory and products:
            data = client.request("POST", "/product/202309/inventory/search", body={"product_ids": [p["id"] for p in products]})
            inventory = {str(sku["id"]): sku for entry in data.get("inventory") or [] for sku in entry.get("skus") or []}
        return (products, inventory), next_token

    return fetch


def sync_products(context, client) -> None:
    # A catalogue has no history window: the first run reads every product.
    windowed(context, client, _products_fetch(client, False), lambda page: store.store_products(context, page[0]), backfill_by_creation=False, start_override=0)


def sync_inventory(context, client) -> None:
    windowed(
        context,
        client,
        _products_fetch(client, True),
        lambda page: store.store_products(context, page[0], page[1]),
        backfill_by_creation=False,
        start_override=0,
    )


def sync_warehouses(context, client) -> None:
    store.store_warehouses(context, client.request("GET", "/logistics/202309/warehouses").get("warehouses") or [])
    context.api_calls = client.api_calls
    context.checkpoint({"watermark": int(context.started_at.timestamp())})


FULFILLED_BY_TIKTOK = 21008117  # Get Shipping Providers: "fulfilled by TikTok. No shipping provider will be returned."


def sync_delivery_options(context, client) -> None:
    """Each sales warehouse's delivery options and each option's carriers, read whole once a
    day (they change when the seller subscribes to a carrier, not by the hour): a run within a
    day of the last full read costs no call. The warehouse list comes first (its rows too)."""
    last = context.cursor.get("watermark")
    started = int(context.started_at.timestamp())
    if last and not context.full and started - int(last) < DAY:
        context.checkpoint({"watermark": last})
        return
    warehouses = client.request("GET", "/logistics/202309/warehouses").get("warehouses") or []
    store.store_warehouses(context, warehouses)
    found = []
    for warehouse in (w for w in warehouses if w.get("type") == "SALES_WAREHOUSE"):
        for option in client.request("GET", f"/logistics/202309/warehouses/{warehouse['id']}/delivery_options").get("delivery_options") or []:
            try:
                carriers = client.request("GET", f"/logistics/202309/delivery_options/{option['id']}/shipping_providers").get("shipping_providers") or []
            except MarketplaceError as exc:
                if exc.code != FULFILLED_BY_TIKTOK:
                    raise
                carriers = None
            found.append((str(warehouse["id"]), option, carriers))
    store.store_delivery_options(context, found)
    context.api_calls = client.api_calls
    context.checkpoint({"watermark": started})


def sync_statements(context, client) -> None:
    def fetch(start, end, token, mode):
        return client.page(
            "GET",
            "/finance/202309/statements",
            "statements",
            query={"page_size": 100, "sort_field": "statement_time", "sort_order": "ASC", "statement_time_ge": start, "statement_time_lt": end},
            token=token,
        )

    def save(statements):
        from erp_integrations.models import FinanceStatement
        from erp_integrations.storage import ids_by_external_id

        # A statement's transactions never change once it exists; re-reading a stored statement
        # only refreshes its payment status.
        known = ids_by_external_id(FinanceStatement, context.account.id, [s["id"] for s in statements])
        store.store_simple(context, StatementMapper, [s for s in statements if s["id"] in known], "statements")
        for statement in (s for s in statements if s["id"] not in known):
            transactions, page = [], None
            while True:
                items, page = client.page(
                    "GET",
                    f"/finance/202501/statements/{statement['id']}/statement_transactions",
                    "transactions",
                    query={"page_size": 100, "sort_field": "order_create_time"},
                    token=page,
                )
                transactions += items
                if not page:
                    break
            store.store_statement(context, statement, transactions)

    # Statements are paid weekly: re-read eight days so PROCESSING turns into PAID here too.
    windowed(context, client, fetch, save, backfill_by_creation=False, trailing=8 * DAY)


def sync_payments(context, client) -> None:
    def fetch(start, end, token, mode):
        return client.page(
            "GET",
            "/finance/202309/payments",
            "payments",
            query={"page_size": 100, "sort_field": "create_time", "sort_order": "ASC", "create_time_ge": start, "create_time_lt": end},
            token=token,
        )

    # Payments move from PROCESSING to PAID a day after creation: re-read a trailing week.
    windowed(context, client, fetch, lambda docs: store.store_payments(context, docs), backfill_by_creation=False, trailing=7 * DAY)


def sync_withdrawals(context, client) -> None:
    def fetch(start, end, token, mode):
        return client.page(
            "GET",
            "/finance/202309/withdrawals",
            "withdrawals",
            query={"page_size": 100, "types": "WITHDRAW,SETTLE,TRANSFER,REVERSE", "create_time_ge": start, "create_time_lt": end},
            token=token,
        )

    windowed(context, client, fetch, lambda docs: store.store_withdrawals(context, docs), backfill_by_creation=False, trailing=DAY)


def sync_unsettled(context, client) -> None:
    """A snapshot: every order not yet on a statement, re-read whole each run (the API has no
    change feed for it), then estimates no longer listed are dropped."""
    seen = set(context.cursor.get("seen") or [])
    token = context.cursor.get("page_token")
    while True:
        documents, token = client.page(
            "GET",
            "/finance/202507/orders/unsettled",
            "transactions",
            query={"page_size": 100, "sort_field": "order_create_time", "sort_order": "ASC"},
            token=token,
        )
        seen.update(store.store_unsettled(context, documents))
        context.api_calls = client.api_calls
        if not token:
            store.forget_unsettled_except(context, seen)
            context.checkpoint({"watermark": int(context.started_at.timestamp())})
            return
        context.checkpoint({"page_token": token, "seen": sorted(seen)})


def sync_affiliate_orders(context, client) -> None:
    creator = int((context.account.auth_info or {}).get("user_type") or 0) == 1
    path = "/affiliate_creator/202410/orders/search" if creator else "/affiliate_seller/202410/orders/search"
    creator_name = (context.account.auth_info or {}).get("seller_name") if creator else None

    def fetch(start, end, token, mode):
        return client.page(
            "POST", path, "orders", query={"page_size": 100}, body={"create_time_ge": start, "create_time_lt": end}, token=token, shop_scoped=not creator
        )

    windowed(
        context,
        client,
        fetch,
        lambda docs: store.store_affiliate_orders(context, docs, "creator" if creator else "seller", creator_name),
        backfill_by_creation=True,
        trailing=AFFILIATE_TRAILING,
    )


def _snapshot(context, client, fetch: Callable, save: Callable) -> None:
    """A stream the API cannot filter by update time: every page read each run, the page token
    checkpointed so a killed run resumes where it stopped."""
    token = context.cursor.get("page_token")
    while True:
        documents, token = fetch(token)
        save(documents)
        context.api_calls = client.api_calls
        if not token:
            context.checkpoint({"watermark": int(context.started_at.timestamp())})
            return
        context.checkpoint({"page_token": token})


def sync_promotions(context, client) -> None:
    """Activities: Search Activities has no time filter, so each run lists them all (a shop
    has dozens, one page) and reads Get Activity, with the products and SKUs covered, only for
    the activities new or updated since they were stored. The search takes its paging in the
    body (reference: "Search Activities"), so the client's query-token paging does not fit."""

    def fetch(token):
        data = client.request("POST", "/promotion/202309/activities/search", body={"page_size": 100, "page_token": token or ""})
        return data.get("activities") or [], data.get("next_page_token") or None

    def save(activities):
        changed = store.promotions_to_refresh(context, "activity", activities)
        details = {a: client.request("GET", f"/promotion/202309/activities/{a}") for a in changed}
        store.store_activities(context, activities, details)

    _snapshot(context, client, fetch, save)


def sync_coupons(context, client) -> None:
    """Coupons, listed whole each run (no time filter either). Get Coupon, which alone has the
    claimed and redeemed counts, is read for new and updated coupons and for every ONGOING one:
    claims move while a coupon runs without its update time moving."""

    def fetch(token):
        return client.page("POST", "/promotion/202406/coupons/search", "coupons", query={"page_size": 100}, body={}, token=token)

    def save(coupons):
        changed = store.promotions_to_refresh(context, "coupon", coupons, always=frozenset({"ONGOING"}))
        details = {c: client.request("GET", f"/promotion/202406/coupons/{c}").get("coupon") or {} for c in changed}
        store.store_coupons(context, coupons, details)

    _snapshot(context, client, fetch, save)


def _dates(start: int, end: int) -> dict:
    day = lambda t: dt.datetime.fromtimestamp(t, dt.UTC).date()  # noqa: E731
    return {"start_date_ge": day(start).isoformat(), "end_date_lt": (day(end) + dt.timedelta(days=1)).isoformat()}


def sync_live_sessions(context, client) -> None:
    def fetch(start, end, token, mode):
        return client.page(
            "GET", "/analytics/202508/shop_lives/performance", "live_stream_sessions", query={"page_size": 100, **_dates(start, end)}, token=token
        )

    windowed(context, client, fetch, lambda docs: store.store_live_sessions(context, docs), backfill_by_creation=False, trailing=ANALYTICS_TRAILING)


def sync_shop_performance(context, client) -> None:
    def fetch(start, end, token, mode):
        data = client.request("GET", "/analytics/202405/shop/performance", query={"granularity": "1D", **_dates(start, end)})
        return (data.get("performance") or {}).get("intervals") or [], None

    windowed(context, client, fetch, lambda days: store.store_shop_performance(context, days), backfill_by_creation=False, trailing=ANALYTICS_TRAILING)


def sync_service_performance(context, client) -> None:
    """Customer Service Performance a day at a time: the API answers one average for a range,
    and a lender's window of any length must be recomputable from days (weighted by each day's
    sessions). The page token is the next day to fetch."""

    def fetch(start, end, token, mode):
        day = int(token) if token else start - start % 86_400
        data = client.request("GET", "/customer_service/202407/performance", query={"support_date_ge": _day(day), "support_date_lt": _day(day + 86_400)})
        following = day + 86_400
        return [{"day": _day(day), **(data.get("performance") or {})}], (str(following) if following < end else None)

    windowed(context, client, fetch, lambda days: store.store_service_days(context, days), backfill_by_creation=False, trailing=ANALYTICS_TRAILING)


def _day(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date().isoformat()


# Each stream once: what runs it, the toggle(s) that switch it on (finance follows orders: it
# is the money side of the same sales) and the API groups it calls (the first segment of its
# paths: the circuit breaker's keys).
STREAMS = (
    Stream("warehouses", sync_warehouses, ("inventory", "logistics"), ("logistics",)),
    Stream("delivery_options", sync_delivery_options, "logistics", ("logistics",)),
    Stream("products", sync_products, "product_catalog", ("product",)),
    Stream("inventory", sync_inventory, "inventory", ("product",)),
    Stream("orders", sync_orders, "orders", ("order",)),
    Stream("packages", sync_packages, "orders", ("fulfillment",)),
    Stream("returns", sync_returns, "returns", ("return_refund",)),
    Stream("cancellations", sync_cancellations, "returns", ("return_refund",)),
    Stream("statements", sync_statements, "orders", ("finance",)),
    Stream("payments", sync_payments, "orders", ("finance",)),
    Stream("withdrawals", sync_withdrawals, "orders", ("finance",)),
    Stream("unsettled", sync_unsettled, "orders", ("finance",)),
    Stream("affiliate_orders", sync_affiliate_orders, "affiliate", ("affiliate_seller", "affiliate_creator")),
    Stream("promotions", sync_promotions, "promotions", ("promotion",)),
    Stream("coupons", sync_coupons, "promotions", ("promotion",)),
    Stream("live_sessions", sync_live_sessions, "live_shopping", ("analytics",)),
    Stream("shop_performance", sync_shop_performance, "shop_analytics", ("analytics",)),
    Stream("service_performance", sync_service_performance, "shop_analytics", ("customer_service",)),
)
