"""The connector contract and the host-owned registry of connectors.

A connector is a class registered through the ``register_connectors`` hook. It declares what
an admin configures (a marshmallow schema whose field metadata draws the dialog), which
feature toggles and streams it has, and how to test a connection. Behaviour that needs the
network (clients, sync, webhooks) hangs off the same class in later layers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from marshmallow import Schema, ValidationError, fields, missing, post_load, validate, validates

# Re-exported: the host's modules catch it from here.
from .marketplace_errors import MarketplaceError as MarketplaceError

SECRET_MASK = "********"
SYNC_INTERVALS = (5, 15, 30, 60)


# What a connector may do beyond its configuration and a connection test, and the methods
# each needs. A connector declares its capabilities explicitly (``Connector.capabilities``);
# the host offers only those, and answers 501 for the rest (``Unsupported``).
CAPABILITIES: dict[str, tuple[str, ...]] = {
    "authorize": ("authorization_url", "exchange_code", "authorized_shops"),
    "sync": ("sync_stream",),
    "push": ("push",),
    "webhooks": ("webhook_verifier", "read_webhook", "handle_webhooks"),
    "webhook_subscriptions": ("webhook_subscriptions", "subscribe_webhooks"),
}
# Each capability in a merchant's words: "Shopee does not offer <this> yet".
CAPABILITY_WORDS = {
    "authorize": "Connect & Authorize",
    "sync": "syncing",
    "push": "pushing changes",
    "webhooks": "receiving webhooks",
    "webhook_subscriptions": "managing webhook subscriptions",
}


class Unsupported(Exception):
    """An action the account's connector does not offer: the API answers 501 with the
    message, the pages and the CLI show it. Raised before anything is recorded or queued."""

    status = 501

    def __init__(self, display_name: str, capability: str, what: str | None = None):
        """``what``: the action in a merchant's words, when narrower than the capability
        (a push kind the connector does not offer)."""
        self.capability = capability
        super().__init__(f"The {display_name} connector does not offer {what or CAPABILITY_WORDS[capability]} yet")


@dataclass(frozen=True)
class Feature:
    key: str
    label: str
    default: bool
    help: str = ""  # exactly what turning it on syncs and allows: the dialog shows it
    # False: the connector has nothing behind this toggle yet. The dialog shows it disabled
    # with its help saying so, and loading a config turns it off: a toggle never claims more
    # than the connector does.
    available: bool = True


@dataclass(frozen=True)
class PushItem:
    """One change from the push outbox, resolved to marketplace ids by the host."""

    id: int
    target: str
    payload: dict


@dataclass(frozen=True)
class TrackingEvent:
    """One step of a parcel's journey as the carrier reports it (aware UTC)."""

    at: datetime
    description: str


@dataclass(frozen=True)
class HandoverSlot:
    """A window in which the carrier can collect a package (aware UTC)."""

    starts_at: datetime
    ends_at: datetime
    available: bool


@dataclass(frozen=True)
class HandoverOptions:
    """How a package not shipped yet can reach the carrier: collected (in one of ``slots``),
    dropped off (``drop_off_url`` lists the points), or by van (UK)."""

    pickup: bool
    drop_off: bool
    van_collection: bool
    drop_off_url: str | None
    slots: list[HandoverSlot]


@dataclass(frozen=True)
class DocumentFile:
    """A shipping document as the marketplace serves it."""

    content: bytes
    content_type: str
    tracking_number: str | None = None


@dataclass(frozen=True)
class DemoShop:
    """A connector's sandbox started for ``erp-integrations demo``: the server (``url``,
    ``stop()``), the demo account's config (without its name; every available feature on
    when it names none), and what to add to the authorization URL so the sandbox consents at
    once (the sandbox kit's convention: approve, first shop). The demo prints the config's
    fields by their labels, so a reader can add a shop by hand: they are the sandbox's
    credentials, never real ones."""

    server: Any
    config: dict
    approve: str = "&auto_approve=1&shop=0"


@dataclass(frozen=True)
class PushOutcome:
    ok: bool
    message: str = ""


@dataclass(frozen=True)
class WebhookDelivery:
    """What a connector read from a verified webhook: enough to store and deduplicate it."""

    notification_id: str
    event_type: str
    shop_id: str | None = None


