"""What the data pages and the data API list: one definition per listing, drawn as an HTML
table by the admin pages and returned as JSON by ``/api/v1/accounts/{id}/data/{listing}``.

Every query is scoped to one account first; that is what keeps one shop's data out of
another's pages, and what the ``(account_id, ...)`` indexes are built for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, or_, select, text

from ..extensions import db
from ..models import (
    AffiliateOrder,
    AffiliateOrderLine,
    AfterSale,
    Creator,
    DeliveryOption,
    FinanceStatement,
    LiveSession,
    Payout,
    Product,
    ProductVariant,
    Promotion,
    PromotionProduct,
    SalesOrder,
    Shipment,
    StockLevel,
    Warehouse,
    Withdrawal,
)
from ..reports.periods import account_zone_name, midnight, zone_named
from .keyset import InvalidCursor, Page, paginate

MAX_PAGE = 200


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, money, time, int, bool, status, code (a marketplace code shown in words), list, named (a list of {id, name})
    currency_key: str = "currency"


@dataclass(frozen=True)
class Listing:
    name: str
    title: str
    model: Any
    columns: tuple[Column, ...]
    verb: str = "read"
    feature: str | None = None
    sort: str = "remote_created_at"
    filters: tuple[str, ...] = ()  # columns offered as a choice filter
    search: tuple[str, ...] = ()  # columns matched exactly by ?q=
    search_help: str = ""
    title_search: str | None = None  # a column matched by substring (small tables only)
    expand: Callable[[list], dict[int, dict]] | None = field(default=None, compare=False)
    created: str | None = "remote_created_at"  # what ?created_from / ?created_to range over

    @property
    def sort_column(self):
        return getattr(self.model, self.sort)

    @property
    def has_money(self) -> bool:
        return any(c.kind == "money" for c in self.columns)

    def parameters(self) -> tuple[str, ...]:
        """Every query parameter this listing understands; any other is refused."""
        ranges = (("created_from", "created_to") if self.created else ()) + ("updated_from", "updated_to")
        return ("q", "limit", "after", "before", "with_filters", *self.filters, *ranges)


class InvalidQuery(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field, self.message = field_name, message


def fetch(listing: Listing, account_id: int, args, known_values: dict[str, tuple[str, ...]] | None = None) -> tuple[Page, dict[int, dict]]:
    """A page of ``listing`` for the account, narrowed by ``args`` (``q``, filters, date ranges,
    ``after``, ``before``, ``limit``), with each row's expansion (SKUs, lines...).

    Unknown parameters and filter values are refused (``InvalidQuery``) rather than ignored: a
    typo must not return everything, nor an empty page that looks like "nothing there".
    ``known_values``: the values the connector documents for a filter column, allowed even
    where no row holds them yet."""
    model = listing.model
    query = filtered_query(listing, account_id, args, known_values)
    try:
        limit = int(args.get("limit") or 50)
    except ValueError:
        raise InvalidQuery("limit", f"must be a number from 1 to {MAX_PAGE}") from None
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidQuery("limit", f"must be a number from 1 to {MAX_PAGE}")
    try:
        page = paginate(db.session, query, listing.sort_column, model.id, after=args.get("after") or None, before=args.get("before") or None, limit=limit)
    except InvalidCursor as exc:
        raise InvalidQuery("after" if args.get("after") else "before", str(exc)) from None
    extra = listing.expand(page.rows) if listing.expand and page.rows else {}
    return page, extra


def filtered_query(listing: Listing, account_id: int, args, known_values: dict[str, tuple[str, ...]] | None = None, *, extra: tuple[str, ...] = ()):
    """The listing's rows for the account narrowed by ``args``: the page's query before paging,
    and the whole export's. ``extra``: parameters the caller reads itself (``format``)."""
    model = listing.model
    allowed = listing.parameters() + extra
    for name in args:
        if name not in allowed:
            raise InvalidQuery(name, f"unknown parameter; {listing.name} takes: {', '.join(allowed)}")
    query = select(model).where(model.account_id == account_id)
    held = None
    for name in listing.filters:
        value = args.get(name)
        if value:
            if held is None:
                held = filter_choices(listing, account_id)
            choices = sorted(set(held[name]) | set((known_values or {}).get(name, ())))
            if value not in choices:
                raise InvalidQuery(name, f"must be one of: {', '.join(choices) or '(nothing synced yet)'}")
            query = query.where(getattr(model, name) == value)
    zone = _account_zone(account_id)
    for prefix, column in (("created", listing.created), ("updated", "remote_updated_at")):
        if column is None:
            continue
        start, end = (parse_time_arg(f"{prefix}_{edge}", args.get(f"{prefix}_{edge}"), edge == "to", zone) for edge in ("from", "to"))
        if start is not None:
            query = query.where(getattr(model, column) >= start)
        if end is not None:
            query = query.where(getattr(model, column) < end)
        if start is not None and end is not None and end <= start:
            raise InvalidQuery(f"{prefix}_to", f"must be after {prefix}_from")
    q = (args.get("q") or "").strip()
    if q:
        conditions = [getattr(model, c) == q for c in listing.search]
        if listing.title_search:
            conditions.append(getattr(model, listing.title_search).ilike(f"%{_escape_like(q)}%", escape="\\"))
        query = query.where(or_(*conditions))
    return query


