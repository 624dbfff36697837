"""Accounts: the list with status badges, the configuration dialog (add and edit), Connect &
Authorize, the default account, and the header's switcher."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from ..accounts import AccountValidationError, create_account, delete_account, get_account, serialize_account, set_default_account, update_account
from ..accounts.binding import BindingRefused, authorized_shops, choose_shop
from ..auth import check, current_user, may, visible_accounts
from ..browse import LISTINGS
from ..connectors import MarketplaceError, Unsupported
from ..extensions import db
from ..hooks import get_connector, get_connectors
from ..models import AccountStatus, IntegrationAccount, SyncRun
from ..oauth_state import issue_state
from . import ui_blueprint
from .config_form import MANUAL, current_values, field_errors, form_fields, read_form
from .pages import use_account

STATUS_BADGES = {
    AccountStatus.NEW: ("new", "Not connected"),
    AccountStatus.CHOOSE_SHOP: ("warn", "Choose a shop"),
    AccountStatus.CONNECTED: ("ok", "Connected"),
    AccountStatus.NEEDS_REAUTH: ("warn", "Needs re-authorization"),
    AccountStatus.DISABLED: ("off", "Disabled"),
}


def account_badges(account_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Syncing (a run in progress) and failing (a stream whose latest run failed) per account."""
    badges: dict[int, list[tuple[str, str]]] = {a: [] for a in account_ids}
    if not account_ids:
        return badges
    running = db.session.execute(
        select(SyncRun.account_id).where(SyncRun.account_id.in_(account_ids), SyncRun.status == "running").group_by(SyncRun.account_id)
    ).scalars()
    for account_id in running:
        badges[account_id].append(("busy", "Syncing"))
    latest = (
        select(func.max(SyncRun.id).label("id"))
        .where(SyncRun.account_id.in_(account_ids), SyncRun.status != "running")
        .group_by(SyncRun.account_id, SyncRun.stream)
        .subquery()
    )
    failing = db.session.execute(
        select(SyncRun.account_id).join(latest, latest.c.id == SyncRun.id).where(SyncRun.status == "failed").group_by(SyncRun.account_id)
    ).scalars()
    for account_id in failing:
        badges[account_id].append(("bad", "Failing"))
    return badges


@ui_blueprint.get("/")
def home():
    user = check("signed_in")
    if user.current_account_id is not None and (may("affiliate", user.current_account_id) or may("income", user.current_account_id)):
        return redirect(_landing(user.current_account_id))
    # No choice remembered yet: the first shop this user may see, default accounts first.
    first = db.session.scalars(visible_accounts(user).order_by(None).order_by(IntegrationAccount.is_default.desc(), IntegrationAccount.id)).first()
    if first is not None:
        return redirect(_landing(first.id))
    return redirect(url_for("ui.accounts"))


def _landing(account_id: int) -> str:
    """An account's first page: its sync monitor; for a creator partner its affiliate orders;
    for a lender's analyst its income report."""
    if may("read", account_id):
        return url_for("ui.monitor", account_id=account_id)
    if may("affiliate", account_id):
        return url_for("ui.data", account_id=account_id, listing_name="affiliate_orders")
    return url_for("ui.income", account=account_id)


@ui_blueprint.get("/accounts")
def accounts():
    user = check("signed_in")
    rows = list(db.session.scalars(visible_accounts(user)))
    return _accounts_page(rows)


def _accounts_page(rows, *, dialog: dict | None = None, status: int = 200):
    connectors = {name: cls for name, cls in sorted(get_connectors().items())}
    if dialog is None:
        chosen = request.args.get("connector") or next(iter(connectors))
        described = get_connector(chosen).describe()["config_schema"]
        dialog = {"connector": chosen, "values": current_values(None, described), "errors": {}, "open": request.args.get("add") == "1"}
    dialog["described"] = get_connector(dialog["connector"]).describe()["config_schema"]
    dialog["main"], dialog["advanced"] = form_fields(dialog["described"])
    return render_template(
        "accounts.html",
        accounts=rows,
        badges=account_badges([a.id for a in rows]),
        status_badges=STATUS_BADGES,
        connectors=connectors,
        dialog=dialog,
        manual=MANUAL,
    ), status


@ui_blueprint.post("/accounts")
def add_account():
    check("admin")
    connector_name = request.form.get("connector", "")
    connector = get_connectors().get(connector_name)
    if connector is None:
        flash(f"No connector called {connector_name!r}.", "error")
        return redirect(url_for("ui.accounts"))
    described = connector.describe()["config_schema"]
    payload = read_form(request.form, described, editing=False)
    try:
        account = create_account(connector_name, payload, is_default=request.form.get("is_default") == "on")
    except AccountValidationError as exc:
        db.session.rollback()
        rows = list(db.session.scalars(visible_accounts(current_user())))
        values = {**payload, **{f["name"]: "" for f in described if f["secret"]}}
        return _accounts_page(rows, dialog={"connector": connector_name, "values": values, "errors": field_errors(exc.fields), "open": True}, status=422)
    next_step = " Connect & Authorize it next." if connector.supports("authorize") else ""
    flash(f"{account.name} was added.{next_step}", "success")
    use_account(account)
    return redirect(url_for("ui.settings", account_id=account.id))


