"""The seller's actions from the data pages: on an order's page, answer a buyer's return or
cancellation request (approve, or reject with one of the marketplace's reasons) or cancel the
order; on the Promotions page, create an activity, set or remove its products, end it. Each
goes through the push outbox like every other write (retried, logged, retryable from the
monitor)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import flash, redirect, request, url_for
from sqlalchemy import select

from ..accounts import get_account
from ..auth import check
from ..connectors import MarketplaceError, Unsupported
from ..extensions import db
from ..hooks import get_connector
from ..models import PushRequest
from ..push import PushRequestInvalid, request_changes
from ..reports.periods import account_zone_name
from . import ui_blueprint

KINDS = ("return", "cancellation")


def open_decisions(account, after_sales) -> dict[str, dict]:
    """Per after-sale id the seller can still decide: the reasons to reject with (asked of the
    marketplace; an outage leaves ``error`` instead) and the decision already on its way."""
    connector = get_connector(account.connector)()
    if not connector.supports("push"):
        return {}
    decidable = [a for a in after_sales if f"{a.kind}_decision" in connector.push_kinds and a.status in connector.after_sale_open_statuses.get(a.kind, ())]
    found = {}
    for after_sale in decidable:
        entry = {"reasons": [], "error": None, "request": _latest_request(account.id, after_sale), "marketplace": connector.display_name}
        try:
            entry["reasons"] = connector.reject_reasons(account, after_sale.kind, after_sale.external_id)
        except MarketplaceError as exc:
            entry["error"] = f"The reasons to reject could not be loaded from {connector.display_name}: {exc.public_message()}"
        found[after_sale.external_id] = entry
    return found


def cancel_option(account, order) -> dict | None:
    """The reasons the seller may cancel this order with now, and a cancellation already on its
    way; None when the connector cannot cancel orders or this one is past cancelling."""
    connector = get_connector(account.connector)()
    if not connector.supports("push") or "order_cancel" not in connector.push_kinds:
        return None
    reasons = connector.cancel_reasons(account, order.status)
    request = _request(account.id, "order_cancel", order.external_id)
    if not reasons and request is None:
        return None
    return {"reasons": reasons, "request": request, "marketplace": connector.display_name}


def promotion_actions(account, rows: list) -> dict[int, dict]:
    """Per listed activity the seller may still change: the deactivation already on its way,
    and how its products are priced when the ERP can set them ("percent" or "price")."""
    connector = get_connector(account.connector)
    if not connector.supports("push") or "promotion_deactivate" not in connector.push_kinds:
        return {}
    return {
        row.id: {
            "request": _request(account.id, "promotion_deactivate", row.external_id),
            "marketplace": connector.display_name,
            "pricing": connector.promotion_types.get(row.type or "") if row.scope == "PRODUCT" else None,
        }
        for row in rows
        if row.kind == "activity" and row.status not in connector.promotion_final_statuses
    }


def promotion_form(account) -> dict | None:
    """What the New activity form offers, in the account's time zone; None when the connector
    cannot create activities."""
    connector = get_connector(account.connector)
    if not connector.supports("push") or "promotion_create" not in connector.push_kinds:
        return None
    return {
        "types": list(connector.promotion_types),
        "levels": connector.promotion_levels,
        "zone": account_zone_name(account),
        "title_max": connector.promotion_title_max,
    }


def _local_iso(value: str, zone: str) -> str | None:
    """A datetime-local field ("2026-12-24T09:00") read in the account's zone, with its offset."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(zone)).isoformat() if value else None
    except ValueError:
        return value  # refused by the outbox's check, with its message


def _latest_request(account_id: int, after_sale) -> PushRequest | None:
    return _request(account_id, f"{after_sale.kind}_decision", after_sale.external_id)


def _request(account_id: int, kind: str, target: str) -> PushRequest | None:
    return db.session.scalars(select(PushRequest).where(PushRequest.account_id == account_id, PushRequest.kind == kind, PushRequest.target == target)).first()


@ui_blueprint.post("/accounts/<int:account_id>/orders/<external_id>/cancel")
def cancel_order(account_id: int, external_id: str):
    check("manage", account_id)
    account = get_account(account_id)
    try:
        request_changes(account, "order_cancel", [{"order": external_id, "cancel_reason": request.form.get("cancel_reason") or None}])
    except Unsupported as exc:
        flash(f"{exc}.", "error")
    except PushRequestInvalid as exc:
        flash("The order was not cancelled: " + "; ".join(" ".join(m) for m in exc.fields.values()) + ".", "error")
    else:
        flash(f"The cancellation of order {external_id} is on its way to {get_connector(account.connector).display_name}.", "success")
    return redirect(url_for("ui.order", account_id=account.id, external_id=external_id))