def export_rows(listing: Listing, account_id: int, args, known_values=None):
    """Every row the listing's filters select, newest first, streamed from the database a few
    thousand at a time (a million orders never sit in memory)."""
    # The query is built (and the arguments checked) now, not when the first row is pulled:
    # a bad filter must be a 422 before the download starts, not a broken download.
    query = filtered_query(listing, account_id, args, known_values, extra=("format",))
    # Only the exported columns, as plain rows (no ORM objects): the export's speed is the
    # database's, not the identity map's.
    keys = [c.key for c in listing.columns] + (["currency"] if listing.has_money else [])
    model = listing.model
    query = query.with_only_columns(*(getattr(model, k) for k in keys)).order_by(listing.sort_column.desc(), model.id.desc())
    return (dict(zip(keys, row, strict=True)) for row in db.session.execute(query, execution_options={"yield_per": 5_000}))


def copy_csv(listing: Listing, account_id: int, args, zone: str, known_values=None):
    """On PostgreSQL, the listing's CSV written by the database itself (``COPY ... TO STDOUT
    WITH CSV``): the same rows, columns, order, zone and formula guard as the Python writer
    (``reports.export``), at the speed of the database. Built (and the arguments checked)
    before the first chunk is pulled."""
    from sqlalchemy import String, cast, literal

    query = filtered_query(listing, account_id, args, known_values, extra=("format",))
    model = listing.model
    pick = []
    for key, heading, kind in export_columns(listing):
        column = getattr(model, key)
        if kind == "datetime":
            value = func.to_char(func.timezone(literal(zone), column), "YYYY-MM-DD HH24:MI:SS")
        elif kind in ("money", "count"):
            value = column
        else:
            # Text a spreadsheet would run as a formula gets a leading quote (OWASP's list).
            text_value = cast(column, String)
            risky = text_value.regexp_match("^[-=+@\t\r]") & ~text_value.regexp_match("^-?[0-9]+(\\.[0-9]+)?$")
            value = case((risky, literal("'") + text_value), else_=text_value)
        pick.append(value.label(f"{heading} ({zone})" if kind == "datetime" else heading))
    query = query.with_only_columns(*pick).order_by(listing.sort_column.desc(), model.id.desc())
    compiled = query.compile(dialect=db.engine.dialect)
    statement = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, HEADER)"
    params = compiled.params

    def chunks():
        with db.engine.connect() as connection:
            raw = connection.connection.driver_connection
            with raw.cursor() as cursor, cursor.copy(statement, params) as copy:
                for data in copy:
                    yield bytes(data)

    return chunks()


def export_columns(listing: Listing) -> tuple[tuple[str, str, str], ...]:
    """The listing's columns as an export's: money gets its currency column, times are times."""
    kinds = {"money": "money", "time": "datetime", "int": "count"}
    columns = tuple((c.key, c.label, kinds.get(c.kind, "text")) for c in listing.columns)
    return columns + (("currency", "Currency", "text"),) if listing.has_money else columns


