"""``run_push``: drain an account's pending outbox rows of one kind through its connector."""

from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy import select, update

from ..connectors import MarketplaceError, PushItem, PushOutcome
from ..extensions import db
from ..hooks import get_connector
from ..models import AccountStatus, IntegrationLog, ProductVariant, PushRequest, Shipment, StockLevel
from ..models.base import utcnow
from ..sync.locks import stream_lock

log = logging.getLogger(__name__)

BATCH = 200
MAX_BATCHES = 50  # then yield the worker; the follow-up job continues


class PushBusy(RuntimeError):
    """Another worker is pushing this account's changes of this kind (the job is retried)."""


def run_push(account_id: int, kind: str) -> dict:
    from ..accounts import get_account
    from ..sync.enqueue import enqueue_sync

    account = get_account(account_id)
    connector = get_connector(account.connector)()
    totals = {"sent": 0, "failed": 0, "api_batches": 0}
    with stream_lock(account.id, f"push-{kind}") as lock:
        if lock is None:
            raise PushBusy(f"account {account.id} is already pushing {kind} changes")
        for _ in range(MAX_BATCHES):
            rows = db.session.scalars(
                select(PushRequest)
                .where(PushRequest.account_id == account.id, PushRequest.kind == kind, PushRequest.status == "pending")
                .order_by(PushRequest.id)
                .limit(BATCH)
            ).all()
            if not rows:
                break
            items = [PushItem(row.id, row.target, dict(row.payload)) for row in rows]
            seen = {row.id: (row.version, item.payload) for row, item in zip(rows, items, strict=True)}
            db.session.commit()  # no transaction stays open during the marketplace call
            try:
                outcomes = connector.push(account, kind, items)
            except MarketplaceError as exc:
                _record_attempt(seen, str(exc))
                raise  # retryable or not, the job's retries and failed registry take it from here
            totals["api_batches"] += 1
            for row_id, (version, payload) in seen.items():
                outcome = outcomes.get(row_id) or PushOutcome(False, "the connector gave no outcome for this change")
                if _settle(account, kind, row_id, version, payload, outcome):
                    totals["sent" if outcome.ok else "failed"] += 1
            db.session.commit()
            lock.renew()
        else:
            from .outbox import schedule_push

            schedule_push(account.id, kind)  # more to do: let other jobs have the worker first
    if totals["sent"] and connector.push_refresh_streams.get(kind) and account.status == AccountStatus.CONNECTED:
        enqueue_sync(account, list(connector.push_refresh_streams[kind]), trigger="push")
    return totals


def _record_attempt(seen: dict, error: str) -> None:
    db.session.rollback()
    db.session.execute(update(PushRequest).where(PushRequest.id.in_(list(seen))).values(attempts=PushRequest.attempts + 1, error=error[:2000]))
    db.session.commit()


def _settle(account, kind: str, row_id: int, version: int, payload: dict, outcome: PushOutcome) -> bool:
    """Mark the row sent or failed, unless a newer request replaced it meanwhile (it stays
    pending, and goes out in the next batch)."""
    values = {"attempts": PushRequest.attempts + 1, "error": None if outcome.ok else outcome.message[:2000]}
    if outcome.ok:
        values.update(status="sent", sent_at=utcnow(), last_sent=COMPARED[kind](payload))
    else:
        values.update(status="failed")
    settled = db.session.execute(update(PushRequest).where(PushRequest.id == row_id, PushRequest.version == version).values(**values)).rowcount
    if not settled:
        return False
    if outcome.ok and kind in MIRRORS:
        MIRRORS[kind](payload)
    db.session.add(
        IntegrationLog(
            account_id=account.id,
            level="info" if outcome.ok else "warning",
            event=f"{kind}_pushed" if outcome.ok else f"{kind}_push_failed",
            message=DESCRIBE[kind](payload) + ("" if outcome.ok else f": {outcome.message}"),
            data={k: v for k, v in payload.items() if not k.endswith("_row")},
        )
    )
    return True


