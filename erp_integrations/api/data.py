"""The synced ERP tables, read-only: the same listings, filters and keyset pages as the admin
pages, as JSON."""

from __future__ import annotations

import io

from flask import jsonify, request, send_file, url_for
from sqlalchemy import select

from ..accounts import get_account
from ..auth import check, may, requires
from ..browse import (
    LISTINGS,
    InvalidQuery,
    fetch,
    filter_choices,
    json_value,
    order_detail,
    row_values,
    serialize_order_detail,
)
from ..browse.analytics import PERIODS as ANALYTICS_PERIODS
from ..browse.analytics import shop_analytics
from ..browse.handover import awaiting_handover, package_handover, package_order
from ..browse.shipping_documents import DocumentRefused, file_name, shipping_document
from ..browse.tracking import LogisticsOff, order_tracking
from ..extensions import db
from ..hooks import get_connector
from ..models import SalesOrder
from ..reports.export import FORMATS, choose_format
from ..reports.responses import listing_download
from . import api_blueprint
from .errors import ApiError


@api_blueprint.get("/accounts/<int:account_id>/data")
@requires("affiliate")
def list_listings(account_id: int):
    """The listings this user may read for the account (a creator partner sees affiliate ones)."""
    get_account(account_id)
    return jsonify(
        listings=[
            {"name": listing.name, "title": listing.title, "url": url_for("api.data_page", account_id=account_id, listing_name=listing.name)}
            for listing in LISTINGS.values()
            if may(listing.verb, account_id)
        ]
    )


@api_blueprint.get("/accounts/<int:account_id>/data/<listing_name>")
@requires("affiliate")  # the lowest account verb; each listing's own verb is checked below
def data_page(account_id: int, listing_name: str):
    """``?q=``, one ``?<filter>=`` per filter column, ``?limit=`` (1-200), ``?after=`` / ``?before=``
    cursors from the previous page's ``next`` / ``prev``."""
    listing = LISTINGS.get(listing_name)
    if listing is None:
        raise ApiError(404, f"no listing {listing_name!r}; see GET /api/v1/accounts/{account_id}/data")
    check(listing.verb, account_id)
    account = get_account(account_id)
    fmt = choose_format(request.args, request.headers.get("Accept"))
    if fmt is not None:
        if fmt not in FORMATS:
            raise ApiError(422, "invalid query", {"format": ["must be csv or xlsx"]})
        try:
            return listing_download(fmt, listing, account, request.args, get_connector(account.connector).listing_values.get(listing.name))
        except InvalidQuery as exc:
            raise ApiError(422, "invalid query", {exc.field: [exc.message]}) from None
    try:
        page, extra = fetch(listing, account.id, request.args, get_connector(account.connector).listing_values.get(listing.name))
    except InvalidQuery as exc:
        raise ApiError(422, "invalid query", {exc.field: [exc.message]}) from None
    return jsonify(
        listing=listing.name,
        rows=[json_value(row_values(listing, row) | extra.get(row.id, {})) for row in page.rows],
        next=page.next_cursor,
        prev=page.prev_cursor,
        filters=filter_choices(listing, account.id) if request.args.get("with_filters") in ("1", "true") else None,
    )


@api_blueprint.get("/accounts/<int:account_id>/orders/<external_id>")
@requires("read")
def order_detail_endpoint(account_id: int, external_id: str):
    detail = order_detail(get_account(account_id).id, external_id)
    if detail is None:
        raise ApiError(404, f"no order {external_id!r} in account {account_id}")
    return jsonify(serialize_order_detail(detail))


@api_blueprint.get("/accounts/<int:account_id>/analytics/shop")
@requires("read")
def shop_analytics_endpoint(account_id: int):
    """TikTok's own daily figures for the shop (GMV, orders, units, buyers) beside its customer
    service, for the last ``days`` (7, 30 or 90), with totals per currency."""
    account = get_account(account_id)  # unknown parameters are refused by query_check, from the OpenAPI document
    try:
        days = int(request.args.get("days") or 30)
    except ValueError:
        days = 0
    if days not in ANALYTICS_PERIODS:
        raise ApiError(422, "invalid query", {"days": [f"must be one of {', '.join(map(str, ANALYTICS_PERIODS))}"]})
    return jsonify(json_value(shop_analytics(account, days)))


@api_blueprint.get("/accounts/<int:account_id>/packages/<package_id>/documents/<document_type>")
@requires("read")
def package_document_endpoint(account_id: int, package_id: str, document_type: str):
    """A shipped package's label or packing slip, as a file: the ERP's copy, fetched from the
    marketplace the first time (``?refresh=1``: fetched again)."""
    account = get_account(account_id)
    try:
        document = shipping_document(account, package_id, document_type.upper(), refresh=request.args.get("refresh") in ("1", "true"))
    except DocumentRefused as exc:
        raise ApiError(exc.status, exc.message) from None
    except LogisticsOff as exc:
        raise ApiError(409, str(exc)) from None
    return send_file(io.BytesIO(document.content), mimetype=document.content_type, download_name=file_name(document), max_age=0)


@api_blueprint.get("/accounts/<int:account_id>/packages/<package_id>/handover")
@requires("read")
def package_handover_endpoint(account_id: int, package_id: str):
    """How a package not shipped yet can reach the carrier (pickup, drop-off, van) and the
    pickup slots, asked of the marketplace now; 409 once it has shipped or while the Logistics
    toggle is off."""
    account = get_account(account_id)
    order = package_order(account.id, package_id)
    if order is None:
        raise ApiError(404, f"no synced package {package_id!r} in account {account_id}")
    if not awaiting_handover(order):
        raise ApiError(409, f"package {package_id} has shipped or its order was cancelled: there is nothing to hand over")
    try:
        options = package_handover(account, package_id)
    except LogisticsOff as exc:
        raise ApiError(409, str(exc)) from None
    slots = [{"starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat(), "available": s.available} for s in options.slots]
    return jsonify(
        package_id=package_id,
        pickup=options.pickup,
        drop_off=options.drop_off,
        van_collection=options.van_collection,
        drop_off_url=options.drop_off_url,
        slots=slots,
    )


@api_blueprint.get("/accounts/<int:account_id>/orders/<external_id>/tracking")
@requires("read")
def order_tracking_endpoint(account_id: int, external_id: str):
    """The carrier's events for a synced order, asked of the marketplace now (none before it
    ships); 409 while the account's Logistics toggle is off."""
    account = get_account(account_id)
    order = db.session.scalar(select(SalesOrder).where(SalesOrder.account_id == account.id, SalesOrder.external_id == external_id))
    if order is None:
        raise ApiError(404, f"no order {external_id!r} in account {account_id}")
    try:
        events = order_tracking(account, order)
    except LogisticsOff as exc:
        raise ApiError(409, str(exc)) from None
    return jsonify(order_id=external_id, events=[{"at": e.at.isoformat(), "description": e.description} for e in events])
