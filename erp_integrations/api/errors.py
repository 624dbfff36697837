"""Every error the API returns has one shape: ``{"error": {"status", "message", "fields"?}}``."""

from __future__ import annotations

import logging

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from ..accounts import AccountNotFound, AccountValidationError
from ..connectors import MarketplaceError
from ..crypto import DecryptionError
from ..extensions import db
from ..hooks.manager import UnknownConnector
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


@api_blueprint.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return error_response(exc.status, exc.message, exc.fields)


@api_blueprint.errorhandler(AccountValidationError)
def _validation_error(exc: AccountValidationError):
    db.session.rollback()
    return error_response(422, exc.message, exc.fields)


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


@api_blueprint.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return error_response(exc.code or 500, exc.description or exc.name)


@api_blueprint.app_errorhandler(404)
@api_blueprint.app_errorhandler(405)
def _routing_error(exc: HTTPException):
    # Unmatched URLs never reach the blueprint's own handlers; answer JSON under /api/ anyway.
    if request.path.startswith(api_blueprint.url_prefix + "/"):
        return error_response(exc.code, exc.description or exc.name)
    return exc


@api_blueprint.errorhandler(Exception)
def _unexpected(exc: Exception):
    db.session.rollback()
    log.exception("unexpected API error")
    return error_response(500, "internal error; the server log has the details")
