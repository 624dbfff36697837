"""Canonical, marketplace-neutral ERP tables.

Every row carries ``account_id`` so one shop's data never shows in another's views, and the
marketplace's own id in ``external_id`` (unique per account), which is what sync upserts on.
Money columns are exact decimals with their currency; times are UTC. Personal data is kept to
what the reports need: buyer ids, not names or addresses.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from .base import Base, Currency, utcnow


class SyncedRecord:
    """Columns shared by every row that mirrors a marketplace record."""

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("integration_accounts.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    remote_updated_at: Mapped[datetime | None]
    synced_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("account_id", "external_id"),)


def money() -> Mapped[Decimal | None]:
    return mapped_column(nullable=True)


class Product(SyncedRecord, Base):
    __tablename__ = "erp_products"
    title: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str | None] = mapped_column(String(40))
    category_id: Mapped[str | None] = mapped_column(String(64))
    brand: Mapped[str | None] = mapped_column(String(200))
    remote_created_at: Mapped[datetime | None]


class ProductVariant(SyncedRecord, Base):
    __tablename__ = "erp_product_variants"
    product_id: Mapped[int] = mapped_column(ForeignKey("erp_products.id", ondelete="CASCADE"), index=True)
    seller_sku: Mapped[str | None] = mapped_column(String(200), index=True)
    name: Mapped[str | None] = mapped_column(String(500))
    price: Mapped[Decimal | None] = money()
    currency: Mapped[str | None] = mapped_column(Currency)


class Warehouse(SyncedRecord, Base):
    __tablename__ = "erp_warehouses"
    name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(40))  # SALES_WAREHOUSE, RETURN_WAREHOUSE
    is_default: Mapped[bool] = mapped_column(default=False)


class DeliveryOption(SyncedRecord, Base):
    """A way a warehouse ships (standard, express, economy, by the seller) with its size and
    weight limits and the carriers a seller may name when shipping with it; none when the
    marketplace itself fulfils the option."""

    __tablename__ = "erp_delivery_options"
    warehouse_external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    max_weight: Mapped[int | None]
    min_weight: Mapped[int | None]
    weight_unit: Mapped[str | None] = mapped_column(String(10))
    max_length: Mapped[int | None]
    max_width: Mapped[int | None]
    max_height: Mapped[int | None]
    dimension_unit: Mapped[str | None] = mapped_column(String(10))
    carriers: Mapped[list] = mapped_column(default=list)  # [{"id", "name"}]
    fulfilled_by_platform: Mapped[bool] = mapped_column(default=False)


class StockLevel(Base):
    __tablename__ = "erp_stock_levels"
    __table_args__ = (UniqueConstraint("variant_id", "warehouse_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("integration_accounts.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("erp_product_variants.id", ondelete="CASCADE"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("erp_warehouses.id", ondelete="CASCADE"))
    available: Mapped[int] = mapped_column(default=0)
    committed: Mapped[int] = mapped_column(default=0)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SalesOrder(SyncedRecord, Base):
    __tablename__ = "erp_sales_orders"

    @declared_attr.directive
    def __table_args__(cls):
        return (
            UniqueConstraint("account_id", "external_id"),
            # Keyset pagination of the admin's order list stays fast at millions of rows.
            Index("ix_erp_sales_orders_account_created", "account_id", "remote_created_at", "id"),
            # The same list filtered by status (the admin's most used filter) without a scan.
            Index("ix_erp_sales_orders_account_status_created", "account_id", "status", "remote_created_at", "id"),
        )

    status: Mapped[str | None] = mapped_column(String(40))
    remote_created_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    rts_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    collected_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancellation_initiator: Mapped[str | None] = mapped_column(String(40))
    buyer_user_id: Mapped[str | None] = mapped_column(String(128))
    warehouse_external_id: Mapped[str | None] = mapped_column(String(128))
    fulfillment_type: Mapped[str | None] = mapped_column(String(40))
    shipping_type: Mapped[str | None] = mapped_column(String(40))
    delivery_type: Mapped[str | None] = mapped_column(String(40))
    is_cod: Mapped[bool] = mapped_column(default=False)
    is_sample: Mapped[bool] = mapped_column(default=False)
    is_replacement: Mapped[bool] = mapped_column(default=False)
    is_on_hold: Mapped[bool] = mapped_column(default=False)
    currency: Mapped[str | None] = mapped_column(Currency)
    original_total_product_price: Mapped[Decimal | None] = money()
    sub_total: Mapped[Decimal | None] = money()
    original_shipping_fee: Mapped[Decimal | None] = money()
    shipping_fee: Mapped[Decimal | None] = money()
    seller_discount: Mapped[Decimal | None] = money()
    platform_discount: Mapped[Decimal | None] = money()
    shipping_fee_seller_discount: Mapped[Decimal | None] = money()
    shipping_fee_platform_discount: Mapped[Decimal | None] = money()
    tax: Mapped[Decimal | None] = money()
    product_tax: Mapped[Decimal | None] = money()
    shipping_fee_tax: Mapped[Decimal | None] = money()
    retail_delivery_fee: Mapped[Decimal | None] = money()
    small_order_fee: Mapped[Decimal | None] = money()
    total_amount: Mapped[Decimal | None] = money()


class OrderLine(SyncedRecord, Base):
    __tablename__ = "erp_order_lines"
    order_id: Mapped[int] = mapped_column(ForeignKey("erp_sales_orders.id", ondelete="CASCADE"), index=True)
    product_external_id: Mapped[str | None] = mapped_column(String(128))
    sku_external_id: Mapped[str | None] = mapped_column(String(128))
    seller_sku: Mapped[str | None] = mapped_column(String(200))
    product_name: Mapped[str | None] = mapped_column(String(500))
    sku_name: Mapped[str | None] = mapped_column(String(500))
    quantity: Mapped[int] = mapped_column(default=1)
    currency: Mapped[str | None] = mapped_column(Currency)
    original_price: Mapped[Decimal | None] = money()
    sale_price: Mapped[Decimal | None] = money()
    seller_discount: Mapped[Decimal | None] = money()
    platform_discount: Mapped[Decimal | None] = money()
    display_status: Mapped[str | None] = mapped_column(String(40))
    package_status: Mapped[str | None] = mapped_column(String(40))
    package_external_id: Mapped[str | None] = mapped_column(String(128))
    is_gift: Mapped[bool] = mapped_column(default=False)


class OrderStatusChange(Base):
    """One step of an order's status, at the marketplace's time where it reports one
    (``sync/status_history.py`` says how each time is found)."""

    __tablename__ = "erp_order_status_history"
    __table_args__ = (UniqueConstraint("order_id", "to_status", "remote_updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("integration_accounts.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("erp_sales_orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(40))
    to_status: Mapped[str] = mapped_column(String(40))
    remote_updated_at: Mapped[datetime | None]
    # When the step happened, and where that time comes from: reported, updated or observed.
    occurred_at: Mapped[datetime | None] = mapped_column(index=True)
    time_source: Mapped[str] = mapped_column(String(16), default="observed")
    observed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Shipment(SyncedRecord, Base):
    __tablename__ = "erp_shipments"
    order_external_ids: Mapped[list] = mapped_column(default=list)
    status: Mapped[str | None] = mapped_column(String(40))
    tracking_number: Mapped[str | None] = mapped_column(String(128))
    shipping_provider: Mapped[str | None] = mapped_column(String(200))
    handover_method: Mapped[str | None] = mapped_column(String(40))
    remote_created_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]


class ShippingDocument(Base):
    """A package's shipping label or packing slip, kept as the file itself: the marketplace's
    link to it expires (TikTok's after 24 hours), a printed label must be printable again."""

    __tablename__ = "erp_shipping_documents"
    __table_args__ = (UniqueConstraint("account_id", "package_external_id", "document_type", name="uq_erp_shipping_documents_package_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("integration_accounts.id", ondelete="CASCADE"))
    package_external_id: Mapped[str] = mapped_column(String(128))
    document_type: Mapped[str] = mapped_column(String(40))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    tracking_number: Mapped[str | None] = mapped_column(String(128))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class AfterSale(SyncedRecord, Base):
    """Returns, refunds and cancellations, told apart by ``kind``."""

    __tablename__ = "erp_after_sales"

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("account_id", "kind", "external_id"),)

    kind: Mapped[str] = mapped_column(String(16))  # return, cancellation
    order_external_id: Mapped[str | None] = mapped_column(String(128), index=True)
    type: Mapped[str | None] = mapped_column(String(40))  # REFUND, RETURN_AND_REFUND, REPLACEMENT, CANCEL...
    status: Mapped[str | None] = mapped_column(String(60))
    role: Mapped[str | None] = mapped_column(String(20))  # BUYER, SELLER, OPERATOR, SYSTEM
    reason: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str | None] = mapped_column(Currency)
    refund_total: Mapped[Decimal | None] = money()
    remote_created_at: Mapped[datetime | None]


class FinanceStatement(SyncedRecord, Base):
    __tablename__ = "erp_finance_statements"
    statement_time: Mapped[datetime | None]
    currency: Mapped[str | None] = mapped_column(Currency)
    settlement_amount: Mapped[Decimal | None] = money()
    revenue_amount: Mapped[Decimal | None] = money()
    fee_amount: Mapped[Decimal | None] = money()
    adjustment_amount: Mapped[Decimal | None] = money()
    shipping_cost_amount: Mapped[Decimal | None] = money()
    net_sales_amount: Mapped[Decimal | None] = money()
    payment_status: Mapped[str | None] = mapped_column(String(20))
    payment_external_id: Mapped[str | None] = mapped_column(String(128))


class StatementTransaction(SyncedRecord, Base):
    """Per-order settlement lines; unsettled ones have no statement yet."""

    __tablename__ = "erp_statement_transactions"
    statement_external_id: Mapped[str | None] = mapped_column(String(128), index=True)
    order_external_id: Mapped[str | None] = mapped_column(String(128), index=True)
    type: Mapped[str | None] = mapped_column(String(40))
    is_settled: Mapped[bool] = mapped_column(default=True)
    order_created_at: Mapped[datetime | None]
    currency: Mapped[str | None] = mapped_column(Currency)
    revenue_amount: Mapped[Decimal | None] = money()
    fee_amount: Mapped[Decimal | None] = money()
    shipping_cost_amount: Mapped[Decimal | None] = money()
    affiliate_commission_amount: Mapped[Decimal | None] = money()
    platform_commission_amount: Mapped[Decimal | None] = money()
    settlement_amount: Mapped[Decimal | None] = money()


class Payout(SyncedRecord, Base):
    __tablename__ = "erp_payouts"

    @declared_attr.directive
    def __table_args__(cls):
        # Reports sum the payouts paid in a period, per local day.
        return (UniqueConstraint("account_id", "external_id"), Index("ix_erp_payouts_account_paid", "account_id", "paid_at"))

    status: Mapped[str | None] = mapped_column(String(20))
    currency: Mapped[str | None] = mapped_column(Currency)
    amount: Mapped[Decimal | None] = money()
    settlement_amount: Mapped[Decimal | None] = money()
    reserve_amount: Mapped[Decimal | None] = money()
    remote_created_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    bank_account: Mapped[str | None] = mapped_column(String(64))  # masked as the API gives it


class Withdrawal(SyncedRecord, Base):
    __tablename__ = "erp_withdrawals"
    type: Mapped[str | None] = mapped_column(String(20))  # WITHDRAW, SETTLE, TRANSFER, REVERSE
    status: Mapped[str | None] = mapped_column(String(20))
    currency: Mapped[str | None] = mapped_column(Currency)
    amount: Mapped[Decimal | None] = money()
    fee: Mapped[Decimal | None] = money()
    remote_created_at: Mapped[datetime | None]


class LiveSession(SyncedRecord, Base):
    __tablename__ = "erp_live_sessions"
    title: Mapped[str | None] = mapped_column(String(500))
    username: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    currency: Mapped[str | None] = mapped_column(Currency)
    gmv: Mapped[Decimal | None] = money()
    orders: Mapped[int | None]
    units_sold: Mapped[int | None]
    customers: Mapped[int | None]
    viewers: Mapped[int | None]
    views: Mapped[int | None]
    peak_concurrent_users: Mapped[int | None]
    average_concurrent_users: Mapped[int | None]
    click_to_order_rate: Mapped[str | None] = mapped_column(String(16))


class Promotion(SyncedRecord, Base):
    """A marketplace promotion: an activity (discount, flash deal, buy-more-save-more, shipping
    discount) or a coupon, told apart by ``kind``. ``discount`` is the offer in words as the
    seller set it (tiers, thresholds); the figures a report needs have their own columns."""

    __tablename__ = "erp_promotions"

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("account_id", "kind", "external_id"),)

    kind: Mapped[str] = mapped_column(String(16))  # activity, coupon
    title: Mapped[str | None] = mapped_column(String(500))
    type: Mapped[str | None] = mapped_column(String(40))  # FLASHSALE, DIRECT_DISCOUNT... ; a coupon's display type
    status: Mapped[str | None] = mapped_column(String(40))
    scope: Mapped[str | None] = mapped_column(String(40))  # PRODUCT, VARIATION, SHOP; a coupon's product scope
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    discount: Mapped[str | None] = mapped_column(String(500))
    currency: Mapped[str | None] = mapped_column(Currency)
    amount_off: Mapped[Decimal | None] = money()
    percent_off: Mapped[Decimal | None] = money()
    min_spend: Mapped[Decimal | None] = money()
    promo_code: Mapped[str | None] = mapped_column(String(64))
    claimed: Mapped[int | None]
    redeemed: Mapped[int | None]
    remote_created_at: Mapped[datetime | None]