# -- per kind: what counts as "the same push", how to describe it, what mirror to update ------

COMPARED = {
    "stock": lambda p: {"quantity": p["quantity"]},
    "price": lambda p: {"amount": p["amount"], "currency": p["currency"]},
    "shipment": lambda p: {"tracking_number": p["tracking_number"], "shipping_provider_id": p["shipping_provider_id"]},
    "return_decision": lambda p: {"decision": p["decision"], "reject_reason": p["reject_reason"]},
    "cancellation_decision": lambda p: {"decision": p["decision"], "reject_reason": p["reject_reason"]},
    "order_cancel": lambda p: {"cancel_reason": p["cancel_reason"]},
    "promotion_deactivate": lambda p: {"deactivate": True},
    "promotion_create": lambda p: {k: p[k] for k in ("title", "activity_type", "product_level", "begin_time", "end_time")},
    "promotion_update": lambda p: {k: p[k] for k in ("title", "begin_time", "end_time")},
    "promotion_product": lambda p: {"product": p["product"]},
    "promotion_product_removal": lambda p: {"removed": True},
}


def _describe_stock(p: dict) -> str:
    text = f"stock of SKU {p['sku_id']} ({p.get('seller_sku') or 'no seller SKU'}) at warehouse {p['warehouse_id']} set to {p['quantity']}"
    return f"{text} ({p['note']})" if p.get("note") else text


DESCRIBE = {
    "stock": _describe_stock,
    "price": lambda p: f"price of SKU {p['sku_id']} ({p.get('seller_sku') or 'no seller SKU'}) set to {p['amount']} {p['currency']}",
    "shipment": lambda p: f"package {p['package_id']} shipped with tracking number {p['tracking_number']}",
    "return_decision": lambda p: f"return {p['id']} {p['decision']}d" + (f" ({p['reject_reason']})" if p["reject_reason"] else ""),
    "cancellation_decision": lambda p: f"cancellation {p['id']} {p['decision']}d" + (f" ({p['reject_reason']})" if p["reject_reason"] else ""),
    "order_cancel": lambda p: f"order {p['order_id']} cancelled by the seller ({p['cancel_reason']})",
    "promotion_deactivate": lambda p: f"promotion activity {p['activity_id']} ({p.get('title') or 'untitled'}) deactivated",
    "promotion_create": lambda p: f"promotion activity {p['title']!r} ({p['activity_type']}, {p['product_level']} level) created",
    "promotion_update": lambda p: f"promotion activity {p['activity_id']} set to {p['title']!r}, {p['begin_time']} to {p['end_time']}",
    "promotion_product": lambda p: f"product {p['product']['id']} set in promotion activity {p['activity_id']}",
    "promotion_product_removal": lambda p: (
        f"{'product ' + p['product_id'] if p['product_id'] else 'SKU ' + p['sku_id']} removed from promotion activity {p['activity_id']}"
    ),
}


def _mirror_stock(p: dict) -> None:
    # The mirror shows what the marketplace now holds until the next inventory sync confirms it.
    db.session.execute(
        update(StockLevel)
        .where(StockLevel.variant_id == p["variant_row"], StockLevel.warehouse_id == p["warehouse_row"])
        .values(available=p["quantity"], synced_at=utcnow())
    )


def _mirror_price(p: dict) -> None:
    db.session.execute(update(ProductVariant).where(ProductVariant.id == p["variant_row"]).values(price=Decimal(p["amount"])))


def _mirror_shipment(p: dict) -> None:
    if p.get("shipment_row"):
        db.session.execute(update(Shipment).where(Shipment.id == p["shipment_row"]).values(tracking_number=p["tracking_number"]))


# A decision has no mirror: what the marketplace made of it (completed, awaiting the buyer's
# parcel) comes with the refresh sync the connector asks for.
MIRRORS = {"stock": _mirror_stock, "price": _mirror_price, "shipment": _mirror_shipment}
