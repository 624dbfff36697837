"""TikTok's error envelope and the messages of its common errors (from the Common errors page)."""

from __future__ import annotations

import secrets
import time

import orjson
from flask import Response, jsonify

TOO_MANY_REQUESTS = (36009002, "Too many requests. You've made too many requests in a short period of time.", 429)
INTERNAL_ERROR = (36009003, "Internal error. Please try again. If the issue persists after multiple attempts, please contact platform support.", 500)
REQUEST_TIMEOUT = (36009007, "Request timeout. The request to the endpoint timed out.", 504)
INVALID_PATH = (36009009, "Invalid path. The specified path does not match any available endpoint.", 404)
INVALID_METHOD = (36009010, "Invalid method. The HTTP method used is not supported by this endpoint.", 405)
INVALID_BODY_FORMAT = (
    36009022,
    "Invalid request format. The request body format must be `application/json` for structured data or `multipart/form-data` for binary files.",
    400,
)
WRONG_USER_OR_SHOP = (101000, "Invalid query or header. The `category_asset_cipher` query parameter or `x-tts-access-token` header is invalid.", 400)
SCOPE_MISSING = (
    105005,
    "Access denied. The app is not authorized to access the endpoint because the access scopes granted for the app or the access token do not contain the required access scope for the endpoint.",
    403,
)
TOKEN_EXPIRED = (105002, "Expired credentials. The `access_token` or `x-tts-access-token` header has expired.", 401)
INVALID_SIGN = (106001, "Invalid credentials. The `sign` query parameter is invalid.", 401)
MISSING_SIGN = (36009004, "Missing credentials. The request does not include a required signature in the query.", 400)
INVALID_TOKEN = (36009004, "Invalid credentials. The `x-tts-access-token` header is invalid.", 401)
INVALID_APP_KEY = (36009004, "Invalid credentials. Invalid `app_key` query parameter.", 400)
TIMESTAMP_NEGATIVE = (36009004, "Invalid timestamp. The value of the `timestamp` query parameter must not be lesser than 0.", 400)
TIMESTAMP_OLD = (36009004, "Invalid timestamp. The value of the `timestamp` query parameter must not be earlier than 5 minutes before the current time.", 400)
TIMESTAMP_AHEAD = (36009004, "Invalid timestamp. The value of the `timestamp` query parameter must not exceed the current time by more than 30 seconds.", 400)
SHOP_CIPHER_MISSING = (106013, "Missing identifier. The `shop_cipher` query parameter is required to identify the target shop.", 400)
SHOP_CIPHER_UNEXPECTED = (36009004, "Unexpected identifier. The `shop_cipher` query parameter is not required for this request.", 400)
SERVICE_UNAVAILABLE = (36009003, "Service unavailable. The server is overloaded; try again later.", 503)
# Token host
INVALID_AUTH_CODE = (36004004, "Invalid auth code.", 200)
NO_AUTH_RECORD = (36004005, "can not find related auth record", 200)
REFRESH_TOKEN_EXPIRED = (36004001, "rt has expired", 200)


def request_id() -> str:
    """34 characters: YYYYMMDDhhmmss then 20 hex digits, as TikTok's request ids are."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + secrets.token_hex(10).upper()


def envelope(data, code: int = 0, message: str = "Success") -> dict:
    return {"code": code, "message": message, "request_id": request_id(), "data": data}


def ok(data):
    # orjson: a 100-order page is ~0.5 MB of JSON; the standard encoder spends ~10 ms on it.
    return Response(orjson.dumps(envelope(data), option=orjson.OPT_SERIALIZE_NUMPY), mimetype="application/json")


class ApiError(Exception):
    def __init__(self, error: tuple[int, str, int], message: str | None = None, http_status: int | None = None):
        code, default_message, status = error
        super().__init__(message or default_message)
        self.code, self.message, self.http_status = code, message or default_message, http_status or status

    def response(self):
        response = jsonify(envelope(None, self.code, self.message))
        response.status_code = self.http_status
        return response


def invalid_param(message: str, code: int = 36009004) -> ApiError:
    return ApiError((code, message, 400))
