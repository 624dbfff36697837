"""Declarative mappers: an ERP row is a dict of column -> field reader over a marketplace
document. Readers are tiny functions so a mapper reads like the table it fills.

    class OrderMapper(Mapper):
        model = SalesOrder
        columns = {"external_id": text("id"), "paid_at": unix("paid_time"), "total_amount": money("payment.total_amount")}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

Reader = Callable[[dict], Any]


class MappingError(ValueError):
    """A document does not have the shape a mapper needs; says which field and record."""


def dig(document: dict, path: str):
    return _digger(path)(document)


def _digger(path: str) -> Callable[[dict], Any]:
    """A reader for a dotted path, split once (mappers run per row, millions of times)."""
    parts = path.split(".")
    if len(parts) == 1:
        key = parts[0]
        return lambda document: document.get(key) if isinstance(document, dict) else None

    def read(document):
        value: Any = document
        for part in parts:
            if not isinstance(value, dict):
                return None
            value = value.get(part)
        return value

    return read


def text(path: str) -> Reader:
    get = _digger(path)

    def read(document):
        value = get(document)
        return None if value in (None, "") else str(value)

    return read


def unix(path: str, *, milliseconds: bool = False) -> Reader:
    """Unix seconds (int or numeric string) to an aware UTC datetime; 0 and empty mean unset.
    ``milliseconds`` for the few fields sent in milliseconds (TikTok's coupon times)."""
    get = _digger(path)
    per_second = 1000 if milliseconds else 1

    def read(document):
        value = get(document)
        if value in (None, "", 0, "0"):
            return None
        try:
            whole, fraction = divmod(int(value), per_second)  # integers throughout: no float rounding
            return datetime.fromtimestamp(whole, UTC) + timedelta(milliseconds=fraction)
        except (TypeError, ValueError, OverflowError):
            raise MappingError(f"{path}: {value!r} is not a unix timestamp") from None

    return read


def money(path: str) -> Reader:
    """A decimal amount as the API sends it (a string); never through float."""
    get = _digger(path)

    def read(document):
        value = get(document)
        if value in (None, ""):
            return None
        if isinstance(value, float):
            raise MappingError(f"{path}: amounts must arrive as strings, got float {value!r}")
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise MappingError(f"{path}: {value!r} is not an amount") from None

    return read


# ISO 4217 currencies without minor units, among the marketplaces' markets.
ZERO_DECIMAL_CURRENCIES = frozenset({"IDR", "VND", "JPY", "KRW", "CLP", "COP", "HUF", "TWD"})


def display_money(path: str, currency_path: str) -> Reader:
    """An amount that may arrive formatted for display ("Rp9.900", "$1,234.50"), as some
    affiliate endpoints send it. Separators are read with the currency's minor units: in IDR
    "9.900" is nine thousand nine hundred, not nine point nine."""
    plain, get_currency = money(path), _digger(currency_path)
    get = _digger(path)

    def read(document):
        try:
            return plain(document)
        except MappingError:
            pass
        raw, currency = str(get(document)), str(get_currency(document) or "")
        negative = raw.strip().startswith("-")
        cleaned = re.sub(r"[^0-9.,]", "", raw)
        if not cleaned or not any(ch.isdigit() for ch in cleaned):
            raise MappingError(f"{path}: {raw!r} is not an amount") from None
        if currency in ZERO_DECIMAL_CURRENCIES:
            whole, fraction = re.sub(r"[.,]", "", cleaned), ""
        else:
            last = max(cleaned.rfind("."), cleaned.rfind(","))
            tail = cleaned[last + 1 :] if last >= 0 else ""
            if last >= 0 and 1 <= len(tail) <= 2:
                whole, fraction = re.sub(r"[.,]", "", cleaned[:last]), tail
            else:
                whole, fraction = re.sub(r"[.,]", "", cleaned), ""
        value = Decimal(f"{whole or '0'}.{fraction or '0'}")
        return -value if negative else value

    return read


def integer(path: str) -> Reader:
    get = _digger(path)

    def read(document):
        value = get(document)
        if value in (None, ""):
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise MappingError(f"{path}: {value!r} is not an integer") from None

    return read


def flag(path: str) -> Reader:
    get = _digger(path)
    return lambda document: bool(get(document))


def const(value) -> Reader:
    return lambda document: value


class Mapper:
    model: ClassVar[type]
    columns: ClassVar[dict[str, Reader]]

    @classmethod
    def row(cls, document: dict, **fixed) -> dict:
        try:
            return {**fixed, **{column: read(document) for column, read in cls.columns.items()}}
        except MappingError as exc:
            record = document.get("id") or document.get("order_id") or "?"
            raise MappingError(f"{cls.__name__} record {record}: {exc}") from None
