"""What an admin configures for a Shopee shop."""

from __future__ import annotations

from marshmallow import fields, validate

from erp_integrations.toolkit import AccountConfigSchema, Feature, endpoint_field, features_field, region_field, secret_field

REGIONS = (
    ("SG", "Singapore"),
    ("MY", "Malaysia"),
    ("TH", "Thailand"),
    ("VN", "Vietnam"),
    ("PH", "Philippines"),
    ("ID", "Indonesia"),
    ("TW", "Taiwan"),
    ("BR", "Brazil"),
    ("MX", "Mexico"),
    ("CO", "Colombia"),
    ("CL", "Chile"),
)

# Each market's currency: Shopee's amounts carry none of their own (API.md 4.4).
CURRENCIES = {"SG": "SGD", "MY": "MYR", "TH": "THB", "VN": "VND", "PH": "PHP", "ID": "IDR", "TW": "TWD", "BR": "BRL", "MX": "MXN", "CO": "COP", "CL": "CLP"}

FEATURES = (
    Feature(
        "product_catalog",
        "Product catalog",
        True,
        "Syncs items and their models (variants) with prices into Products; lets the ERP push prices to Shopee.",
    ),
    Feature(
        "orders",
        "Orders and fulfillment",
        True,
        "Syncs orders with their lines, totals and status history into Orders, each released escrow into Statements (one per release day), and the wallet into Withdrawals (the available balance) and Payouts (withdrawals to the bank).",
    ),
    Feature(
        "inventory",
        "Inventory",
        True,
        "Syncs each model's seller stock per location (a location is a warehouse in the ERP); lets the ERP push stock to Shopee.",
    ),
    Feature("returns", "Returns", False, "Syncs buyers' return and refund requests into Returns; accepted and paid ones count as refunds in the reports."),
)

DEFAULT_API_BASE_URL = "https://partner.shopeemobile.com"
# Shopee's live hosts (API.md section 3, "Hosts"): global, mainland China and Brazil.
OWN_HOSTS = (DEFAULT_API_BASE_URL, "https://openplatform.shopee.cn", "https://openplatform.shopee.com.br")


class ShopeeConfigSchema(AccountConfigSchema):
    region = region_field(REGIONS)
    partner_id = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, error="must be a positive partner id"),
        metadata={"label": "Partner ID", "help": "Shopee Open Platform > App list.", "order": 20},
    )
    partner_key = secret_field("Partner Key", 30)
    push_key = secret_field("Push Partner Key", 35, "Key for verifying push callbacks; empty: the partner key.", required=False)
    shop_id = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Regexp(r"^[1-9][0-9]{0,19}$", error="must be Shopee's numeric shop id"),
        metadata={"label": "Shop ID", "help": "Filled in by Connect & Authorize.", "order": 40},
    )
    features = features_field(FEATURES, "ShopeeFeaturesSchema")
    api_base_url = endpoint_field(DEFAULT_API_BASE_URL, "API base URL", 100)
