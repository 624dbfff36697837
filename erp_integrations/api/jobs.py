"""Failed jobs: listed with their last error, and run again on request."""

from __future__ import annotations

from flask import jsonify

from ..auth import requires
from ..extensions import db
from ..jobs import get_queue_backend
from ..jobs.queue import job_account_id
from ..models import IntegrationAccount
from . import api_blueprint
from .errors import ApiError


@api_blueprint.get("/jobs/failed")
@requires("admin")
def failed_jobs():
    return jsonify(jobs=get_queue_backend().failed_jobs())


@api_blueprint.post("/jobs/failed/<job_id>/retry")
@requires("admin")
def retry_failed_job(job_id: str):
    backend = get_queue_backend()
    job = next((j for j in backend.failed_jobs() if j["id"] == job_id), None)
    if job is None:
        raise ApiError(404, f"no failed job {job_id!r}")
    account_id = job_account_id(job)
    if account_id is not None and db.session.get(IntegrationAccount, account_id) is None:
        raise ApiError(404, f"the account of job {job_id!r} (id {account_id}) was deleted; there is nothing to retry")
    queued = backend.retry_failed(job_id)
    if queued is None:
        raise ApiError(404, f"no failed job {job_id!r}")
    return jsonify(id=queued.id, queue=queued.queue, status=queued.status), 202
