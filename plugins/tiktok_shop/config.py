"""What an admin configures for a TikTok Shop account."""

from __future__ import annotations

from marshmallow import fields, validate

from erp_integrations.toolkit import AccountConfigSchema, Feature, endpoint_field, features_field, region_field, secret_field

# Every region the Open API documents (country code, as the API spells it: the UK is GB);
# the markets most merchants sell in come first.
REGIONS = (
    ("US", "United States"),
    ("GB", "United Kingdom"),
    ("ID", "Indonesia"),
    ("SG", "Singapore"),
    ("MY", "Malaysia"),
    ("TH", "Thailand"),
    ("VN", "Vietnam"),
    ("PH", "Philippines"),
    ("BR", "Brazil"),
    ("DE", "Germany"),
    ("ES", "Spain"),
    ("FR", "France"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("JP", "Japan"),
    ("MX", "Mexico"),
)

FEATURES = (
    # Each help says exactly what the toggle syncs and where it shows (the dialog prints it).
    Feature("product_catalog", "Product catalog", True, "Syncs products and their SKUs with prices: the Products page."),
    Feature(
        "orders",
        "Orders and fulfillment",
        True,
        "Syncs orders with lines and status history, packages and shipments, and the money: statements, payouts, withdrawals and"
        " unsettled transactions. Orders, Shipments and Finance pages, and the reports.",
    ),
    Feature("inventory", "Inventory", True, "Syncs warehouses and stock per warehouse and SKU. Stock pushed from the ERP needs no toggle."),
    Feature(
        "logistics",
        "Logistics",
        False,
        (
            "Syncs the warehouse list (Inventory syncs it too) and each warehouse's delivery options with their limits and"
            " carriers, once a day: the Delivery options page. On an order awaiting shipment: pickup, drop-off and the pickup"
            " slots; on a shipped order: the carrier's tracking (both asked of TikTok when the page opens), and the shipping"
            " label and packing slip to print (kept once fetched). Creating packages is not available yet."
        ),
    ),
    Feature(
        "promotions",
        "Promotions",
        False,
        (
            "Syncs promotion activities (discounts, flash deals, buy-more-save-more, shipping discounts) with the products and"
            " SKUs they cover, and coupons with their claims: the Promotions page, where an activity can be deactivated."
            " Creating and editing activities from the ERP are not available yet."
        ),
    ),
    Feature("returns", "Returns", False, "Syncs returns, refunds and cancellation requests: the Returns and cancellations page."),
    Feature("live_shopping", "LIVE shopping", False, "Syncs LIVE sessions with their GMV and viewers: the LIVE sessions page and the dashboard."),
    Feature("affiliate", "Affiliate / creators", False, "Syncs affiliate orders with their commissions, and the creators: their pages and the dashboard."),
    Feature(
        "shop_analytics",
        "Shop analytics",
        False,
        (
            "Syncs TikTok's daily shop performance (GMV, orders, units, buyers) and customer-service ratings: the Shop"
            " performance page; income verification reads them for shop quality."
        ),
    ),
)

DEFAULT_API_BASE_URL = "https://open-api.tiktokglobalshop.com"
DEFAULT_AUTH_BASE_URL = "https://auth.tiktok-shops.com"
# Consent pages per the authorization guide: US sellers use the .us host, everyone else ROW.
CONSENT_BASE_URLS = {"US": "https://services.tiktokshops.us", "ROW": "https://services.tiktokshop.com"}
OWN_HOSTS = (DEFAULT_API_BASE_URL, DEFAULT_AUTH_BASE_URL, *CONSENT_BASE_URLS.values())


class TikTokShopConfigSchema(AccountConfigSchema):
    region = region_field(REGIONS, "The shop's country (the UK is GB).")
    app_key = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9]{4,64}$", error="must be the app key from Partner Center (letters and digits)"),
        metadata={"label": "App Key", "help": "Partner Center > App & Service > your app.", "order": 20},
    )
    # Real secrets are 40 characters; the floor is low because TikTok's own webhook signature
    # example uses the secret "123", and that example must be usable as a test account.
    app_secret = secret_field("App Secret", 30, min_length=3, max_length=128)
    service_id = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Regexp(r"^[0-9A-Za-z]{1,64}$", error="must be the service id from Partner Center"),
        metadata={"label": "Service ID", "help": "Used in the seller authorization link.", "order": 35},
    )
    shop_cipher = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(min=1, max=128),
        metadata={
            "label": "Shop cipher",
            "help": "Filled in by Connect & Authorize (or when you choose among several authorized shops); one not authorized is refused.",
            "order": 40,
        },
    )
    features = features_field(FEATURES, "TikTokShopFeaturesSchema")
    history_months = fields.Integer(
        load_default=6,
        validate=validate.OneOf((6, 12), error="must be 6, or 12 for long retention"),
        metadata={"label": "History to keep", "help": "How far back the first sync reads.", "order": 95, "choice_labels": {"6": "6 months", "12": "12 months"}},
    )
    api_base_url = endpoint_field(DEFAULT_API_BASE_URL, "API base URL", 100)
    auth_base_url = endpoint_field(DEFAULT_AUTH_BASE_URL, "Auth base URL", 101, "Token host; change only to use a sandbox.")
    authorize_base_url = endpoint_field(None, "Consent page base URL", 102, "Empty: TikTok's own page for the region.")
