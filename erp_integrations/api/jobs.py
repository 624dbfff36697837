"""Failed jobs: listed with their last error, and run again on request."""

from __future__ import annotations

from flask import jsonify

from ..auth import requires
from ..jobs import get_queue_backend
from . import api_blueprint
from .errors import ApiError


@api_blueprint.get("/jobs/failed")
@requires("admin")
def failed_jobs():
    return jsonify(jobs=get_queue_backend().failed_jobs())


@api_blueprint.post("/jobs/failed/<job_id>/retry")
@requires("admin")
def retry_failed_job(job_id: str):
    queued = get_queue_backend().retry_failed(job_id)
    if queued is None:
        raise ApiError(404, f"no failed job {job_id!r}")
    return jsonify(id=queued.id, queue=queued.queue, status=queued.status), 202
