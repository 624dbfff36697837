"""The admin pages: server-rendered Jinja templates, a little JavaScript, every asset bundled.

Each page checks the same verbs as the API (``auth.roles``); the header's account switcher
scopes every page to one shop and is remembered per user.
"""

from flask import Blueprint

ui_blueprint = Blueprint("ui", __name__, template_folder="templates", static_folder="static", static_url_path="/admin-static")

from . import account_views, data_views, decision_views, income_views, monitor_views, pages, report_views, session_views, user_views  # noqa: E402,F401  (routes register on import)
