"""A connector offers only what it declares: every other action answers 501 with a message,
on the API, the OAuth callback, the webhook receiver, the pages and the CLI, and records nothing.

A configuration-only connector registered for these tests stands for a connector in its first
days; Shopee, which syncs and pushes stock and prices but receives no webhooks yet, stands for
the partial one. The registration checks use small connectors of their own."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
from connector_support import install_config_only
from sqlalchemy import func, select

from erp_integrations.connectors import CAPABILITIES, Connector, check_capabilities
from erp_integrations.extensions import db
from erp_integrations.models import IntegrationAccount, PushRequest

from auth_support import page_client

SHOPEE = {"name": "Shopee SG", "region": "SG", "partner_id": 1001, "partner_key": "partner-key-123"}


@pytest.fixture
def config_only(plugin_manager, client) -> int:
    install_config_only(plugin_manager)
    response = client.post("/api/v1/accounts", json={"connector": "config_only", "config": {"name": "Config only", "region": "SG"}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.fixture
def shopee_account(client) -> int:
    response = client.post("/api/v1/accounts", json={"connector": "shopee", "config": SHOPEE})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def refused(response, words: str, name: str = "Config Only") -> None:
    body = response.get_json()
    assert response.status_code == 501, body
    assert body["error"]["message"] == f"The {name} connector does not offer {words} yet"


def test_the_connectors_say_what_they_offer(client):
    connectors = {c["name"]: c for c in client.get("/api/v1/connectors").get_json()["connectors"]}
    assert connectors["tiktok_shop"]["capabilities"] == sorted(CAPABILITIES)
    assert connectors["tiktok_shop"]["push_kinds"] == [
        "stock",
        "price",
        "shipment",
        "return_decision",
        "cancellation_decision",
        "order_cancel",
        "promotion_create",
        "promotion_update",
        "promotion_product",
        "promotion_product_removal",
        "promotion_deactivate",
    ]
    assert connectors["shopee"]["capabilities"] == ["authorize", "push", "sync", "webhooks"] and connectors["shopee"]["push_kinds"] == [
        "stock",
        "price",
        "shipment",
    ]


def test_connect_and_authorize_is_refused_before_anything_is_recorded(client, app, config_only):
    refused(client.post(f"/api/v1/accounts/{config_only}/authorize"), "Connect & Authorize")
    # No OAuth state was issued for an authorization that cannot happen.
    assert "pending_state" not in (db.session.get(IntegrationAccount, config_only).auth_info or {})
    callback = client.get("/oauth/config_only/callback", query_string={"code": "c0de", "state": "anything"})
    refused(callback, "Connect & Authorize")


def test_sync_push_and_webhook_subscriptions_are_refused(client, app, config_only, shopee_account):
    refused(client.post(f"/api/v1/accounts/{config_only}/sync", json={}), "syncing")
    refused(client.post(f"/api/v1/accounts/{config_only}/push/stock", json={"items": [{"sku": "A", "quantity": 1}]}), "pushing changes")
    # A push kind the connector does not offer, though it pushes others.
    refused(
        client.post(f"/api/v1/accounts/{shopee_account}/push/return-decisions", json={"items": [{"return": "R1", "decision": "approve"}]}),
        "pushing return decision changes",
        "Shopee",
    )
    assert db.session.scalar(select(func.count()).select_from(PushRequest)) == 0
    refused(client.get(f"/api/v1/accounts/{config_only}/webhooks"), "managing webhook subscriptions")
    refused(client.post(f"/api/v1/accounts/{shopee_account}/webhooks/subscribe"), "managing webhook subscriptions", "Shopee")


def test_the_webhook_receiver_refuses_a_connector_that_receives_none(erp, config_only):
    response = requests.post(f"{erp}/webhooks/config-only/{config_only}", data=b'{"code": 3}', timeout=10)
    assert response.status_code == 501 and "does not receive webhooks" in response.text, response.text


def test_the_scheduled_fan_out_skips_it_instead_of_failing(app, config_only):
    from erp_integrations.sync.jobs import sync_due_streams

    outcome = sync_due_streams(config_only)
    assert outcome["queued"] == 0 and "does not offer syncing" in outcome["skipped"]


def test_the_pages_offer_only_what_it_can_do(app, admin, config_only):
    page, token = page_client(app)
    settings = page.get(f"/accounts/{config_only}/settings").get_data(as_text=True)
    assert 'id="capability-note"' in settings and 'id="connect-authorize"' not in settings
    assert "does not offer Connect &amp; Authorize, syncing, pushing changes" in settings
    monitor = page.get(f"/accounts/{config_only}/monitor").get_data(as_text=True)
    assert 'id="capability-note"' in monitor and 'id="sync-now"' not in monitor
    listing = page.get("/accounts?connector=config_only").get_data(as_text=True)
    assert "Config Only (configuration only)" in listing and 'id="capability-note"' in listing
    # A form posted anyway (an old tab) gets the message, not a 500.
    for path in (f"/accounts/{config_only}/authorize", f"/accounts/{config_only}/sync"):
        answer = page.post(path, data={"csrf_token": token}, follow_redirects=True)
        assert answer.status_code == 200 and "The Config Only connector does not offer" in answer.get_data(as_text=True)


def test_the_cli_says_so_and_fails(cli_env, shopee_account):
    # The CLI runs in its own process, with the installed connectors: Shopee's missing push kind.
    result = subprocess.run(
        [sys.executable, "-m", "erp_integrations", "push", "return", str(shopee_account), "R1", "approve"],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result
    assert "The Shopee connector does not offer pushing return decision changes yet" in result.stderr and "Traceback" not in result.stderr


class _Claims(Connector):
    name = "claims"
    display_name = "Claims"


@pytest.mark.parametrize(
    ("declared", "extra", "error", "words"),
    [
        ({"sync"}, {"streams": ("orders",)}, TypeError, "does not implement sync_stream"),
        ({"authorize"}, {"authorization_url": lambda self, account, state: "https://x"}, TypeError, "does not implement exchange_code, authorized_shops"),
        ({"push"}, {"push": lambda self, account, kind, items: {}}, TypeError, "'push' without push_kinds"),
        ({"sync"}, {"sync_stream": lambda self, context: None}, TypeError, "'sync' without streams"),
        ({"teleport"}, {}, ValueError, "unknown capabilities: teleport"),
    ],
)
def test_a_connector_cannot_claim_more_than_it_implements(declared, extra, error, words):
    claims = type("Claims", (_Claims,), {"capabilities": frozenset(declared), **extra})
    with pytest.raises(error, match=words):
        check_capabilities(claims)


def test_a_connector_that_implements_what_it_claims_is_accepted():
    honest = type("Honest", (_Claims,), {"capabilities": frozenset({"sync"}), "streams": ("orders",), "sync_stream": lambda self, context: None})
    check_capabilities(honest)
    assert honest.supports("sync") and not honest.supports("push")


def test_declared_streams_are_the_one_place_a_stream_is_named():
    """Names, toggles and breaker groups come from the declarations; the host's sync_stream
    runs the declared function, and nothing else."""
    from types import SimpleNamespace

    from erp_integrations.toolkit import Stream, Unsupported

    ran = []
    declared = type(
        "Declared",
        (_Claims,),
        {
            "capabilities": frozenset({"sync"}),
            "declared_streams": (
                Stream("orders", lambda context, client: ran.append((context.stream, client)), "orders", ("order",)),
                Stream("ledger", lambda context, client: None),
            ),
            "client": lambda self, account: f"client of {account}",
        },
    )
    check_capabilities(declared)  # no sync_stream of its own: the declarations are enough
    assert declared.streams == ("orders", "ledger")
    assert declared.stream_features == {"orders": "orders"} and declared.stream_groups == {"orders": ("order",)}
    declared().sync_stream(SimpleNamespace(stream="orders", account="shop 7"))
    assert ran == [("orders", "client of shop 7")]
    with pytest.raises(Unsupported):
        declared().sync_stream(SimpleNamespace(stream="payouts", account="shop 7"))
