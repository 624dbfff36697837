"""Income verification for lenders: a report of what a seller's shop and a creator's
commissions earned (``report``), a four-factor score (``score``), and a signed statement anyone
can check with the public key (``signing``), built by ``service.build_report``."""

from .service import IncomeRefused, IncomeRequest, build_report, parse_rates
from .signing import public_keys, rotate, sign, verify
from .window import Window, WindowError

__all__ = ["IncomeRefused", "IncomeRequest", "Window", "WindowError", "build_report", "parse_rates", "public_keys", "rotate", "sign", "verify"]
