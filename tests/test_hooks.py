"""Every hook is documented with its exact signature and exercised by the host."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import click
import pluggy
import pytest
from click.testing import CliRunner

from erp_integrations.connectors import Connector
from erp_integrations.hooks import hookimpl, hookspecs
from erp_integrations.hooks.manager import build_plugin_manager, get_plugin_manager, reset_plugin_manager

DOCS = Path(__file__).resolve().parents[1] / "docs" / "hooks.md"


def hookspec_names():
    return sorted(name for name, fn in vars(hookspecs).items() if inspect.isfunction(fn) and hasattr(fn, "erp_integrations_spec"))


def test_every_hook_is_documented_with_its_exact_signature():
    documented = dict(re.findall(r"^## (\w+)\(([^)]*)\)$", DOCS.read_text(), flags=re.M))
    specs = hookspec_names()
    assert specs, "no hookspecs found"
    for name in specs:
        assert name in documented, f"hook {name} is not documented in docs/hooks.md"
        signature = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
        assert documented[name] == signature, f"docs/hooks.md says {name}({documented[name]}) but the spec is {name}({signature})"
    assert set(documented) == set(specs), f"docs/hooks.md documents hooks that do not exist: {set(documented) - set(specs)}"


def test_every_hook_has_a_docstring():
    for name in hookspec_names():
        assert (getattr(hookspecs, name).__doc__ or "").strip(), f"hookspec {name} has no docstring"


class EchoConnector(Connector):
    name = "echo"
    display_name = "Echo"
    version = "9.9"

    def test_connection(self, account, secrets):
        from erp_integrations.connectors import ConnectionResult

        return ConnectionResult(True, "ok", "echo")


class EchoPlugin:
    def __init__(self):
        self.upserted, self.alerts, self.jobs = [], [], []

    @hookimpl
    def register_connectors(self, register):
        register(EchoConnector)

    @hookimpl
    def register_commands(self, cli):
        @cli.command("echo-hello")
        def echo_hello():
            click.echo("hello from a plugin")

    @hookimpl
    def erp_record_upserted(self, account, entity, records):
        self.upserted.append((account.id, entity, records))

    @hookimpl
    def notify(self, alert):
        self.alerts.append(alert.kind)

    @hookimpl(wrapper=True)
    def execute_job(self, job):
        self.jobs.append(("before", job.name))
        result = yield
        self.jobs.append(("after", job.name, result["status"]))
        return result


def test_register_connectors_adds_a_connector_to_the_api(plugin_manager, client):
    plugin_manager.register(EchoPlugin(), name="echo-plugin")
    reset_plugin_manager(plugin_manager)
    names = [c["name"] for c in client.get("/api/v1/connectors").get_json()["connectors"]]
    assert names == ["echo", "shopee", "tiktok_shop"]


def test_register_connectors_rejects_a_class_that_is_not_a_connector(plugin_manager):
    from erp_integrations.hooks import get_connectors

    class Bad:
        @hookimpl
        def register_connectors(self, register):
            register(object)

    plugin_manager.register(Bad())
    reset_plugin_manager(plugin_manager)
    with pytest.raises(TypeError, match="not a Connector subclass"):
        get_connectors()


def test_register_commands_adds_plugin_commands(plugin_manager):
    from erp_integrations.cli import cli

    plugin_manager.register(EchoPlugin(), name="echo-plugin")
    plugin_manager.hook.register_commands(cli=cli)
    try:
        result = CliRunner().invoke(cli, ["echo-hello"])
        assert result.exit_code == 0 and result.output == "hello from a plugin\n"
    finally:
        cli.commands.pop("echo-hello", None)


def test_connector_commands_come_through_the_hook():
    result = subprocess.run([sys.executable, "-m", "erp_integrations", "tiktok-shop", "--help"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "sign" in result.stdout


def test_erp_record_upserted_receives_written_rows(plugin_manager, app, tiktok_config):
    from datetime import datetime

    from erp_integrations.accounts import create_account
    from erp_integrations.extensions import db
    from erp_integrations.models import Product
    from erp_integrations.storage import bulk_upsert

    plugin = EchoPlugin()
    plugin_manager.register(plugin, name="echo-plugin")
    account = create_account("tiktok_shop", tiktok_config)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [{"account_id": account.id, "external_id": "p1", "title": "Mug", "remote_updated_at": now}]
    bulk_upsert(Product, rows, account=account)
    db.session.commit()
    [(account_id, entity, records)] = plugin.upserted
    assert (account_id, entity) == (account.id, "erp_products")
    synced_at = records[0].pop("synced_at")  # filled by the upsert: the rows as stored
    assert records == rows and synced_at.tzinfo is not None
    # A stale copy is skipped and not reported.
    stale = [{"account_id": account.id, "external_id": "p1", "title": "Old", "remote_updated_at": now.replace(year=2025)}]
    assert bulk_upsert(Product, stale, account=account).written == 0
    assert len(plugin.upserted) == 1
    assert db.session.scalar(db.select(Product.title)) == "Mug"


def test_notify_receives_alerts_and_a_failing_notifier_does_not_stop_others(plugin_manager, app):
    from erp_integrations.alerts import raise_alert

    class Broken:
        @hookimpl
        def notify(self, alert):
            raise RuntimeError("smtp down")

    plugin = EchoPlugin()
    plugin_manager.register(Broken(), name="broken")
    plugin_manager.register(plugin, name="echo-plugin")
    raise_alert(None, "needs_reauth", "authorize again")
    raise_alert(None, "needs_reauth", "authorize again")  # still open: not raised twice
    assert plugin.alerts == ["needs_reauth"]


def test_a_notify_wrapper_sees_every_delivery_and_the_failures(plugin_manager, app):
    """Notifiers are called through pluggy, so ``wrapper=True`` implementations run: here one
    that records each delivery's outcome, around a broken notifier and a working one."""
    from erp_integrations.alerts import raise_alert

    seen = []

    class Broken:
        @hookimpl
        def notify(self, alert):
            raise RuntimeError("smtp down")

    class Audit:
        @hookimpl(wrapper=True)
        def notify(self, alert):
            try:
                result = yield
            except RuntimeError as exc:
                seen.append((alert.kind, f"failed: {exc}"))
                raise
            seen.append((alert.kind, "delivered"))
            return result

    plugin = EchoPlugin()
    for name, instance in (("broken", Broken()), ("audit", Audit()), ("echo-plugin", plugin)):
        plugin_manager.register(instance, name=name)
    raise_alert(None, "sync_failing", "orders keep failing")
    assert plugin.alerts == ["sync_failing"]
    # Three notifiers (the host's log line, Broken, Echo): three deliveries, one failed.
    assert sorted(seen) == [("sync_failing", "delivered"), ("sync_failing", "delivered"), ("sync_failing", "failed: smtp down")]


