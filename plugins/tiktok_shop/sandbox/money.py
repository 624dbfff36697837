"""Money in the sandbox: integer minor units inside, decimal strings on the wire, as the API
sends them ("12.30" for USD, "5000" for IDR)."""

from __future__ import annotations

from functools import lru_cache

# Region -> (currency, decimal places) for the shops the sandbox creates.
REGION_CURRENCY = {
    "US": ("USD", 2),
    "GB": ("GBP", 2),
    "ID": ("IDR", 0),
    "SG": ("SGD", 2),
    "MY": ("MYR", 2),
    "TH": ("THB", 2),
    "VN": ("VND", 0),
    "PH": ("PHP", 2),
}


@lru_cache(maxsize=1 << 16)
def fmt(minor: int, decimals: int) -> str:
    # Cached: a page repeats the same amounts (zeros, catalogue prices, fees) thousands of times.
    if decimals == 0:
        return str(int(minor))
    minor = int(minor)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**decimals)
    return f"{sign}{whole}.{frac:0{decimals}d}"


def parse(text: str, decimals: int) -> int:
    """Decimal string to minor units; refuses more places than the currency has."""
    text = text.strip()
    negative = text.startswith("-")
    whole, _, frac = text.lstrip("+-").partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > decimals:
        raise ValueError(f"{text!r} is not an amount with at most {decimals} decimal places")
    value = int(whole) * 10**decimals + int((frac or "0").ljust(decimals, "0")[:decimals] or 0)
    return -value if negative else value
