"""Report rollups: the orders' figures summed per account, local day, currency and status, and
the products' and SKUs' sales per local day and per local month. The dashboard reads these
instead of a year of orders; ``reports/rollups.py`` keeps them equal to the base tables.

They are derived data: dropping every row is safe (the next refresh rebuilds them), and the
day is the account's local day in the zone recorded in ``erp_report_rollup_state``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Currency


def _account() -> Mapped[int]:
    return mapped_column(ForeignKey("integration_accounts.id", ondelete="CASCADE"), primary_key=True)


class ReportDay(Base):
    """The orders placed on a local day, by currency and status (status kept, so the figures'
    rule of which statuses count is applied when reading, as on the base table)."""

    __tablename__ = "erp_report_days"

    account_id: Mapped[int] = _account()
    day: Mapped[date] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(Currency, primary_key=True)
    status: Mapped[str] = mapped_column(String(40), primary_key=True)
    orders: Mapped[int]
    sub_total: Mapped[Decimal]
    tax: Mapped[Decimal]
    shipping_fee: Mapped[Decimal]
    units: Mapped[int]
    refunds: Mapped[Decimal]
    orders_refunded: Mapped[int]


class _ItemSales:
    """Units and sales of the counted orders' lines per product (``kind`` "product", keyed by
    product id) or per SKU ("sku", keyed by seller SKU)."""

    # Key order: account, then day, so a refresh deletes and re-sums a day (of both kinds) and
    # a month's rows by one index range.
    account_id: Mapped[int] = _account()
    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(7), primary_key=True)
    currency: Mapped[str] = mapped_column(Currency, primary_key=True)
    item: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    units: Mapped[int]
    sales: Mapped[Decimal]


class ReportItem(_ItemSales, Base):
    """Item sales per local day."""

    __tablename__ = "erp_report_items"


class ReportItemMonth(_ItemSales, Base):
    """Item sales per local month (``day`` its first day), summed from the days: a year's top
    list reads twelve months of rows and the days at its edges. A table of its own, so the
    rows a year reads lie together rather than among thirty times as many days."""

    __tablename__ = "erp_report_item_months"


class RollupState(Base):
    """The zone an account's rollups are cut in; a different zone (a changed setting or region)
    means they are rebuilt before use."""

    __tablename__ = "erp_report_rollup_state"

    account_id: Mapped[int] = _account()
    zone: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime]


class RollupMark(Base):
    """An hour (UTC) in which orders of the account were written since the rollups were last
    refreshed: the local days it touches are recomputed. Marks are read and deleted by id, so a
    mark written while a refresh runs survives it."""

    __tablename__ = "erp_report_marks"
    __table_args__ = (Index("ix_erp_report_marks_account", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("integration_accounts.id", ondelete="CASCADE"))
    hour: Mapped[datetime]
