"""The seller's answers to a buyer's return or cancellation request, from the order's page:
approve, or reject with one of the marketplace's reasons. The decision goes through the push
outbox like every other write (retried, logged, retryable from the monitor)."""

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


def _latest_request(account_id: int, after_sale) -> PushRequest | None:
    return db.session.scalars(
        select(PushRequest).where(
            PushRequest.account_id == account_id, PushRequest.kind == f"{after_sale.kind}_decision", PushRequest.target == after_sale.external_id
        )
    ).first()


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
