"""What a connector author uses, in one place.

A connector is a ``Connector`` subclass registered through the ``register_connectors`` hook
(``docs/hooks.md``): its configuration schema, feature toggles, streams and declared
capabilities, and the methods behind each capability. Its client maps the marketplace's
answers onto the error tree here and takes a slot from a shared ``RateLimiter`` before each
request; its background work is jobs (``job_function``, the ``register_jobs`` hook).
"""

from __future__ import annotations

from ..connectors import (
    CAPABILITIES,
    AccountConfigSchema,
    ConnectionResult,
    Connector,
    DemoShop,
    DocumentFile,
    Feature,
    HandoverOptions,
    HandoverSlot,
    PushItem,
    PushOutcome,
    Stream,
    TrackingEvent,
    Unsupported,
    WebhookDelivery,
    WebhookOutcome,
    WebhookRejected,
    endpoint_field,
    features_field,
    region_field,
    secret_field,
    validate_base_url,
    validate_webhook_url,
)
from ..hooks import hookimpl
from ..jobs import job_function
from ..marketplace_errors import (
    AuthError,
    ErrorCodes,
    MarketplaceError,
    PermissionDenied,
    RateLimited,
    ReauthorizationRequired,
    ServerError,
    TokenExpired,
    TransportError,
    ValidationFailed,
)
from ..sync.catalog import CatalogProduct, CatalogVariant, Stock, store_catalog
from .conformance import contract_problems
from .ratelimit import RateLimiter

__all__ = [
    "CAPABILITIES",
    "AccountConfigSchema",
    "AuthError",
    "CatalogProduct",
    "CatalogVariant",
    "ConnectionResult",
    "Connector",
    "DemoShop",
    "DocumentFile",
    "ErrorCodes",
    "Feature",
    "HandoverOptions",
    "HandoverSlot",
    "MarketplaceError",
    "PermissionDenied",
    "PushItem",
    "PushOutcome",
    "RateLimited",
    "RateLimiter",
    "ReauthorizationRequired",
    "ServerError",
    "Stock",
    "Stream",
    "TokenExpired",
    "TrackingEvent",
    "TransportError",
    "Unsupported",
    "ValidationFailed",
    "WebhookDelivery",
    "WebhookOutcome",
    "WebhookRejected",
    "contract_problems",
    "endpoint_field",
    "features_field",
    "hookimpl",
    "job_function",
    "region_field",
    "secret_field",
    "store_catalog",
    "validate_base_url",
    "validate_webhook_url",
]
