"""The dashboard's rollups equal a fresh aggregate of the base tables after any sequence of
writes. Hypothesis draws orders (placed across Santiago's daylight-saving changes, which fall
at midnight, in two currencies, any status), their lines and returns, rewrites of orders
already stored, purges and a change of the reporting zone; each is written through the storage
layer, the path a sync takes (``bulk_upsert`` and its ``erp_record_upserted`` hook). After
each step the seller figures, the daily rows, orders by status and the top lists read from the
rollups equal the same reads of the base tables, for the whole span and for a drawn range."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

START = datetime(2026, 3, 25, tzinfo=UTC)  # Santiago goes back an hour at midnight on 5 April
SPAN_MINUTES = 50 * 24 * 60
ZONES = ("America/Santiago", "Asia/Kolkata")  # Kolkata: days cut at :30 of a UTC hour
NAMES = itertools.count()  # account names are unique per connector
STATUSES = ("UNPAID", "AWAITING_SHIPMENT", "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED", None)

lines = st.lists(
    st.tuples(st.sampled_from(["P1", "P2", "P3", None]), st.sampled_from(["S1", "S2", "S3", "S4"]), st.integers(1, 5), st.integers(0, 50_000)),
    max_size=3,
)
returns = st.lists(
    st.tuples(st.sampled_from(["RETURN_OR_REFUND_REQUEST_COMPLETE", "RETURN_OR_REFUND_REQUEST_PENDING"]), st.one_of(st.none(), st.integers(0, 20_000))),
    max_size=2,
)
orders = st.fixed_dictionaries(
    {
        "n": st.integers(0, 24),  # a small pool of ids, so orders are written again
        "status": st.sampled_from(STATUSES),
        "currency": st.sampled_from(["USD", "CLP"]),
        "cents": st.integers(0, 1_000_000),
        "lines": lines,
        "returns": returns,
    }
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.lists(orders, min_size=1, max_size=8)),
        st.tuples(st.just("zone"), st.sampled_from(ZONES)),
        st.tuples(st.just("purge"), st.integers(0, 50)),
    ),
    min_size=1,
    max_size=6,
)


def money(cents: int) -> Decimal:
    return Decimal(cents) / 100


def write(account, batch: list[dict], spread: int = 0) -> None:
    from erp_integrations.models import AfterSale, SalesOrder
    from erp_integrations.models.erp import OrderLine
    from erp_integrations.storage.upsert import bulk_upsert

    rows = {}
    for o in batch:  # one page holds an order once; the last drawn wins, as in a later page
        rows[o["n"]] = o
    written = bulk_upsert(
        SalesOrder,
        [
            {
                "account_id": account.id,
                "external_id": f"o{o['n']}",
                "status": o["status"],
                # An order's creation time is fixed by its id, as at the marketplace.
                "remote_created_at": START + timedelta(minutes=(o["n"] * 2_903 + spread) % SPAN_MINUTES),
                "currency": o["currency"],
                "sub_total": money(o["cents"]),
                "tax": money(o["cents"] // 10),
                "shipping_fee": money(o["cents"] % 700),
            }
            for o in rows.values()
        ],
        account=account,
    ).ids
    line_rows = [
        {
            "account_id": account.id,
            "external_id": f"o{o['n']}-{k}",
            "order_id": written[(account.id, f"o{o['n']}")],
            "product_external_id": product,
            "product_name": product and f"Product {product}",
            "seller_sku": sku,
            "sku_name": f"SKU {sku}",
            "quantity": quantity,
            "sale_price": money(price),
            "currency": o["currency"],
        }
        for o in rows.values()
        for k, (product, sku, quantity, price) in enumerate(o["lines"])
    ]
    bulk_upsert(OrderLine, line_rows, account=account)
    return_rows = [
        {
            "account_id": account.id,
            "external_id": f"r{o['n']}-{k}",
            "kind": "return",
            "order_external_id": f"o{o['n']}",
            "status": status,
            "refund_total": None if cents is None else money(cents),
            "currency": o["currency"],
        }
        for o in rows.values()
        for k, (status, cents) in enumerate(o["returns"])
    ]
    bulk_upsert(AfterSale, return_rows, key=("account_id", "kind", "external_id"), account=account)


def fresh_and_rolled(account_id: int, period) -> tuple[dict, dict]:
    """What the base tables say and what the rollups say, in the same shape."""
    from erp_integrations.reports import breakdowns, rollups
    from erp_integrations.reports.figures import compute

    assert rollups.serves([account_id], period), "the rollups must answer a period in the account's zone"
    ids = [account_id]

    def normal_daily(found):
        return {(d, c or "???"): (int(n or 0), Decimal(g or 0), Decimal(r or 0)) for d, c, n, g, r in found if n or g or r}

    def normal_status(found):
        return sorted(((s or "", c or "???", int(n), Decimal(v or 0)) for s, c, n, v in found))

    def normal_top(found):
        return sorted(((i or "", name or "", c or "???", int(u), Decimal(s)) for i, name, c, u, s in found))

    fresh = {
        "figures": compute(ids, period.start, period.end, ("seller",)),
        "daily": normal_daily(breakdowns.base_daily_orders(ids, period)),
        "status": normal_status(breakdowns.base_orders_by_status(ids, period)),
        **{kind: normal_top(breakdowns.base_top(ids, period, kind, 1000)) for kind in rollups.ITEM_KEYS},
    }
    rolled = {
        "figures": compute(ids, period.start, period.end, ("seller",), lambda into: rollups.seller(ids, period, into)),
        "daily": normal_daily(rollups.daily_orders(ids, period)),
        "status": normal_status(rollups.orders_by_status(ids, period)),
        **{kind: normal_top(rollups.top(ids, period, kind, 1000)) for kind in rollups.ITEM_KEYS},
    }
    return fresh, rolled


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=steps, spread=st.integers(0, SPAN_MINUTES), cut=st.tuples(st.integers(0, 55), st.integers(0, 55)))
def test_the_rollups_equal_a_fresh_aggregate_after_every_change(app, steps, spread, cut):
    from erp_integrations.extensions import db
    from erp_integrations.models import IntegrationAccount
    from erp_integrations.reports.periods import Period
    from erp_integrations.retention import purge_history

    account = IntegrationAccount(connector="tiktok_shop", name=f"rollups {next(NAMES)}", config={"report_time_zone": ZONES[0], "history_months": 1})
    db.session.add(account)
    db.session.commit()
    first_day = date(2026, 3, 23)
    for kind, arg in steps:
        if kind == "write":
            write(account, arg, spread)
            db.session.commit()
        elif kind == "zone":
            account.config = {**account.config, "report_time_zone": arg}
            db.session.commit()
        else:  # purge with the clock so that the history window starts ``arg`` days in
            purge_history(account, now=START + timedelta(days=arg + 31))
        zone = account.config["report_time_zone"]
        low, high = sorted(cut)
        for period in (
            Period("custom", first_day, first_day + timedelta(days=60), zone),
            Period("custom", first_day + timedelta(days=low), first_day + timedelta(days=high), zone),
        ):
            fresh, rolled = fresh_and_rolled(account.id, period)
            assert rolled == fresh, (kind, period)


def test_a_write_marks_its_hour_and_a_refresh_consumes_the_mark(app):
    """Each page written marks the hours of its orders in its own transaction; a refresh
    deletes the marks it read, and the next write marks again."""
    from sqlalchemy import func, select

    from erp_integrations.extensions import db
    from erp_integrations.models import IntegrationAccount, RollupMark
    from erp_integrations.reports import rollups

    account = IntegrationAccount(connector="tiktok_shop", name="marks", config={"report_time_zone": "UTC"})
    db.session.add(account)
    db.session.commit()
    write(account, [{"n": 1, "status": "COMPLETED", "currency": "USD", "cents": 500, "lines": [], "returns": []}])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(RollupMark).where(RollupMark.account_id == account.id)) == 1
    rollups.refresh([account.id])
    assert db.session.scalar(select(func.count()).select_from(RollupMark).where(RollupMark.account_id == account.id)) == 0
    write(account, [{"n": 2, "status": "COMPLETED", "currency": "USD", "cents": 700, "lines": [], "returns": []}])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(RollupMark).where(RollupMark.account_id == account.id)) == 1
