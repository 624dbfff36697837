"""Errors shared by the API and the admin pages."""


class RetryRefused(Exception):
    """A retry that cannot happen: the thing is unknown (404) or already done or running (409)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message