class WebhookRejected(Exception):
    """A delivery the receiver refuses: 401 for a bad signature, 400 for a malformed body."""

    def __init__(self, message: str, status: int = 401):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class WebhookOutcome:
    status: str  # processed, ignored, failed
    message: str = ""


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    status: str  # ok, not_authorized, unreachable, rejected
    message: str
    details: dict | None = None

    def as_dict(self) -> dict:
        return {"ok": self.ok, "status": self.status, "message": self.message, "details": self.details or {}}


def is_loopback_host(host: str | None) -> bool:
    return host in {"localhost", "::1"} or bool(host and host.startswith("127."))


def validate_webhook_url(value: str) -> None:
    """https only; plain http only on loopback, where the sandboxes run."""
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and is_loopback_host(parts.hostname):
        return
    raise ValidationError("must be an https:// URL (plain http is allowed only for localhost sandboxes)")


validate_base_url = validate_webhook_url


def region_field(regions: tuple[tuple[str, str], ...], help: str = "The shop's country.") -> fields.String:
    """The account's region: one of the connector's (code, label) pairs."""
    return fields.String(
        required=True,
        validate=validate.OneOf([code for code, _ in regions], error="must be one of the documented region codes ({choices})"),
        metadata={"label": "Region", "help": help, "order": 10, "choice_labels": dict(regions)},
    )


def secret_field(
    label: str, order: int, help: str = "Stored encrypted; never shown again.", *, min_length: int = 8, max_length: int = 256, required: bool = True
) -> fields.String:
    """A credential: write-only (``secret``), so the host encrypts it into the vault, never
    echoes it and keeps the stored one when a form leaves it empty."""
    return fields.String(
        required=required,
        allow_none=not required,
        load_default=None if not required else missing,
        validate=validate.Length(min=min_length, max=max_length),
        metadata={"label": label, "help": help, "secret": True, "order": order},
    )


def endpoint_field(
    default: str | None, label: str, order: int, help: str = "Change only to use a sandbox (administrators only; the host must be allowed by the operator)."
) -> fields.String:
    """An advanced field holding where the marketplace is (its API, token or consent host):
    https only, so a sandbox on loopback is the one exception. ``endpoint`` marks it for the
    account rules: only an administrator may change it, and only to a host the operator
    allows, because a changed endpoint is where the shop's secrets would be sent."""
    return fields.String(
        load_default=default,
        allow_none=default is None,
        # An optional one left empty means "the marketplace's own", like None.
        validate=validate_base_url if default is not None else lambda value: value == "" or validate_base_url(value),
        metadata={"label": label, "help": help, "order": order, "group": "advanced", "endpoint": True},
    )


class AccountConfigSchema(Schema):
    """Fields every connector account has. Connectors subclass it and add their own.

    Field metadata read by the admin dialog and the API: ``label``, ``help``, ``secret``,
    ``order``, ``group``; choices come from a ``OneOf`` validator.
    """

    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=120),
        metadata={"label": "Account name", "help": "How this shop is called in the ERP.", "order": 0},
    )
    sync_interval_minutes = fields.Integer(
        allow_none=True,
        load_default=15,
        validate=validate.OneOf(SYNC_INTERVALS, error="must be one of 5, 15, 30, 60, or null for manual"),
        metadata={
            "label": "Auto-sync interval",
            "help": "Minutes between scheduled syncs; Manual syncs only when asked.",
            "order": 90,
            "choice_labels": {"5": "Every 5 minutes", "15": "Every 15 minutes", "30": "Every 30 minutes", "60": "Every hour", "null": "Manual"},
        },
    )
    webhook_url = fields.String(
        allow_none=True,
        load_default=None,
        metadata={"label": "Webhook URL", "help": "Public https address the marketplace posts events to.", "order": 80},
    )

    report_time_zone = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=64),
        metadata={
            "label": "Reporting time zone",
            "help": "IANA zone the reports cut days in (Asia/Jakarta). Empty: the region's default zone.",
            "order": 95,
            "group": "advanced",
        },
    )
    settlement_alert_days = fields.Integer(
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=1, max=365, error="must be a number of days from 1 to 365"),
        metadata={
            "label": "Settlement alert after (days)",
            "help": "Alert when a delivered order is still not settled after this many days. Empty: 30.",
            "order": 96,
            "group": "advanced",
        },
    )

    @validates("webhook_url")
    def _check_webhook_url(self, value, **_):
        if value:
            validate_webhook_url(value)

    @validates("report_time_zone")
    def _check_zone(self, value, **_):
        if value:
            from .reports.periods import PeriodError, zone_named

            try:
                zone_named(value)
            except PeriodError as exc:
                raise ValidationError(exc.message) from None


