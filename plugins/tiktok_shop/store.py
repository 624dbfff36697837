"""Write one page of TikTok Shop documents into the ERP tables: map, bulk upsert keyed on
external ids, then the rows that hang off them. Used alike by backfill, incremental sync and
webhook refetches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, delete, select, update

from erp_integrations.extensions import db
from erp_integrations.models import (
    AffiliateOrder,
    AffiliateOrderLine,
    Creator,
    DeliveryOption,
    OrderStatusChange,
    Promotion,
    PromotionProduct,
    SalesOrder,
    Shipment,
    ShopPerformanceDay,
    ShopServiceDay,
    StatementTransaction,
)
from erp_integrations.storage import bulk_upsert, ids_by_external_id, insert_missing
from erp_integrations.sync.status_history import history_rows
from erp_integrations.toolkit import CatalogProduct, CatalogVariant, Stock, store_catalog

from .mappers.affiliate import AffiliateLineMapper, AffiliateOrderMapper, LiveSessionMapper
from .mappers.catalog import DeliveryOptionMapper, ProductMapper, VariantMapper, WarehouseMapper
from .mappers.finance import PaymentMapper, StatementMapper, TransactionMapper, UnsettledMapper, WithdrawalMapper
from .mappers.fulfillment import CancellationMapper, PackageMapper, ReturnMapper
from .mappers.orders import STATUS_TIMES, OrderLineMapper, OrderMapper
from .mappers.promotions import ActivityMapper, CouponMapper, activity_product_rows, products_discount


@dataclass
class MappedOrders:
    """A page of orders mapped to rows, ready to write: mapping needs no database, so a sync
    maps the next page on its download thread while this one is being written."""

    rows: list[dict]
    lines: list[list[dict]]  # per order, without order_id (known once the order is written)


def map_orders(account_id: int, documents: list[dict]) -> MappedOrders:
    rows = [OrderMapper.row(d, account_id=account_id) for d in documents]
    lines = [
        [OrderLineMapper.row(line, account_id=account_id, remote_updated_at=row["remote_updated_at"]) for line in d.get("line_items") or []]
        for d, row in zip(documents, rows, strict=True)
    ]
    return MappedOrders(rows, lines)


def store_orders(context, documents: list[dict]) -> None:
    write_orders(context, map_orders(context.account_id, documents))


def write_orders(context, mapped: MappedOrders) -> None:
    account, account_id, rows = context.account, context.account_id, mapped.rows
    if not rows:
        return
    external_ids = [r["external_id"] for r in rows]
    before = dict(
        db.session.execute(
            select(SalesOrder.external_id, SalesOrder.status).where(SalesOrder.account_id == account_id, SalesOrder.external_id.in_(external_ids))
        ).all()
    )
    written = bulk_upsert(SalesOrder, rows, account=account).ids
    changed, lines, shipped = [], [], {}
    for row, order_lines in zip(rows, mapped.lines, strict=True):
        order_id = written.get((account_id, row["external_id"]))
        if order_id is None:
            continue  # older than what is stored: skipped, and so are its lines
        if before.get(row["external_id"]) != row["status"]:
            changed.append((order_id, row, before.get(row["external_id"])))
        when = shipped_time(row)
        for line in order_lines:
            line["order_id"] = order_id
            lines.append(line)
            if when is not None and line["package_external_id"]:
                shipped[line["package_external_id"]] = min(when, shipped.get(line["package_external_id"], when))
    insert_missing(OrderStatusChange, history_rows(account_id, changed, STATUS_TIMES), key=("order_id", "to_status", "remote_updated_at"))
    bulk_upsert(OrderLineMapper.model, lines, account=account)
    _date_shipments(account_id, shipped)
    context.count("orders", len(written))
    context.count("order_lines", len(lines))


def store_products(context, products: list[dict], inventory: dict[str, dict] | None = None) -> None:
    """Products, their SKUs and stock. ``inventory`` (sku id -> inventory search entry) adds
    committed quantities; without it only the available quantity is written."""
    store_catalog(
        context,
        [CatalogProduct(ProductMapper.row(p), [_variant(sku, (inventory or {}).get(str(sku["id"]))) for sku in p.get("skus") or []]) for p in products],
    )


def _variant(sku: dict, detail: dict | None) -> CatalogVariant:
    if detail is not None:
        stock = [
            Stock(str(w["warehouse_id"]), int(w.get("available_quantity") or 0), int(w.get("committed_quantity") or 0))
            for w in detail.get("warehouse_inventory") or []
        ]
    else:
        stock = [Stock(str(w["warehouse_id"]), int(w.get("quantity") or 0)) for w in sku.get("inventory") or []]
    return CatalogVariant(VariantMapper.row(sku, name=_sku_name(sku)), stock)


def _sku_name(sku: dict) -> str | None:
    attributes = sku.get("sales_attributes") or []
    return " / ".join(a.get("value_name", "") for a in attributes) or None


def store_warehouses(context, warehouses: list[dict]) -> None:
    rows = [WarehouseMapper.row(w, account_id=context.account_id) for w in warehouses]
    context.count("warehouses", bulk_upsert(WarehouseMapper.model, rows, account=context.account).written)


def store_delivery_options(context, options: list[tuple[str, dict, list[dict] | None]]) -> None:
    """The shop's delivery options whole: ``(warehouse id, option, carriers or None when the
    marketplace fulfils it)``; options no longer offered are dropped."""
    rows = [
        DeliveryOptionMapper.row(
            option,
            account_id=context.account_id,
            warehouse_external_id=warehouse,
            carriers=[{"id": str(c["id"]), "name": str(c.get("name") or "")} for c in carriers or []],
            fulfilled_by_platform=carriers is None,
        )
        for warehouse, option, carriers in options
    ]
    context.count("delivery_options", bulk_upsert(DeliveryOption, rows, account=context.account).written)
    offered = [r["external_id"] for r in rows]
    db.session.execute(delete(DeliveryOption).where(DeliveryOption.account_id == context.account_id, DeliveryOption.external_id.not_in(offered or [""])))


def store_simple(context, mapper, documents: list[dict], entity: str, *, key: tuple[str, ...] = ("account_id", "external_id")) -> None:
    rows = [mapper.row(d, account_id=context.account_id) for d in documents]
    context.count(entity, bulk_upsert(mapper.model, rows, key=key, account=context.account).written)


def shipped_time(order_row: dict):
    """When an order's packages left the seller: ready to ship (the seller shipped or arranged
    pickup), else collected by the carrier. TikTok's package search gives no time of its own."""
    return order_row.get("rts_at") or order_row.get("collected_at")


