"""What the data pages and the data API list: one definition per listing, drawn as an HTML
table by the admin pages and returned as JSON by ``/api/v1/accounts/{id}/data/{listing}``.

Every query is scoped to one account first; that is what keeps one shop's data out of
another's pages, and what the ``(account_id, ...)`` indexes are built for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select, text

from ..extensions import db
from ..models import (
    AffiliateOrder,
    AffiliateOrderLine,
    AfterSale,
    Creator,
    FinanceStatement,
    LiveSession,
    Payout,
    Product,
    ProductVariant,
    SalesOrder,
    Shipment,
    StockLevel,
    Warehouse,
    Withdrawal,
)
from .keyset import InvalidCursor, Page, paginate

MAX_PAGE = 200


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, money, time, int, bool, status, list
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

    @property
    def sort_column(self):
        return getattr(self.model, self.sort)


class InvalidQuery(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field, self.message = field_name, message


def fetch(listing: Listing, account_id: int, args) -> tuple[Page, dict[int, dict]]:
    """A page of ``listing`` for the account, narrowed by ``args`` (``q``, filters, ``after``,
    ``before``, ``limit``), with each row's expansion (SKUs, lines...)."""
    model = listing.model
    query = select(model).where(model.account_id == account_id)
    for name in listing.filters:
        value = args.get(name)
        if value:
            query = query.where(getattr(model, name) == value)
    q = (args.get("q") or "").strip()
    if q:
        conditions = [getattr(model, c) == q for c in listing.search]
        if listing.title_search:
            conditions.append(getattr(model, listing.title_search).ilike(f"%{_escape_like(q)}%", escape="\\"))
        query = query.where(or_(*conditions))
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
    return {c.key: getattr(row, c.key) for c in listing.columns} | {"id": row.id}


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
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
    lines = db.session.execute(
        select(AffiliateOrderLine, Creator.username)
        .outerjoin(Creator, Creator.id == AffiliateOrderLine.creator_id)
        .where(AffiliateOrderLine.affiliate_order_id.in_([r.id for r in rows]))
        .order_by(AffiliateOrderLine.id)
    ).all()
    out: dict[int, dict] = {r.id: {"lines": []} for r in rows}
    for line, username in lines:
        out[line.affiliate_order_id]["lines"].append(
            {
                "creator": username,
                "product_id": line.product_external_id,
                "quantity": line.quantity,
                "currency": line.currency,
                "commission_rate": None if line.commission_rate_bps is None else Decimal(line.commission_rate_bps) / 100,
                "estimated_commission": line.estimated_commission,
                "actual_commission": line.actual_commission,
                "refunded_quantity": line.refunded_quantity,
            }
        )
    return out


ID = Column("external_id", "ID")
LISTINGS: dict[str, Listing] = {
    listing.name: listing
    for listing in (
        Listing(
            "orders", "Orders", SalesOrder,
            (ID, Column("status", "Status", "status"), Column("remote_created_at", "Created", "time"), Column("paid_at", "Paid", "time"),
             Column("total_amount", "Total", "money"), Column("fulfillment_type", "Fulfillment"), Column("is_cod", "COD", "bool")),
            feature="orders", filters=("status",), search=("external_id",), search_help="order id",
        ),
        Listing(
            "products", "Products", Product,
            (ID, Column("title", "Title"), Column("status", "Status", "status"), Column("brand", "Brand"), Column("remote_created_at", "Created", "time")),
            feature="product_catalog", filters=("status",), search=("external_id",), title_search="title", search_help="product id or words of the title",
            expand=_product_skus,
        ),
        Listing(
            "shipments", "Shipments", Shipment,
            (ID, Column("status", "Status", "status"), Column("tracking_number", "Tracking"), Column("shipping_provider", "Carrier"),
             Column("order_external_ids", "Orders", "list"), Column("shipped_at", "Shipped", "time"), Column("remote_created_at", "Created", "time")),
            feature="orders", filters=("status",), search=("external_id", "tracking_number"), search_help="package id or tracking number",
        ),
        Listing(
            "returns", "Returns and cancellations", AfterSale,
            (ID, Column("kind", "Kind"), Column("order_external_id", "Order"), Column("type", "Type"), Column("status", "Status", "status"),
             Column("refund_total", "Refund", "money"), Column("reason", "Reason"), Column("remote_created_at", "Created", "time")),
            feature="returns", filters=("kind", "status"), search=("external_id", "order_external_id"), search_help="return or order id",
        ),
        Listing(
            "statements", "Statements", FinanceStatement,
            (ID, Column("statement_time", "Date", "time"), Column("revenue_amount", "Revenue", "money"), Column("fee_amount", "Fees", "money"),
             Column("adjustment_amount", "Adjustments", "money"), Column("settlement_amount", "Settlement", "money"), Column("payment_status", "Payment", "status")),
            sort="statement_time", filters=("payment_status",), search=("external_id", "payment_external_id"), search_help="statement or payment id",
        ),
        Listing(
            "payouts", "Payouts", Payout,
            (ID, Column("status", "Status", "status"), Column("amount", "Amount", "money"), Column("settlement_amount", "Settled", "money"),
             Column("reserve_amount", "Reserve", "money"), Column("paid_at", "Paid", "time"), Column("bank_account", "Bank account")),
            filters=("status",), search=("external_id",), search_help="payment id",
        ),
        Listing(
            "withdrawals", "Withdrawals", Withdrawal,
            (ID, Column("type", "Type"), Column("status", "Status", "status"), Column("amount", "Amount", "money"), Column("fee", "Fee", "money"),
             Column("remote_created_at", "Created", "time")),
            filters=("type", "status"), search=("external_id",), search_help="withdrawal id",
        ),
        Listing(
            "live_sessions", "LIVE sessions", LiveSession,
            (ID, Column("title", "Title"), Column("username", "Host"), Column("started_at", "Started", "time"), Column("gmv", "GMV", "money"),
             Column("orders", "Orders", "int"), Column("viewers", "Viewers", "int"), Column("peak_concurrent_users", "Peak viewers", "int")),
            feature="live_shopping", sort="started_at", search=("external_id",), title_search="title", search_help="session id or words of the title",
        ),
        Listing(
            "affiliate_orders", "Affiliate orders", AffiliateOrder,
            (ID, Column("side", "Side"), Column("status", "Status", "status"), Column("remote_created_at", "Created", "time"), Column("delivered_at", "Delivered", "time")),
            verb="affiliate", feature="affiliate", filters=("status",), search=("external_id",), search_help="order id", expand=_affiliate_lines,
        ),
        Listing(
            "creators", "Creators", Creator, (ID, Column("username", "Username")),
            verb="affiliate", feature="affiliate", sort="id", search=("external_id", "username"), search_help="creator id or username",
        ),
    )
}