def features_field(features: tuple[Feature, ...], name: str) -> fields.Nested:
    """The nested boolean toggles of a connector, each defaulting as its Feature says; a
    toggle the connector cannot serve yet always loads as off."""
    unavailable = [f.key for f in features if not f.available]

    class Toggles(Schema):
        @post_load
        def _off_when_unavailable(self, data, **_):
            return {**data, **dict.fromkeys(unavailable, False)}

    schema = Toggles.from_dict(
        {
            f.key: fields.Boolean(load_default=f.default and f.available, metadata={"label": f.label, "help": f.help, "available": f.available})
            for f in features
        },
        name=name,
    )
    return fields.Nested(
        schema,
        load_default=lambda: {f.key: f.default and f.available for f in features},
        metadata={"label": "Features", "help": "What this account syncs.", "order": 70},
    )


@dataclass(frozen=True)
class Stream:
    """One stream, declared once: its name (the monitor's, the API's, the cursor's), what runs
    it (``run(context, client)``: page by page, upsert, checkpoint), the feature toggle(s)
    that switch it on (a name, or a tuple meaning any of them; None: always), and the
    marketplace API groups it calls (the circuit breaker's keys: the scheduler skips the
    stream while one of them is paused)."""

    name: str
    run: Callable[[Any, Any], None]
    feature: str | tuple[str, ...] | None = None
    groups: tuple[str, ...] = ()


