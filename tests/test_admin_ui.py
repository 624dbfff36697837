"""The admin pages in a real browser: Debian's Chromium driven by Playwright, the ERP and the
TikTok Shop sandbox on real sockets, jobs on the real queue. Screenshots of the main pages are
written to docs/screenshots/ for the README."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from auth_support import ADMIN_EMAIL, PASSWORD, add_user
from conftest import serving
from sandbox_support import APP_KEY, APP_SECRET, SERVICE_ID, shops_of, start_sandbox
from sync_support import account_config, connect, run_jobs, sync

SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("the admin UI tests need Chromium: apt-get install chromium (bash .ci/run does it), or set CHROMIUM")
    return path


@pytest.fixture(scope="module")
def erp(session_app):
    with serving(session_app) as url:
        yield url


@pytest.fixture(scope="module")
def server(erp):
    # The consent page sends the seller back to the ERP's own callback.
    s = start_sandbox(orders=300, shops=2, redirect_url=f"{erp}/oauth/tiktok_shop/callback")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, erp, app):
    """A fresh browser context signed in as ``email``."""
    contexts = []

    def sign_in(email: str = ADMIN_EMAIL):
        context = browser.new_context(base_url=erp, viewport={"width": 1360, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    yield sign_in
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_an_admin_adds_a_shop_authorizes_it_syncs_and_reads_its_orders(open_page, admin, server, app, app_env, session_app):
    page = open_page()
    expect(page).to_have_url(re.compile(r"/accounts$"))

    # The dialog, drawn from the connector's schema, refuses what is wrong field by field.
    page.get_by_role("button", name="Add integration").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    # Choosing the marketplace redraws the dialog with that connector's fields.
    dialog.get_by_label("Marketplace").select_option(label="TikTok Shop")
    expect(page).to_have_url(re.compile(r"connector=tiktok_shop"))
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("App Secret")).to_have_attribute("type", "password")
    expect(dialog.locator("select[name=region] option")).to_have_count(16)
    expect(dialog.locator("fieldset.toggles input[type=checkbox]")).to_have_count(9)
    dialog.get_by_label("App Key").fill("not a key!")
    dialog.get_by_label("Webhook URL").fill("http://example.com/hooks")
    dialog.get_by_role("button", name="Save").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".field.invalid")).to_have_count(4)  # name, app key, app secret, webhook URL
    expect(dialog).to_contain_text("must be an https:// URL")
    expect(dialog).to_contain_text("must be the app key from Partner Center")
    shot(page, "add-integration-errors")

    dialog.get_by_label("Account name").fill("US flagship")
    dialog.get_by_label("App Key").fill(APP_KEY)
    dialog.get_by_label("App Secret").fill(APP_SECRET)
    dialog.get_by_label("Service ID").fill(SERVICE_ID)
    dialog.get_by_label("Webhook URL").fill("https://erp.example.com/webhooks/tiktok-shop/1")
    dialog.get_by_label("Auto-sync interval").select_option(label="Every 30 minutes")
    for feature in ("Returns", "Affiliate / creators", "LIVE shopping"):
        dialog.get_by_label(feature).check()
    dialog.locator("summary", has_text="Advanced").click()
    for field in ("API base URL", "Auth base URL", "Consent page base URL"):
        dialog.get_by_label(field).fill(server.url)
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator(".flash.success")).to_contain_text("US flagship was added")
    expect(page.get_by_label("App Secret")).to_have_value("")  # write-only: never sent back
    expect(page.get_by_label("App Secret")).to_have_attribute("placeholder", re.compile("Stored"))
    assert APP_SECRET not in page.content()

    # Connect & Authorize: the sandbox's consent page, then back to the settings, connected.
    page.get_by_role("button", name="Connect & Authorize").click()
    expect(page.get_by_role("heading", name="TikTok Shop sandbox")).to_be_visible()
    shot(page, "consent-page")
    page.get_by_role("button", name="Authorize").click()
    expect(page.locator(".flash.success")).to_contain_text("is authorized")
    expect(page.locator(".badges")).to_contain_text("Connected")
    shot(page, "settings")

    # Sync now from the monitor, then every enabled stream shows its run.
    page.get_by_role("link", name="Sync monitor").click()
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator(".flash.success")).to_contain_text("Sync queued")
    run_jobs(session_app, app_env)
    page.reload()
    orders_row = page.locator("#streams tr[data-stream=orders]")
    expect(orders_row).to_contain_text("succeeded")
    expect(page.locator("#streams .badge.bad")).to_have_count(0)
    expect(page.locator("#accounts, #streams")).to_be_visible()
    shot(page, "sync-monitor")

    # Orders: newest first, keyset pages, a status filter and a search by id.
    page.get_by_role("link", name="Orders", exact=True).click()
    rows = page.locator("#rows tbody tr")
    expect(rows).to_have_count(50)
    first_id = rows.first.locator("td").first.inner_text()
    shot(page, "orders")
    page.get_by_role("link", name="Older →").click()
    expect(rows).to_have_count(50)
    expect(rows.first.locator("td").first).not_to_have_text(first_id)
    page.get_by_role("link", name="← Newer").click()
    expect(rows.first.locator("td").first).to_have_text(first_id)
    page.get_by_label("Status").select_option("CANCELLED")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#rows tbody td.status").first).to_have_text("Cancelled")
    page.get_by_role("link", name="Clear").click()
    page.get_by_label("Search").fill(first_id)
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name=first_id).click()
    expect(page.get_by_role("heading", name=f"Order {first_id}")).to_be_visible()
    expect(page.locator("#lines tbody tr").first).to_be_visible()
    expect(page.locator("#history li").first).to_be_visible()
    shot(page, "order")

    page.get_by_role("link", name="Products", exact=True).click()
    expect(page.locator("table.inner").first).to_contain_text("Stock per warehouse")
    shot(page, "products")
    page.get_by_role("link", name="Affiliate orders").click()
    expect(page.locator("#rows tbody tr").first).to_be_visible()


def two_synced_shops(client, app, app_env, server) -> tuple[int, int]:
    ciphers = [s["cipher"] for s in shops_of(server)]
    first = connect(client, server, name="Shop one", shop_cipher=ciphers[0])
    second = connect(client, server, name="Shop two", shop_cipher=ciphers[1])
    for account_id in (first, second):
        sync(client, app, app_env, account_id, streams=["orders"])
    return first, second


def order_ids(account_id: int) -> set[str]:
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    db.session.rollback()
    return set(db.session.scalars(db.select(SalesOrder.external_id).where(SalesOrder.account_id == account_id)))


def test_switching_shops_scopes_every_page_and_is_remembered(open_page, client, app, app_env, server):
    first, second = two_synced_shops(client, app, app_env, server)
    assert order_ids(first) and order_ids(second) and not order_ids(first) & order_ids(second)
    page = open_page()
    page.goto(f"/accounts/{first}/data/orders?limit=200")
    shown = set(page.locator("#rows tbody tr td:first-child").all_inner_texts())
    assert shown and shown <= order_ids(first)
    # The header's switcher: same page, the other shop's rows only.
    page.get_by_label("Switch shop").select_option(label="Shop two (TikTok Shop)")
    expect(page).to_have_url(re.compile(rf"/accounts/{second}/data/orders"))
    shown = set(page.locator("#rows tbody tr td:first-child").all_inner_texts())
    assert shown and shown <= order_ids(second)
    expect(page.locator("aside .shop-name")).to_have_text("Shop two")
    shot(page, "switcher")
    # Remembered per user: signing in again lands on the chosen shop.
    page.get_by_role("button", name="Sign out").click()
    again = open_page()
    again.goto("/")
    expect(again).to_have_url(re.compile(rf"/accounts/{second}/monitor"))


def test_each_role_sees_and_does_only_what_it_may(open_page, client, app, app_env, server):
    first, second = two_synced_shops(client, app, app_env, server)
    add_user("manager@test.invalid", "manager", accounts=(first,))
    add_user("viewer@test.invalid", "viewer")
    add_user("creator@test.invalid", "creator", accounts=(second,))

    manager = open_page("manager@test.invalid")
    expect(manager.get_by_label("Switch shop").locator("option[value]:not([value=''])")).to_have_text(["Shop one (TikTok Shop)"])
    expect(manager.get_by_role("button", name="Add integration")).to_have_count(0)
    expect(manager.get_by_role("link", name="Users")).to_have_count(0)
    manager.goto(f"/accounts/{first}/monitor")
    expect(manager.get_by_role("button", name="Sync now")).to_be_visible()
    response = manager.goto(f"/accounts/{second}/monitor")
    assert response.status == 403
    expect(manager.get_by_role("alert")).to_contain_text("your role (manager) does not allow this on account")

    viewer = open_page("viewer@test.invalid")
    expect(viewer.get_by_label("Switch shop").locator("option[value]:not([value=''])")).to_have_count(2)
    viewer.goto(f"/accounts/{second}/settings")
    expect(viewer.get_by_role("button", name="Connect & Authorize")).to_have_count(0)
    expect(viewer.get_by_label("App Key")).to_be_disabled()
    viewer.goto(f"/accounts/{second}/monitor")
    expect(viewer.get_by_role("button", name="Sync now")).to_have_count(0)
    # Even a hand-made request with a valid CSRF token is refused, as the API refuses it.
    token = viewer.locator("meta[name=csrf-token]").get_attribute("content")
    refused = viewer.request.post(f"/accounts/{second}/sync", form={"csrf_token": token}, max_redirects=0)
    assert refused.status == 403
    forged = viewer.request.post(f"/accounts/{second}/sync", form={}, max_redirects=0)
    assert forged.status == 403

    creator = open_page("creator@test.invalid")
    creator.goto("/")
    expect(creator).to_have_url(re.compile(rf"/accounts/{second}/data/affiliate_orders"))
    expect(creator.locator("aside li")).to_have_text(["Affiliate orders", "Creators"])
    expect(creator.get_by_role("link", name="Sync monitor")).to_have_count(0)
    shot(creator, "creator-partner")
    assert creator.goto(f"/accounts/{second}/data/orders").status == 403
    assert creator.goto(f"/accounts/{first}/data/affiliate_orders").status == 403
