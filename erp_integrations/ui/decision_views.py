"""The seller's actions from the data pages: on an order's page, answer a buyer's return or
cancellation request (approve, or reject with one of the marketplace's reasons) or cancel the
order; on the Promotions page, end an activity. Each goes through the push outbox like every
other write (retried, logged, retryable from the monitor)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from sqlalchemy import select

from ..accounts import get_account
from ..auth import check
from ..connectors import MarketplaceError, Unsupported
from ..extensions import db
from ..hooks import get_connector
from ..models import PushRequest
from ..push import PushRequestInvalid, request_changes
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
    """Per listed activity the seller may still end: the deactivation already on its way."""
    connector = get_connector(account.connector)
    if not connector.supports("push") or "promotion_deactivate" not in connector.push_kinds:
        return {}
    return {
        row.id: {"request": _request(account.id, "promotion_deactivate", row.external_id), "marketplace": connector.display_name}
        for row in rows
        if row.kind == "activity" and row.status not in connector.promotion_final_statuses
    }


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


@ui_blueprint.post("/accounts/<int:account_id>/promotions/<external_id>/deactivate")
def deactivate_promotion(account_id: int, external_id: str):
    check("manage", account_id)
    account = get_account(account_id)
    try:
        request_changes(account, "promotion_deactivate", [{"activity": external_id}])
    except Unsupported as exc:
        flash(f"{exc}.", "error")
    except PushRequestInvalid as exc:
        flash("The activity was not deactivated: " + "; ".join(" ".join(m) for m in exc.fields.values()) + ".", "error")
    else:
        marketplace = get_connector(account.connector).display_name
        flash(f"The deactivation of activity {external_id} is on its way to {marketplace}; the list refreshes when it is accepted.", "success")
    return redirect(url_for("ui.data", account_id=account.id, listing_name="promotions", q=external_id))


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
