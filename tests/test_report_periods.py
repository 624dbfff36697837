"""Reporting periods across time zones and clock changes, checked against a brute-force walk
of the clock (quarter-hour by quarter-hour), not against the code's own arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from erp_integrations.reports.periods import MAX_DAYS, Period, PeriodError, midnight, parse_period

# Zones whose clocks change at midnight (Santiago, Havana), by half an hour (Lord Howe), not at
# all (Jakarta), skipped a whole day (Apia, 2011-12-30), plus the markets' usual ones.
ZONES = (
    "America/Santiago",
    "America/Havana",
    "Australia/Lord_Howe",
    "Asia/Jakarta",
    "Pacific/Apia",
    "Europe/London",
    "America/Los_Angeles",
    "America/Sao_Paulo",
)
days = st.dates(min_value=date(2010, 1, 1), max_value=date(2035, 12, 31))


def walked_start(day: date, zone: ZoneInfo) -> datetime | None:
    """The first quarter-hour from which the local date is ``day``, found by walking the clock."""
    t = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=15)
    for _ in range(4 * 40):
        if t.astimezone(zone).date() >= day:
            return t if t.astimezone(zone).date() == day else None
        t += timedelta(minutes=15)
    return None


@settings(max_examples=300, deadline=None)
@given(day=days, zone_name=st.sampled_from(ZONES))
# Found by this test: Havana's clocks went back from 01:00 to 00:00, so the day began at the
# first of its two midnights.
@example(day=date(2012, 11, 4), zone_name="America/Havana")
def test_a_local_day_starts_where_the_clock_says(day, zone_name):
    zone = ZoneInfo(zone_name)
    walked = walked_start(day, zone)
    if walked is None:  # a day the zone skipped (Apia's 30 December 2011): it has no instant
        assert midnight(day, zone) == midnight(day + timedelta(days=1), zone)
        return
    start, end = midnight(day, zone), midnight(day + timedelta(days=1), zone)
    assert start == walked
    assert timedelta(hours=23) <= end - start <= timedelta(hours=25) or zone_name == "Pacific/Apia"
    # Every instant of the day reads as that day on a local clock.
    for k in range(0, int((end - start).total_seconds()), 1_800):
        assert (start + timedelta(seconds=k)).astimezone(zone).date() == day


@settings(max_examples=200, deadline=None)
@given(first=days, length=st.integers(min_value=1, max_value=120), zone_name=st.sampled_from(ZONES))
def test_a_range_is_its_days_end_to_end_and_its_previous_touches_it(first, length, zone_name):
    period = Period("custom", first, first + timedelta(days=length - 1), zone_name)
    bounds = period.day_bounds()
    assert len(bounds) == period.days == length
    assert bounds[0][1] == period.start and bounds[-1][2] == period.end
    assert all(a[2] == b[1] for a, b in zip(bounds, bounds[1:], strict=False))  # no gap, no overlap
    previous = period.previous()
    assert previous.days == period.days and previous.end == period.start


@settings(max_examples=200, deadline=None)
@given(anchor=days, zone_name=st.sampled_from(ZONES))
def test_day_week_and_month_contain_their_anchor(anchor, zone_name):
    for kind in ("day", "week", "month"):
        period = parse_period({"period": kind, "date": anchor.isoformat()}, zone_name) if anchor >= date(2016, 1, 1) else None
        if period is None:
            continue
        assert period.first <= anchor <= period.last
        if kind == "week":
            assert period.first.weekday() == 0 and period.days == 7
        if kind == "month":
            assert period.first.day == 1 and (period.last + timedelta(days=1)).day == 1
            previous = period.previous()
            assert previous.last + timedelta(days=1) == period.first and previous.first.day == 1


@pytest.mark.parametrize(
    "args, field",
    [
        ({"period": "custom", "from": "2026-03-02", "to": "2026-03-01"}, "to"),
        ({"period": "custom", "from": "2020-01-01", "to": (date(2020, 1, 1) + timedelta(days=MAX_DAYS)).isoformat()}, "to"),
        ({"period": "custom", "from": "2026-02-29", "to": "2026-03-01"}, "from"),
        ({"period": "custom", "from": "yesterday", "to": "2026-03-01"}, "from"),
        ({"period": "day", "date": "1999-01-01"}, "date"),
        ({"period": "quarter"}, "period"),
    ],
)
def test_bad_periods_name_their_field(args, field):
    with pytest.raises(PeriodError) as refused:
        parse_period(args, "UTC")
    assert refused.value.field == field and refused.value.message