def parse_time_arg(name: str, raw: str | None, is_end: bool, zone: tzinfo = UTC) -> datetime | None:
    """ISO 8601 (a date, or a date and time) or unix seconds. A date or a time without an
    offset is on the account's clock (``zone``, its reporting time zone, the clock its pages
    show): a day is the account's day, as in its reports and exports. A bare date as the end of
    a range includes that whole day."""
    if raw is None or raw == "":
        return None
    raw = raw.strip()
    try:
        if raw.lstrip("-").isdigit():
            return datetime.fromtimestamp(int(raw), UTC)
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise InvalidQuery(name, "must be a date or time in ISO 8601 (2026-11-30, 2026-11-30T07:41:00Z) or unix seconds") from None
    if len(raw) == 10:  # YYYY-MM-DD: from the start of that day, or up to its end
        return midnight(value.date() + timedelta(days=1 if is_end else 0), zone)
    return (value if value.tzinfo is not None else value.replace(tzinfo=zone)).astimezone(UTC)


def _account_zone(account_id: int) -> tzinfo:
    from ..models import IntegrationAccount

    account = db.session.get(IntegrationAccount, account_id)
    return zone_named(account_zone_name(account)) if account is not None else UTC


def _escape_like(text_: str) -> str:
    return text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filter_choices(listing: Listing, account_id: int) -> dict[str, list[str]]:
    """The values each filter column holds for the account. A recursive "loose index scan":
    one index probe per distinct value, not a scan of a million rows."""
    table = listing.model.__table__.name
    choices = {}
    for name in listing.filters:
        sql = text(
            f"WITH RECURSIVE v(x) AS ("
            f" SELECT (SELECT min({name}) FROM {table} WHERE account_id = :a)"
            f" UNION ALL SELECT (SELECT min({name}) FROM {table} WHERE account_id = :a AND {name} > v.x) FROM v WHERE v.x IS NOT NULL"
            f") SELECT x FROM v WHERE x IS NOT NULL"
        )
        choices[name] = [row[0] for row in db.session.execute(sql, {"a": account_id})]
    return choices


def row_values(listing: Listing, row) -> dict[str, Any]:
    """A row's listed columns; a row with money also carries its ``currency`` (amounts are
    decimal strings in that currency: never summed across currencies)."""
    values = {c.key: getattr(row, c.key) for c in listing.columns} | {"id": row.id}
    if listing.has_money:
        values["currency"] = row.currency
    return values


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):  # a datetime is a date too; both read as ISO 8601
        return value.isoformat()
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_value(v) for v in value]
    return value


# -- expansions: what one row of a page carries besides its own columns


def _product_skus(rows: list) -> dict[int, dict]:
    product_ids = [r.id for r in rows]
    variants = db.session.scalars(select(ProductVariant).where(ProductVariant.product_id.in_(product_ids)).order_by(ProductVariant.id)).all()
    stock_rows = db.session.execute(
        select(StockLevel.variant_id, Warehouse.name, Warehouse.external_id, StockLevel.available, StockLevel.committed)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.variant_id.in_([v.id for v in variants] or [-1]))
        .order_by(Warehouse.name)
    ).all()
    stock: dict[int, list[dict]] = {}
    for variant_id, name, external_id, available, committed in stock_rows:
        stock.setdefault(variant_id, []).append({"warehouse": name or external_id, "available": available, "committed": committed})
    out: dict[int, dict] = {pid: {"skus": []} for pid in product_ids}
    for v in variants:
        out[v.product_id]["skus"].append(
            {"id": v.external_id, "seller_sku": v.seller_sku, "name": v.name, "price": v.price, "currency": v.currency, "stock": stock.get(v.id, [])}
        )
    return out


def _affiliate_lines(rows: list) -> dict[int, dict]:
    """Each affiliate order's lines, with the product's title where the shop's catalog has it
    (a creator's orders are often for other shops' products: then only the id is known)."""
    lines = db.session.execute(
        select(AffiliateOrderLine, Creator.username, Product.title)
        .outerjoin(Creator, Creator.id == AffiliateOrderLine.creator_id)
        .outerjoin(Product, (Product.account_id == AffiliateOrderLine.account_id) & (Product.external_id == AffiliateOrderLine.product_external_id))
        .where(AffiliateOrderLine.affiliate_order_id.in_([r.id for r in rows]))
        .order_by(AffiliateOrderLine.id)
    ).all()
    out: dict[int, dict] = {r.id: {"lines": []} for r in rows}
    for line, username, title in lines:
        out[line.affiliate_order_id]["lines"].append(
            {
                "creator": username,
                "product_id": line.product_external_id,
                "product_title": title,
                "quantity": line.quantity,
                "currency": line.currency,
                "commission_rate": None if line.commission_rate_bps is None else Decimal(line.commission_rate_bps) / 100,
                "estimated_commission": line.estimated_commission,
                "actual_commission": line.actual_commission,
                "refunded_quantity": line.refunded_quantity,
            }
        )
    return out


