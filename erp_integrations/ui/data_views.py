"""Data pages: every listing of ``browse`` as a table with search, filters and keyset pages,
and an order's own page."""

from __future__ import annotations

import io
from decimal import Decimal

from flask import render_template, request, send_file

from ..accounts import get_account
from ..auth import check, may
from ..browse import LISTINGS, InvalidQuery, fetch, filter_choices, order_detail
from ..browse.analytics import PERIODS, shop_analytics
from ..browse.handover import awaiting_handover, order_handover
from ..browse.shipping_documents import DocumentRefused, file_name, shipping_document
from ..browse.statements import statement_detail
from ..browse.tracking import LogisticsOff, has_shipped, order_tracking, require_logistics
from ..connectors import MarketplaceError, Unsupported
from ..hooks import get_connector
from ..reports.charts import daily_chart
from ..reports.export import FORMATS
from ..reports.responses import listing_download
from . import ui_blueprint
from .decision_views import cancel_option, open_decisions, promotion_actions, promotion_form
from .pages import error_page, use_account

# How the data menu groups the listings.
SECTIONS = (
    ("Catalog", ("products", "promotions")),
    ("Sales", ("orders", "shipments", "returns")),
    ("Logistics", ("delivery_options",)),
    ("Finance", ("statements", "payouts", "withdrawals")),
    ("LIVE & affiliate", ("live_sessions", "affiliate_orders", "creators")),
)


def data_menu(account) -> list[tuple[str, list]]:
    """The side menu's listings the user may read, without those whose feature toggle is off
    (their pages stay reachable, and say so)."""
    menu = []
    for title, names in SECTIONS:
        allowed = [LISTINGS[n] for n in names if may(LISTINGS[n].verb, account.id) and feature_on(account, LISTINGS[n])]
        if allowed:
            menu.append((title, allowed))
    return menu


def feature_on(account, listing) -> bool:
    return listing.feature is None or bool((account.features or {}).get(listing.feature, False))


@ui_blueprint.app_context_processor
def _menu():
    return {"data_menu": data_menu, "analytics_on": analytics_on}


@ui_blueprint.get("/accounts/<int:account_id>/data/<listing_name>")
def data(account_id: int, listing_name: str):
    check("affiliate", account_id)  # the lowest account verb, before anything else is said
    listing = LISTINGS.get(listing_name)
    if listing is None:
        return error_page(404, "Page not found", f"There is no list called {listing_name!r}.")
    check(listing.verb, account_id)
    account = use_account(get_account(account_id))
    error = None
    fmt = request.args.get("format")
    if fmt in FORMATS:
        # The download of what the page shows: the same filters, every page of it.
        try:
            return listing_download(fmt, listing, account, request.args, get_connector(account.connector).listing_values.get(listing.name))
        except InvalidQuery as exc:
            return error_page(422, "No download", exc.message)
    try:
        page, extra = fetch(listing, account.id, request.args, get_connector(account.connector).listing_values.get(listing.name))
    except InvalidQuery as exc:
        page, extra, error = None, {}, exc.message
    feature_off = not feature_on(account, listing)
    manages_promotions = listing.name == "promotions" and not feature_off and may("manage", account.id)
    actions = promotion_actions(account, page.rows) if page and manages_promotions else {}
    return render_template(
        "data.html",
        account=account,
        listing=listing,
        page=page,
        extra=extra,
        error=error,
        choices=filter_choices(listing, account.id),
        args=request.args,
        feature_off=feature_off,
        actions=actions,
        new_promotion=promotion_form(account) if manages_promotions else None,
    ), (422 if error else 200)


@ui_blueprint.get("/accounts/<int:account_id>/orders/<external_id>")
def order(account_id: int, external_id: str):
    check("read", account_id)
    account = use_account(get_account(account_id))
    detail = order_detail(account.id, external_id)
    if detail is None:
        return error_page(404, "Order not found", f"{account.name} has no order {external_id!r}. It may not be synced yet.")
    manages = may("manage", account.id)
    decisions = open_decisions(account, detail["after_sales"]) if manages else {}
    cancel = cancel_option(account, detail["order"]) if manages else None
    return render_template(
        "order.html",
        account=account,
        detail=detail,
        listing=LISTINGS["orders"],
        decisions=decisions,
        cancel=cancel,
        tracking=_tracking(account, detail["order"]),
        handover=_handover(account, detail["order"]),
        documents=_documents(account, detail["order"]),
    )


