"""The hooks a connector (or any plugin) can implement.

Each hook is documented with its exact signature in docs/hooks.md; a test fails when a hook
here is missing from that page or its signature differs.
"""

from .markers import hookspec


@hookspec
def register_connectors(register):
    """Register connector classes by calling ``register(connector_class)`` once for each.

    The class must subclass :class:`erp_integrations.connectors.Connector`. The host owns the
    registry, so a connector never imports another.
    """


@hookspec
def register_commands(cli):
    """Add click commands or groups to the ``erp-integrations`` command group ``cli``."""


@hookspec
def erp_record_upserted(account, entity, records):
    """Called after sync wrote rows of ``entity`` (an ERP table name) for ``account``.

    ``records`` is a list of dicts, one per row written, as stored. Lets an ERP react to new or
    changed rows (post a journal entry, reserve stock). Runs inside the sync job: keep it fast
    and enqueue heavy work.
    """


@hookspec
def register_jobs(register):
    """Register background jobs: call ``register(func)`` for each function decorated with
    ``erp_integrations.jobs.job_function(name, retries)``. A job runs by its name, on the queue
    the host chose (RQ or embedded), through ``execute_job``."""


@hookspec
def notify(alert):
    """Deliver an :class:`~erp_integrations.models.Alert` (already stored in-app) elsewhere:
    e-mail, chat, a pager. Exceptions are logged and never stop other notifiers.

    Each notifier is called through pluggy on its own (``alerts.deliver``), with every
    ``wrapper=True`` implementation of the other plugins around it: a wrapper sees each
    delivery, and may retry or time it. Keep a wrapper in a plugin object of its own: in a plugin
    that also notifies, it wraps only that plugin's own notifier."""


@hookspec(firstresult=True)
def execute_job(job):
    """Run a background job and return its result.

    ``job`` is a :class:`erp_integrations.jobs.JobCall` with ``name``, ``func`` and ``kwargs``.
    The host's implementation runs it; plugins add ``wrapper=True`` implementations for
    cross-cutting concerns (timing, tracing, logging) and must ``yield`` to let it run.
    """