def _creator_totals(rows: list) -> dict[int, dict]:
    """What each creator brought: attributed lines and commissions, per currency."""
    totals = db.session.execute(
        select(
            AffiliateOrderLine.creator_id,
            AffiliateOrderLine.currency,
            func.count(),
            func.sum(AffiliateOrderLine.estimated_commission),
            func.sum(AffiliateOrderLine.actual_commission),
        )
        .where(AffiliateOrderLine.creator_id.in_([r.id for r in rows]))
        .group_by(AffiliateOrderLine.creator_id, AffiliateOrderLine.currency)
        .order_by(AffiliateOrderLine.currency)
    ).all()
    out: dict[int, dict] = {r.id: {"totals": []} for r in rows}
    for creator_id, currency, lines, estimated, actual in totals:
        out[creator_id]["totals"].append({"currency": currency, "lines": lines, "estimated_commission": estimated, "actual_commission": actual})
    return out


def _promotion_products(rows: list) -> dict[int, dict]:
    """The products (and SKUs priced one by one) each activity covers, with the product's title
    where the catalog has it."""
    covered = db.session.execute(
        select(PromotionProduct, Product.title)
        .outerjoin(Product, (Product.account_id == PromotionProduct.account_id) & (Product.external_id == PromotionProduct.product_external_id))
        .where(PromotionProduct.promotion_id.in_([r.id for r in rows]))
        .order_by(PromotionProduct.id)
    ).all()
    out: dict[int, dict] = {r.id: {"covered": []} for r in rows}
    priced_by_sku = {(e.promotion_id, e.product_external_id) for e, _ in covered if e.sku_external_id is not None}
    for entry, title in covered:
        out[entry.promotion_id]["covered"].append(
            {
                "product_id": entry.product_external_id,
                "product_title": title,
                "sku_id": entry.sku_external_id,
                # A product whose SKUs are priced one by one: its own price is the lowest of them.
                "priced_by_sku": entry.sku_external_id is None and (entry.promotion_id, entry.product_external_id) in priced_by_sku,
                "percent_off": None if entry.percent_off is None else f"{entry.percent_off.normalize():f}",
                "activity_price": entry.activity_price,
                "currency": entry.currency,
                "quantity_limit": entry.quantity_limit,
                "quantity_per_user": entry.quantity_per_user,
            }
        )
    return out


