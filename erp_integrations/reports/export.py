"""Exports: any table (a report's rows, a listing's rows) as CSV or XLSX, streamed.

Columns are ``(key, heading, kind)``; kinds: ``text``, ``count``, ``money`` (a number: the
row's currency is a column of its own), ``date``, ``datetime`` (shown in the report's zone,
which the heading names), ``value`` (a report figure: money, count or rate, as the row says).

- **CSV** is written a row at a time (the generator never holds the table). Text that a
  spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return: OWASP's list for CSV injection) is prefixed with ``'``. Numbers are never
  touched: ``-12.50`` stays a number.
- **XLSX** is openpyxl in write-only mode (rows go straight to the file's XML, so memory stays
  flat), written to a temporary file and streamed from it (a zip cannot be sent before it is
  finished). Cells are typed: dates are dates, money and counts are numbers (Decimal, exact).
  A sheet holds at most 1,048,575 data rows; the rest go on "<name> (2)" and so on.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
XLSX_MAX_ROWS = 1_048_576 - 1  # Excel's sheet limit, less the heading
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
Columns = tuple[tuple[str, str, str], ...]


def neutralise(text: str) -> str:
    """Text a spreadsheet must not evaluate: a leading ``'`` makes it plain text."""
    if text and text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    return value.astimezone(zone).replace(tzinfo=None)


def cell(value: Any, kind: str, zone: ZoneInfo) -> Any:
    """A value typed for a spreadsheet cell."""
    if value is None:
        return None
    if kind == "datetime" and isinstance(value, datetime):
        return _local(value, zone)
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if kind in ("money", "value") and isinstance(value, str) and _NUMBER.match(value):
        return Decimal(value)
    if isinstance(value, (Decimal, int, float, date)):
        return value
    return str(value)


def headings(columns: Columns, zone: ZoneInfo) -> list[str]:
    return [f"{heading} ({zone.key})" if kind == "datetime" else heading for _, heading, kind in columns]


def _csv_converter(kind: str, zone: ZoneInfo):
    """How one column's values become CSV text (chosen once per column, not per cell)."""

    def text(value):
        return "" if value is None else neutralise(str(value))

    def plain(value):
        return "" if value is None else str(value)

    def moment(value):
        return "" if value is None else value.astimezone(zone).replace(tzinfo=None).isoformat(sep=" ")

    def report_value(value):
        return "" if value is None else (value if _NUMBER.match(str(value)) else neutralise(str(value)))

    return {"datetime": moment, "money": plain, "count": plain, "date": plain, "value": report_value}.get(kind, text)


def csv_chunks(columns: Columns, rows: Iterable[dict], zone: ZoneInfo, *, progress=None) -> Iterator[str]:
    """CSV text, a thousand rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings(columns, zone))
    converters = [(key, _csv_converter(kind, zone)) for key, _, kind in columns]
    for n, row in enumerate(rows, 1):
        writer.writerow([convert(row.get(key)) for key, convert in converters])
        if n % 1_000 == 0:
            if progress:
                progress(n)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(target, sheets: Iterable[tuple[str, Columns, Iterable[dict]]], zone: ZoneInfo, *, progress=None) -> int:
    """Write the sheets to ``target`` (a path or a binary file); the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    total = 0
    for title, columns, rows in sheets:
        part, sheet, in_sheet = 0, None, XLSX_MAX_ROWS

        for row in rows:
            if in_sheet >= XLSX_MAX_ROWS:
                part += 1
                sheet = book.create_sheet(_sheet_title(title, part))
                header = []
                for text in headings(columns, zone):
                    c = WriteOnlyCell(sheet, value=text)
                    c.font = bold
                    header.append(c)
                sheet.append(header)
                in_sheet = 0
            # Plain typed values: openpyxl gives dates and times their number format itself,
            # and a styled cell per value would cost more than the rest of the row.
            out = [cell(row.get(key), kind, zone) for key, _, kind in columns]
            for k, value in enumerate(out):
                if isinstance(value, str) and value.startswith("="):
                    # openpyxl would store it as a formula: keep it the text it is.
                    out[k] = WriteOnlyCell(sheet, value=value)
                    out[k].data_type = "s"
            sheet.append(out)
            in_sheet += 1
            total += 1
            if progress and total % 5_000 == 0:
                progress(total)
        if sheet is None:  # an empty table still gets its sheet and headings
            sheet = book.create_sheet(_sheet_title(title, 1))
            sheet.append(headings(columns, zone))
    book.save(target)
    return total


def _sheet_title(title: str, part: int) -> str:
    # Sheet names: at most 31 characters, none of []:*?/\
    clean = re.sub(r"[\[\]:*?/\\]", " ", title)[:26]
    return clean if part == 1 else f"{clean} ({part})"


def xlsx_chunks(sheets, zone: ZoneInfo, chunk: int = 256 * 1024) -> Iterator[bytes]:
    """The workbook, built in a temporary file and read back in chunks (deleted when done)."""
    with tempfile.TemporaryFile(suffix=".xlsx") as spool:
        write_xlsx(spool, sheets, zone)
        spool.seek(0)
        while True:
            data = spool.read(chunk)
            if not data:
                break
            yield data


def choose_format(args, accept: str | None) -> str | None:
    """``?format=csv|xlsx`` or an Accept header naming one of them; None: JSON / HTML."""
    asked = args.get("format")
    if asked:
        return asked
    for name, mime in FORMATS.items():
        if accept and mime.split(";")[0] in accept:
            return name
    return None
