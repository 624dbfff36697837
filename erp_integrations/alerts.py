"""Alerts: stored in-app first, then handed to every ``notify`` hook implementation."""

from __future__ import annotations

import logging
from datetime import UTC

from sqlalchemy import select

from .extensions import db
from .hooks import get_plugin_manager
from .models import Alert

log = logging.getLogger(__name__)


def raise_alert(account_id: int | None, kind: str, message: str, *, severity: str = "warning", data: dict | None = None) -> Alert:
    """Record an alert, unless the same kind is already open for the account (no alert storms)."""
    existing = db.session.scalars(select(Alert).where(Alert.account_id == account_id, Alert.kind == kind, Alert.resolved_at.is_(None))).first()
    if existing is not None:
        return existing
    alert = Alert(account_id=account_id, kind=kind, message=message, severity=severity, data=data or {})
    db.session.add(alert)
    db.session.commit()
    deliver(alert)
    return alert


def deliver(alert: Alert) -> None:
    """Hand ``alert`` to every ``notify`` implementation, each in a pluggy call of its own with
    the other plugins' wrappers around it. One pluggy call stops at the first exception, so a
    broken notifier would silence those after it; a call per notifier keeps them apart, and a
    ``wrapper=True`` implementation (retry, timing, routing) still sees every delivery."""
    pm = get_plugin_manager()
    implementations = pm.hook.notify.get_hookimpls()
    notifiers = [i for i in implementations if not (i.wrapper or i.hookwrapper)]
    for notifier in notifiers:
        others = {i.plugin for i in notifiers if i.plugin is not notifier.plugin}
        try:
            pm.subset_hook_caller("notify", remove_plugins=others)(alert=alert)
        except Exception:  # one broken notifier must not silence the others
            log.exception("notifier %s failed", notifier.plugin_name)


def resolve_alerts(account_id: int | None, kind: str) -> int:
    """Close the open alerts of a kind (the condition has passed); how many were open."""
    from datetime import datetime

    open_alerts = db.session.scalars(select(Alert).where(Alert.account_id == account_id, Alert.kind == kind, Alert.resolved_at.is_(None))).all()
    for alert in open_alerts:
        alert.resolved_at = datetime.now(UTC)
    if open_alerts:
        db.session.commit()
    return len(open_alerts)
