"""The admin pages in a real browser: Debian's Chromium driven by Playwright, the ERP and the
TikTok Shop sandbox on real sockets, jobs on the real queue. Screenshots of the main pages are
written to docs/screenshots/ for the README when UPDATE_SCREENSHOTS=1."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect, sync_playwright

from auth_support import ADMIN_EMAIL, PASSWORD, add_user
from conftest import serving
from sandbox_support import APP_KEY, APP_SECRET, SERVICE_ID, shops_of, start_sandbox
from sync_support import connect, run_jobs, shop_clock, shop_zone, sync

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
    """Render the page as a picture: into the README's docs/screenshots/ only when asked
    (UPDATE_SCREENSHOTS=1), so a test run leaves the tree as it found it."""
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        page.screenshot(full_page=True)  # still rendered: a page that cannot be drawn fails here
        return
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
    # Each toggle says what it syncs and what it allows.
    expect(dialog.get_by_label("LIVE shopping")).to_have_accessible_description(re.compile("Syncs LIVE sessions"))
    expect(dialog.get_by_label("Promotions")).to_be_enabled()
    expect(dialog.get_by_label("Promotions")).to_have_accessible_description(re.compile("Syncs promotion activities .* an activity can be deactivated"))
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
    # The seller leaves both shops ticked (US and GB): the account waits for the admin's choice,
    # and only the shop of its own region can be chosen.
    page.get_by_role("button", name="Authorize").click()
    expect(page.locator(".flash.warn").first).to_contain_text("2 shops were authorized")
    expect(page.locator(".badges")).to_contain_text("Choose a shop")
    shops = page.locator("table.shops tbody tr")
    expect(shops).to_have_count(2)
    expect(shops.nth(1).get_by_role("button", name="Use this shop")).to_be_disabled()
    shot(page, "choose-shop")
    shops.nth(0).get_by_role("button", name="Use this shop").click()
    expect(page.locator(".flash.success")).to_contain_text("Connected to Sandbox Shop 1 (US).")
    expect(page.locator(".flash.success")).not_to_contain_text("(US) (US)")
    expect(page.locator(".badges")).to_contain_text("Connected")
    expect(shops.nth(0)).to_contain_text("Synced by this account")
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
    shops = shops_of(server)
    first = connect(client, server, name="Shop one", shops=(0,), region=shops[0]["region"])
    second = connect(client, server, name="Shop two", shops=(1,), region=shops[1]["region"])
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


PHONE = {"width": 390, "height": 844}
# The outermost elements reaching past the screen's right edge (what makes a page too wide).
WIDER_THAN_SCREEN = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 391 && ![...e.children].some(c => c.getBoundingClientRect().right > 391))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def test_pages_speak_a_merchants_words_and_fit_a_phone(browser, erp, client, app, app_env, server):
    """Seen at a phone's width: no page wider than the screen (tables scroll in their card), the
    sign-in form stacked, an icon, codes in words with the code in a tooltip, links where a
    merchant expects them, and a question before an API token is replaced."""
    from sqlalchemy import select

    from erp_integrations.extensions import db
    from erp_integrations.models import AffiliateOrderLine, Product

    account_id = connect(client, server, name="Phone shop")
    sync(client, app, app_env, account_id, streams=["products", "orders", "returns", "affiliate_orders"])
    context = browser.new_context(base_url=erp, viewport=PHONE, is_mobile=True)
    missing = []
    context.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page = context.new_page()

    page.goto("/login")
    email, password = page.get_by_label("Email").bounding_box(), page.get_by_label("Password").bounding_box()
    assert password["y"] >= email["y"] + email["height"] and abs(password["x"] - email["x"]) < 1  # one field under the other
    shot(page, "phone-sign-in")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.locator("link[rel=icon]").count() == 1

    for url in (
        "/accounts",
        f"/accounts/{account_id}/monitor",
        f"/accounts/{account_id}/settings",
        f"/accounts/{account_id}/data/orders",
        f"/accounts/{account_id}/data/products",
        f"/accounts/{account_id}/data/returns",
        f"/accounts/{account_id}/data/affiliate_orders",
        "/users",
        f"/reports?account={account_id}",
        f"/reports/delayed-settlements?account={account_id}&days=1",
        f"/reports/reconciliation?account={account_id}",
    ):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(WIDER_THAN_SCREEN) if width > PHONE["width"] else []
        assert width <= PHONE["width"], f"{url} is {width} px wide on a {PHONE['width']} px phone: {wide}"
        if url.endswith("/monitor"):
            shot(page, "phone-monitor")
        if url.startswith("/reports?"):
            shot(page, "phone-reports")
    assert missing == [], missing  # the favicon included

    # Codes in words, the code kept as a tooltip.
    page.goto(f"/accounts/{account_id}/data/products?status=ACTIVATE")
    expect(page.locator("#rows td.status .badge").first).to_have_text("Active")
    expect(page.locator("#rows td.status .badge").first).to_have_attribute("title", "ACTIVATE")
    page.goto(f"/accounts/{account_id}/data/orders")
    expect(page.locator("#rows td.code span").first).to_have_text(re.compile("Shipped by you|Fulfilled by TikTok"))
    # A return's order is a link to that order.
    page.goto(f"/accounts/{account_id}/data/returns")
    link = page.locator("#rows tbody tr td:nth-child(3) a").first
    order_id = link.inner_text()
    link.click()
    expect(page.get_by_role("heading", name=f"Order {order_id}")).to_be_visible()
    # Affiliate lines name the product where the catalog has it.
    titles = dict(db.session.execute(select(Product.external_id, Product.title).where(Product.account_id == account_id)).all())
    line_products = {p for (p,) in db.session.execute(select(AffiliateOrderLine.product_external_id).where(AffiliateOrderLine.account_id == account_id))}
    known = line_products & set(titles)
    assert known, "the sandbox's affiliate orders name the shop's own products"
    page.goto(f"/accounts/{account_id}/data/affiliate_orders?limit=200")
    shown = set(page.locator("table.inner tbody tr td:nth-child(2)").all_inner_texts())
    assert {titles[p] for p in known} & shown and not known & shown
    # Creators: one name per creator, with what they brought.
    page.goto(f"/accounts/{account_id}/data/creators")
    expect(page.locator("#rows thead th")).to_have_text(["Username"])
    expect(page.locator("#rows tr.sub").first).to_contain_text("commission estimated")

    # A new API token is asked for first, saying what happens to the old one.
    page.goto("/users")
    page.locator(f"tr[data-user='{ADMIN_EMAIL}']").get_by_role("button", name="New API token…").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("stops working at once")
    assert page.locator("#new-token").count() == 0
    shot(page, "confirm-token")
    page.get_by_role("link", name="Keep the current token").click()
    assert client.get("/api/v1/me").status_code == 200  # the old token still works
    page.locator(f"tr[data-user='{ADMIN_EMAIL}']").get_by_role("button", name="New API token…").click()
    page.get_by_role("button", name="Replace the token").click()
    expect(page.locator("#new-token")).to_be_visible()
    assert client.get("/api/v1/me").status_code == 401
    context.close()


def test_a_configuration_only_connector_says_so_and_offers_nothing_it_cannot_do(open_page, admin, plugin_manager):
    """A connector that declares no capability yet: the dialog, the settings and the monitor
    say what it does not offer, and show no button that would fail."""
    from connector_support import install_config_only

    install_config_only(plugin_manager)
    page = open_page()
    page.get_by_role("button", name="Add integration").click()
    page.get_by_role("dialog").get_by_label("Marketplace").select_option(label="Config Only (configuration only)")
    dialog = page.get_by_role("dialog")
    expect(dialog.locator("#capability-note")).to_contain_text("does not offer Connect & Authorize, syncing")
    dialog.get_by_label("Account name").fill("First days")
    dialog.get_by_label("Region").fill("SG")
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator(".flash.success")).to_have_text("First days was added.")
    expect(page.locator("#capability-note")).to_contain_text("nothing from the shop reaches the ERP's tables")
    expect(page.get_by_role("button", name="Connect & Authorize")).to_have_count(0)
    shot(page, "configuration-only-connector")
    page.get_by_role("link", name="Sync monitor").first.click()
    expect(page.locator("#capability-note")).to_be_visible()
    expect(page.get_by_role("button", name="Sync now")).to_have_count(0)
    expect(page.locator("#streams button")).to_have_count(0)


def test_the_monitor_and_the_data_pages_read_as_a_person_would(open_page, client, app, app_env, server):
    """In the browser: how far each stream has synced, in words (the raw cursor behind a click),
    rows written named by table, the date range on a listing, and the app's own 404 page."""
    from datetime import UTC, datetime

    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder, SyncCursor

    account_id = connect(client, server, name="Readable shop")
    sync(client, app, app_env, account_id, streams=["orders"])
    page = open_page()
    page.goto(f"/accounts/{account_id}/monitor")
    watermark = db.session.query(SyncCursor).filter_by(account_id=account_id, stream="orders").one().cursor["watermark"]
    shown = shop_clock(account_id, datetime.fromtimestamp(watermark, UTC))
    cursor = page.locator("#streams tr[data-stream=orders] td.cursor-cell details")
    expect(cursor.locator("summary")).to_have_text(f"Changes up to {shown}")
    expect(cursor.locator("code")).not_to_be_visible()
    cursor.locator("summary").click()
    expect(cursor.locator("code")).to_contain_text(str(watermark))
    expect(page.locator("#runs tbody tr").first).to_contain_text(re.compile(r"Orders \d+, Order lines \d+"))

    # An API group paused by the circuit breaker: said in words, and resumed with one click.
    from erp_integrations.marketplace_errors import ServerError
    from erp_integrations.toolkit.breaker import NO_TICKET, circuit_breaker

    for _ in range(5):
        circuit_breaker().failed(str(account_id), "finance", ServerError("HTTP 503"), NO_TICKET)
    page.reload()
    paused = page.locator("#paused-apis")
    expect(paused).to_contain_text("Finance: paused since")
    expect(paused).to_contain_text("after 5 failed calls")
    shot(page, "sync-monitor-paused")
    paused.get_by_role("button", name="Resume now").click()
    expect(page.locator(".flash.success")).to_have_text("Calls to the finance API resume now.")
    expect(page.locator("#paused-apis")).to_have_count(0)

    # A day's orders through the page's own date fields, counted here from the table.
    # Days on the shop's clock, as its pages show times.
    clock = ZoneInfo(shop_zone(account_id))
    day = db.session.query(SalesOrder.remote_created_at).filter_by(account_id=account_id).order_by(SalesOrder.id).first()[0].astimezone(clock).date()
    expected = sum(
        1 for (created,) in db.session.query(SalesOrder.remote_created_at).filter_by(account_id=account_id) if created.astimezone(clock).date() == day
    )
    page.goto(f"/accounts/{account_id}/data/orders?limit=200")
    page.get_by_label("Created from").fill(day.isoformat())
    page.locator("input[name=created_to]").fill(day.isoformat())
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#rows tbody tr")).to_have_count(expected)

    missing = page.goto(f"/accounts/{account_id}/orders/does-not-exist")
    assert missing.status == 404
    expect(page.get_by_role("heading", name="Order not found")).to_be_visible()
    expect(page.get_by_role("link", name="Back to your shops")).to_be_visible()


