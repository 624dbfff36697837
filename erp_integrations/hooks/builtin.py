"""The host's own hook implementations: core behaviour goes through the same hooks as plugins."""

from __future__ import annotations

import logging
import time

from .markers import hookimpl

log = logging.getLogger("erp_integrations.jobs")


@hookimpl(trylast=True)
def execute_job(job):
    return job.func(**job.kwargs)


@hookimpl(wrapper=True, specname="execute_job")
def time_job(job):
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        log.info("job %s finished in %.3f s", job.name, time.perf_counter() - started)


@hookimpl
def register_jobs(register):
    # The host's jobs, each beside its domain; the queue itself imports none of them.
    from ..accounts.jobs import check_connection
    from ..push.jobs import push_changes
    from ..reports.jobs import check_books
    from ..retention import purge_history_job
    from ..sync.jobs import sync_account, sync_due_streams
    from ..webhooks.jobs import process_webhooks

    for job in (check_connection, sync_account, sync_due_streams, push_changes, process_webhooks, purge_history_job, check_books):
        register(job)


@hookimpl
def notify(alert):
    # In-app delivery is the stored row itself; this only makes alerts visible in logs.
    logging.getLogger("erp_integrations.alerts").warning("alert %s (account %s): %s", alert.kind, alert.account_id, alert.message)


@hookimpl
def erp_record_upserted(account, entity, records):
    # The dashboard's rollups learn which days changed through the hook every plugin sees.
    from ..reports.rollups import mark_written

    mark_written(entity, records)
