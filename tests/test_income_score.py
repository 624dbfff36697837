"""Properties of the income score (hypothesis): within 0-100, and monotone in what it reads:
more income never lowers it, a higher return rate never raises it, faster growth never lowers
it. And the window's months add up to the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from erp_integrations.income.score import ScoreInputs, score
from erp_integrations.income.window import Window

money = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False)
rate = st.none() | st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)


@st.composite
def inputs(draw, **fixed):
    months = draw(st.integers(min_value=1, max_value=12))
    month_incomes = fixed.get("month_incomes") or draw(st.lists(money, min_size=months, max_size=months))
    weeks = draw(st.integers(min_value=4, max_value=52))
    values = {
        "monthly_income": draw(money),
        "month_incomes": month_incomes,
        "month_orders": draw(st.lists(st.integers(0, 10_000), min_size=len(month_incomes), max_size=len(month_incomes))),
        "active_weeks": draw(st.integers(0, weeks)),
        "weeks": weeks,
        "history_days": draw(st.integers(0, 2_000)),
        "window_days": draw(st.integers(30, 365)),
        "return_rate": draw(rate),
        "cancellation_rate": draw(rate),
        "late_shipment_rate": draw(rate),
        "orders": draw(st.integers(0, 100_000)),
        "quality": draw(st.none() | st.decimals(min_value=0, max_value=1, places=3)),
    }
    values.update(fixed)
    return ScoreInputs(**values)


def total(i: ScoreInputs) -> float:
    return score(i)["score"]


@settings(max_examples=300)
@given(inputs())
def test_the_score_stays_within_0_and_100(i):
    result = score(i)
    assert 0 <= result["score"] <= 100
    assert all(0 <= f["value"] <= 100 for f in result["factors"])
    assert result["confidence"] in ("high", "medium", "low")


@settings(max_examples=300)
@given(inputs(), money, money)
def test_more_income_never_lowers_the_score(i, a, b):
    low, high = sorted((a, b))
    i.monthly_income = low
    lower = total(i)
    i.monthly_income = high
    assert total(i) >= lower


@settings(max_examples=300)
@given(inputs(), st.decimals(0, 1, places=4), st.decimals(0, 1, places=4))
def test_a_higher_return_rate_never_raises_the_score(i, a, b):
    low, high = sorted((a, b))
    i.return_rate = low
    better = total(i)
    i.return_rate = high
    assert total(i) <= better


@settings(max_examples=300)
@given(inputs(), money, money, money)
def test_faster_growth_never_lowers_the_score(i, first, a, b):
    """Raising the last month's income (the first month fixed) is faster growth."""
    low, high = sorted((a, b))
    orders = [i.month_orders[0], i.month_orders[-1]] if len(i.month_orders) > 1 else [0, 0]
    factor = lambda f: next(x for x in score(f)["factors"] if x["name"] == "growth")["value"]  # noqa: E731
    i.month_incomes, i.month_orders = [first, low], orders
    slower = factor(i)
    i.month_incomes = [first, high]
    assert factor(i) >= slower


@given(st.integers(30, 365), st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)))
def test_the_window_is_cut_into_30_day_months_that_cover_it(days, end):
    window = Window.ending(end, days)
    slices = window.slices()
    assert slices[0].start == window.start and slices[-1].end == window.end
    assert all(a.end == b.start for a, b in zip(slices, slices[1:], strict=False))
    assert all(s.end - s.start == timedelta(days=30) for s in slices[1:])
    assert 0 < (slices[0].end - slices[0].start).days <= 30
    assert window.months == Decimal(days) / 30