def test_a_lenders_analyst_reads_income_and_nothing_else(open_page, client, app, app_env, server, tmp_path):
    """The income page in Chromium for the role made for it: the figures the API reports, a
    statement downloaded that verifies with the published key, and no other page of the shop."""
    from erp_integrations.income import verify

    first, second = two_synced_shops(client, app, app_env, server)
    for account_id in (first, second):
        sync(client, app, app_env, account_id)  # every stream the report reads, fresh
    add_user("analyst@test.invalid", "analyst", accounts=(first,))
    expected = client.post("/api/v1/income/reports", json={"accounts": [first]}).get_json()
    currency, figures = next(iter(expected["currencies"].items()))

    page = open_page("analyst@test.invalid")
    page.goto("/")
    expect(page).to_have_url(re.compile(rf"/income\?account={first}$"))
    expect(page.get_by_role("checkbox")).to_have_count(1)  # only the assigned shop to choose
    section = page.locator(f"section[data-currency={currency}]")
    expect(section.locator(".monthly-income")).to_contain_text(f"{float(figures['monthly_income']):,.2f}")
    expect(section.locator(".gmv")).to_contain_text(f"{float(figures['seller']['gmv']):,.2f}")
    expect(page.locator("#score")).to_have_text(str(expected["score"]["score"]))
    expect(page.locator("#factors tr[data-factor]")).to_have_count(4)
    shot(page, "income")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download signed statement").click()
    statement = __import__("json").loads(Path(download.value.path()).read_text())
    keys = page.request.get("/.well-known/erp-integrations/income-keys.json").json()["keys"]
    assert verify(statement, keys) and statement["statement"]["currencies"][currency]["income"] == figures["income"]

    assert page.goto(f"/accounts/{first}/monitor").status == 403
    assert page.goto(f"/accounts/{first}/data/orders").status == 403
    assert page.goto(f"/income?account={second}").status == 403
    expect(page.get_by_role("link", name="Sync monitor")).to_have_count(0)
    # Bad input on the page: a message, not a traceback.
    assert page.goto(f"/income?account={first}&days=7").status == 400
    expect(page.get_by_role("alert")).to_contain_text("days must be a whole number from 30 to 365")


