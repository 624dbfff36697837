from .queue import JobCall, enqueue, get_queue_backend, job_function, make_job_id, registered_jobs

__all__ = ["JobCall", "enqueue", "get_queue_backend", "job_function", "make_job_id", "registered_jobs"]
