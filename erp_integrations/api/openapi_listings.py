"""The data listings and the order detail in the OpenAPI document, drawn from the same listing
definitions the API serves (``browse/listings.py``), so the document cannot drift from the rows."""

from __future__ import annotations

from ..browse import LISTINGS

DECIMAL = {"type": "string", "format": "decimal", "nullable": True, "description": "exact decimal amount, in the row's (or object's) currency"}
TIME = {"type": "string", "format": "date-time", "nullable": True, "description": "UTC"}
TEXT = {"type": "string", "nullable": True}
KINDS = {
    "money": DECIMAL,
    "time": TIME,
    "int": {"type": "integer", "nullable": True},
    "bool": {"type": "boolean"},
    "list": {"type": "array", "items": {"type": "string"}},
    "named": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}},
    "status": {**TEXT, "description": "the marketplace's code"},
    "code": {**TEXT, "description": "the marketplace's code"},
}
CURRENCY = {"type": "string", "nullable": True, "description": "ISO 4217 code of every amount on this row or object"}

# What an expansion adds to each row of a listing (see the expand functions of the listings).
EXPANSIONS = {
    "products": {
        "skus": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": TEXT,
                    "seller_sku": TEXT,
                    "name": TEXT,
                    "price": DECIMAL,
                    "currency": CURRENCY,
                    "stock": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"warehouse": TEXT, "available": {"type": "integer"}, "committed": {"type": "integer", "nullable": True}},
                        },
                    },
                },
            },
        }
    },
    "affiliate_orders": {
        "lines": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "creator": TEXT,
                    "product_id": TEXT,
                    "product_title": {**TEXT, "description": "from the shop's catalog, where it has the product"},
                    "quantity": {"type": "integer"},
                    "currency": CURRENCY,
                    "commission_rate": {**DECIMAL, "description": "percent"},
                    "estimated_commission": DECIMAL,
                    "actual_commission": DECIMAL,
                    "refunded_quantity": {"type": "integer", "nullable": True},
                },
            },
        }
    },
    "promotions": {
        "covered": {
            "type": "array",
            "description": "an activity's products, and the SKUs priced one by one (a coupon covers none)",
            "items": {
                "type": "object",
                "properties": {
                    "product_id": TEXT,
                    "product_title": {**TEXT, "description": "from the shop's catalog, where it has the product"},
                    "sku_id": {**TEXT, "description": "null on the product's own row"},
                    "priced_by_sku": {"type": "boolean", "description": "the product's row of an activity that prices its SKUs: its price is their lowest"},
                    "percent_off": {**DECIMAL, "description": "percent"},
                    "activity_price": DECIMAL,
                    "currency": CURRENCY,
                    "quantity_limit": {"type": "integer", "nullable": True, "description": "null: no limit"},
                    "quantity_per_user": {"type": "integer", "nullable": True, "description": "null: no limit"},
                },
            },
        }
    },
    "creators": {
        "totals": {
            "type": "array",
            "description": "per currency",
            "items": {
                "type": "object",
                "properties": {"currency": CURRENCY, "lines": {"type": "integer"}, "estimated_commission": DECIMAL, "actual_commission": DECIMAL},
            },
        }
    },
}


def schema_name(listing_name: str) -> str:
    return "".join(part.capitalize() for part in listing_name.split("_"))


def register_listings(spec) -> dict:
    """Add a row and a page schema per listing; returns the data endpoint's 200 response."""
    pages = []
    for listing in LISTINGS.values():
        properties = {"id": {"type": "integer", "description": "the ERP row id"}}
        properties |= {c.key: KINDS.get(c.kind, TEXT) for c in listing.columns}
        if listing.has_money:
            properties["currency"] = CURRENCY
        properties |= EXPANSIONS.get(listing.name, {})
        name = schema_name(listing.name)
        spec.components.schema(f"{name}Row", {"type": "object", "properties": properties, "required": ["id"]})
        spec.components.schema(
            f"{name}Page",
            {
                "type": "object",
                "required": ["listing", "rows", "next", "prev"],
                "properties": {
                    "listing": {"type": "string", "enum": [listing.name]},
                    "rows": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}Row"}},
                    "next": {"type": "string", "nullable": True, "description": "cursor of the next (older) page"},
                    "prev": {"type": "string", "nullable": True, "description": "cursor of the previous (newer) page"},
                    "filters": {"type": "object", "nullable": True, "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                },
            },
        )
        pages.append({"$ref": f"#/components/schemas/{name}Page"})
    return {
        "description": "One page of the listing",
        "content": {
            "application/json": {"schema": {"oneOf": pages, "discriminator": {"propertyName": "listing"}}},
            # format=csv|xlsx: every row the filters select, as a download (README: Reports, exports).
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}},
        },
    }


def listing_parameters() -> list[dict]:
    """The query parameters of the data endpoint: every listing's (each refuses the ones it lacks)."""
    filters = sorted({name for listing in LISTINGS.values() for name in listing.filters})
    ranges = [
        {
            "name": name,
            "in": "query",
            "schema": {"type": "string"},
            "description": "ISO 8601 date or date-time (UTC without an offset), or unix seconds; a bare date as an end includes that day",
        }
        for name in ("created_from", "created_to", "updated_from", "updated_to")
    ]
    return [
        {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "exact id (or title words for products and LIVE sessions)"},
        *(
            {
                "name": name,
                "in": "query",
                "schema": {"type": "string"},
                "description": "a value the column holds, or the marketplace documents (422 lists them)",
            }
            for name in filters
        ),
        *ranges,
        {"name": "after", "in": "query", "schema": {"type": "string"}},
        {"name": "before", "in": "query", "schema": {"type": "string"}},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
        {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "xlsx"]}, "description": "download every row the filters select"},
        {
            "name": "with_filters",
            "in": "query",
            "schema": {"type": "string", "enum": ["1", "true"]},
            "description": "also return the values each filter can take",
        },
    ]


ORDER_DETAIL = {
    "type": "object",
    "properties": {
        **{c.key: KINDS.get(c.kind, TEXT) for c in LISTINGS["orders"].columns},
        "id": {"type": "integer"},
        "currency": CURRENCY,
        "amounts": {"type": "object", "additionalProperties": DECIMAL},
        "times": {
            "type": "object",
            "description": "the order's own times: created, paid, ready to ship, collected, delivered, cancelled, updated",
            "additionalProperties": TIME,
        },
        "lines": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": TEXT,
                    "product_id": TEXT,
                    "sku_id": TEXT,
                    "seller_sku": TEXT,
                    "product_name": TEXT,
                    "sku_name": TEXT,
                    "quantity": {"type": "integer"},
                    "currency": CURRENCY,
                    "original_price": DECIMAL,
                    "sale_price": DECIMAL,
                    "seller_discount": DECIMAL,
                    "platform_discount": DECIMAL,
                    "display_status": TEXT,
                    "package_id": TEXT,
                },
            },
        },
        "status_history": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "from": TEXT,
                    "to": {"type": "string"},
                    "at": TIME,
                    "time_source": {
                        "type": "string",
                        "enum": ["reported", "updated", "observed"],
                        "description": "reported: the marketplace's time for that status; updated: the order's update time; observed: when the sync saw it",
                    },
                },
            },
        },
        "shipments": {"type": "array", "items": {"$ref": "#/components/schemas/ShipmentsRow"}},
        "after_sales": {"type": "array", "items": {"$ref": "#/components/schemas/ReturnsRow"}},
    },
}