class PromotionProduct(SyncedRecord, Base):
    """A product an activity covers (``sku_external_id`` empty) or one of its SKUs priced on
    its own; ``external_id`` is ``activity:product:sku`` (``*`` for the product's row)."""

    __tablename__ = "erp_promotion_products"
    promotion_id: Mapped[int] = mapped_column(ForeignKey("erp_promotions.id", ondelete="CASCADE"), index=True)
    product_external_id: Mapped[str] = mapped_column(String(128))
    sku_external_id: Mapped[str | None] = mapped_column(String(128))
    percent_off: Mapped[Decimal | None] = money()
    currency: Mapped[str | None] = mapped_column(Currency)
    activity_price: Mapped[Decimal | None] = money()
    quantity_limit: Mapped[int | None]  # None: no limit (TikTok's -1)
    quantity_per_user: Mapped[int | None]


class Creator(SyncedRecord, Base):
    __tablename__ = "erp_creators"
    username: Mapped[str | None] = mapped_column(String(200))


class AffiliateOrder(SyncedRecord, Base):
    __tablename__ = "erp_affiliate_orders"

    @declared_attr.directive
    def __table_args__(cls):
        # Reports read a creator's orders by the local day they were placed.
        return (UniqueConstraint("account_id", "external_id"), Index("ix_erp_affiliate_orders_account_created", "account_id", "remote_created_at"))

    side: Mapped[str] = mapped_column(String(10), default="seller")  # seller, creator
    status: Mapped[str | None] = mapped_column(String(20))
    remote_created_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]


