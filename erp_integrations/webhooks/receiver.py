"""``POST /webhooks/<connector>/<account>``: verify, store, acknowledge. Nothing else.

The marketplace waits at most a few seconds (TikTok: 3 s) and retries what we don't
acknowledge, so the receiver does the least that makes a delivery safe: a constant-time
signature check, an insert (unique per notification id) committed before the 200, and a nudge
to the job that will refetch what the event names. A duplicate is acknowledged and ignored.
No webhook payload writes ERP rows.

It is a plain WSGI app in front of Flask rather than a Flask view. This one URL takes the
marketplace's bursts at thousands of requests a second, and Flask's per-request machinery
(request context, session cookie, URL adapter, request and response objects) cost more CPU
than verifying and storing the delivery; the database and Redis work is shared across
concurrent requests by group commit (``group_commit.py``). Everything else goes to Flask.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from werkzeug.datastructures import EnvironHeaders

from ..connectors import Connector, WebhookRejected
from ..crypto import DecryptionError
from ..hooks import get_connector
from ..hooks.manager import UnknownConnector
from ..http_guards import MAX_ID, unstorable
from .deliveries import MAX_BATCH, Delivery, insert_deliveries, receiver_engine
from .group_commit import GroupCommit
from .inbox import inbox_waker

log = logging.getLogger(__name__)

PREFIX = "/webhooks/"
VERIFIER_TTL = 30.0  # seconds a decrypted verifier is reused; a changed app secret applies after this
MAX_BODY = 1024 * 1024
# Headers stored with a delivery (as lower-case names), by their WSGI environ keys.
KEPT_HEADERS = {
    "authorization": "HTTP_AUTHORIZATION",
    "content-type": "CONTENT_TYPE",
    "user-agent": "HTTP_USER_AGENT",
    "x-tts-request-id": "HTTP_X_TTS_REQUEST_ID",
}
EXTENSION = "erp_integrations.webhook_receiver"


@dataclass(frozen=True)
class _Verifier:
    connector: Connector
    verifier: Any
    shop_id: str | None
    expires: float


class _Refused(Exception):
    """An answer other than 200, with the message the marketplace (and its log) gets."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class WebhookReceiver:
    """The WSGI app: webhook URLs here, every other URL to ``fallback`` (the Flask app)."""

    def __init__(self, app, fallback):
        self.app, self.fallback = app, fallback
        self._verifiers: dict[int, _Verifier] = {}
        self._verifiers_lock = threading.Lock()
        self._inbox = GroupCommit(self._store, max_batch=MAX_BATCH)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            return self.fallback(environ, start_response)
        try:
            self._receive(environ, path[len(PREFIX) :])
        except _Refused as refused:
            return _refusal(start_response, refused)
        except Exception:
            # Not acknowledged, so the marketplace retries; the details stay in the server log.
            log.exception("webhook %s not handled", path)
            return _refusal(start_response, _Refused(500, "internal error; the server log has the details; the delivery will be retried"))
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]

    def forget(self, account_id: int) -> None:
        with self._verifiers_lock:
            self._verifiers.pop(account_id, None)

    def _receive(self, environ, rest: str) -> None:
        slug, _, account = rest.partition("/")
        if not slug or not account.isdigit() or not account.isascii():
            raise _Refused(404, "no such webhook URL; it is /webhooks/<connector>/<account id>")
        if int(account) > MAX_ID:  # no account has it, and PostgreSQL would refuse to look
            raise _Refused(404, f"no {slug} account {account}")
        if environ.get("REQUEST_METHOD") != "POST":
            raise _Refused(405, "webhooks are delivered with POST")
        name, account_id = slug.replace("-", "_"), int(account)  # URL slugs use hyphens
        try:
            get_connector(name)
        except UnknownConnector:
            raise _Refused(404, f"no connector {slug!r}") from None
        entry = self._verifier(name, account_id)
        body = _read_body(environ)
        headers = EnvironHeaders(environ)
        kept = {name: storable_text(environ[key]) for name, key in KEPT_HEADERS.items() if key in environ}
        try:
            try:
                delivery = entry.connector.read_webhook(entry.verifier, headers, body)
            except WebhookRejected as exc:
                if exc.status != 401:
                    raise
                # The cached secret may be stale (the app secret was just changed): check once
                # more against the stored one before refusing.
                entry = self._verifier(name, account_id, fresh=True)
                delivery = entry.connector.read_webhook(entry.verifier, headers, body)
        except WebhookRejected as exc:
            if exc.status == 401:
                raise _Refused(401, str(exc)) from None
            # Signed by the marketplace but unreadable: keep it (nothing is lost) and say why.
            self._submit(Delivery(name, account_id, "sha256:" + hashlib.sha256(body).hexdigest(), None, kept, body, "rejected", storable_text(str(exc))))
            raise _Refused(exc.status, str(exc)) from None
        status, error = "received", None
        if entry.shop_id and delivery.shop_id and delivery.shop_id != entry.shop_id:
            status, error = "ignored", f"for shop {delivery.shop_id}, not this account's shop {entry.shop_id}"
        self._submit(Delivery(name, account_id, storable_id(delivery.notification_id), delivery.event_type, kept, body, status, error))

    def _submit(self, delivery: Delivery) -> None:
        try:
            self._inbox.submit(delivery)
        except IntegrityError:  # the account was deleted since its verifier was cached
            self.forget(delivery.account_id)
            raise _Refused(404, f"no {delivery.connector.replace('_', '-')} account {delivery.account_id}") from None
        except SQLAlchemyError:
            # Not stored, so not acknowledged: the marketplace retries on its schedule.
            log.exception("webhook for account %s not stored", delivery.account_id)
            raise _Refused(503, "the webhook could not be stored; it will be retried") from None

    def _store(self, deliveries: list[Delivery]) -> list[bool | Exception]:
        """One group commit: the batch in one INSERT, then one wake per account with news."""
        outcomes = insert_deliveries(receiver_engine(self.app), deliveries)
        woken = set()
        for delivery, stored in zip(deliveries, outcomes, strict=True):
            if stored is True and delivery.status == "received" and delivery.account_id not in woken:
                woken.add(delivery.account_id)
                try:
                    inbox_waker(self.app).wake(delivery.account_id)
                except Exception:
                    # Stored, so still acknowledged: the scheduler's inbox sweep wakes
                    # deliveries that wait too long.
                    log.exception("could not queue the webhook job of account %s", delivery.account_id)
        return outcomes

    def _verifier(self, connector_name: str, account_id: int, *, fresh: bool = False) -> _Verifier:
        cached = None if fresh else self._verifiers.get(account_id)
        # A cached entry of another connector is stale: the account was deleted and its id
        # reused (SQLite may hand out a deleted row's id again).
        if cached is None or cached.expires <= time.monotonic() or cached.connector.name != connector_name:
            cached = self._load_verifier(account_id)
        if cached is None or cached.connector.name != connector_name:
            raise _Refused(404, f"no {connector_name.replace('_', '-')} account {account_id}")
        return cached

    def _load_verifier(self, account_id: int) -> _Verifier | None:
        from ..accounts import account_secrets
        from ..extensions import db
        from ..models import IntegrationAccount

        with self.app.app_context():
            try:
                account = db.session.get(IntegrationAccount, account_id)
                if account is None:
                    return None
                connector = get_connector(account.connector)()
                if not connector.supports("webhooks"):
                    raise _Refused(501, f"the {connector.display_name} connector does not receive webhooks yet")
                entry = _Verifier(
                    connector, connector.webhook_verifier(account, account_secrets(account)), account.external_shop_id, time.monotonic() + VERIFIER_TTL
                )
            except DecryptionError as exc:
                # The key ring no longer holds the key the app secret was sealed with: an
                # operator issue, and the delivery is worth keeping, so ask for a retry.
                log.error("webhook for account %s: credential decryption failed: %s", account_id, exc)
                raise _Refused(503, "the account's stored credentials cannot be decrypted with the configured key ring; the delivery will be retried") from None
            except SQLAlchemyError:
                log.exception("webhook for account %s: the account could not be read", account_id)
                raise _Refused(503, "the account could not be read; the delivery will be retried") from None
        with self._verifiers_lock:
            self._verifiers[account_id] = entry
        return entry