def test_the_dashboard_its_downloads_and_the_books_pages(open_page, client, app, app_env, server, tmp_path):
    """The reports dashboard in Chromium for a shop: KPI cards equal to the API's figures, a chart
    with its data table, CSV and XLSX downloads that read back to the page's totals; delayed
    settlements and reconciliation pages; a creator partner sees only affiliate figures."""
    import csv
    import io
    from decimal import Decimal

    from openpyxl import load_workbook

    first, _ = two_synced_shops(client, app, app_env, server)
    sync(client, app, app_env, first)
    query = {"account": first, "period": "custom", "from": "2025-06-01", "to": "2026-11-30"}
    expected = client.get("/api/v1/reports/summary", query_string=query).get_json()
    (currency,) = expected["currencies"]
    page = open_page()
    page.goto(f"/reports?account={first}&period=custom&from=2025-06-01&to=2026-11-30")
    section = page.locator(f"section[data-currency={currency['currency']}]")
    gmv = Decimal(currency["figures"]["gmv"])
    expect(section.locator("[data-figure=gmv] .kpi-value")).to_contain_text(f"{gmv:,.2f}")
    awaiting = Decimal(currency["figures"]["settlement_awaiting"])
    assert awaiting > 0
    expect(section.locator("[data-figure=settlement_awaiting] .kpi-value")).to_contain_text(f"{awaiting:,.2f}")
    expect(section.locator("svg.chart title").first).to_contain_text("GMV, net sales, refunds and payouts per day")
    expect(page.locator("table[data-report=orders_by_status] tbody tr").first).to_be_visible()
    shot(page, "reports-dashboard")

    page.get_by_text("By day (the data behind the chart)").first.click()  # the chart's table, folded
    daily = page.locator("table[data-report=daily]")
    with page.expect_download() as got:
        daily.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text())))
    assert sum(Decimal(r["GMV"]) for r in rows) == gmv
    with page.expect_download() as got:
        daily.get_by_role("link", name="XLSX").click()
    assert got.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes())).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sum(Decimal(str(v[3])) for v in values) == gmv

    page.goto(f"/reports/reconciliation?account={first}&period=custom&from=2025-06-01&to=2026-11-30")
    expect(page.locator("h1")).to_have_text("Reconciliation")
    expect(page.get_by_text("The books agree")).to_be_visible()
    # A statement: its transactions add up to it, and each links to its order's settlement lines.
    page.goto(f"/accounts/{first}/data/statements")
    page.locator("#rows tbody tr td a").first.click()
    expect(page.locator("h1")).to_contain_text("Statement")
    expect(page.locator(".badge.ok", has_text="agrees")).to_be_visible()
    shot(page, "statement")
    page.locator("#transactions tbody a").first.click()
    expect(page.locator("#settlement a").first).to_be_visible()
    page.goto(f"/reports/delayed-settlements?account={first}&days=1")
    expect(page.locator("table[data-report=delayed-settlements]")).to_be_visible()
    shot(page, "reports-delayed")
    assert page.goto(f"/reports?account={first}&period=custom&from=2026-05-01&to=2026-04-01").status == 422
    expect(page.get_by_role("alert")).to_contain_text("must be on or after from")

    add_user("partner@test.invalid", "creator", accounts=(first,))
    partner = open_page("partner@test.invalid")
    partner.goto(f"/reports?account={first}")
    expect(partner.locator("[data-figure=gmv]")).to_have_count(0)
    expect(partner.locator("table[data-report=orders_by_status]")).to_have_count(0)
    assert partner.goto(f"/reports/reconciliation?account={first}").status == 403


