"""The circuit breaker against the sandbox's fault injection: a burst of server errors on one
API group opens its circuit and calls to it stop; the other groups go on; the scheduler skips
the paused streams; after the cooling one probe decides; an authorization error never opens a
circuit; the monitor and the API show a paused group and resume it; and a full sync after the
faults equals the sandbox's ground truth."""

from __future__ import annotations

import pytest

from erp_integrations.marketplace_errors import AuthError, ServerError
from erp_integrations.toolkit.breaker import NO_TICKET, BreakerPolicy, CircuitBreaker, CircuitOpen, paused_apis

from auth_support import page_client
from erp_stats import comparable, erp_stats
from sandbox_support import control
from sync_support import connect, sync, truth
from test_workers import wait_for

ORDERS_DOWN = {"unavailable_rate": 1.0, "paths": ["/order/"]}


@pytest.fixture
def breaker(app):
    """The app's breaker, with a cooling short enough for the probe to come within the test and
    no jitter (the production policy comes from the environment; see the README)."""
    breaker = CircuitBreaker.for_redis_url(app.config["ERP_SETTINGS"].redis_url, BreakerPolicy(failures=2, cooling=0.5, jitter=0.0))
    app.extensions["erp_integrations.breaker"] = breaker
    yield breaker
    app.extensions.pop("erp_integrations.breaker", None)


TRIES = 5  # the client's own tries of one call


def injected(server) -> int:
    return control(server, "GET", "/faults").json()["injected"].get("unavailable", 0)


def run(account_id: int, stream: str):
    from erp_integrations.sync import run_sync

    return run_sync(account_id, stream, trigger="manual")


def last_run(client, account_id: int, stream: str) -> dict:
    return next(r for r in client.get(f"/api/v1/accounts/{account_id}/runs").get_json()["runs"] if r["stream"] == stream)


def test_a_burst_of_server_errors_pauses_one_group_until_a_probe_succeeds(client, app, app_env, fresh_sandbox, breaker):
    account_id = connect(client, fresh_sandbox)
    control(fresh_sandbox, "PUT", "/faults", json=ORDERS_DOWN)

    # Two calls in a row fail, each after the client's five tries: the order group's circuit opens.
    for _ in range(breaker.policy.failures):
        assert paused_apis(account_id) == []
        with pytest.raises(ServerError):
            run(account_id, "orders")
    assert injected(fresh_sandbox) == breaker.policy.failures * TRIES
    assert [p["group"] for p in paused_apis(account_id)] == ["order"]

    # While it is open, a sync of orders sends nothing and says why; products go on.
    with pytest.raises(CircuitOpen):
        run(account_id, "orders")
    assert injected(fresh_sandbox) == breaker.policy.failures * TRIES
    assert "paused" in last_run(client, account_id, "orders")["error"]
    assert run(account_id, "products").status == "succeeded"

    # The marketplace recovers; after the cooling, one call is the probe, and it closes the circuit.
    control(fresh_sandbox, "DELETE", "/faults")
    wait_for(lambda: paused_apis(account_id)[0]["probe_due"], timeout=30, what="the cooling to pass")
    assert run(account_id, "orders").status == "succeeded"
    assert paused_apis(account_id) == []

    # And nothing was lost: a full sync equals the ground truth.
    sync(client, app, app_env, account_id, full=True)
    expected = truth(fresh_sandbox)
    assert erp_stats(account_id, expected) == comparable(expected)


def test_a_failed_probe_pauses_again_for_twice_as_long(client, app, fresh_sandbox, breaker):
    account_id = connect(client, fresh_sandbox)
    control(fresh_sandbox, "PUT", "/faults", json=ORDERS_DOWN)
    for _ in range(breaker.policy.failures):
        with pytest.raises(ServerError):
            run(account_id, "orders")
    first = breaker.open_circuits(str(account_id))["order"]
    wait_for(lambda: paused_apis(account_id)[0]["probe_due"], timeout=30, what="the cooling to pass")
    with pytest.raises(ServerError):  # the probe: one call (with its tries), and it fails
        run(account_id, "orders")
    assert injected(fresh_sandbox) == (breaker.policy.failures + 1) * TRIES
    again = breaker.open_circuits(str(account_id))["order"]
    assert again["cooling"] == 2 * first["cooling"] and again["failures"] == breaker.policy.failures + 1
    with pytest.raises(CircuitOpen):  # and it is paused again
        run(account_id, "orders")


def test_authorization_errors_never_open_a_circuit(client, app, fresh_sandbox, breaker):
    account_id = connect(client, fresh_sandbox)
    changed = client.patch(f"/api/v1/accounts/{account_id}", json={"config": {"app_secret": "not-the-app-secret"}})
    assert changed.status_code == 200, changed.get_json()
    for _ in range(7):
        with pytest.raises(AuthError):
            run(account_id, "products")
    assert paused_apis(account_id) == []
    # The person who can fix it sees the marketplace's own refusal, not a pause.
    assert "paused" not in last_run(client, account_id, "products")["error"]


