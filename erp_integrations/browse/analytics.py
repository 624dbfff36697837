"""Shop analytics: the marketplace's own daily figures for a shop (GMV, orders, units, buyers)
beside its customer service as the marketplace rates it, for the last 7, 30 or 90 days.

These are the marketplace's numbers, not the ERP's books: the reports compute sales from the
synced orders; this page shows what TikTok's dashboards show, so a seller can hold one against
the other. Money is summed per currency, never across."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..extensions import db
from ..models import ShopPerformanceDay, ShopServiceDay
from ..reports.periods import account_zone_name

PERIODS = (7, 30, 90)
PERCENT = Decimal("0.1")


def today_for(account) -> date:
    """The account's today: the marketplace's days are its region's days."""
    return datetime.now(ZoneInfo(account_zone_name(account))).date()


def shop_analytics(account, days: int, today: date | None = None) -> dict:
    today = today or today_for(account)
    first = today - timedelta(days=days - 1)

    def rows_of(model):
        query = select(model).where(model.account_id == account.id, model.day >= first, model.day <= today)
        return {r.day: r for r in db.session.scalars(query)}

    performance, service = rows_of(ShopPerformanceDay), rows_of(ShopServiceDay)
    rows, totals = [], defaultdict(lambda: {"gmv": Decimal(0), "orders": 0, "units_sold": 0, "buyers": 0, "days": 0})
    for day in sorted(set(performance) | set(service)):
        p, s = performance.get(day), service.get(day)
        rows.append(
            {
                "day": day,
                "currency": p.currency if p else None,
                "gmv": p.gmv if p else None,
                "orders": p.orders if p else None,
                "units_sold": p.units_sold if p else None,
                "buyers": p.buyers if p else None,
                "chats": s.support_sessions if s else None,
                # A day without chats has no rating (TikTok answers 0 for it, not a score).
                "response_percentage": _percent(s.response_percentage) if s and s.support_sessions else None,
                "satisfaction_percentage": _percent(s.satisfaction_percentage) if s and s.support_sessions else None,
            }
        )
        if p is not None and p.currency:
            total = totals[p.currency]
            total["gmv"] += p.gmv or 0
            for name in ("orders", "units_sold", "buyers"):
                total[name] += getattr(p, name) or 0
            total["days"] += 1
    return {
        "from": first,
        "to": today,
        "days": rows,
        "totals": [{"currency": currency, **values} for currency, values in sorted(totals.items())],
        "service": _service_summary(list(service.values())),
    }


def _percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(PERCENT)


def _service_summary(days: list) -> dict:
    """Chats summed; the shares weighted by each day's chats (a day of 200 chats counts more
    than a day of 2), as TikTok's own period figures are."""
    chats = sum(d.support_sessions or 0 for d in days)

    def weighted(name: str) -> Decimal | None:
        rated = [(getattr(d, name), d.support_sessions or 0) for d in days if getattr(d, name) is not None]
        weight = sum(w for _, w in rated)
        if not weight:
            return None
        return (sum(value * w for value, w in rated) / weight).quantize(PERCENT)

    return {"chats": chats, "response_percentage": weighted("response_percentage"), "satisfaction_percentage": weighted("satisfaction_percentage")}