def test_a_seller_answers_a_buyers_return_from_the_order_page(open_page, client, app, app_env, server):
    """The order page offers Approve and Reject on an open return, the reasons TikTok gives,
    and the decision reaches the sandbox through the outbox; a viewer sees no buttons."""
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    from sandbox_support import authorize, client_for, control

    account_id = connect(client, server, name="Returns shop")
    sync(client, app, app_env, account_id, streams=["orders", "packages"])
    cipher = shops_of(server)[0]["cipher"]
    delivered = db.session.scalars(
        db.select(SalesOrder.external_id).where(SalesOrder.account_id == account_id, SalesOrder.status == "DELIVERED").order_by(SalesOrder.id.desc())
    ).all()
    order_id = next(o for o in delivered if control(server, "POST", f"/shops/{cipher}/orders/{o}/return", json={"type": "REFUND"}).status_code == 200)
    sync(client, app, app_env, account_id, streams=["returns"])

    page = open_page()
    page.goto(f"/accounts/{account_id}/orders/{order_id}")
    # Delivered: the carrier's three steps, asked of the sandbox as the page opened.
    expect(page.locator("#tracking li")).to_have_count(3)
    expect(page.locator("#tracking li").last).to_contain_text("Package delivered")
    # Its label prints from the packages table: a PDF, fetched through the ERP.
    label = page.request.get(page.locator("#packages a", has_text="Label").get_attribute("href"))
    assert label.ok and label.headers["content-type"] == "application/pdf" and label.body().startswith(b"%PDF")
    expect(page.locator("#after-sales tbody tr").first).to_contain_text("Awaiting your decision")
    return_id = page.locator("#after-sales tbody tr td").first.inner_text()
    row = page.locator(f"#decide-{return_id}")
    expect(row.get_by_role("heading")).to_contain_text(f"The buyer's return request {return_id} (Refund only,")
    expect(row.get_by_role("button", name="Approve")).to_be_visible()
    row.locator("summary", has_text="Reject").click()
    # Submitting without a reason is stopped by the form itself; then one of TikTok's reasons.
    reason = row.get_by_label("Reason")
    expect(reason.locator("option")).to_contain_text(["Choose a reason", "You have reached an agreement with the buyer"])
    reason.select_option(label="You have reached an agreement with the buyer")
    row.get_by_label("Comment for the buyer (optional)").fill("We agreed on a discount instead.")
    shot(page, "order-return-decision")
    page.set_viewport_size(PHONE)  # the open form still fits a phone (the table scrolls in its card)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the order page is {width} px wide on a phone: {page.evaluate(WIDER_THAN_SCREEN)}"
    shot(page, "phone-order-return-decision")
    page.set_viewport_size({"width": 1360, "height": 900})
    row.get_by_role("button", name="Reject return").click()
    expect(page.locator(".flash.success")).to_contain_text("The rejection of return")
    # Queued for a worker, or (the embedded queue) already accepted: either way no second decision is offered.
    expect(row).to_contain_text(re.compile(r"Reject sent; waiting for TikTok Shop\.|TikTok Shop accepted your rejection"))

    run_jobs(app, app_env)  # the push, then the returns and orders syncs it asks for
    reader = client_for(server, authorize(server))
    found = reader.request("POST", "/return_refund/202309/returns/search", body={"return_ids": [return_id]})["return_orders"][0]
    assert found["return_status"] == "REFUND_OR_RETURN_REQUEST_REJECT"
    page.reload()
    expect(page.locator("#after-sales tbody tr").first).to_contain_text("Rejected")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)  # decided: nothing left to offer


