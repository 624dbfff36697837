"""Every error the API returns has one shape: ``{"error": {"status", "message", "fields"?}}``."""

from __future__ import annotations

import logging

from flask import jsonify, request
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException

from ..accounts import AccountNotFound, AccountValidationError
from ..auth import Forbidden, NotSignedIn
from ..auth.guard import check_csrf, signed_in_by_session
from ..auth.users import UserError
from ..connectors import MarketplaceError, Unsupported
from ..crypto import DecryptionError
from ..errors import RetryRefused
from ..extensions import db
from ..hooks.manager import UnknownConnector
from ..http_guards import BadInput
from . import api_blueprint

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields


def error_response(status: int, message: str, fields: dict | None = None):
    body = {"status": status, "message": message}
    if fields:
        body["fields"] = fields
    return jsonify(error=body), status


@api_blueprint.before_request
def _csrf_for_cookie_sessions():
    # The admin pages' scripts call the API with the session cookie; such calls need the CSRF
    # token as well. Token-authenticated calls cannot be forged by another site.
    if signed_in_by_session():
        check_csrf()


@api_blueprint.errorhandler(NotSignedIn)
def _not_signed_in(exc: NotSignedIn):
    response, status = error_response(401, str(exc))
    response.headers["WWW-Authenticate"] = 'Bearer realm="erp-integrations"'
    return response, status


@api_blueprint.errorhandler(Forbidden)
def _forbidden(exc: Forbidden):
    db.session.rollback()
    return error_response(403, str(exc))


@api_blueprint.errorhandler(UserError)
def _user_error(exc: UserError):
    db.session.rollback()
    return error_response(422, "invalid user", exc.fields)


@api_blueprint.errorhandler(RetryRefused)
def _retry_refused(exc: RetryRefused):
    return error_response(exc.status, exc.message)


@api_blueprint.errorhandler(BadInput)
def _bad_input(exc: BadInput):
    return error_response(exc.status, "invalid input", {exc.field: [exc.message]})


@api_blueprint.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return error_response(exc.status, exc.message, exc.fields)


@api_blueprint.errorhandler(AccountValidationError)
def _validation_error(exc: AccountValidationError):
    db.session.rollback()
    return error_response(exc.status, exc.message, exc.fields)


@api_blueprint.errorhandler(AccountNotFound)
@api_blueprint.errorhandler(UnknownConnector)
def _not_found(exc: LookupError):
    return error_response(404, str(exc.args[0]))


@api_blueprint.errorhandler(DecryptionError)
def _decryption_error(exc: DecryptionError):
    # The key ring no longer holds the key these secrets were sealed with: an operator issue.
    log.error("credential decryption failed: %s", exc)
    return error_response(409, "stored credentials cannot be decrypted with the configured key ring; re-enter them or restore the old key")


@api_blueprint.errorhandler(MarketplaceError)
def _marketplace_error(exc: MarketplaceError):
    db.session.rollback()
    return error_response(502, f"the marketplace answered: {exc}")


@api_blueprint.errorhandler(Unsupported)
def _unsupported(exc: Unsupported):
    db.session.rollback()
    return error_response(exc.status, str(exc))


@api_blueprint.errorhandler(RedisError)
def _queue_unavailable(exc: RedisError):
    # Redis is down or restarting (the client's retries ran out): nothing was queued. A
    # retryable 503 says so; the caller tries again, the scheduler's next tick catches up.
    db.session.rollback()
    log.warning("Redis unavailable: %s", exc)
    response, status = error_response(503, "the job queue (Redis) is unavailable; nothing was queued, try again in a minute")
    response.headers["Retry-After"] = "60"
    return response, status


@api_blueprint.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return error_response(exc.code or 500, exc.description or exc.name)


@api_blueprint.app_errorhandler(404)
@api_blueprint.app_errorhandler(405)
def _routing_error(exc: HTTPException):
    # Unmatched URLs never reach the blueprint's own handlers; answer JSON under /api/ anyway,
    # and the admin pages' own error page everywhere else (never Werkzeug's bare page).
    if request.path.startswith(api_blueprint.url_prefix + "/"):
        return error_response(exc.code, exc.description or exc.name)
    from ..ui.pages import error_page

    if exc.code == 405:
        return error_page(405, "Not allowed here", "This address does not accept that kind of request.")
    return error_page(404, "Page not found", "There is nothing at this address. It may have been deleted, or the link is mistyped.")


@api_blueprint.errorhandler(Exception)
def _unexpected(exc: Exception):
    db.session.rollback()
    log.exception("unexpected API error")
    return error_response(500, "internal error; the server log has the details")