FIELD_LABELS = {"starts_at": "Starts", "ends_at": "Ends", "percent_off": "Percent off", "per_buyer_limit": "Per buyer"}


def _promotion_change(account_id: int, kind: str, item: dict, failed: str, done: str, back_to: str | None):
    check("manage", account_id)
    account = get_account(account_id)
    try:
        request_changes(account, kind, [item])
    except Unsupported as exc:
        flash(f"{exc}.", "error")
    except PushRequestInvalid as exc:
        problems = [
            f"{FIELD_LABELS.get(name.split('.')[-1], name.split('.')[-1].replace('_', ' ').capitalize())}: {' '.join(m)}" for name, m in exc.fields.items()
        ]
        flash(f"{failed}: " + "; ".join(problems) + ".", "error")
    else:
        flash(f"{done} is on its way to {get_connector(account.connector).display_name}; the list refreshes when it is accepted.", "success")
    return redirect(url_for("ui.data", account_id=account.id, listing_name="promotions", q=back_to))


@ui_blueprint.post("/accounts/<int:account_id>/promotions")
def create_promotion(account_id: int):
    check("manage", account_id)  # before the account is read: its time zone is not for everyone
    account = get_account(account_id)
    zone, form = account_zone_name(account), request.form
    item = {name: form.get(name, "").strip() or None for name in ("title", "type", "level")}
    item |= {name: _local_iso(form.get(name, ""), zone) for name in ("starts_at", "ends_at")}
    return _promotion_change(account_id, "promotion_create", item, "The activity was not created", f"Activity {item['title']!r}", None)


@ui_blueprint.post("/accounts/<int:account_id>/promotions/<external_id>/products")
def set_promotion_product(account_id: int, external_id: str):
    form = request.form
    item: dict = {"activity": external_id, "product": form.get("product", "").strip() or None}
    offer = form.get("offer", "").strip()
    if form.get("pricing") == "percent":
        item["percent_off"] = int(offer) if offer.isdigit() else offer or None
    else:
        item["price"] = offer or None
    limit = form.get("per_buyer_limit", "").strip()
    if limit:
        item["per_buyer_limit"] = int(limit) if limit.lstrip("-").isdigit() else limit
    return _promotion_change(
        account_id, "promotion_product", item, "The product was not added", f"Product {item['product']} in activity {external_id}", external_id
    )


@ui_blueprint.post("/accounts/<int:account_id>/promotions/<external_id>/products/remove")
def remove_promotion_product(account_id: int, external_id: str):
    item = {"activity": external_id, "product": request.form.get("product") or None, "sku": request.form.get("sku") or None}
    what = f"product {item['product']}" if item["product"] else f"SKU {item['sku']}"
    return _promotion_change(account_id, "promotion_product_removal", item, f"The {what} was not removed", f"Removing {what}", external_id)


@ui_blueprint.post("/accounts/<int:account_id>/promotions/<external_id>/deactivate")
def deactivate_promotion(account_id: int, external_id: str):
    item = {"activity": external_id}
    return _promotion_change(
        account_id, "promotion_deactivate", item, "The activity was not deactivated", f"The deactivation of activity {external_id}", external_id
    )


@ui_blueprint.post("/accounts/<int:account_id>/after-sales/<kind>/<external_id>/decide")
def decide_after_sale(account_id: int, kind: str, external_id: str):
    check("manage", account_id)
    account = get_account(account_id)
    order_id = request.form.get("order", "")
    back = redirect(url_for("ui.order", account_id=account.id, external_id=order_id))
    if kind not in KINDS:
        flash("Nothing to decide there.", "error")
        return back
    decision = request.form.get("decision", "")
    item = {kind: external_id, "decision": decision}
    if decision == "reject":
        item["reject_reason"] = request.form.get("reject_reason") or None
        item["comment"] = request.form.get("comment", "").strip() or None
    try:
        request_changes(account, f"{kind}_decision", [item])
    except Unsupported as exc:
        flash(f"{exc}.", "error")
    except PushRequestInvalid as exc:
        messages = [" ".join(m) for m in exc.fields.values()]
        done = {"approve": "approved", "reject": "rejected"}.get(decision, "decided")
        flash(f"The {kind} was not {done}: " + "; ".join(messages) + ".", "error")
    else:
        verb = "approval" if decision == "approve" else "rejection"
        flash(
            f"The {verb} of {kind} {external_id} is on its way to {get_connector(account.connector).display_name}; the order refreshes when it is accepted.",
            "success",
        )
    return back