def test_a_seller_cancels_an_order_from_its_page(open_page, client, app, app_env, server):
    from erp_integrations.extensions import db
    from erp_integrations.models import SalesOrder

    from sandbox_support import authorize, client_for

    account_id = connect(client, server, name="Cancelling shop")
    sync(client, app, app_env, account_id, streams=["orders"])
    order_id = db.session.scalars(
        db.select(SalesOrder.external_id).where(SalesOrder.account_id == account_id, SalesOrder.status == "AWAITING_SHIPMENT").order_by(SalesOrder.id.desc())
    ).first()

    page = open_page()
    page.goto(f"/accounts/{account_id}/orders/{order_id}")
    card = page.locator("#cancel-order")
    card.locator("summary", has_text="Cancel the order").click()
    card.get_by_label("Reason").select_option(label="Out of stock")
    shot(page, "order-cancel")
    page.set_viewport_size(PHONE)  # the open card fits a phone too
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the order page is {width} px wide on a phone: {page.evaluate(WIDER_THAN_SCREEN)}"
    shot(page, "phone-order-cancel")
    page.set_viewport_size({"width": 1360, "height": 900})
    card.get_by_role("button", name="Cancel order").click()
    expect(page.locator(".flash.success")).to_contain_text(f"The cancellation of order {order_id} is on its way")
    expect(page.locator("#cancel-order")).to_contain_text(re.compile(r"Cancellation sent; waiting for TikTok Shop\.|TikTok Shop accepted it"))

    run_jobs(app, app_env)
    reader = client_for(server, authorize(server))
    assert reader.request("GET", "/order/202309/orders", query={"ids": order_id})["orders"][0]["status"] == "CANCELLED"
    page.reload()
    expect(page.locator(".page-head .badge")).to_have_text("Cancelled")
    expect(page.get_by_role("button", name="Cancel order")).to_have_count(0)  # nothing left to cancel
    expect(page.locator("#cancel-order")).to_contain_text("Cancelled from the ERP; TikTok Shop accepted it")


