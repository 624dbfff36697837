"""A table as an HTTP response: JSON for the API, or a streamed CSV / XLSX download (the same
for the API and the pages, so a page's download and the API's export cannot differ)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, stream_with_context

from .export import FORMATS, csv_chunks, xlsx_chunks


def download(fmt: str, filename: str, sheets: list[tuple[str, Any, Iterable[dict]]], zone: ZoneInfo) -> Response:
    """Stream the sheets (CSV: the first one) as ``filename.fmt``."""
    if fmt == "csv":
        title, columns, rows = sheets[0]
        body = csv_chunks(columns, rows, zone)
    else:
        body = xlsx_chunks(sheets, zone)
    return Response(
        stream_with_context(body),
        mimetype=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"', "Cache-Control": "no-store"},
    )


CENT = Decimal("0.01")


def plain(value: Any) -> Any:
    """A cell as JSON: money exact as a string (to the cent unless it has finer digits), times
    as ISO 8601."""
    if isinstance(value, Decimal):
        return str(value.quantize(CENT) if value == value.quantize(CENT) else value.normalize())
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def json_rows(columns, rows: Iterable[dict]) -> list[dict]:
    return [{key: plain(row.get(key)) for key, _, _ in columns} for row in rows]


def listing_download(fmt: str, listing, account, args, known_values=None) -> Response:
    """A listing's every row the filters select, as CSV or XLSX (``InvalidQuery`` before the
    download starts). CSV on PostgreSQL is the database's own COPY."""
    from ..browse.listings import copy_csv, export_columns, export_rows
    from ..extensions import db
    from .periods import account_zone_name

    zone = account_zone_name(account)
    filename = f"{listing.name}-{account.id}"
    if fmt == "csv" and db.engine.dialect.name == "postgresql":
        body = copy_csv(listing, account.id, args, zone, known_values)
        return Response(
            stream_with_context(body),
            mimetype=FORMATS["csv"],
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"', "Cache-Control": "no-store"},
        )
    rows = export_rows(listing, account.id, args, known_values)
    return download(fmt, filename, [(listing.title, export_columns(listing), rows)], ZoneInfo(zone))