class Connector:
    """Base class of every connector. Subclasses set the class attributes."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("declared_streams"):
            # The names, toggles and groups the host reads, from the one declaration.
            cls.streams = tuple(s.name for s in cls.declared_streams)
            cls.stream_features = {s.name: s.feature for s in cls.declared_streams if s.feature is not None}
            cls.stream_groups = {s.name: s.groups for s in cls.declared_streams if s.groups}

    name: ClassVar[str]
    display_name: ClassVar[str]
    version: ClassVar[str] = "0"
    regions: ClassVar[tuple[tuple[str, str], ...]] = ()
    features: ClassVar[tuple[Feature, ...]] = ()
    # The streams a connector syncs (``Stream``), in the order a full sync runs them; ``streams``,
    # ``stream_features`` and ``stream_groups`` are derived from them.
    declared_streams: ClassVar[tuple[Stream, ...]] = ()
    streams: ClassVar[tuple[str, ...]] = ()
    config_schema: ClassVar[type[AccountConfigSchema]] = AccountConfigSchema
    # The marketplace's own origins: the only ones an account may send credentials to, besides
    # those the operator allows (see ``erp_integrations.endpoints``).
    own_hosts: ClassVar[tuple[str, ...]] = ()
    # The config field that selects one of the shops an authorization covers (TikTok's shop
    # cipher); the host binds accounts to shops through it (``accounts.binding``).
    shop_setting: ClassVar[str | None] = None
    # Values the marketplace documents for a listing's filter columns ({listing: {column:
    # values}}): accepted as filters before any row holds them.
    listing_values: ClassVar[dict[str, dict[str, tuple[str, ...]]]] = {}
    # The marketplace's codes (statuses, types) in a merchant's words, for the admin pages.
    labels: ClassVar[dict[str, str]] = {}
    # The statuses of a return (``erp_after_sales``, kind return) whose refund was given: the
    # reports and income verification count those as refunds.
    refunded_return_statuses: ClassVar[frozenset[str]] = frozenset()

    # What this connector can do (keys of ``CAPABILITIES``); checked against its methods when
    # it is registered.
    capabilities: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def supports(cls, capability: str) -> bool:
        return capability in cls.capabilities

    @classmethod
    def require(cls, capability: str) -> None:
        """Raise ``Unsupported`` unless the connector declares ``capability``."""
        if capability not in CAPABILITIES:
            raise ValueError(f"no capability {capability!r}")
        if capability not in cls.capabilities:
            raise Unsupported(cls.display_name, capability)

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        return tuple(n for n, f in cls.config_schema().fields.items() if f.metadata.get("secret"))

    @classmethod
    def endpoint_fields(cls) -> tuple[str, ...]:
        """Settings that name a host credentials are sent to (``endpoint`` in the metadata)."""
        return tuple(n for n, f in cls.config_schema().fields.items() if f.metadata.get("endpoint"))

    @classmethod
    def default_features(cls) -> dict[str, bool]:
        return {f.key: f.default and f.available for f in cls.features}

    # The marketplace API groups each stream calls: the circuit breaker's keys
    # (``toolkit.breaker``). The scheduler skips a stream while one of its groups is paused.
    stream_groups: ClassVar[dict[str, tuple[str, ...]]] = {}

    # The feature toggle(s) that switch each stream on: a name, or a tuple meaning any of them
    # (streams not listed always run).
    stream_features: ClassVar[dict[str, str | tuple[str, ...]]] = {}

    def test_connection(self, account, secrets: dict[str, str]) -> ConnectionResult:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- the API client: the connector builds it, the host gives it its transport -----------------

    # Requests per second per path, app and shop unless ``<NAME>_MAX_QPS`` says otherwise.
    max_qps: ClassVar[int] = 10

    def build_client(self, account, secrets: dict[str, str], **transport) -> Any:  # pragma: no cover - abstract
        """The marketplace's client (a ``toolkit.http.ApiClient``) for this account."""
        raise Unsupported(self.display_name, "sync")

    def refresh_grant(self, client, refresh_token: str) -> Any:  # pragma: no cover - abstract
        """Trade a refresh token for a new ``toolkit.tokens.TokenGrant``."""
        raise Unsupported(self.display_name, "authorize")

    def client(self, account, *, with_tokens: bool = True) -> Any:
        """``build_client`` with the shared rate limiter, the circuit breaker and (unless asked
        not to) the token keeper: ``toolkit.http.account_client``."""
        from .toolkit.http import account_client

        return account_client(self, account, with_tokens=with_tokens)

    # What the ERP can push (``stock``, ``price``, ``shipment``), and the streams to sync again
    # after a successful push of each kind (a shipped package changes its order's status).
    push_kinds: ClassVar[tuple[str, ...]] = ()
    push_refresh_streams: ClassVar[dict[str, tuple[str, ...]]] = {}

    def push(self, account, kind: str, items: list[PushItem]) -> dict[int, PushOutcome]:
        """Send changes to the marketplace; an outcome per item id. Raise a retryable
        ``MarketplaceError`` when the whole call should be tried again later."""
        raise Unsupported(self.display_name, "push")

    # For the ``return_decision`` and ``cancellation_decision`` pushes: the statuses (as the
    # marketplace names them in the synced ``erp_after_sales`` rows) of a request the seller
    # can still approve or reject. A decision on any other is refused before it is recorded.
    after_sale_open_statuses: ClassVar[dict[str, frozenset[str]]] = {}

    # For the promotion pushes: the statuses of a synced activity that is over (ended, or
    # deactivated already) and so cannot be changed; the activity types the ERP may create,
    # each with how its products are priced ("percent" off, or an activity "price"), the
    # levels an activity applies at (the product, or each SKU), and the longest title.
    promotion_final_statuses: ClassVar[frozenset[str]] = frozenset()
    promotion_types: ClassVar[dict[str, str]] = {}
    promotion_levels: ClassVar[tuple[str, ...]] = ()
    promotion_title_max: ClassVar[int] = 0

    # The feature toggle that shows an order's tracking (asked of the marketplace when its page
    # opens: it changes by the hour, per order, and syncing it for every order would cost a
    # call per order per run for events almost nobody reads).
    logistics_feature: ClassVar[str | None] = None

    def order_tracking(self, account, order_external_id: str) -> list[TrackingEvent]:
        """The carrier's events for the order's parcels, oldest first."""
        raise Unsupported(self.display_name, "sync")

    def handover_options(self, account, package_external_id: str) -> HandoverOptions:
        """How a package awaiting shipment can be handed to the carrier, and when."""
        raise Unsupported(self.display_name, "sync")

    # Shipping documents the marketplace draws for a shipped package (labels, packing slips).
    document_types: ClassVar[tuple[str, ...]] = ()

    def shipping_document(self, account, package_external_id: str, document_type: str) -> DocumentFile:
        """The document itself (not a link to it: the host keeps the file)."""
        raise Unsupported(self.display_name, "sync")

    def cancel_reasons(self, account, order_status: str) -> list[dict[str, str]]:
        """For the ``order_cancel`` push: the reasons (``{"name", "text"}``) the marketplace
        accepts for the seller cancelling an order in ``order_status``; none when the seller
        cannot cancel such an order (shipped, delivered)."""
        raise Unsupported(self.display_name, "push")

    def reject_reasons(self, account, kind: str, external_id: str) -> list[dict[str, str]]:
        """The reasons (``{"name", "text"}``) the marketplace accepts for rejecting this return
        or cancellation request."""
        raise Unsupported(self.display_name, "push")

    # -- Connect & Authorize: the marketplace's consent page, and its callback's code -------------

    def authorization_url(self, account, state: str) -> str:
        """Where the seller consents; the marketplace sends them back with ``state``."""
        raise Unsupported(self.display_name, "authorize")

    def exchange_code(self, client, code: str, callback: dict) -> Any:
        """Trade the callback's code for a ``toolkit.tokens.TokenGrant``. ``callback`` holds the
        callback's other parameters (Shopee names the shop there); a bad one is a
        ``BindingRefused`` naming it."""
        raise Unsupported(self.display_name, "authorize")

    def authorized_shops(self, client, grant, callback: dict) -> list:
        """The shops the grant covers (``accounts.binding.AuthorizedShop``), asked with the new
        access token (already on ``client``)."""
        raise Unsupported(self.display_name, "authorize")

    def is_creator_grant(self, grant) -> bool:
        """A creator's (affiliate's) grant covers a person, not a shop: nothing is bound."""
        return False

    def complete_authorization(self, account, code: str, callback: dict | None = None) -> dict:
        """Exchange the callback's code, store the tokens and bind the shop: ``{shops, binding,
        message}`` (``toolkit.oauth``: one sequence for every connector)."""
        if not self.supports("authorize"):
            raise Unsupported(self.display_name, "authorize")
        from .toolkit.oauth import complete_authorization

        return complete_authorization(self, account, code, callback or {})

    # -- webhooks: the host's receiver stores deliveries, the connector verifies and handles them

    def webhook_verifier(self, account, secrets: dict[str, str]) -> Any:
        """What verifying this account's deliveries needs (the host caches it briefly)."""
        raise Unsupported(self.display_name, "webhooks")

    def read_webhook(self, verifier: Any, headers, body: bytes) -> WebhookDelivery:
        """Verify (in constant time) and parse a delivery, or raise ``WebhookRejected``."""
        raise Unsupported(self.display_name, "webhooks")

    def handle_webhooks(self, account, events: list) -> dict[int, WebhookOutcome]:
        """Act on stored deliveries (refetch what they name): an outcome per event id."""
        raise Unsupported(self.display_name, "webhooks")

    def webhook_subscriptions(self, account) -> list[dict]:
        """What the marketplace has registered for this account: ``[{event_type, address}]``."""
        raise Unsupported(self.display_name, "webhook_subscriptions")

    def subscribe_webhooks(self, account) -> dict:
        """Register ``account.webhook_url`` for the event types its features need."""
        raise Unsupported(self.display_name, "webhook_subscriptions")

    # -- income verification: what it reads, and what the marketplace must have granted ------

    # The streams whose data an income report reads (its statement is as fresh as the oldest
    # of them); empty: every enabled stream.
    income_streams: ClassVar[tuple[str, ...]] = ()

    def missing_income_scopes(self, account) -> list[str]:
        """The marketplace permissions (TikTok's API packages) the account's grant lacks for an
        income report, in the names the seller applies for them under; [] when none is missing
        or the marketplace does not say."""
        return []

    def stream_enabled(self, account, stream: str) -> bool:
        wanted = self.stream_features.get(stream)
        if wanted is None:
            return True
        features, defaults = account.features or {}, self.default_features()
        return any(features.get(f, defaults.get(f, False)) for f in ((wanted,) if isinstance(wanted, str) else wanted))

    def sync_stream(self, context) -> None:
        """Run ``context.stream``'s declared function with this account's client (``client``).
        A connector without ``declared_streams`` overrides this."""
        declared = next((s for s in self.declared_streams if s.name == context.stream), None)
        if declared is None:
            raise Unsupported(self.display_name, "sync")
        declared.run(context, self.client(context.account))

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """What an admin UI needs to draw this connector's configuration dialog."""
        return {
            "name": cls.name,
            "display_name": cls.display_name,
            "version": cls.version,
            "regions": [{"value": code, "label": label} for code, label in cls.regions],
            "features": [{"key": f.key, "label": f.label, "default": f.default, "help": f.help, "available": f.available} for f in cls.features],
            "streams": list(cls.streams),
            "capabilities": sorted(cls.capabilities),
            "push_kinds": list(cls.push_kinds) if cls.supports("push") else [],
            "config_schema": describe_schema(cls.config_schema()),
        }


