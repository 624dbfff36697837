"""Push: ERP changes (stock, prices, shipments) sent to marketplaces through a debounced,
latest-wins outbox."""

from . import promotions  # noqa: F401 - adds the promotion kinds to the outbox's resolvers
from .outbox import PushRequestInvalid, request_changes, schedule_push
from .runner import PushBusy, run_push

__all__ = ["PushBusy", "PushRequestInvalid", "request_changes", "run_push", "schedule_push"]
