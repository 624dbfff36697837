"""The OpenAPI 3 document of /api/v1, built with apispec from marshmallow schemas."""

from __future__ import annotations

from http import HTTPStatus

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import jsonify
from marshmallow import Schema, fields

from .. import __version__
from ..auth import requires
from ..browse import LISTINGS
from ..connectors import CAPABILITIES
from . import api_blueprint
from .openapi_listings import ORDER_DETAIL, listing_parameters, register_listings
from .push import KINDS as PUSH_PATHS


class ErrorBody(Schema):
    status = fields.Integer(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.Raw(), metadata={"description": "Messages per invalid field."})


class Error(Schema):
    error = fields.Nested(ErrorBody, required=True)


class ConfigField(Schema):
    name = fields.String()
    type = fields.String()
    label = fields.String()
    help = fields.String()
    required = fields.Boolean()
    secret = fields.Boolean(metadata={"description": "Write-only: read back as a mask."})
    endpoint = fields.Boolean(metadata={"description": "A marketplace host credentials are sent to: administrators only, within the operator's allow-list."})
    nullable = fields.Boolean()
    order = fields.Integer()
    group = fields.String(metadata={"description": "advanced: shown collapsed in the dialog."})
    available = fields.Boolean(metadata={"description": "False: a feature toggle the connector has nothing behind yet; it always loads as off."})
    default = fields.Raw()
    choices = fields.List(fields.Dict())
    fields_ = fields.List(fields.Dict(), data_key="fields")


class Connector(Schema):
    name = fields.String()
    display_name = fields.String()
    version = fields.String()
    regions = fields.List(fields.Dict())
    features = fields.List(fields.Dict())
    streams = fields.List(fields.String())
    capabilities = fields.List(
        fields.String(metadata={"enum": list(CAPABILITIES)}),
        metadata={"description": "What the connector offers; any other action answers 501."},
    )
    push_kinds = fields.List(fields.String())
    config_schema = fields.List(fields.Nested(ConfigField))


class Account(Schema):
    id = fields.Integer()
    connector = fields.String()
    name = fields.String()
    status = fields.String(metadata={"enum": ["new", "choose_shop", "connected", "needs_reauth", "disabled"]})
    is_default = fields.Boolean()
    external_shop_id = fields.String(allow_none=True)
    config = fields.Dict(metadata={"description": "The connector's config fields; secrets come back as '********'."})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class AccountCreate(Schema):
    connector = fields.String(required=True)
    config = fields.Dict(required=True)
    is_default = fields.Boolean()


class AccountUpdate(Schema):
    config = fields.Dict(required=True, metadata={"description": "Fields to change; a secret sent as '********' is kept."})


class ConnectionResult(Schema):
    ok = fields.Boolean()
    status = fields.String(metadata={"enum": ["ok", "not_authorized", "unreachable", "rejected"]})
    message = fields.String()
    details = fields.Dict()


def _json(schema: str) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    return {str(code): {"description": "Error", **_json("Error")} for code in codes}