class AffiliateOrderLine(SyncedRecord, Base):
    __tablename__ = "erp_affiliate_order_lines"
    affiliate_order_id: Mapped[int] = mapped_column(ForeignKey("erp_affiliate_orders.id", ondelete="CASCADE"), index=True)
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("erp_creators.id", ondelete="SET NULL"))
    product_external_id: Mapped[str | None] = mapped_column(String(128))
    quantity: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str | None] = mapped_column(Currency)
    price: Mapped[Decimal | None] = money()
    content_type: Mapped[str | None] = mapped_column(String(20))
    content_id: Mapped[str | None] = mapped_column(String(128))
    campaign_id: Mapped[str | None] = mapped_column(String(128))
    open_collaboration_id: Mapped[str | None] = mapped_column(String(128))
    target_collaboration_id: Mapped[str | None] = mapped_column(String(128))
    commission_rate_bps: Mapped[int | None]  # hundredths of a percent: 1550 = 15.50 %
    shop_ads_commission_rate_bps: Mapped[int | None]
    estimated_commission_base: Mapped[Decimal | None] = money()
    estimated_commission: Mapped[Decimal | None] = money()
    estimated_shop_ads_commission: Mapped[Decimal | None] = money()
    actual_commission_base: Mapped[Decimal | None] = money()
    actual_commission: Mapped[Decimal | None] = money()
    actual_shop_ads_commission: Mapped[Decimal | None] = money()
    # Rewards (creator side): TikTok's bonus commission and creator commission reward fee.
    estimated_bonus_commission: Mapped[Decimal | None] = money()
    actual_bonus_commission: Mapped[Decimal | None] = money()
    estimated_creator_reward: Mapped[Decimal | None] = money()
    actual_creator_reward: Mapped[Decimal | None] = money()
    refunded_quantity: Mapped[int] = mapped_column(default=0)
    returned_quantity: Mapped[int] = mapped_column(default=0)


class ShopPerformanceDay(Base):
    __tablename__ = "erp_shop_performance"
    __table_args__ = (UniqueConstraint("account_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("integration_accounts.id", ondelete="CASCADE"))
    day: Mapped[date]
    currency: Mapped[str | None] = mapped_column(Currency)
    gmv: Mapped[Decimal | None] = money()
    orders: Mapped[int | None]
    units_sold: Mapped[int | None]
    buyers: Mapped[int | None]
    synced_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ShopServiceDay(Base):
    """A day of the shop's customer service as the marketplace rates it (TikTok's Customer
    Service Performance): how many chats, and the shares answered within a day and rated
    satisfied. A lender's view of the shop's standing (income verification's quality input)."""

    __tablename__ = "erp_shop_service"
    __table_args__ = (UniqueConstraint("account_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("integration_accounts.id", ondelete="CASCADE"))
    day: Mapped[date]
    support_sessions: Mapped[int] = mapped_column(default=0)
    # Percentages as the API gives them ("93.4"), kept exact with the money type's decimals.
    response_percentage: Mapped[Decimal | None] = money()
    satisfaction_percentage: Mapped[Decimal | None] = money()
    response_time_minutes: Mapped[Decimal | None] = money()
    synced_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