NOTIFICATION_ID_LENGTH = 128  # the column's


def storable_text(text: str) -> str:
    """Text the database can hold: NULs dropped, lone surrogates replaced."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8") if unstorable(text) else text


def storable_id(notification_id: str) -> str:
    """A notification id the inbox can store and still deduplicate by: as sent when it fits;
    otherwise a readable prefix and a digest of the whole id, so a retry of the same delivery
    gets the same id (and is acknowledged once) instead of a 503 it would retry forever."""
    if len(notification_id) <= NOTIFICATION_ID_LENGTH and unstorable(notification_id) is None:
        return notification_id
    digest = hashlib.sha256(notification_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{storable_text(notification_id)[:80]}#sha256:{digest}"


def _refusal(start_response, refused: _Refused) -> list[bytes]:
    """The error in the API's shape: ``{"error": {"status", "message"}}``."""
    body = json.dumps({"error": {"status": refused.status, "message": refused.message}}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    if refused.status == 405:
        headers.append(("Allow", "POST"))
    start_response(f"{refused.status} {HTTPStatus(refused.status).phrase}", headers)
    return [body]


def _read_body(environ) -> bytes:
    length = environ.get("CONTENT_LENGTH")
    stream = environ["wsgi.input"]
    if length:
        if not length.isdigit():
            raise _Refused(400, "Content-Length is not a number")
        if int(length) > MAX_BODY:
            raise _Refused(413, "webhook body too large")
        return stream.read(int(length))
    if not environ.get("wsgi.input_terminated"):
        return b""  # no length and a stream that may not end: nothing we can safely read
    body = stream.read(MAX_BODY + 1)  # chunked: the server ends the stream
    if len(body) > MAX_BODY:
        raise _Refused(413, "webhook body too large")
    return body


def mount(app) -> None:
    """Put the receiver in front of ``app``'s WSGI callable; it drops a cached verifier when
    the account's credentials change or it is deleted (``accounts.signals``)."""
    from ..accounts.signals import credentials_changed

    receiver = WebhookReceiver(app, app.wsgi_app)
    app.wsgi_app = receiver
    app.extensions[EXTENSION] = receiver
    # Held strongly by blinker for the app's lifetime; only this app's changes reach it.
    credentials_changed.connect(lambda _app, account_id: receiver.forget(account_id), sender=app, weak=False)