@ui_blueprint.route("/accounts/<int:account_id>/settings", methods=["GET", "POST"])
def settings(account_id: int):
    check("read", account_id)
    account = use_account(get_account(account_id))
    connector = get_connector(account.connector)
    described = connector.describe()["config_schema"]
    if current_user().role != "admin":
        # Where credentials are sent is an administrator's setting: others neither see nor send it.
        described = [f for f in described if not f.get("endpoint")]
    errors: dict = {}
    values = current_values(serialize_account(account)["config"], described)
    status = 200
    if request.method == "POST":
        check("manage", account_id)
        payload = read_form(request.form, described, editing=True)
        try:
            update_account(account, payload, may_change_endpoints=current_user().role == "admin")
        except AccountValidationError as exc:
            db.session.rollback()
            errors, status = field_errors(exc.fields), 422
            values = {**payload, **{f["name"]: values.get(f["name"]) for f in described if f["secret"]}}
        else:
            flash("Settings saved.", "success")
            return redirect(url_for("ui.settings", account_id=account.id))
    main, advanced = form_fields(described)
    return render_template(
        "settings.html",
        account=account,
        connector=connector,
        main=main,
        advanced=advanced,
        values=values,
        errors=errors,
        status_badges=STATUS_BADGES,
        manual=MANUAL,
        shops=authorized_shops(account),
    ), status


@ui_blueprint.post("/accounts/<int:account_id>/shop")
def choose_shop_page(account_id: int):
    """The settings page's shop list: bind the account to the shop picked there."""
    check("manage", account_id)
    account = get_account(account_id)
    try:
        outcome = choose_shop(account, get_connector(account.connector), request.form.get("shop", ""))
    except BindingRefused as exc:
        db.session.rollback()
        flash(exc.message[:1].upper() + exc.message[1:] + ".", "error")
    else:
        flash(outcome.message, "success")
    return redirect(url_for("ui.settings", account_id=account.id))


@ui_blueprint.post("/accounts/<int:account_id>/authorize")
def authorize(account_id: int):
    """Connect & Authorize: off to the marketplace's consent page; its callback brings the
    browser back to this account's settings with the outcome."""
    check("manage", account_id)
    account = get_account(account_id)
    connector = get_connector(account.connector)()
    try:
        connector.require("authorize")
        url = connector.authorization_url(account, issue_state(account, return_to=url_for("ui.settings", account_id=account.id)))
    except (ValueError, MarketplaceError, Unsupported) as exc:
        flash(str(exc), "error")
        return redirect(url_for("ui.settings", account_id=account.id))
    return redirect(url)


@ui_blueprint.post("/accounts/<int:account_id>/default")
def make_default(account_id: int):
    check("admin")
    account = set_default_account(get_account(account_id))
    flash(f"{account.name} is now the default {get_connector(account.connector).display_name} account.", "success")
    return redirect(url_for("ui.accounts"))


@ui_blueprint.post("/accounts/<int:account_id>/delete")
def remove_account(account_id: int):
    check("admin")
    account = get_account(account_id)
    if request.form.get("confirm_name") != account.name:
        flash("Type the account's name to confirm the deletion.", "error")
        return redirect(url_for("ui.settings", account_id=account.id))
    delete_account(account)
    flash(f"{account.name} and everything synced from it were deleted.", "success")
    return redirect(url_for("ui.accounts"))


@ui_blueprint.post("/switch")
def switch_account():
    """The header's switcher: the same page, for another shop."""
    check("signed_in")
    try:
        account_id = int(request.form.get("account_id", ""))
    except ValueError:
        return redirect(url_for("ui.accounts"))
    account = get_account(account_id)
    page = request.form.get("page", "")
    if page.startswith("data:"):
        listing = page[5:]
        if listing in LISTINGS and may(LISTINGS[listing].verb, account.id):
            use_account(account)
            return redirect(url_for("ui.data", account_id=account.id, listing_name=listing))
    elif page in ("monitor", "settings", "analytics") and may("read", account.id):
        use_account(account)
        return redirect(url_for(f"ui.{page}", account_id=account.id))
    elif page == "reports" and may("affiliate", account.id):
        use_account(account)
        return redirect(url_for("ui.reports_dashboard", account=account.id))
    check("affiliate", account.id)
    use_account(account)
    return redirect(_landing(account.id))