ID = Column("external_id", "ID")
LISTINGS: dict[str, Listing] = {
    listing.name: listing
    for listing in (
        Listing(
            "orders",
            "Orders",
            SalesOrder,
            (
                ID,
                Column("status", "Status", "status"),
                Column("remote_created_at", "Created", "time"),
                Column("paid_at", "Paid", "time"),
                Column("total_amount", "Total", "money"),
                Column("fulfillment_type", "Fulfillment", "code"),
                Column("is_cod", "COD", "bool"),
            ),
            feature="orders",
            filters=("status",),
            search=("external_id",),
            search_help="order id",
        ),
        Listing(
            "products",
            "Products",
            Product,
            (ID, Column("title", "Title"), Column("status", "Status", "status"), Column("brand", "Brand"), Column("remote_created_at", "Created", "time")),
            feature="product_catalog",
            filters=("status",),
            search=("external_id",),
            title_search="title",
            search_help="product id or words of the title",
            expand=_product_skus,
        ),
        Listing(
            "shipments",
            "Shipments",
            Shipment,
            (
                ID,
                Column("status", "Status", "status"),
                Column("tracking_number", "Tracking"),
                Column("shipping_provider", "Carrier"),
                Column("order_external_ids", "Orders", "list"),
                Column("shipped_at", "Shipped", "time"),
                Column("remote_created_at", "Created", "time"),
            ),
            feature="orders",
            filters=("status",),
            search=("external_id", "tracking_number"),
            search_help="package id or tracking number",
        ),
        Listing(
            "delivery_options",
            "Delivery options",
            DeliveryOption,
            (
                ID,
                Column("name", "Name"),
                Column("type", "Type", "code"),
                Column("warehouse_external_id", "Warehouse"),
                Column("carriers", "Carriers", "named"),
                Column("fulfilled_by_platform", "Marketplace delivers", "bool"),
                Column("max_weight", "Max weight", "int"),
                Column("weight_unit", "Unit", "code"),
            ),
            feature="logistics",
            sort="id",
            created=None,
            filters=("type",),
            search=("external_id", "warehouse_external_id"),
            search_help="delivery option or warehouse id",
        ),
        Listing(
            "returns",
            "Returns and cancellations",
            AfterSale,
            (
                ID,
                Column("kind", "Kind"),
                Column("order_external_id", "Order"),
                Column("type", "Type", "code"),
                Column("status", "Status", "status"),
                Column("refund_total", "Refund", "money"),
                Column("reason", "Reason"),
                Column("remote_created_at", "Created", "time"),
            ),
            feature="returns",
            filters=("kind", "status"),
            search=("external_id", "order_external_id"),
            search_help="return or order id",
        ),
        Listing(
            "statements",
            "Statements",
            FinanceStatement,
            (
                ID,
                Column("statement_time", "Date", "time"),
                Column("revenue_amount", "Revenue", "money"),
                Column("fee_amount", "Fees", "money"),
                Column("adjustment_amount", "Adjustments", "money"),
                Column("settlement_amount", "Settlement", "money"),
                Column("payment_status", "Payment", "status"),
            ),
            sort="statement_time",
            created="statement_time",
            filters=("payment_status",),
            search=("external_id", "payment_external_id"),
            search_help="statement or payment id",
        ),
        Listing(
            "payouts",
            "Payouts",
            Payout,
            (
                ID,
                Column("status", "Status", "status"),
                Column("amount", "Amount", "money"),
                Column("settlement_amount", "Settled", "money"),
                Column("reserve_amount", "Reserve", "money"),
                Column("paid_at", "Paid", "time"),
                Column("bank_account", "Bank account"),
            ),
            filters=("status",),
            search=("external_id",),
            search_help="payment id",
        ),
        Listing(
            "withdrawals",
            "Withdrawals",
            Withdrawal,
            (
                ID,
                Column("type", "Type", "code"),
                Column("status", "Status", "status"),
                Column("amount", "Amount", "money"),
                Column("fee", "Fee", "money"),
                Column("remote_created_at", "Created", "time"),
            ),
            filters=("type", "status"),
            search=("external_id",),
            search_help="withdrawal id",
        ),
        Listing(
            "live_sessions",
            "LIVE sessions",
            LiveSession,
            (
                ID,
                Column("title", "Title"),
                Column("username", "Host"),
                Column("started_at", "Started", "time"),
                Column("gmv", "GMV", "money"),
                Column("orders", "Orders", "int"),
                Column("viewers", "Viewers", "int"),
                Column("peak_concurrent_users", "Peak viewers", "int"),
            ),
            feature="live_shopping",
            sort="started_at",
            created="started_at",
            search=("external_id",),
            title_search="title",
            search_help="session id or words of the title",
        ),
        Listing(
            "promotions",
            "Promotions",
            Promotion,
            (
                ID,
                Column("kind", "Kind"),
                Column("title", "Title"),
                Column("type", "Type", "code"),
                Column("status", "Status", "status"),
                Column("starts_at", "Starts", "time"),
                Column("ends_at", "Ends", "time"),
                Column("discount", "Discount"),
                Column("claimed", "Claimed", "int"),
                Column("redeemed", "Redeemed", "int"),
            ),
            feature="promotions",
            filters=("kind", "status", "type"),
            search=("external_id", "promo_code"),
            title_search="title",
            search_help="activity or coupon id, promo code, or words of the title",
            expand=_promotion_products,
        ),
        Listing(
            "affiliate_orders",
            "Affiliate orders",
            AffiliateOrder,
            (
                ID,
                Column("side", "Side"),
                Column("status", "Status", "status"),
                Column("remote_created_at", "Created", "time"),
                Column("delivered_at", "Delivered", "time"),
            ),
            verb="affiliate",
            feature="affiliate",
            filters=("status",),
            search=("external_id",),
            search_help="order id",
            expand=_affiliate_lines,
        ),
        Listing(
            "creators",
            "Creators",
            Creator,
            (Column("username", "Username"),),
            verb="affiliate",
            feature="affiliate",
            sort="id",
            created=None,
            search=("external_id", "username"),
            search_help="username",
            expand=_creator_totals,
        ),
    )
}
