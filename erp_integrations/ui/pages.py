"""What every admin page shares: sign-in redirects, CSRF on every form, error pages, and the
header's context (the user, their accounts, the chosen one)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlsplit

from flask import has_request_context, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from ..accounts import AccountNotFound
from ..auth import Forbidden, NotSignedIn, current_user, may, visible_accounts
from ..auth.guard import CSRF_FIELD, check_csrf, csrf_token
from ..auth.roles import ROLE_LABELS
from ..extensions import db
from ..models import IntegrationAccount
from ..reports.periods import account_zone_name
from . import ui_blueprint

_ACCOUNT_KEY = "erp_integrations.ui_account"  # the account this request's page is scoped to


@ui_blueprint.before_request
def _csrf():
    check_csrf()


@ui_blueprint.errorhandler(NotSignedIn)
def _to_sign_in(_exc):
    return redirect(url_for("ui.login", next=request.full_path if request.method == "GET" else None))


@ui_blueprint.errorhandler(Forbidden)
def _forbidden(exc):
    db.session.rollback()
    return render_template("error.html", status=403, title="Not allowed", message=str(exc)), 403


@ui_blueprint.errorhandler(AccountNotFound)
def _no_account(exc):
    return error_page(404, "No such account", str(exc.args[0]))


def error_page(status: int, title: str, message: str):
    return render_template("error.html", status=status, title=title, message=message), status


@ui_blueprint.app_context_processor
def _header_context():
    if request.blueprint not in ("ui", None):  # None: an unmatched URL, shown the UI's error page
        return {}
    user = current_user()
    accounts = list(db.session.scalars(visible_accounts(user))) if user else []
    return {
        "me": user,
        "role_label": ROLE_LABELS.get(user.role) if user else None,
        "my_accounts": accounts,
        "current_account": request.environ.get(_ACCOUNT_KEY),
        "csrf_field": Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token())}">'),
        "csrf_token": csrf_token,
        "may": may,
    }


def use_account(account: IntegrationAccount) -> IntegrationAccount:
    """Scope this page to ``account`` and remember it as the user's choice."""
    request.environ[_ACCOUNT_KEY] = account
    user = current_user()
    if user is not None and user.current_account_id != account.id:
        user.current_account_id = account.id
        db.session.commit()
    return account


def safe_next(target: str | None, default: str) -> str:
    """A redirect target from a form or query, only if it stays on this site."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return default


# -- helpers and formatting used by the templates


@ui_blueprint.app_template_global()
def page_url(endpoint: str, kwargs: dict, args, **changes) -> str:
    """The current page's URL with some query arguments changed (None drops one)."""
    query = {k: v for k, v in args.items() if k not in changes}
    query.update({k: v for k, v in changes.items() if v is not None})
    return url_for(endpoint, **kwargs, **query)


@ui_blueprint.app_template_global()
def capability_note(connector) -> str:
    """What a connector that cannot do everything does not offer, in a merchant's words."""
    from ..connectors import CAPABILITIES, CAPABILITY_WORDS

    missing = [CAPABILITY_WORDS[c] for c in CAPABILITIES if not connector.supports(c)]
    listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " or " + missing[-1]
    note = f"The {connector.display_name} connector does not offer {listed} yet."
    if not connector.supports("sync"):
        note += " For now it keeps this shop's settings; nothing from the shop reaches the ERP's tables."
    return note


@ui_blueprint.app_template_filter("connector_title")
def _connector_title(name: str) -> str:
    from ..hooks import get_connectors

    connector = get_connectors().get(name)
    return connector.display_name if connector else name


@ui_blueprint.app_template_filter("money")
def _money(value, currency=None):
    if value is None:
        return ""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{amount:,.2f} {currency or ''}".strip()


@ui_blueprint.app_template_filter("when")
def _when(value):
    """A time as the person reading the page counts it: on a shop's pages in the shop's
    reporting zone (the clock its reports, exports and date filters use), named by its
    abbreviation; elsewhere (users, pages across shops) in UTC."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value, UTC)
    account = request.environ.get(_ACCOUNT_KEY) if has_request_context() else None
    return _when_in(value, account_zone_name(account) if account is not None else "UTC")


@ui_blueprint.app_template_filter("when_in")
def _when_in(value, zone: str):
    """A time on a report's clock: the zone its days are cut in, named by its abbreviation."""
    from zoneinfo import ZoneInfo

    if value is None:
        return ""
    return value.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


@ui_blueprint.app_template_filter("cursor_text")
def _cursor_text(cursor) -> str:
    """A stream's saved position in words: where the next run starts reading."""
    if not cursor:
        return "Not synced yet"
    if isinstance(cursor.get("window"), list) and len(cursor["window"]) >= 2:
        start, end = cursor["window"][:2]
        return f"Catching up: changes from {_when(start)} to {_when(end)}, part read"
    if isinstance(cursor.get("watermark"), (int, float)):
        return f"Changes up to {_when(cursor['watermark'])}"
    if cursor.get("page_token"):
        return "Part read: the next run resumes at the saved page"
    return "Saved position"


@ui_blueprint.app_template_filter("label")
def _label(value):
    """A code in words: the connectors' own wording where they give one ("ACTIVATE" is
    "Active"), else the code's words ("AWAITING_SHIPMENT" is "Awaiting shipment")."""
    if value is None:
        return ""
    text = str(value)
    return _connector_labels().get(text) or text.replace("_", " ").capitalize()


def _connector_labels() -> dict[str, str]:
    from ..hooks import get_connectors

    merged: dict[str, str] = {}
    for connector in get_connectors().values():
        merged.update(connector.labels)
    return merged
