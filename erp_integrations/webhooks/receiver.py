"""``POST /webhooks/<connector>/<account>``: verify, store, acknowledge. Nothing else.

The marketplace waits at most a few seconds (TikTok: 3 s) and retries what we don't
acknowledge, so the receiver does the least that makes a delivery safe: a constant-time
signature check, one insert (unique per notification id) committed before the 200, and a
nudge to the job that will refetch what the event names. A duplicate is acknowledged and
ignored. No webhook payload writes ERP rows.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy.exc import IntegrityError, OperationalError

from ..api.errors import error_response
from ..connectors import Connector, WebhookRejected
from ..hooks import get_connector
from ..hooks.manager import UnknownConnector
from .inbox import store_delivery, wake_processor

log = logging.getLogger(__name__)
webhooks_blueprint = Blueprint("webhooks", __name__, url_prefix="/webhooks")

VERIFIER_TTL = 30.0  # seconds a decrypted verifier is reused; a changed app secret applies after this
MAX_BODY = 1024 * 1024
KEPT_HEADERS = ("authorization", "content-type", "user-agent", "x-tts-request-id")


@dataclass(frozen=True)
class _Verifier:
    connector: Connector
    verifier: Any
    shop_id: str | None
    expires: float


_cache: dict[int, _Verifier] = {}
_cache_lock = threading.Lock()


def forget_verifier(account_id: int) -> None:
    """Drop a cached verifier (its account's secrets changed or it was deleted)."""
    with _cache_lock:
        _cache.pop(account_id, None)


def _verifier_for(connector_name: str, account_id: int, *, fresh: bool = False) -> _Verifier | None:
    cached = None if fresh else _cache.get(account_id)
    if cached is not None and cached.expires > time.monotonic():
        return cached if cached.connector.name == connector_name else None
    from ..accounts import account_secrets
    from ..extensions import db
    from ..models import IntegrationAccount

    account = db.session.get(IntegrationAccount, account_id)
    if account is None or account.connector != connector_name:
        return None
    connector = get_connector(connector_name)()
    entry = _Verifier(connector, connector.webhook_verifier(account, account_secrets(account)), account.external_shop_id, time.monotonic() + VERIFIER_TTL)
    db.session.rollback()  # end the read transaction before the insert's own
    with _cache_lock:
        _cache[account_id] = entry
    return entry


def connector_name_for(slug: str) -> str:
    """URL slugs use hyphens (``tiktok-shop``); connector names use underscores."""
    return slug.replace("-", "_")


@webhooks_blueprint.post("/<slug>/<int:account_id>")
def receive(slug: str, account_id: int):
    name = connector_name_for(slug)
    try:
        get_connector(name)
    except UnknownConnector:
        return error_response(404, f"no connector {slug!r}")
    entry = _verifier_for(name, account_id)
    if entry is None:
        return error_response(404, f"no {slug} account {account_id}")
    if (request.content_length or 0) > MAX_BODY:
        return error_response(413, "webhook body too large")
    body = request.get_data(cache=False)
    headers = {k: request.headers[k] for k in KEPT_HEADERS if k in request.headers}
    try:
        try:
            delivery = entry.connector.read_webhook(entry.verifier, request.headers, body)
        except WebhookRejected as exc:
            if exc.status != 401:
                raise
            # The cached secret may be stale (the app secret was just changed): check once
            # more against the stored one before refusing.
            entry = _verifier_for(name, account_id, fresh=True)
            if entry is None:
                return error_response(404, f"no {slug} account {account_id}")
            delivery = entry.connector.read_webhook(entry.verifier, request.headers, body)
    except WebhookRejected as exc:
        if exc.status == 401:
            return error_response(401, str(exc))
        # Signed by the marketplace but unreadable: keep it (nothing is lost) and say why.
        store_delivery(name, account_id, "sha256:" + hashlib.sha256(body).hexdigest(), None, headers, body, status="rejected", error=str(exc))
        return error_response(exc.status, str(exc))
    status, error = "received", None
    if entry.shop_id and delivery.shop_id and delivery.shop_id != entry.shop_id:
        status, error = "ignored", f"for shop {delivery.shop_id}, not this account's shop {entry.shop_id}"
    try:
        stored = store_delivery(name, account_id, delivery.notification_id, delivery.event_type, headers, body, status=status, error=error)
    except IntegrityError:  # the account was deleted since its verifier was cached
        forget_verifier(account_id)
        return error_response(404, f"no {slug} account {account_id}")
    except OperationalError:
        # Not stored, so not acknowledged: the marketplace retries on its schedule.
        log.exception("webhook for account %s not stored", account_id)
        return error_response(503, "the webhook could not be stored; it will be retried")
    if stored and status == "received":
        wake_processor(account_id)
    return Response(status=200)
