"""The scheduler against a real Redis: intervals, spreading, coalescing, budgets, sweeps."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from redis import Redis
from rq import Queue

from erp_integrations.scheduler import offset_of, slot_of


def make_accounts(intervals, first: int = 0):
    """Connected accounts (no marketplace is contacted: the tick only enqueues)."""
    from erp_integrations.extensions import db
    from erp_integrations.models import IntegrationAccount

    accounts = [
        IntegrationAccount(connector="tiktok_shop", name=f"shop {k}", config={}, features={}, sync_interval_minutes=m, status="connected")
        for k, m in enumerate(intervals, start=first)
    ]
    db.session.add_all(accounts)
    db.session.commit()
    return [a.id for a in accounts]


def queued(redis_url, queue="sync") -> list[str]:
    return Queue(queue, connection=Redis.from_url(redis_url)).job_ids


def test_each_account_runs_once_per_interval_at_its_own_offset(rq_app, redis_url):
    from erp_integrations.scheduler import Scheduler

    [account] = make_accounts([15])
    scheduler = Scheduler(rq_app)
    start = 1_800_000_000.0 - (1_800_000_000 - offset_of(account, 900)) % 900  # a slot boundary
    assert scheduler.tick(start + 1).enqueued == 0  # first sight: waits for its next slot
    assert scheduler.tick(start + 899).enqueued == 0
    report = scheduler.tick(start + 900)
    assert (report.due, report.enqueued) == (1, 1)
    assert queued(redis_url) == [f"sync_due_streams-{account}"]
    assert scheduler.tick(start + 901).enqueued == 0  # same slot: nothing more


def test_missed_ticks_coalesce_into_one_run(rq_app, redis_url):
    from erp_integrations.scheduler import Scheduler

    [account] = make_accounts([5])
    scheduler = Scheduler(rq_app)
    scheduler.tick(1_800_000_000.0)
    # The scheduler was down for ten intervals: one run, not ten.
    assert scheduler.tick(1_800_000_000.0 + 10 * 300).enqueued == 1
    assert queued(redis_url) == [f"sync_due_streams-{account}"]


def test_manual_accounts_are_never_scheduled_and_a_restart_remembers_slots(rq_app, redis_url):
    from erp_integrations.scheduler import Scheduler

    manual, hourly = make_accounts([None, 60])
    Scheduler(rq_app).tick(1_800_000_000.0)
    restarted = Scheduler(rq_app)  # slots come back from Redis
    report = restarted.tick(1_800_000_000.0 + 3600)
    assert report.enqueued == 1 and queued(redis_url) == [f"sync_due_streams-{hourly}"]
    assert Scheduler(rq_app).tick(1_800_000_000.0 + 3601).enqueued == 0


def test_a_tick_starts_at_most_its_budget_and_the_rest_follow(rq_app, redis_url):
    from erp_integrations.scheduler import Scheduler

    make_accounts([5] * 30)
    scheduler = Scheduler(rq_app, max_per_tick=10)
    scheduler.tick(1_800_000_000.0)
    later = 1_800_000_000.0 + 600
    first = scheduler.tick(later)
    assert (first.due, first.enqueued, first.deferred) == (30, 10, 20)
    assert scheduler.tick(later + 1).enqueued == 10
    assert scheduler.tick(later + 2).enqueued == 10
    assert len(queued(redis_url)) == 30


def test_accounts_added_or_changed_after_start_are_picked_up(rq_app, redis_url):
    from erp_integrations.accounts import get_account
    from erp_integrations.extensions import db
    from erp_integrations.scheduler import Scheduler

    [account] = make_accounts([5])
    scheduler = Scheduler(rq_app)
    t = 1_800_000_000.0
    scheduler.tick(t)
    make_accounts([15], first=1)  # after the first full read: found through updated_at
    assert scheduler.tick(t + 1).accounts == 2
    # Moved from 5 to 60 minutes: it keeps running, hourly (a slot of one period must not be
    # compared with a slot of another).
    get_account(account).sync_interval_minutes = 60
    db.session.commit()
    scheduler.tick(t + 2)
    later = t + 2 + 3600
    assert scheduler.tick(later).enqueued >= 1
    assert scheduler.slots.get(f"sync:{account}:60") == slot_of(account, 3600, later)
    assert f"sync_due_streams-{account}" in queued(redis_url)


def test_a_deleted_or_disconnected_account_is_not_started(rq_app, redis_url):
    from erp_integrations.accounts import delete_account, get_account
    from erp_integrations.extensions import db
    from erp_integrations.scheduler import Scheduler

    gone, paused, kept = make_accounts([5, 5, 5])
    scheduler = Scheduler(rq_app)
    scheduler.tick(1_800_000_000.0)
    delete_account(get_account(gone))
    get_account(paused).status = "needs_reauth"
    db.session.commit()
    report = scheduler.tick(1_800_000_000.0 + 600)
    assert report.enqueued == 1 and queued(redis_url) == [f"sync_due_streams-{kept}"]


def test_a_second_scheduler_stands_by_while_the_first_leads(rq_app):
    from erp_integrations.scheduler import Scheduler

    leader, standby = Scheduler(rq_app), Scheduler(rq_app)
    standby.identity += "-standby"
    assert leader._lead() and not standby._lead()
    assert leader._lead()  # renewing


def test_the_fan_out_job_enqueues_each_enabled_stream_once(rq_app, redis_url, tiktok_config):
    from erp_integrations.accounts import create_account
    from erp_integrations.extensions import db
    from erp_integrations.jobs.queue import run_job

    account = create_account("tiktok_shop", tiktok_config)
    account.status = "connected"  # the scheduler fans out only for connected accounts
    db.session.commit()
    first = run_job("sync_due_streams", {"account_id": account.id})
    again = run_job("sync_due_streams", {"account_id": account.id})
    assert first["queued"] > 0 and again == {"queued": 0, "already_waiting": first["queued"]}
    assert sorted(queued(redis_url)) == sorted(
        f"sync_account-{account.id}-{s}"
        for s in ("warehouses", "products", "inventory", "orders", "packages", "statements", "payments", "withdrawals", "unsettled")
    )


@settings(max_examples=50, deadline=None)
@given(period=st.sampled_from([300, 900, 1800, 3600]), now=st.floats(min_value=1.6e9, max_value=2.0e9), account=st.integers(min_value=1, max_value=10**9))
def test_slots_advance_exactly_once_per_period(period, now, account):
    assert slot_of(account, period, now + period) == slot_of(account, period, now) + 1
    assert 0 <= offset_of(account, period) < period


def test_offsets_spread_accounts_over_the_interval():
    offsets = [offset_of(a, 900) for a in range(1, 10_001)]
    per_minute = [0] * 15
    for o in offsets:
        per_minute[o // 60] += 1
    assert max(per_minute) < 1.2 * 10_000 / 15  # no minute gets 20% more than its share