@ui_blueprint.get("/accounts/<int:account_id>/analytics")
def analytics(account_id: int):
    """The marketplace's own daily figures for the shop, beside its customer service."""
    check("read", account_id)
    account = use_account(get_account(account_id))
    try:
        days = int(request.args.get("days") or 30)
    except ValueError:
        days = 0
    if days not in PERIODS:
        return error_page(422, "No such period", f"Shop analytics covers the last {', '.join(map(str, PERIODS))} days.")
    figures = shop_analytics(account, days)
    charts = {}
    for total in figures["totals"]:
        currency = total["currency"]
        series = [{"day": d["day"].isoformat(), "gmv": d["gmv"] or Decimal(0)} for d in figures["days"] if d["currency"] == currency]
        charts[currency] = daily_chart(series, "gmv", (), f"GMV per day in {currency}, as TikTok reports it", {"gmv": "GMV"})
    return render_template(
        "analytics.html", account=account, figures=figures, charts=charts, days=days, periods=PERIODS, analytics_off=not analytics_on(account)
    )


def analytics_on(account) -> bool:
    """Whether the shop syncs the figures the analytics page shows (its connector's toggle)."""
    feature = get_connector(account.connector).stream_features.get("shop_performance")
    return feature is not None and bool((account.features or {}).get(feature if isinstance(feature, str) else feature[0], False))


@ui_blueprint.get("/accounts/<int:account_id>/packages/<package_id>/documents/<document_type>")
def package_document(account_id: int, package_id: str, document_type: str):
    """Print a shipped package's label or packing slip (the ERP's copy; fetched the first time)."""
    check("read", account_id)
    account = use_account(get_account(account_id))
    try:
        document = shipping_document(account, package_id, document_type)
    except DocumentRefused as exc:
        return error_page(exc.status, "No such document", exc.message[:1].upper() + exc.message[1:] + ".")
    except (LogisticsOff, Unsupported) as exc:
        return error_page(409, "Shipping documents are off", str(exc)[:1].upper() + str(exc)[1:] + ".")
    except MarketplaceError as exc:
        name = get_connector(account.connector).display_name
        return error_page(502, "The document could not be fetched", f"{name} answered: {exc.public_message()}. Try again in a minute.")
    return send_file(io.BytesIO(document.content), mimetype=document.content_type, download_name=file_name(document), max_age=0)


def _documents(account, order) -> tuple[str, ...]:
    """The document types the packages table links to: none before the order ships, without
    the Logistics toggle, or for a connector that draws none."""
    connector = get_connector(account.connector)
    try:
        require_logistics(account, connector, "print shipping documents")
    except LogisticsOff:
        return ()
    if not has_shipped(order):
        return ()
    return tuple(t for t in connector.document_types if t in ("SHIPPING_LABEL", "PACKING_SLIP"))


def _read_through(account, key: str, empty, what: str, read) -> dict | None:
    """A card asked of the marketplace when the page opens: ``{key: read(), "error": None}``,
    or ``empty`` with why it could not be read; None when the connector cannot read it."""
    try:
        return {key: read(), "error": None}
    except Unsupported:
        return None
    except LogisticsOff as exc:
        return {key: empty, "error": str(exc)[:1].upper() + str(exc)[1:] + "."}
    except MarketplaceError as exc:
        return {key: empty, "error": f"{what} could not be loaded from {get_connector(account.connector).display_name}: {exc.public_message()}"}


def _handover(account, order) -> dict | None:
    """The handover card of an order awaiting shipment: per package how it can reach the
    carrier, or why that is not known; None when there is nothing to hand over."""
    if not awaiting_handover(order):
        return None
    return _read_through(account, "packages", {}, "Handover slots", lambda: order_handover(account, order))


def _tracking(account, order) -> dict | None:
    """The tracking card: the carrier's events, or why there are none; None when the
    connector has no tracking or the order has not shipped."""
    if not has_shipped(order):
        return None
    return _read_through(account, "events", [], "Tracking", lambda: order_tracking(account, order))


@ui_blueprint.get("/accounts/<int:account_id>/statements/<external_id>")
def statement(account_id: int, external_id: str):
    check("read", account_id)
    account = use_account(get_account(account_id))
    detail = statement_detail(account.id, external_id)
    if detail is None:
        return error_page(404, "Statement not found", f"{account.name} has no statement {external_id!r}. It may not be synced yet.")
    return render_template("statement.html", account=account, detail=detail, listing=LISTINGS["statements"])