FIELD_TYPES = {
    fields.String: "string",
    fields.Integer: "integer",
    fields.Boolean: "boolean",
    fields.Nested: "object",
    fields.Url: "string",
}


def _field_type(field: fields.Field) -> str:
    for cls in type(field).__mro__:
        if cls in FIELD_TYPES:
            return FIELD_TYPES[cls]
    return "string"


def describe_schema(schema: Schema) -> list[dict[str, Any]]:
    described = []
    for name, field in schema.fields.items():
        meta = field.metadata
        entry: dict[str, Any] = {
            "name": name,
            "type": _field_type(field),
            "label": meta.get("label", name.replace("_", " ").capitalize()),
            "help": meta.get("help", ""),
            "required": field.required,
            "secret": bool(meta.get("secret")),
            "available": meta.get("available", True),
            "endpoint": bool(meta.get("endpoint")),
            "nullable": bool(field.allow_none),
            "order": meta.get("order", 50),
        }
        if meta.get("group"):
            entry["group"] = meta["group"]
        default = field.load_default
        if default is not missing and not callable(default):
            entry["default"] = default
        for validator in getattr(field, "validators", []):
            if isinstance(validator, validate.OneOf):
                labels = meta.get("choice_labels", {})
                entry["choices"] = [{"value": c, "label": labels.get(str(c), str(c))} for c in validator.choices]
                if field.allow_none and "null" in labels:
                    entry["choices"].append({"value": None, "label": labels["null"]})
        if isinstance(field, fields.Nested):
            entry["fields"] = describe_schema(field.schema)
        described.append(entry)
    return sorted(described, key=lambda e: e["order"])