def _date_shipments(account_id: int, shipped: dict) -> None:
    """Give packages not yet dated the time their orders report (orders synced after them)."""
    if not shipped:
        return
    db.session.execute(
        update(Shipment.__table__)
        .where(
            Shipment.__table__.c.account_id == account_id, Shipment.__table__.c.external_id == bindparam("package"), Shipment.__table__.c.shipped_at.is_(None)
        )
        .values(shipped_at=bindparam("when")),
        [{"package": package, "when": when} for package, when in shipped.items()],
    )


def store_packages(context, packages):
    """Packages, dated from their orders when those are synced already."""
    rows = [PackageMapper.row(p, account_id=context.account_id) for p in packages]
    order_ids = {o for row in rows for o in row["order_external_ids"]}
    times = {}
    if order_ids:
        found = db.session.execute(
            select(SalesOrder.external_id, SalesOrder.rts_at, SalesOrder.collected_at).where(
                SalesOrder.account_id == context.account_id, SalesOrder.external_id.in_(order_ids)
            )
        )
        times = {external_id: rts or collected for external_id, rts, collected in found}
    for row in rows:
        dated = [times[o] for o in row["order_external_ids"] if times.get(o) is not None]
        row["shipped_at"] = min(dated) if dated else None
    context.count("packages", bulk_upsert(Shipment, rows, account=context.account).written)


