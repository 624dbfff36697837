"""Webhook subscriptions and the webhook log of an account."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from ..accounts import get_account
from ..auth import requires
from ..extensions import db
from ..hooks import get_connector
from ..http_guards import int_arg
from ..models import WebhookEvent
from ..webhooks.inbox import retry_event, skip_event
from . import api_blueprint
from .errors import ApiError
from .helpers import filter_by_choice

EVENT_STATUSES = ("received", "processing", "processed", "ignored", "failed", "rejected", "skipped")


def receiver_path(account) -> str:
    return f"/webhooks/{account.connector.replace('_', '-')}/{account.id}"


@api_blueprint.get("/accounts/<int:account_id>/webhooks")
@requires("read")
def webhook_subscriptions(account_id: int):
    """What the marketplace has registered, next to where it should post."""
    account = get_account(account_id)
    connector = get_connector(account.connector)()
    connector.require("webhook_subscriptions")
    subscriptions = connector.webhook_subscriptions(account)
    return jsonify(receiver_path=receiver_path(account), address=account.webhook_url, subscriptions=subscriptions)


@api_blueprint.post("/accounts/<int:account_id>/webhooks/subscribe")
@requires("manage")
def subscribe_webhooks(account_id: int):
    account = get_account(account_id)
    connector = get_connector(account.connector)()
    connector.require("webhook_subscriptions")
    try:
        result = connector.subscribe_webhooks(account)
    except ValueError as exc:
        raise ApiError(422, str(exc), {"webhook_url": [str(exc)]}) from None
    return jsonify(receiver_path=receiver_path(account), **result)


@api_blueprint.get("/accounts/<int:account_id>/webhooks/events")
@requires("read")
def webhook_events(account_id: int):
    account = get_account(account_id)
    query = filter_by_choice(select(WebhookEvent).where(WebhookEvent.account_id == account.id), WebhookEvent.status, "status", EVENT_STATUSES)
    limit = int_arg("limit", 100, 1, 500)
    events = db.session.scalars(query.order_by(WebhookEvent.id.desc()).limit(limit))
    return jsonify(events=[_describe(e) for e in events])


@api_blueprint.post("/accounts/<int:account_id>/webhooks/events/<int:event_id>/retry")
@requires("manage")
def retry_webhook_event(account_id: int, event_id: int):
    event = retry_event(get_account(account_id), event_id)
    return jsonify(_describe(event)), 202


def _describe(event: WebhookEvent) -> dict:
    return {
        "id": event.id,
        "notification_id": event.notification_id,
        "event_type": event.event_type,
        "status": event.status,
        "attempts": event.attempts,
        "error": event.error,
        "received_at": event.received_at.isoformat(),
        "processed_at": event.processed_at.isoformat() if event.processed_at else None,
    }


@api_blueprint.post("/accounts/<int:account_id>/webhooks/events/<int:event_id>/skip")
@requires("manage")
def skip_webhook_event(account_id: int, event_id: int):
    """Mark a parked (failed or rejected) delivery as needing nothing more."""
    event = skip_event(get_account(account_id), event_id)
    return jsonify(id=event.id, status=event.status)
