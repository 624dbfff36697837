"""Jobs through real RQ workers on a real Redis, and through the embedded queue."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from redis import Redis
from sqlalchemy import select


def run_worker_burst(app_env, redis_url):
    """Run ``erp-integrations worker --burst``: a real RQ worker that stops when queues are empty."""
    env = {**os.environ, **app_env, "REDIS_URL": redis_url}
    result = subprocess.run([sys.executable, "-m", "erp_integrations", "worker", "--burst"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def make_account(config):
    from erp_integrations.accounts import create_account

    return create_account("tiktok_shop", config).id


def unreadable_account(config) -> int:
    """An account whose stored secret no key of the ring opens (a lost key): its jobs fail."""
    from sqlalchemy import update

    from erp_integrations.extensions import db
    from erp_integrations.models import AccountCredential

    account_id = make_account({**config, "name": f"{config['name']} (lost key)"})
    db.session.execute(update(AccountCredential).where(AccountCredential.account_id == account_id).values(ciphertext=b"\x00" * 40))
    db.session.commit()
    return account_id


def connection_logs(account_id):
    from erp_integrations.extensions import db
    from erp_integrations.models import IntegrationLog

    db.session.expire_all()
    return db.session.scalars(select(IntegrationLog).where(IntegrationLog.account_id == account_id, IntegrationLog.event == "connection_checked")).all()


def test_a_real_worker_runs_an_enqueued_job(rq_app, app_env, redis_url, tiktok_config):
    from erp_integrations.jobs import enqueue

    account_id = make_account(tiktok_config)
    job = enqueue("check_connection", account_id=account_id, job_id=f"check-{account_id}")
    assert job.status == "queued"
    run_worker_burst(app_env, redis_url)
    logs = connection_logs(account_id)
    assert [(log.level, log.data["status"]) for log in logs] == [("warning", "not_authorized")]


def test_a_job_id_waiting_in_the_queue_is_not_enqueued_twice(rq_app, app_env, redis_url, tiktok_config):
    from erp_integrations.jobs import enqueue

    account_id = make_account(tiktok_config)
    assert enqueue("check_connection", account_id=account_id, job_id="same").status == "queued"
    assert enqueue("check_connection", account_id=account_id, job_id="same").status == "duplicate"
    run_worker_burst(app_env, redis_url)
    assert len(connection_logs(account_id)) == 1
    # Once it has run, the same id can run again.
    assert enqueue("check_connection", account_id=account_id, job_id="same").status == "queued"


def test_a_failed_job_is_recorded_not_dropped(rq_app, app_env, redis_url, tiktok_config):
    from rq import Queue
    from rq.registry import FailedJobRegistry

    from erp_integrations.jobs import enqueue

    enqueue("check_connection", account_id=unreadable_account(tiktok_config), job_id="doomed")
    run_worker_burst(app_env, redis_url)
    registry = FailedJobRegistry(queue=Queue("default", connection=Redis.from_url(redis_url)))
    assert registry.get_job_ids() == ["doomed"]
    job = Queue("default", connection=Redis.from_url(redis_url)).fetch_job("doomed")
    assert "DecryptionError" in job.latest_result().exc_string


def test_a_job_of_a_deleted_account_is_skipped_not_failed(rq_app, app_env, redis_url):
    from rq import Queue
    from rq.registry import FailedJobRegistry

    from erp_integrations.jobs import enqueue

    enqueue("check_connection", account_id=424242, job_id="orphan")
    run_worker_burst(app_env, redis_url)
    assert FailedJobRegistry(queue=Queue("default", connection=Redis.from_url(redis_url))).get_job_ids() == []


def test_unknown_jobs_queues_and_bad_ids_are_refused(rq_app):
    from erp_integrations.jobs import enqueue

    with pytest.raises(ValueError, match="may only contain"):
        enqueue("check_connection", job_id="a:b", account_id=1)
    with pytest.raises(LookupError, match="no job named"):
        enqueue("nope")
    with pytest.raises(ValueError, match="unknown queue"):
        enqueue("check_connection", queue="fast", account_id=1)


def test_embedded_queue_runs_jobs_in_process(app_env, tiktok_config, app):
    from erp_integrations.app import create_app, dispose
    from erp_integrations.jobs import enqueue, get_queue_backend

    env = {k: v for k, v in app_env.items() if k != "REDIS_URL"}
    embedded = create_app(env)
    with embedded.app_context():
        account_id = make_account(tiktok_config)
        assert enqueue("check_connection", account_id=account_id, job_id="e1").status == "queued"
        enqueue("check_connection", account_id=unreadable_account(tiktok_config), job_id="e2")
        enqueue("check_connection", account_id=999999, job_id="e3")  # deleted: skipped
        backend = get_queue_backend()
        backend.join()
        assert [log.data["status"] for log in connection_logs(account_id)] == ["not_authorized"]
        assert [f["job_id"] for f in backend.failures] == ["e2"]
        assert "DecryptionError" in backend.failures[0]["error"]
    dispose(embedded)


def test_background_test_connection_through_the_api(client, app_env, tiktok_config):
    from erp_integrations.jobs import get_queue_backend
    from erp_integrations.jobs.queue import EmbeddedQueue

    account = client.post("/api/v1/accounts", json={"connector": "tiktok_shop", "config": tiktok_config}).get_json()
    response = client.post(f"/api/v1/accounts/{account['id']}/test?background=1")
    assert response.status_code == 202
    assert response.get_json()["job"] == {"id": f"check_connection-{account['id']}", "status": "queued"}
    backend = get_queue_backend()
    if isinstance(backend, EmbeddedQueue):
        backend.join()
    else:
        run_worker_burst(app_env, client.application.config["ERP_SETTINGS"].redis_url)
    assert [log.data["status"] for log in connection_logs(account["id"])] == ["not_authorized"]


def test_worker_without_redis_explains_itself(app_env):
    env = {**os.environ, **{k: v for k, v in app_env.items() if k != "REDIS_URL"}}
    env.pop("REDIS_URL", None)
    result = subprocess.run([sys.executable, "-m", "erp_integrations", "worker", "--burst"], env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert "REDIS_URL is not set" in result.stderr


def test_a_delayed_job_is_scheduled_once_and_asking_without_delay_runs_it_now(rq_app, redis_url, tiktok_config):
    """Debouncing on RQ: requests within the delay coalesce into the job already scheduled."""
    import time

    from rq import Queue
    from rq.registry import ScheduledJobRegistry

    from erp_integrations.jobs import enqueue

    account_id = make_account(tiktok_config)
    registry = ScheduledJobRegistry(queue=Queue("push", connection=Redis.from_url(redis_url)))
    assert enqueue("check_connection", account_id=account_id, job_id="later", queue="push", delay=60).status == "scheduled"
    first_time = registry.get_scheduled_time("later")
    assert 50 < first_time.timestamp() - time.time() <= 60
    assert enqueue("check_connection", account_id=account_id, job_id="later", queue="push", delay=60).status == "duplicate"
    assert registry.get_scheduled_time("later") == first_time  # the first request's deadline holds
    assert enqueue("check_connection", account_id=account_id, job_id="later", queue="push").status == "queued"
    assert registry.get_job_ids() == [] and Queue("push", connection=Redis.from_url(redis_url)).job_ids == ["later"]


_gate = {}


def _register_gated_job(plugin_manager):
    import threading

    from erp_integrations.hooks import hookimpl
    from erp_integrations.jobs.queue import job_function

    _gate.setdefault("started", threading.Event())
    _gate.setdefault("release", threading.Event())
    _gate.setdefault("runs", [])

    @job_function("test_gated")
    def gated(label: str) -> None:
        _gate["runs"].append(label)
        _gate["started"].set()
        _gate["release"].wait(timeout=60)

    class GatedJob:
        @hookimpl
        def register_jobs(self, register):
            register(gated)

    plugin_manager.register(GatedJob(), name="gated-job")


def test_embedded_queue_debounces_and_follows_up_a_running_job(app_env, app, plugin_manager):
    from erp_integrations.app import create_app, dispose
    from erp_integrations.jobs import enqueue, get_queue_backend

    _register_gated_job(plugin_manager)
    embedded = create_app({k: v for k, v in app_env.items() if k != "REDIS_URL"})
    with embedded.app_context():
        assert enqueue("test_gated", job_id="gate", label="first").status == "queued"
        assert _gate["started"].wait(timeout=30)
        # Running: a plain request is a duplicate, a follow-up request queues one more run.
        assert enqueue("test_gated", job_id="gate", label="dropped").status == "duplicate"
        follow = enqueue("test_gated", job_id="gate", label="second", follow_up=True, delay=0.2)
        assert (follow.id, follow.status) == ("gate-again", "scheduled")
        assert enqueue("test_gated", job_id="gate", label="coalesced", follow_up=True, delay=0.2).status == "duplicate"
        _gate["release"].set()
        get_queue_backend().join()  # waits for the delayed follow-up too
        assert _gate["runs"] == ["first", "second"]
    dispose(embedded)