def test_a_seller_manages_promotions_from_the_page(open_page, client, app, app_env, server):
    from datetime import UTC, datetime, timedelta

    from erp_integrations.extensions import db
    from erp_integrations.models import Promotion

    from sandbox_support import authorize, client_for

    account_id = connect(client, server, name="Promoting shop")
    sync(client, app, app_env, account_id, streams=["products", "promotions", "coupons"])
    running = db.session.scalars(
        db.select(Promotion).where(Promotion.account_id == account_id, Promotion.kind == "activity", Promotion.status == "ONGOING").order_by(Promotion.id)
    ).first()

    page = open_page()
    page.goto(f"/accounts/{account_id}/monitor")
    page.locator("aside.side").get_by_role("link", name="Promotions").click()
    expect(page.get_by_role("heading", name="Promotions", level=1)).to_be_visible()
    total = db.session.scalar(db.select(db.func.count()).select_from(Promotion).where(Promotion.account_id == account_id))
    expect(page.locator("#rows > tbody > tr:not(.sub)")).to_have_count(total)
    shot(page, "promotions")
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the promotions page is {width} px wide on a phone: {page.evaluate(WIDER_THAN_SCREEN)}"
    shot(page, "phone-promotions")
    page.set_viewport_size({"width": 1360, "height": 900})

    page.get_by_role("searchbox").fill(running.external_id)
    page.get_by_role("button", name="Apply").click()
    covered = page.locator("tr.sub table.inner tbody tr")
    expect(covered.first).to_be_visible()  # the products it covers, by title
    page.get_by_role("button", name="Deactivate this activity").click()
    expect(page.locator(".flash.success")).to_contain_text(f"The deactivation of activity {running.external_id} is on its way")

    run_jobs(app, app_env)  # the push, then the promotions sync it asks for
    reader = client_for(server, authorize(server))
    assert reader.request("GET", f"/promotion/202309/activities/{running.external_id}")["status"] == "DEACTIVATED"
    page.reload()
    expect(page.locator("#rows > tbody > tr:not(.sub) .badge")).to_have_text("Deactivated")
    expect(page.get_by_role("button", name="Deactivate this activity")).to_have_count(0)  # over: nothing left to end

    # A new activity, in the shop's own time zone; a period that ends before it starts is refused.
    zone = ZoneInfo(shop_zone(account_id))
    starts = (datetime.now(zone) + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    card = page.locator("#new-promotion")
    card.locator("summary").click()
    card.get_by_label("Title").fill("Weekend deal")
    card.get_by_label("Type").select_option("DIRECT_DISCOUNT")
    card.get_by_label("Starts").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    card.get_by_label("Ends").fill((starts - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    card.get_by_role("button", name="Create activity").click()
    expect(page.locator(".flash.error")).to_contain_text("The activity was not created: Ends: must be after the start")
    card = page.locator("#new-promotion")
    card.locator("summary").click()
    card.get_by_label("Title").fill("Weekend deal")
    card.get_by_label("Type").select_option("DIRECT_DISCOUNT")
    card.get_by_label("Starts").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    card.get_by_label("Ends").fill((starts + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    shot(page, "promotion-new")
    card.get_by_role("button", name="Create activity").click()
    expect(page.locator(".flash.success")).to_contain_text("Activity 'Weekend deal' is on its way")
    run_jobs(app, app_env)
    created = db.session.scalars(db.select(Promotion).where(Promotion.account_id == account_id, Promotion.title == "Weekend deal")).one()
    assert created.starts_at == starts.astimezone(UTC)  # 09:00 in the shop's zone, as typed

    # Its first product, then out again.
    taken = set()
    for activity in reader.request("POST", "/promotion/202309/activities/search", body={"page_size": 100})["activities"]:
        if activity["status"] in ("ONGOING", "NOT_START") and activity["id"] != created.external_id:
            taken |= {p["id"] for p in reader.request("GET", f"/promotion/202309/activities/{activity['id']}")["products"]}
    product = next(
        p
        for p in reader.request("POST", "/product/202502/products/search", query={"page_size": 100}, body={"status": "ACTIVATE"})["products"]
        if p["id"] not in taken
    )
    page.goto(f"/accounts/{account_id}/data/promotions?q={created.external_id}")
    offer = page.locator("form.product-offer")
    offer.get_by_label("Product ID").fill(product["id"])
    offer.get_by_label("Percent off").fill("25")
    offer.get_by_role("button", name="Add or change product").click()
    expect(page.locator(".flash.success")).to_contain_text(f"Product {product['id']} in activity {created.external_id} is on its way")
    run_jobs(app, app_env)
    page.reload()
    covered = page.locator("tr.sub table.inner tbody tr")
    expect(covered).to_have_count(1)
    expect(covered).to_contain_text("25 %")
    shot(page, "promotion-products")
    covered.get_by_role("button", name="Remove").click()
    expect(page.locator(".flash.success")).to_contain_text(f"Removing product {product['id']} is on its way")
    run_jobs(app, app_env)
    page.reload()
    expect(page.locator("tr.sub table.inner")).to_have_count(0)
    assert reader.request("GET", f"/promotion/202309/activities/{created.external_id}")["products"] == []


def test_delivery_options_and_handover_slots_read_as_tiktok_gives_them(open_page, client, app, app_env, server):
    from erp_integrations.extensions import db
    from erp_integrations.models import DeliveryOption, OrderLine, SalesOrder

    account_id = connect(client, server, name="Shipping shop")
    sync(client, app, app_env, account_id, streams=["delivery_options"])
    options = db.session.scalars(db.select(DeliveryOption).where(DeliveryOption.account_id == account_id)).all()
    page = open_page()
    page.goto(f"/accounts/{account_id}/monitor")
    page.locator("aside.side").get_by_role("link", name="Delivery options").click()
    expect(page.get_by_role("heading", name="Delivery options", level=1)).to_be_visible()
    expect(page.locator("#rows tbody tr")).to_have_count(len(options))
    carried = next(o for o in options if o.carriers)
    expect(page.locator("#rows tbody tr", has_text=carried.external_id)).to_contain_text(", ".join(c["name"] for c in carried.carriers))
    shot(page, "delivery-options")
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"delivery options are {width} px wide on a phone: {page.evaluate(WIDER_THAN_SCREEN)}"
    page.set_viewport_size({"width": 1360, "height": 900})

    # An order awaiting shipment: how its package can reach the carrier, and when.
    sync(client, app, app_env, account_id, streams=["orders"])
    order_id = db.session.scalars(
        db.select(SalesOrder.external_id).where(SalesOrder.account_id == account_id, SalesOrder.status == "AWAITING_SHIPMENT").order_by(SalesOrder.id)
    ).first()
    package = db.session.scalars(
        db.select(OrderLine.package_external_id).join(SalesOrder, SalesOrder.id == OrderLine.order_id).where(SalesOrder.external_id == order_id)
    ).first()
    slots = client.get(f"/api/v1/accounts/{account_id}/packages/{package}/handover").get_json()["slots"]
    page.goto(f"/accounts/{account_id}/orders/{order_id}")
    card = page.locator("#handover")
    expect(card).to_contain_text(f"Package {package}")
    expect(card.locator("ul.slots li")).to_have_count(len(slots))
    expect(card.locator("ul.slots li.full")).to_have_count(sum(1 for s in slots if not s["available"]))
    shot(page, "order-handover")


def test_shop_performance_reads_as_tiktok_reports_it(open_page, client, app, app_env, server):
    account_id = connect(client, server, name="Analytics shop")
    sync(client, app, app_env, account_id, streams=["shop_performance", "service_performance"])
    figures = client.get(f"/api/v1/accounts/{account_id}/analytics/shop?days=30").get_json()

    page = open_page()
    page.goto(f"/accounts/{account_id}/monitor")
    page.locator("aside.side").get_by_role("link", name="Shop performance").click()
    expect(page.get_by_role("heading", name="Shop performance", level=1)).to_be_visible()
    expect(page.locator("#days tbody tr")).to_have_count(len(figures["days"]))
    total = figures["totals"][0]
    expect(page.locator("#totals")).to_contain_text(f"GMV ({total['currency']})")
    expect(page.locator("#totals svg.chart")).to_have_count(len(figures["totals"]))
    shot(page, "shop-analytics")
    page.get_by_role("link", name="Last 7 days").click()
    expect(page.locator("#days tbody tr")).to_have_count(len(client.get(f"/api/v1/accounts/{account_id}/analytics/shop?days=7").get_json()["days"]))
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"shop performance is {width} px wide on a phone: {page.evaluate(WIDER_THAN_SCREEN)}"
    shot(page, "phone-shop-analytics")

    # Toggle off: no menu entry, and the page says so.
    client.patch(f"/api/v1/accounts/{account_id}", json={"config": {"features": {"shop_analytics": False}}})
    page.set_viewport_size({"width": 1360, "height": 900})
    page.reload()
    expect(page.locator("aside.side").get_by_role("link", name="Shop performance")).to_have_count(0)
    expect(page.locator(".flash.error")).to_contain_text("Shop analytics is off for this shop")


def test_a_shopee_shop_beside_a_tiktok_shop_in_one_erp(open_page, client, app, app_env, server):
    """Shopee added from the dialog, authorized on its sandbox's consent page in the browser,
    synced; the all-shops dashboard then shows both marketplaces, each in its own currency."""
    from decimal import Decimal

    from shopee_support import PARTNER_ID, PARTNER_KEY, start_shopee

    tiktok = connect(client, server, name="TikTok US", shops=(0,), region=shops_of(server)[0]["region"])
    shopee = start_shopee(orders=300, shops=1)
    try:
        page = open_page()
        page.goto("/accounts")
        page.get_by_role("button", name="Add integration").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Marketplace").select_option(label="Shopee")
        dialog.get_by_label("Account name").fill("Shopee Singapore")
        dialog.get_by_label("Region").select_option(label="Singapore")
        dialog.get_by_label("Partner ID").fill(str(PARTNER_ID))
        dialog.locator("#f-partner_key").fill(PARTNER_KEY)
        expect(dialog.get_by_label("Returns")).to_have_accessible_description(re.compile("Syncs buyers' return and refund requests"))
        dialog.locator("summary", has_text="Advanced").click()
        dialog.get_by_label("API base URL").fill(shopee.url)
        dialog.get_by_role("button", name="Save").click()
        expect(page.locator(".flash.success")).to_contain_text("Shopee Singapore was added")
        page.get_by_role("button", name="Connect & Authorize").click()
        expect(page.get_by_role("heading", name="Authorize the app for a shop")).to_be_visible()
        page.get_by_role("link", name="Sandbox Shopee SG 1 (SG)").click()
        expect(page.locator(".flash.success")).to_contain_text("Connected to Sandbox Shopee SG 1 (SG).")
        expect(page.locator(".badges")).to_contain_text("Connected")
        shopee_id = int(re.search(r"/accounts/(\d+)/", page.url).group(1))
        for account_id in (tiktok, shopee_id):
            sync(client, app, app_env, account_id)
        query = {"period": "custom", "from": "2025-06-01", "to": "2026-12-31"}
        expected = {c["currency"]: c for c in client.get("/api/v1/reports/summary", query_string=query).get_json()["currencies"]}
        assert {"USD", "SGD"} <= set(expected)
        page.goto("/reports?period=custom&from=2025-06-01&to=2026-12-31")
        for currency in ("USD", "SGD"):
            gmv = Decimal(expected[currency]["figures"]["gmv"])
            expect(page.locator(f"section[data-currency={currency}] [data-figure=gmv] .kpi-value")).to_contain_text(f"{gmv:,.2f}")
        shot(page, "reports-two-marketplaces")
        page.goto(f"/accounts/{shopee_id}/data/orders")
        expect(page.locator("#rows tbody tr").first).to_be_visible()
        shot(page, "shopee-orders")
    finally:
        shopee.stop()