def test_the_schedule_skips_paused_streams(client, app, fresh_sandbox, breaker):
    from erp_integrations.accounts import get_account
    from erp_integrations.hooks import get_connector
    from erp_integrations.sync.enqueue import choose_streams
    from erp_integrations.sync.jobs import sync_due_streams

    account_id = connect(client, fresh_sandbox)
    groups = {g for gs in get_connector("tiktok_shop").stream_groups.values() for g in gs}
    for group in groups:  # every group of the account keeps failing on the marketplace's side
        for _ in range(breaker.policy.failures):
            breaker.failed(str(account_id), group, ServerError("HTTP 503"), NO_TICKET)
    outcome = sync_due_streams(account_id)
    # Nothing queued: every stream the account would sync is paused, each saying why.
    assert outcome["queued"] == 0 and outcome["already_waiting"] == 0
    assert set(outcome["paused"]) == set(choose_streams(get_account(account_id)))
    assert outcome["paused"]["orders"] == "the marketplace's order API is paused"


def test_the_monitor_and_the_api_show_a_paused_group_and_resume_it(client, app, admin, fresh_sandbox, breaker):
    account_id = connect(client, fresh_sandbox)
    for _ in range(breaker.policy.failures):
        breaker.failed(str(account_id), "finance", ServerError("HTTP 500"), NO_TICKET)
    page, token = page_client(app)
    monitor = page.get(f"/accounts/{account_id}/monitor").get_data(as_text=True)
    assert 'id="paused-apis"' in monitor and f"after {breaker.policy.failures} failed calls" in monitor
    runs = client.get(f"/api/v1/accounts/{account_id}/runs").get_json()
    assert [p["group"] for p in runs["paused_apis"]] == ["finance"]
    assert client.post(f"/api/v1/accounts/{account_id}/paused-apis/order/resume").status_code == 404
    assert client.post(f"/api/v1/accounts/{account_id}/paused-apis/finance/resume").get_json()["paused"] is False
    assert paused_apis(account_id) == []
    # The page's button does the same.
    for _ in range(breaker.policy.failures):
        breaker.failed(str(account_id), "finance", ServerError("HTTP 500"), NO_TICKET)
    answer = page.post(f"/accounts/{account_id}/paused-apis/finance/resume", data={"csrf_token": token}, follow_redirects=True)
    assert answer.status_code == 200 and "Calls to the finance API resume now." in answer.get_data(as_text=True)
    assert paused_apis(account_id) == []


def test_only_failures_in_a_row_open_it(app, breaker):
    """Any success, from any worker, starts the count again: a marketplace answering 95% of
    calls is not paused, one that stopped answering is."""
    scope, error, almost = "4242", ServerError("HTTP 500"), breaker.policy.failures - 1
    for _ in range(almost):
        breaker.failed(scope, "order", error, breaker.before(scope, "order"))
    breaker.succeeded(scope, "order", breaker.before(scope, "order"))
    for _ in range(almost):
        breaker.failed(scope, "order", error, breaker.before(scope, "order"))
    assert breaker.open_circuits(scope) == {}
    breaker.failed(scope, "order", error, breaker.before(scope, "order"))
    assert set(breaker.open_circuits(scope)) == {"order"}
    with pytest.raises(CircuitOpen, match="order API are paused until"):
        breaker.before(scope, "order")


def test_a_change_pushed_while_paused_stays_pending_and_goes_out_after(client, app, app_env, fresh_sandbox):
    from test_tiktok_push import outbox, push, skus_of

    from erp_integrations.jobs import get_queue_backend
    from erp_integrations.jobs.queue import EmbeddedQueue

    from sync_support import run_jobs

    account_id = connect(client, fresh_sandbox)
    sync(client, app, app_env, account_id, streams=["warehouses", "products", "inventory"])
    sku = next(iter(skus_of(app, account_id).values()))[0].external_id
    # A pause long enough to outlast the worker's start (the workers read it from Redis).
    breaker = CircuitBreaker.for_redis_url(app.config["ERP_SETTINGS"].redis_url, BreakerPolicy(failures=1, cooling=600, jitter=0.0))
    app.extensions["erp_integrations.breaker"] = breaker
    breaker.failed(str(account_id), "product", ServerError("HTTP 503"), NO_TICKET)
    push(client, account_id, "stock", {"sku": sku, "quantity": 17})
    backend = get_queue_backend(app)
    if isinstance(backend, EmbeddedQueue):
        known = len(backend.failures)
        backend.join()
        assert "paused" in backend.failures[known]["error"]
    else:
        run_jobs(app, app_env)  # the job fails and waits for its retry in RQ's scheduled registry
    pending = outbox(client, account_id)[0]
    assert pending["status"] == "pending" and "paused" in pending["error"]  # kept, not failed

    assert client.post(f"/api/v1/accounts/{account_id}/paused-apis/product/resume").status_code == 200
    assert client.post(f"/api/v1/accounts/{account_id}/push/requests/{pending['id']}/retry").status_code == 202
    run_jobs(app, app_env)
    assert outbox(client, account_id)[0]["status"] == "sent"
