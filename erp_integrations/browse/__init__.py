"""Read-only views of the synced ERP tables, shared by the data pages and the data API."""

from .details import order_detail, serialize_order_detail
from .keyset import InvalidCursor, Page, paginate
from .listings import (
    LISTINGS,
    InvalidQuery,
    Listing,
    fetch,
    filter_choices,
    json_value,
    row_values,
)

__all__ = [
    "LISTINGS",
    "InvalidCursor",
    "InvalidQuery",
    "Listing",
    "Page",
    "fetch",
    "filter_choices",
    "json_value",
    "order_detail",
    "paginate",
    "row_values",
    "serialize_order_detail",
]
