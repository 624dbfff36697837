"""REST API under /api/v1: JSON in, JSON out, errors as ``{"error": {...}}`` and never a traceback."""

from flask import Blueprint

api_blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

from . import (  # noqa: E402,F401  (routes register on import)
    accounts,
    connectors,
    data,
    errors,
    income,
    jobs,
    openapi,
    push,
    query_check,
    reports,
    sync,
    users,
    webhooks,
)
