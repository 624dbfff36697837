"""Mappers against the official samples, and properties of money and time mapping."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from erp_integrations.mapping import MappingError, money, unix
from erp_integrations_tiktok_shop.mappers.affiliate import AffiliateLineMapper, AffiliateOrderMapper, LiveSessionMapper
from erp_integrations_tiktok_shop.mappers.catalog import ProductMapper, VariantMapper, WarehouseMapper
from erp_integrations_tiktok_shop.mappers.finance import PaymentMapper, StatementMapper, TransactionMapper, UnsettledMapper, WithdrawalMapper
from erp_integrations_tiktok_shop.mappers.fulfillment import CancellationMapper, PackageMapper, ReturnMapper
from erp_integrations_tiktok_shop.mappers.orders import OrderLineMapper, OrderMapper

from conftest import shared_path


def documents(sample: str, *path: str) -> list[dict]:
    data = json.loads(shared_path("tiktok-shop", "samples", *sample.split("/")).read_text())["data"]
    for key in path[:-1]:
        data = data[key]
    found = data[path[-1]] if path else data
    return found if isinstance(found, list) else [found]


def line_items(sample: str) -> list[dict]:
    return [line for order in documents(sample, "orders") for line in order["line_items"]]


def skus(sample: str, *path: str) -> list[dict]:
    return [sku for product in documents(sample, *path) for sku in product["skus"]]


# (mapper, documents, columns the sample legitimately leaves empty)
CASES = [
    (OrderMapper, lambda: documents("official_docs/order_202309_orders_search.response.json", "orders"), set()),
    (OrderMapper, lambda: documents("official_docs/order_202507_orders.response.json", "orders"), set()),
    (OrderLineMapper, lambda: line_items("official_docs/order_202309_orders_search.response.json"), set()),
    (ProductMapper, lambda: documents("official_docs/product_202502_products_search.response.json", "products"), set()),
    (ProductMapper, lambda: documents("official_docs/product_202309_products_product_id.response.json"), set()),
    (VariantMapper, lambda: skus("official_docs/product_202502_products_search.response.json", "products"), set()),
    (WarehouseMapper, lambda: documents("official_docs/logistics_202309_warehouses.response.json", "warehouses"), set()),
    (PackageMapper, lambda: documents("official_docs/fulfillment_202309_packages_search.response.json", "packages"), set()),
    (ReturnMapper, lambda: documents("official_docs/return_refund_202309_returns_search.response.json", "return_orders"), set()),
    (CancellationMapper, lambda: documents("official_docs/return_refund_202309_cancellations_search.response.json", "cancellations"), set()),
    (StatementMapper, lambda: documents("official_docs/finance_202309_statements.response.json", "statements"), set()),
    (TransactionMapper, lambda: documents("official_docs/finance_202501_statements_statement_id_statement_transactions.response.json", "transactions"), set()),
    (UnsettledMapper, lambda: documents("official_docs/finance_202507_orders_unsettled.response.json", "transactions"), set()),
    (PaymentMapper, lambda: documents("official_docs/finance_202309_payments.response.json", "payments"), set()),
    (WithdrawalMapper, lambda: documents("official_docs/finance_202309_withdrawals.response.json", "withdrawals"), set()),
    (AffiliateOrderMapper, lambda: documents("official_docs/affiliate_seller_202410_orders_search.response.json", "orders"), set()),
    # The seller side names no content ids for some SKUs in this sample; campaign ids are empty
    # strings; rewards (bonus commission, creator reward fee) are the creator side's alone.
    (
        AffiliateLineMapper,
        lambda: [s for o in documents("official_docs/affiliate_seller_202410_orders_search.response.json", "orders") for s in o["skus"]],
        {
            "campaign_id",
            "target_collaboration_id",
            "open_collaboration_id",
            "estimated_bonus_commission",
            "actual_bonus_commission",
            "estimated_creator_reward",
            "actual_creator_reward",
        },
    ),
    (
        AffiliateLineMapper,
        lambda: [s for o in documents("official_docs/affiliate_creator_202410_orders_search.response.json", "orders") for s in o["skus"]],
        {"campaign_id", "target_collaboration_id", "open_collaboration_id"},
    ),
    (LiveSessionMapper, lambda: documents("official_docs/analytics_202508_shop_lives_performance.response.json", "live_stream_sessions"), set()),
]


@pytest.mark.parametrize(("mapper", "load", "may_be_empty"), CASES, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_official_samples_map_without_losing_a_field(mapper, load, may_be_empty):
    """Every ERP column a mapper fills gets a value from the (fully populated) official sample:
    a renamed or moved field shows up here as an empty column."""
    for document in load():
        row = mapper.row(document, account_id=1)
        empty = {column for column, value in row.items() if value is None} - may_be_empty
        assert empty == set(), f"{mapper.__name__} left {sorted(empty)} empty for a sample that has them"


def test_order_sample_money_is_exact():
    order = documents("official_docs/order_202309_orders_search.response.json", "orders")[0]
    row = OrderMapper.row(order, account_id=1)
    assert row["product_tax"] == Decimal("21.3") and row["retail_delivery_fee"] == Decimal("1.28")
    assert row["currency"] == "IDR" and row["remote_created_at"] == datetime(2021, 4, 28, 12, 6, 1, tzinfo=UTC)


def test_bad_payloads_name_the_field_and_record():
    with pytest.raises(MappingError, match=r"OrderMapper record 42: payment.total_amount: 'lots' is not an amount"):
        OrderMapper.row({"id": "42", "payment": {"total_amount": "lots"}})
    with pytest.raises(MappingError, match="must arrive as strings"):
        OrderMapper.row({"id": "42", "payment": {"total_amount": 10.5}})
    with pytest.raises(MappingError, match="create_time: 'yesterday' is not a unix timestamp"):
        OrderMapper.row({"id": "42", "create_time": "yesterday"})


amounts = st.decimals(min_value=Decimal("-99999999999.99"), max_value=Decimal("99999999999.99"), places=2, allow_nan=False, allow_infinity=False)


@given(value=amounts)
def test_money_strings_map_to_the_same_decimal(value):
    assert money("x")({"x": str(value)}) == value
    assert money("a.b")({"a": {"b": format(value, "f")}}) == value


@given(seconds=st.integers(min_value=1, max_value=4_102_444_800))
def test_unix_times_map_to_aware_utc(seconds):
    mapped = unix("t")({"t": seconds})
    assert mapped.tzinfo is UTC and int(mapped.timestamp()) == seconds
    assert unix("t")({"t": str(seconds)}) == mapped
    assert unix("t")({"t": 0}) is None


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=60)
@given(value=st.decimals(min_value=Decimal("-999999999999.9999"), max_value=Decimal("999999999999.9999"), places=4, allow_nan=False, allow_infinity=False))
def test_money_survives_the_database_exactly(app, value):
    """Through the real column type and database (PostgreSQL NUMERIC, or SQLite scaled integers)."""
    from sqlalchemy import select

    from erp_integrations.extensions import db
    from erp_integrations.models import IntegrationAccount, Withdrawal

    account = db.session.scalar(select(IntegrationAccount).limit(1))
    if account is None:
        account = IntegrationAccount(connector="tiktok_shop", name="money")
        db.session.add(account)
        db.session.flush()
    db.session.execute(Withdrawal.__table__.delete())
    db.session.add(Withdrawal(account_id=account.id, external_id="w", amount=value, currency="USD"))
    db.session.flush()
    db.session.expire_all()
    assert db.session.scalar(select(Withdrawal.amount)) == value
    db.session.rollback()


def test_floats_never_reach_a_money_column(app):
    from erp_integrations.extensions import db
    from erp_integrations.models import IntegrationAccount, Withdrawal

    account = IntegrationAccount(connector="tiktok_shop", name="float")
    db.session.add(account)
    db.session.flush()
    db.session.add(Withdrawal(account_id=account.id, external_id="f", amount=0.1, currency="USD"))
    with pytest.raises(Exception, match="never a float"):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    ("raw", "currency", "expected"),
    [
        ("Rp9.900", "IDR", "9900"),
        ("Rp1.250.000", "IDR", "1250000"),
        ("$1,234.50", "USD", "1234.50"),
        ("12.5", "USD", "12.5"),
        ("1.234,56", "EUR", "1234.56"),
        ("-$3.10", "USD", "-3.10"),
        ("₫120,000", "VND", "120000"),
    ],
)
def test_display_formatted_amounts(raw, currency, expected):
    from erp_integrations.mapping import display_money

    assert display_money("p.amount", "p.currency")({"p": {"amount": raw, "currency": currency}}) == Decimal(expected)


def test_creator_sample_price_is_read_in_rupiah():
    skus = [s for o in documents("official_docs/affiliate_creator_202410_orders_search.response.json", "orders") for s in o["skus"]]
    row = AffiliateLineMapper.row(skus[0], account_id=1)
    assert row["currency"] == "IDR" and row["price"] == Decimal("9900")
