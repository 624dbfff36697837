"""The value layer over the canonical ``erp_*`` tables: figures per currency over local-day
periods, the dashboard's breakdowns, delayed settlements, reconciliation and exports. Nothing
here knows a marketplace: every connector's data is read the same way."""

from .periods import Period, PeriodError, parse_period
from .service import ReportRefused, Scope, resolve, summary, table

__all__ = ["Period", "PeriodError", "ReportRefused", "Scope", "parse_period", "resolve", "summary", "table"]