def store_returns(context, returns):
    store_simple(context, ReturnMapper, returns, "returns", key=("account_id", "kind", "external_id"))


def store_cancellations(context, cancellations):
    store_simple(context, CancellationMapper, cancellations, "cancellations", key=("account_id", "kind", "external_id"))


def store_payments(context, payments):
    store_simple(context, PaymentMapper, payments, "payments")


def store_withdrawals(context, withdrawals):
    store_simple(context, WithdrawalMapper, withdrawals, "withdrawals")


def store_statement(context, statement: dict, transactions: list[dict]) -> None:
    account = context.account
    store_simple(context, StatementMapper, [statement], "statements")
    currency = statement.get("currency")
    rows = [TransactionMapper.row(t, account_id=account.id, statement_external_id=statement["id"], is_settled=True, currency=currency) for t in transactions]
    context.count("statement_transactions", bulk_upsert(StatementTransaction, rows, account=account).written)
    # Settled now: the order's "not yet settled" estimate is history.
    settled_orders = [f"unsettled:{r['order_external_id']}" for r in rows if r["order_external_id"]]
    if settled_orders:
        db.session.execute(
            delete(StatementTransaction).where(StatementTransaction.account_id == account.id, StatementTransaction.external_id.in_(settled_orders))
        )


def store_unsettled(context, transactions: list[dict]) -> list[str]:
    account = context.account
    rows = [UnsettledMapper.row(t, account_id=account.id, is_settled=False, currency=t.get("currency")) for t in transactions]
    context.count("unsettled_transactions", bulk_upsert(StatementTransaction, rows, account=account).written)
    return [r["external_id"] for r in rows]


def forget_unsettled_except(context, seen: set[str]) -> None:
    """After a complete unsettled snapshot, estimates no longer listed have settled or gone."""
    query = select(StatementTransaction.external_id).where(StatementTransaction.account_id == context.account_id, StatementTransaction.is_settled.is_(False))
    stale = [e for e in db.session.scalars(query) if e not in seen]
    for start in range(0, len(stale), 1000):
        db.session.execute(
            delete(StatementTransaction).where(
                StatementTransaction.account_id == context.account_id, StatementTransaction.external_id.in_(stale[start : start + 1000])
            )
        )


def store_affiliate_orders(context, documents: list[dict], side: str, creator_name: str | None = None) -> None:
    account = context.account
    order_ids = bulk_upsert(AffiliateOrder, [AffiliateOrderMapper.row(d, account_id=account.id, side=side) for d in documents], account=account).ids
    usernames = {sku.get("creator_username") or creator_name for d in documents for sku in d.get("skus") or []} - {None}
    insert_missing(Creator, [{"account_id": account.id, "external_id": u, "username": u} for u in usernames], key=("account_id", "external_id"))
    creators = ids_by_external_id(Creator, account.id, usernames)
    lines = []
    for document in documents:
        order_id = order_ids.get((account.id, str(document["id"])))
        if order_id is None:
            continue
        for k, sku in enumerate(document.get("skus") or []):
            creator = sku.get("creator_username") or creator_name
            lines.append(
                AffiliateLineMapper.row(
                    sku, account_id=account.id, external_id=f"{document['id']}:{k}", affiliate_order_id=order_id, creator_id=creators.get(creator)
                )
            )
    bulk_upsert(AffiliateOrderLine, lines, account=account)
    context.count("affiliate_orders", len(order_ids))
    context.count("affiliate_order_lines", len(lines))


def store_live_sessions(context, sessions: list[dict]) -> None:
    store_simple(context, LiveSessionMapper, sessions, "live_sessions")