def build_spec() -> dict:
    spec = APISpec(title="erp-integrations", version=__version__, openapi_version="3.0.3", plugins=[MarshmallowPlugin()])
    for name, schema in [
        ("Error", Error),
        ("Connector", Connector),
        ("Account", Account),
        ("AccountCreate", AccountCreate),
        ("AccountUpdate", AccountUpdate),
        ("ConnectionResult", ConnectionResult),
    ]:
        spec.components.schema(name, schema=schema)
    account_id = {"name": "account_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    spec.path(
        "/api/v1/connectors",
        operations={
            "get": {
                "summary": "Installed connectors with their config schemas",
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"connectors": {"type": "array", "items": {"$ref": "#/components/schemas/Connector"}}},
                                }
                            }
                        },
                    }
                },
            }
        },
    )
    spec.path(
        "/api/v1/connectors/{name}",
        operations={
            "get": {
                "summary": "One connector",
                "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "OK", **_json("Connector")}, **_errors(404)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts",
        operations={
            "get": {
                "summary": "Accounts, optionally of one connector",
                "parameters": [{"name": "connector", "in": "query", "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "properties": {"accounts": {"type": "array", "items": {"$ref": "#/components/schemas/Account"}}}}
                            }
                        },
                    }
                },
            },
            "post": {
                "summary": "Create an account",
                "requestBody": {"required": True, **_json("AccountCreate")},
                "responses": {"201": {"description": "Created", **_json("Account")}, **_errors(400, 404, 422)},
            },
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}",
        operations={
            "get": {"summary": "One account", "parameters": [account_id], "responses": {"200": {"description": "OK", **_json("Account")}, **_errors(404)}},
            "patch": {
                "summary": "Change some settings",
                "parameters": [account_id],
                "requestBody": {"required": True, **_json("AccountUpdate")},
                "responses": {"200": {"description": "OK", **_json("Account")}, **_errors(400, 403, 404, 422)},
            },
            "delete": {
                "summary": "Delete an account and everything synced for it",
                "parameters": [account_id],
                "responses": {"204": {"description": "Deleted"}, **_errors(404)},
            },
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/default",
        operations={
            "post": {
                "summary": "Make this the connector's default account",
                "parameters": [account_id],
                "responses": {"200": {"description": "OK", **_json("Account")}, **_errors(404)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/test",
        operations={
            "post": {
                "summary": "Test the connection (background=1: as a job)",
                "parameters": [account_id, {"name": "background", "in": "query", "schema": {"type": "string", "enum": ["1", "true"]}}],
                "responses": {"200": {"description": "Result", **_json("ConnectionResult")}, "202": {"description": "Enqueued"}, **_errors(404)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/authorize",
        operations={
            "post": {
                "summary": "Connect & Authorize: the marketplace consent URL, with a signed single-use state",
                "parameters": [account_id],
                "responses": {
                    "200": {
                        "description": "authorization_url, and the callback path to register with the marketplace",
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "properties": {"authorization_url": {"type": "string"}, "callback_path": {"type": "string"}}}
                            }
                        },
                    },
                    **_errors(404, 422, 501),
                },
            }
        },
    )
    shop = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "key": {"type": "string", "description": "the value of the connector's shop setting (TikTok: the shop cipher)"},
            "name": {"type": "string"},
            "region": {"type": "string", "nullable": True},
            "seller_type": {"type": "string", "nullable": True},
            "bound": {"type": "boolean"},
        },
    }
    spec.path(
        "/api/v1/accounts/{account_id}/shops",
        operations={
            "get": {
                "summary": "The shops the account's authorization covers, and the one it is bound to",
                "parameters": [account_id],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "status": {"type": "string"},
                                        "shop_setting": {"type": "string", "nullable": True},
                                        "bound_shop_id": {"type": "string", "nullable": True},
                                        "shops": {"type": "array", "items": shop},
                                    },
                                }
                            }
                        },
                    },
                    **_errors(401, 403, 404),
                },
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/shop",
        operations={
            "post": {
                "summary": "Bind the account to one of its authorized shops (refused for a shop of another region, one bound to another account, or an account that already synced another shop)",
                "parameters": [account_id],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["shop"],
                                "properties": {"shop": {"type": "string", "description": "the shop's key from GET .../shops"}},
                            }
                        }
                    },
                },
                "responses": {"200": {"description": "Bound: binding, message, bound_shop"}, **_errors(400, 401, 403, 404, 409, 422, 501)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/sync",
        operations={
            "post": {
                "summary": "Sync now: enqueue streams (all enabled ones by default)",
                "parameters": [account_id],
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {"type": "object", "properties": {"streams": {"type": "array", "items": {"type": "string"}}, "full": {"type": "boolean"}}}
                        }
                    }
                },
                "responses": {"202": {"description": "Jobs enqueued (or already waiting)"}, **_errors(404, 422, 501)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/runs",
        operations={
            "get": {
                "summary": "Sync runs, newest first, with each stream's cursor and the API groups the circuit breaker has paused",
                "parameters": [account_id, {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 500}}],
                "responses": {"200": {"description": "runs, cursors, paused_apis (group, opened_at, until, failures, probe_due)"}, **_errors(404)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/paused-apis/{group}/resume",
        operations={
            "post": {
                "summary": "Resume calls to a paused API group now (close its circuit)",
                "parameters": [account_id, {"name": "group", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "account_id, group, paused"}, **_errors(403, 404)},
            }
        },
    )
    push_item = {
        "type": "object",
        "description": (
            "stock: sku, warehouse?, quantity (never pushed below 0); prices: sku, amount (decimal string), currency?; "
            "shipments: package or order, tracking_number, shipping_provider_id?, handover_method?; "
            "return-decisions / cancellation-decisions: return or cancellation (its id), decision (approve or reject), "
            "reject_reason (required to reject: one of reject-reasons), comment?; "
            "order-cancellations: order, cancel_reason (one of the order's cancel-reasons); "
            "promotions: title, type, level, starts_at, ends_at (ISO 8601 with offset); "
            "promotion-updates: activity, title?, starts_at?, ends_at?; "
            "promotion-products: activity, product, percent_off or price, quantity_limit?, per_buyer_limit? "
            "(SKU-level activities: skus [{sku, percent_off or price, quantity_limit?, per_buyer_limit?}]); "
            "promotion-product-removals: activity, product or sku; "
            "promotion-deactivations: activity (promotion kinds need the Promotions toggle on and a synced activity not over yet)"
        ),
    }
    spec.path(
        "/api/v1/accounts/{account_id}/push/{kind}",
        operations={
            "post": {
                "summary": "Push ERP changes (debounced, latest wins per SKU/warehouse, price or package; unchanged values are not sent again)",
                "parameters": [
                    account_id,
                    {"name": "kind", "in": "path", "required": True, "schema": {"type": "string", "enum": list(PUSH_PATHS)}},
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"type": "object", "properties": {"items": {"type": "array", "items": push_item}}}}},
                },
                "responses": {"202": {"description": "Per item: target, status (queued or unchanged), request_id, note"}, **_errors(400, 404, 422, 501)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/after-sales/{kind}/{external_id}/reject-reasons",
        operations={
            "get": {
                "summary": "The reasons the marketplace accepts for rejecting this synced return or cancellation request",
                "parameters": [
                    account_id,
                    {"name": "kind", "in": "path", "required": True, "schema": {"type": "string", "enum": ["return", "cancellation"]}},
                    {"name": "external_id", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "reasons: [{name, text}]"}, **_errors(404, 501, 502)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/analytics/shop",
        operations={
            "get": {
                "summary": "The marketplace's own daily shop figures and customer-service ratings for the last 7, 30 or 90 days, with totals per currency",
                "parameters": [account_id, {"name": "days", "in": "query", "schema": {"type": "integer", "enum": [7, 30, 90], "default": 30}}],
                "responses": {"200": {"description": "from, to, days[], totals[] per currency, service"}, **_errors(404, 422)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/packages/{package_id}/documents/{document_type}",
        operations={
            "get": {
                "summary": "A shipped package's shipping document as a file (the ERP's copy, fetched from the marketplace the first time)",
                "parameters": [
                    account_id,
                    {"name": "package_id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "document_type",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": ["SHIPPING_LABEL", "PACKING_SLIP", "SHIPPING_LABEL_AND_PACKING_SLIP", "SHIPPING_LABEL_PICTURE"]},
                    },
                    {"name": "refresh", "in": "query", "schema": {"type": "boolean"}, "description": "fetch it from the marketplace again"},
                ],
                "responses": {"200": {"description": "application/pdf or image/png"}, **_errors(404, 409, 501, 502)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/packages/{package_id}/handover",
        operations={
            "get": {
                "summary": "How a package not shipped yet can reach the carrier, and the pickup slots, asked of the marketplace now",
                "parameters": [account_id, {"name": "package_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "package_id, pickup, drop_off, van_collection, drop_off_url, slots: [{starts_at, ends_at, available}] (UTC)"},
                    **_errors(404, 409, 501, 502),
                },
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/orders/{external_id}/tracking",
        operations={
            "get": {
                "summary": "The carrier's tracking events for a synced order, asked of the marketplace now (none before it ships)",
                "parameters": [
                    account_id,
                    {"name": "external_id", "in": "path", "required": True, "schema": {"type": "string"}, "description": "the order id"},
                ],
                "responses": {"200": {"description": "order_id, events: [{at, description}], oldest first"}, **_errors(404, 409, 501, 502)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/orders/{order_id}/cancel-reasons",
        operations={
            "get": {
                "summary": "The reasons the seller may give for cancelling this synced order now (none once it has shipped)",
                "parameters": [account_id, {"name": "order_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "order_status, reasons: [{name, text}]"}, **_errors(404, 501)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/push",
        operations={
            "get": {
                "summary": "The push outbox, newest first",
                "parameters": [
                    account_id,
                    {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["pending", "sent", "failed"]}},
                    {"name": "kind", "in": "query", "schema": {"type": "string", "enum": list(PUSH_PATHS.values())}},
                ],
                "responses": {"200": {"description": "OK"}, **_errors(404, 422)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/push/requests/{request_id}/retry",
        operations={
            "post": {
                "summary": "Send a failed change again",
                "parameters": [account_id, {"name": "request_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"202": {"description": "Queued"}, **_errors(404, 409)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/webhooks",
        operations={
            "get": {
                "summary": "Webhook subscriptions registered with the marketplace, and the receiver path to point them at",
                "parameters": [account_id],
                "responses": {"200": {"description": "receiver_path, address, subscriptions"}, **_errors(404, 501, 502)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/webhooks/subscribe",
        operations={
            "post": {
                "summary": "Register the account's webhook URL for the event types its features need (and drop the ones they no longer need)",
                "parameters": [account_id],
                "responses": {"200": {"description": "wanted, registered, removed, subscriptions"}, **_errors(404, 422, 501, 502)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/webhooks/events",
        operations={
            "get": {
                "summary": "The webhook log: stored deliveries, newest first",
                "parameters": [
                    account_id,
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["received", "processing", "processed", "ignored", "failed", "rejected", "skipped"]},
                    },
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 500}},
                ],
                "responses": {"200": {"description": "OK"}, **_errors(404, 422)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/webhooks/events/{event_id}/retry",
        operations={
            "post": {
                "summary": "Handle a processed, ignored or failed delivery again",
                "parameters": [account_id, {"name": "event_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"202": {"description": "Queued"}, **_errors(404, 409)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/webhooks/events/{event_id}/skip",
        operations={
            "post": {
                "summary": "Mark a parked (failed or rejected) delivery as needing nothing more",
                "parameters": [account_id, {"name": "event_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "id, status"}, **_errors(404, 409)},
            }
        },
    )
    spec.path(
        "/api/v1/jobs/failed",
        operations={
            "get": {
                "summary": "Jobs that failed after their retries (RQ's failed registry, or the embedded queue's failures)",
                "responses": {"200": {"description": "OK"}},
            }
        },
    )
    spec.path(
        "/api/v1/jobs/failed/{job_id}/retry",
        operations={
            "post": {
                "summary": "Run a failed job again",
                "parameters": [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"202": {"description": "Queued"}, **_errors(404)},
            }
        },
    )
    user_id = {"name": "user_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    user_body = {
        "type": "object",
        "properties": {
            "email": {"type": "string"},
            "password": {"type": "string", "minLength": 10},
            "role": {"type": "string", "enum": ["admin", "manager", "viewer", "creator"]},
            "name": {"type": "string"},
            "accounts": {"type": "array", "items": {"type": "integer"}},
            "is_active": {"type": "boolean"},
        },
    }
    spec.path(
        "/api/v1/me",
        operations={
            "get": {
                "summary": "The signed-in user, their role and the per-account verbs it grants",
                "responses": {"200": {"description": "OK"}, **_errors(401)},
            }
        },
    )
    spec.path(
        "/api/v1/users",
        operations={
            "get": {"summary": "Users (admins only)", "responses": {"200": {"description": "OK"}, **_errors(401, 403)}},
            "post": {
                "summary": "Add a user (admins only)",
                "requestBody": {"required": True, "content": {"application/json": {"schema": user_body}}},
                "responses": {"201": {"description": "Created"}, **_errors(401, 403, 422)},
            },
        },
    )
    spec.path(
        "/api/v1/users/{user_id}",
        operations={
            "patch": {
                "summary": "Change a user's role, shops, password or active flag (admins only)",
                "parameters": [user_id],
                "requestBody": {"required": True, "content": {"application/json": {"schema": user_body}}},
                "responses": {"200": {"description": "OK"}, **_errors(401, 403, 404, 422)},
            }
        },
    )
    spec.path(
        "/api/v1/users/{user_id}/token",
        operations={
            "post": {
                "summary": "Issue a new API token, returned once; the old one stops working (admins only)",
                "parameters": [user_id],
                "responses": {"201": {"description": "token"}, **_errors(401, 403, 404)},
            }
        },
    )
    listing = {"name": "listing_name", "in": "path", "required": True, "schema": {"type": "string", "enum": list(LISTINGS)}}
    page_response = register_listings(spec)
    spec.components.schema("OrderDetail", ORDER_DETAIL)
    spec.path(
        "/api/v1/accounts/{account_id}/data",
        operations={
            "get": {
                "summary": "The data listings this user may read for the account",
                "parameters": [account_id],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "listings": {
                                            "type": "array",
                                            "items": {
                                                "type": "object",
                                                "properties": {"name": {"type": "string"}, "title": {"type": "string"}, "url": {"type": "string"}},
                                            },
                                        }
                                    },
                                }
                            }
                        },
                    },
                    **_errors(401, 403, 404),
                },
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/data/{listing_name}",
        operations={
            "get": {
                "summary": "One keyset page of synced rows, newest first; follow next/prev cursors. Unknown parameters and filter values are refused (422).",
                "parameters": [account_id, listing, *listing_parameters()],
                "responses": {"200": page_response, **_errors(401, 403, 404, 422)},
            }
        },
    )
    spec.path(
        "/api/v1/accounts/{account_id}/orders/{external_id}",
        operations={
            "get": {
                "summary": "An order with its lines, status history, packages, returns and cancellations",
                "parameters": [account_id, {"name": "external_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "OK", **_json("OrderDetail")}, **_errors(401, 403, 404)},
            }
        },
    )
    income_body = {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["accounts"],
                    "additionalProperties": False,
                    "properties": {
                        "accounts": {
                            "type": "array",
                            "items": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                            "minItems": 1,
                            "maxItems": 10,
                            "uniqueItems": True,
                        },
                        "days": {"type": "integer", "minimum": 30, "maximum": 365, "default": 90},
                        "rates": {
                            "type": "object",
                            "description": 'USD per unit of each other currency, e.g. {"GBP": "1.27"}: the only way amounts in different currencies are combined',
                            "additionalProperties": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"},
                        },
                        "allow_stale": {"type": "boolean", "default": False},
                    },
                }
            }
        },
    }
    spec.path(
        "/api/v1/income/reports",
        operations={
            "post": {
                "summary": "Income report and four-factor score for one account or one person's accounts (README: Income verification)",
                "requestBody": income_body,
                "responses": {"200": {"description": "The report, per currency, with its score"}, **_errors(404, 409, 422)},
            }
        },
    )
    spec.path(
        "/api/v1/income/statements",
        operations={
            "post": {
                "summary": "The report signed with the ERP's Ed25519 key; refused on stale data unless allow_stale. The public keys: /.well-known/erp-integrations/income-keys.json (no sign-in)",
                "requestBody": income_body,
                "responses": {"201": {"description": "{statement, signature: {alg, kid, value}}"}, **_errors(404, 409, 422)},
            }
        },
    )
    _report_paths(spec)
    spec.components.security_scheme(
        "bearer",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (erp-integrations users token EMAIL). The admin pages' session cookie also works, with X-CSRF-Token on writes.",
        },
    )
    document = spec.to_dict()
    # Every operation needs a signed-in user, except this document itself.
    document["security"] = [{"bearer": []}]
    _declare_common_answers(document)
    document["paths"]["/api/v1/openapi.json"] = {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OK"}}}}
    return document


def _report_paths(spec: APISpec) -> None:
    """``/api/v1/reports/...``: the figures (README: Reports) and the tables behind the dashboard,
    as JSON or, with ``format``, a CSV or XLSX download."""
    from ..reports.definitions import FIGURES
    from ..reports.service import TABLES

    query = [
        {
            "name": "account",
            "in": "query",
            "schema": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}},
            "style": "form",
            "explode": True,
            "description": "Accounts in the report (repeatable); none: every account the caller may see",
        },
        {"name": "period", "in": "query", "schema": {"type": "string", "enum": ["day", "week", "month", "custom"], "default": "month"}},
        {"name": "date", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "A day inside the period (default today in the zone)"},
        {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "First day of a custom range"},
        {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "Last day of a custom range (at most 731 days)"},
        {
            "name": "time_zone",
            "in": "query",
            "schema": {"type": "string"},
            "description": "IANA zone the days are cut in (default: the accounts' reporting zone)",
        },
        {"name": "sections", "in": "query", "schema": {"type": "string"}, "description": "Comma-separated: seller, finance, affiliate"},
        {
            "name": "format",
            "in": "query",
            "schema": {"type": "string", "enum": ["csv", "xlsx"]},
            "description": "A download instead of JSON (or an Accept header)",
        },
    ]
    downloads = {
        "text/csv": {"schema": {"type": "string"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}},
    }
    figures = {
        f.name: {"type": "integer" if f.kind == "count" else "string", "nullable": True, "description": f"{f.label}: {f.source}; counts {f.counts}"}
        for f in FIGURES
    }
    summary_schema = {
        "type": "object",
        "properties": {
            "accounts": {"type": "array", "items": {"type": "object"}},
            "sections": {"type": "array", "items": {"type": "string"}},
            "period": {"type": "object"},
            "previous_period": {"type": "object"},
            "currencies": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "currency": {"type": "string"},
                        "figures": {"type": "object", "properties": figures},
                        "previous": {"type": "object", "properties": figures},
                        "change": {"type": "object"},
                    },
                },
            },
        },
    }
    spec.path(
        "/api/v1/reports/definitions",
        operations={"get": {"summary": "What every figure means: table, columns and statuses counted", "responses": {"200": {"description": "OK"}}}},
    )
    spec.path(
        "/api/v1/reports/summary",
        operations={
            "get": {
                "summary": "Every figure per currency for the period and the previous one (never added across currencies)",
                "parameters": query,
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": summary_schema}, **downloads}}, **_errors(404)},
            }
        },
    )
    table_schema = {
        "type": "object",
        "properties": {"columns": {"type": "array", "items": {"type": "object"}}, "rows": {"type": "array", "items": {"type": "object"}}},
    }
    days = {"name": "days", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 365, "default": 30}, "description": "Days since delivery"}
    for name, summary_text, extra in (
        *((t.replace("_", "-"), f"The {t.replace('_', ' ')} table of the dashboard", []) for t in TABLES),
        ("delayed-settlements", "Orders delivered more than `days` ago and not settled (seller and creator sides)", [days]),
        ("reconciliation", "Every difference between statements, their transactions, payouts and orders", []),
    ):
        spec.path(
            f"/api/v1/reports/{name}",
            operations={
                "get": {
                    "summary": summary_text,
                    "parameters": query + extra,
                    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": table_schema}, **downloads}}, **_errors(404)},
                }
            },
        )


# What any operation may answer besides its own results, by what it takes: every one needs a
# signed-in user allowed to call it (401, 403); a path id may name nothing (404, also for ids
# out of range); a body may be unreadable, not JSON, too large or invalid (400, 415, 413, 422);
# query parameters may be refused (422); text the database cannot store is refused (400).
def _declare_common_answers(document: dict) -> None:
    for path, operations in document["paths"].items():
        for operation in operations.values():
            codes = {401, 403, 400}
            if "{" in path:
                codes.add(404)
            if "requestBody" in operation:
                codes |= {413, 415, 422}
            if any(p.get("in") == "query" for p in operation.get("parameters", [])):
                codes.add(422)
            for code in sorted(codes):
                # After to_dict(): a $ref by hand (apispec resolves schema names only while building).
                error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                operation["responses"].setdefault(str(code), {"description": HTTPStatus(code).phrase, **error})


@api_blueprint.get("/openapi.json")
@requires("public")
def openapi_document():
    return jsonify(build_spec())