def test_register_jobs_adds_a_job_the_queue_runs_by_name(plugin_manager, app):
    from erp_integrations.jobs import job_function, registered_jobs
    from erp_integrations.jobs.queue import job_retries, run_job

    calls = []

    @job_function("echo_job", retries=(1, 2))
    def echo_job(word):
        calls.append(word)
        return {"echoed": word}

    class Jobs:
        @hookimpl
        def register_jobs(self, register):
            register(echo_job)

    plugin_manager.register(Jobs(), name="jobs-plugin")
    assert run_job("echo_job", {"word": "hi"}) == {"echoed": "hi"} and calls == ["hi"]
    assert job_retries("echo_job") == (1, 2)
    # The host's own jobs come through the same hook.
    assert {"check_connection", "sync_account", "sync_due_streams", "push_changes", "process_webhooks", "purge_history", "check_books"} <= set(
        registered_jobs()
    )


@pytest.mark.parametrize(
    ("job", "error", "words"),
    [
        (lambda: None, TypeError, "is not a job"),
        ("sync_account", ValueError, "two jobs are named 'sync_account'"),
    ],
)
def test_a_job_must_be_declared_and_its_name_unique(plugin_manager, job, error, words):
    from erp_integrations.hooks.manager import collect_jobs
    from erp_integrations.jobs import job_function

    func = job_function(job)(lambda: None) if isinstance(job, str) else job

    class Jobs:
        @hookimpl
        def register_jobs(self, register):
            register(func)

    plugin_manager.register(Jobs(), name="bad-jobs")
    with pytest.raises(error, match=words):
        collect_jobs(plugin_manager)


def test_execute_job_wrappers_see_every_job(plugin_manager, app, tiktok_config):
    from erp_integrations.accounts import create_account
    from erp_integrations.jobs.queue import run_job

    plugin = EchoPlugin()
    plugin_manager.register(plugin, name="echo-plugin")
    account = create_account("tiktok_shop", tiktok_config)
    result = run_job("check_connection", {"account_id": account.id})
    assert result["status"] == "not_authorized"
    assert plugin.jobs == [("before", "check_connection"), ("after", "check_connection", "not_authorized")]


def test_check_pending_rejects_a_misspelled_hook():
    class Typo:
        @hookimpl
        def register_conectors(self, register):  # misspelled on purpose
            pass

    pm = build_plugin_manager(load_entrypoints=False)
    pm.register(Typo())
    with pytest.raises(pluggy.PluginValidationError, match="register_conectors"):
        pm.check_pending()


def test_plugins_load_lazily_and_once():
    reset_plugin_manager()
    try:
        first = get_plugin_manager()
        assert get_plugin_manager() is first
        assert {"tiktok_shop", "shopee"} <= {name for name, _ in first.list_name_plugin()}
    finally:
        reset_plugin_manager()


def test_blocked_plugins_are_not_loaded():
    pm = build_plugin_manager(blocked=frozenset({"shopee"}))
    names = {name for name, plugin in pm.list_name_plugin() if plugin is not None}
    assert "tiktok_shop" in names and "shopee" not in names
    assert pm.is_blocked("shopee")


def test_block_variable_reaches_the_cli():
    import os

    env = {**os.environ, "ERP_INTEGRATIONS_BLOCK_PLUGINS": "shopee, other"}
    result = subprocess.run([sys.executable, "-m", "erp_integrations", "plugins"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "tiktok_shop" in result.stdout and "shopee " not in result.stdout
    assert "blocked: other, shopee" in result.stdout