def collect_connectors(pm) -> dict[str, type[Connector]]:
    found: dict[str, type[Connector]] = {}

    def register(connector_class: type[Connector]) -> None:
        if not (isinstance(connector_class, type) and issubclass(connector_class, Connector)):
            raise TypeError(f"{connector_class!r} is not a Connector subclass")
        check_capabilities(connector_class)
        if connector_class.name in found:
            raise ValueError(f"two connectors are named {connector_class.name!r}")
        found[connector_class.name] = connector_class

    pm.hook.register_connectors(register=register)
    return found


def check_capabilities(connector_class: type[Connector]) -> None:
    """A declared capability needs its methods (and push its kinds, sync its streams): a
    connector that claims more than it implements is refused at start-up, not at 3 a.m."""
    unknown = set(connector_class.capabilities) - set(CAPABILITIES)
    if unknown:
        raise ValueError(f"{connector_class.__name__} declares unknown capabilities: {', '.join(sorted(unknown))}; known: {', '.join(CAPABILITIES)}")
    for capability in connector_class.capabilities:
        # Declared streams are run by the host's own sync_stream.
        inherited = {"sync_stream"} if connector_class.declared_streams else set()
        missing = [m for m in CAPABILITIES[capability] if getattr(connector_class, m) is getattr(Connector, m) and m not in inherited]
        if missing:
            raise TypeError(f"{connector_class.__name__} declares {capability!r} but does not implement {', '.join(missing)}")
    if "push" in connector_class.capabilities and not connector_class.push_kinds:
        raise TypeError(f"{connector_class.__name__} declares 'push' without push_kinds")
    if "sync" in connector_class.capabilities and not connector_class.streams:
        raise TypeError(f"{connector_class.__name__} declares 'sync' without streams")