def promotions_to_refresh(context, kind: str, documents: list[dict], *, always: frozenset[str] = frozenset()) -> list[str]:
    """The ids of a search page whose detail must be read: new ones, those whose update time
    moved since they were stored, and those in a status in ``always``."""
    mapper = ActivityMapper if kind == "activity" else CouponMapper
    updated = {str(d["id"]): mapper.columns["remote_updated_at"](d) for d in documents}
    stored = dict(
        db.session.execute(
            select(Promotion.external_id, Promotion.remote_updated_at).where(
                Promotion.account_id == context.account_id, Promotion.kind == kind, Promotion.external_id.in_(list(updated))
            )
        ).all()
    )
    return [d for d in updated if d not in stored or stored[d] != updated[d] or _status(documents, d) in always]


def _status(documents: list[dict], external_id: str) -> str | None:
    return next((d.get("status") for d in documents if str(d["id"]) == external_id), None)


def _summaries(context, mapper, documents: list[dict], details: dict[str, dict], detail_only: tuple[str, ...]) -> dict:
    """Write a search page: rows read in detail whole, the rest without the columns only the
    detail carries (so a summary never blanks them)."""
    account = context.account
    full = [mapper.row(details[str(d["id"])] | {"id": d["id"]}, account_id=account.id) for d in documents if str(d["id"]) in details]
    brief = [{k: v for k, v in mapper.row(d, account_id=account.id).items() if k not in detail_only} for d in documents if str(d["id"]) not in details]
    key = ("account_id", "kind", "external_id")
    ids = bulk_upsert(Promotion, full, key=key, account=account).ids
    bulk_upsert(Promotion, brief, key=key, account=account)
    return ids


def store_activities(context, activities: list[dict], details: dict[str, dict]) -> None:
    """A page of Search Activities, with Get Activity's answer for those that changed: their
    products and SKUs are replaced by what the detail lists now."""
    account = context.account
    ids = _summaries(context, ActivityMapper, activities, details, ("discount", "percent_off"))
    products = []
    for external_id, detail in details.items():
        promotion_id = ids.get((account.id, "activity", external_id))
        if promotion_id is None:
            continue  # an older copy than the one stored: kept as it is
        rows = activity_product_rows(detail, account_id=account.id, promotion_id=promotion_id)
        db.session.execute(delete(PromotionProduct).where(PromotionProduct.promotion_id == promotion_id))
        if ActivityMapper.columns["discount"](detail) is None:
            words, percent = products_discount(rows)
            db.session.execute(update(Promotion).where(Promotion.id == promotion_id).values(discount=words, percent_off=percent))
        products += rows
    bulk_upsert(PromotionProduct, products, account=account)
    context.count("promotions", len(activities))
    context.count("promotion_products", len(products))


def store_coupons(context, coupons: list[dict], details: dict[str, dict]) -> None:
    _summaries(context, CouponMapper, coupons, details, ("claimed", "redeemed"))
    context.count("coupons", len(coupons))


def store_shop_performance(context, intervals: list[dict]) -> None:
    from erp_integrations.mapping import integer, money

    rows = []
    for interval in intervals:
        rows.append(
            {
                "account_id": context.account_id,
                "day": date.fromisoformat(interval["start_date"]),
                "currency": (interval.get("gmv") or {}).get("currency"),
                "gmv": money("gmv.amount")(interval),
                "orders": integer("orders")(interval),
                "units_sold": integer("units_sold")(interval),
                "buyers": integer("buyers")(interval),
            }
        )
    context.count("shop_performance_days", bulk_upsert(ShopPerformanceDay, rows, key=("account_id", "day"), account=context.account).written)


def store_service_days(context, days: list[dict]) -> None:
    from erp_integrations.mapping import integer, money

    rows = [
        {
            "account_id": context.account_id,
            "day": date.fromisoformat(day["day"]),
            "support_sessions": integer("support_session_count")(day) or 0,
            "response_percentage": money("response_percentage")(day),
            "satisfaction_percentage": money("satisfaction_percentage")(day),
            "response_time_minutes": money("response_time_mins")(day),
        }
        for day in days
    ]
    context.count("service_days", bulk_upsert(ShopServiceDay, rows, key=("account_id", "day"), account=context.account).written)
