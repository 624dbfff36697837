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
