"""The four-factor income score a lender reads: revenue 40, consistency 20, reliability 20,
growth 20. Each factor is 0-100 with its reasons in plain words, the inputs it used and a
confidence; the score is their weighted sum (0-100). The formulas are in the README ("Income
verification"), with the tier table and worked examples; every step here is monotone in the
input it reads (more income never lowers the revenue factor, a higher return rate never raises
reliability, faster growth never lowers growth), which the property tests check.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

WEIGHTS = {"revenue": 40, "consistency": 20, "reliability": 20, "growth": 20}

# Monthly income tiers (USD): each tier is a quarter of the revenue factor, linear inside it, so
# the factor rises with every dollar and a tier boundary is no cliff. Above $20,000 a month the
# last quarter fills up by $100,000.
TIERS = ((0, 1_000, "$0-1,000"), (1_000, 5_000, "$1,000-5,000"), (5_000, 20_000, "$5,000-20,000"), (20_000, 100_000, "over $20,000"))

# A rate at or above this scores 0 on its part of reliability (a 20% return rate is a shop in trouble).
RATE_CEILING = Decimal("0.20")
RATE_LINE = Decimal("0.05")  # what lenders call a healthy return or cancellation rate: under 5%
CONFIDENCE_ORDER = ("low", "medium", "high")


@dataclass
class Factor:
    name: str
    value: float
    reasons: list[str] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)
    confidence: str = "high"

    def lower_confidence(self, to: str) -> None:
        if CONFIDENCE_ORDER.index(to) < CONFIDENCE_ORDER.index(self.confidence):
            self.confidence = to

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": round(self.value, 1),
            "weight": WEIGHTS[self.name],
            "weighted": round(self.value * WEIGHTS[self.name] / 100, 2),
            "confidence": self.confidence,
            "reasons": self.reasons,
            "inputs": self.inputs,
        }


@dataclass
class ScoreInputs:
    """What the score reads, all in one currency (USD for the revenue tiers)."""

    monthly_income: Decimal
    month_incomes: list[Decimal]  # per 30-day slice, oldest first, scaled to 30 days
    month_orders: list[int]  # orders counted plus attributed orders, per slice, scaled to 30 days
    active_weeks: int  # weeks of the window with at least one order
    weeks: int
    history_days: int  # since the first order the ERP holds
    window_days: int
    return_rate: Decimal | None
    cancellation_rate: Decimal | None
    late_shipment_rate: Decimal | None
    orders: int
    quality: Decimal | None = None  # customer satisfaction 0..1 when the marketplace gives it
    quality_source: str | None = None


def revenue_factor(inputs: ScoreInputs) -> Factor:
    income = max(Decimal(0), inputs.monthly_income)
    value, tier = 0.0, TIERS[0][2]
    for k, (low, high, label) in enumerate(TIERS):
        if income >= low:
            tier = label
            value = 25 * k + 25 * float(min(income, Decimal(high)) - low) / (high - low)
    factor = Factor("revenue", value, inputs={"monthly_income": str(income.quantize(Decimal("0.01"))), "tier": tier})
    factor.reasons.append(f"monthly income ${income:,.2f}, in the {tier} tier")
    if inputs.history_days < inputs.window_days:
        factor.lower_confidence("medium" if inputs.history_days >= inputs.window_days / 2 else "low")
        factor.reasons.append(f"only {inputs.history_days} days of history in a {inputs.window_days}-day window")
    return factor


def consistency_factor(inputs: ScoreInputs) -> Factor:
    """Half from month-to-month variation (coefficient of variation of monthly income), three
    tenths from order regularity (weeks with an order), a fifth from age (a year is full)."""
    months = [float(m) for m in inputs.month_incomes]
    mean = statistics.fmean(months) if months else 0.0
    variation = statistics.pstdev(months) / mean if mean > 0 and len(months) > 1 else (0.0 if mean > 0 else 1.0)
    steady = max(0.0, 1.0 - variation)
    regular = inputs.active_weeks / inputs.weeks if inputs.weeks else 0.0
    age = min(1.0, inputs.history_days / 365)
    value = 100 * (0.5 * steady + 0.3 * regular + 0.2 * age)
    factor = Factor(
        "consistency",
        value,
        inputs={"monthly_variation": round(variation, 4), "active_weeks": inputs.active_weeks, "weeks": inputs.weeks, "history_days": inputs.history_days},
    )
    factor.reasons.append(f"monthly income varies by {variation:.0%} around its mean" if mean > 0 else "no income in the window")
    factor.reasons.append(f"orders in {inputs.active_weeks} of {inputs.weeks} weeks")
    factor.reasons.append(f"first order {inputs.history_days} days ago" if inputs.history_days else "no order on record yet")
    if len(months) < 2:
        factor.lower_confidence("low")
    elif inputs.history_days < inputs.window_days:
        factor.lower_confidence("medium")
    return factor


def _rate_part(rate: Decimal | None) -> float | None:
    if rate is None:
        return None
    return float(max(Decimal(0), 1 - min(rate, RATE_CEILING) / RATE_CEILING))


def _rate_reason(what: str, rate: Decimal) -> str:
    side = "below" if rate < RATE_LINE else "at or above"
    return f"{what} {rate:.1%}, {side} the {RATE_LINE:.0%} line"


def reliability_factor(inputs: ScoreInputs) -> Factor:
    """Returns 35%, cancellations 25%, late shipments 20%, shop quality 20%; a part without data
    drops out and the others are reweighted (confidence falls)."""
    parts = {
        "return_rate": (0.35, _rate_part(inputs.return_rate)),
        "cancellation_rate": (0.25, _rate_part(inputs.cancellation_rate)),
        "late_shipment_rate": (0.20, _rate_part(inputs.late_shipment_rate)),
        "quality": (0.20, float(inputs.quality) if inputs.quality is not None else None),
    }
    known = {k: (w, v) for k, (w, v) in parts.items() if v is not None}
    weight = sum(w for w, _ in known.values())
    value = 100 * sum(w * v for w, v in known.values()) / weight if weight else 50.0
    factor = Factor(
        "reliability",
        value,
        inputs={
            k: (None if v is None else str(v))
            for k, v in (
                ("return_rate", inputs.return_rate),
                ("cancellation_rate", inputs.cancellation_rate),
                ("late_shipment_rate", inputs.late_shipment_rate),
                ("quality", inputs.quality),
            )
        },
    )
    for name, label in (("return_rate", "return rate"), ("cancellation_rate", "cancellation rate"), ("late_shipment_rate", "late shipments")):
        rate = getattr(inputs, name)
        factor.reasons.append(_rate_reason(label, rate) if rate is not None else f"{label}: no data")
    if inputs.quality is not None:
        factor.reasons.append(f"{inputs.quality:.1%} {inputs.quality_source}")
    else:
        factor.reasons.append("shop quality: no customer service data for the window; the other parts carry its weight")
        factor.lower_confidence("medium")
    if not weight:
        factor.reasons.append("no orders to judge by: neutral 50")
        factor.lower_confidence("low")
    elif inputs.orders < 20:
        factor.reasons.append(f"only {inputs.orders} orders: rates are rough")
        factor.lower_confidence("low")
    return factor


def _trend(values: list[float]) -> float:
    """Change from the first to the last month, as a fraction of the first (capped at +-100%)."""
    if len(values) < 2:
        return 0.0
    first, last = values[0], values[-1]
    if first <= 0:
        return 1.0 if last > 0 else 0.0
    return max(-1.0, min(1.0, (last - first) / first))


def growth_factor(inputs: ScoreInputs) -> Factor:
    """50 is flat; income's trend counts 70%, orders' 30%, each from the first month to the last."""
    income_trend = _trend([float(m) for m in inputs.month_incomes])
    order_trend = _trend([float(m) for m in inputs.month_orders])
    value = 50 + 50 * (0.7 * income_trend + 0.3 * order_trend)
    factor = Factor("growth", value, inputs={"income_trend": round(income_trend, 4), "order_trend": round(order_trend, 4)})
    factor.reasons.append(f"income {_moved(income_trend)} from the first month to the last")
    factor.reasons.append(f"orders {_moved(order_trend)}")
    if len(inputs.month_incomes) < 2 or inputs.history_days < inputs.window_days:
        factor.lower_confidence("low")
        factor.reasons.append("history shorter than the window: the trend is uncertain")
    return factor


def _moved(trend: float) -> str:
    if abs(trend) < 0.005:
        return "flat"
    return f"{'up' if trend > 0 else 'down'} {abs(trend):.0%}" + (" or more" if abs(trend) >= 1 else "")


def score(inputs: ScoreInputs) -> dict[str, Any]:
    factors = [revenue_factor(inputs), consistency_factor(inputs), reliability_factor(inputs), growth_factor(inputs)]
    # From the values as shown (one decimal), so a lender adding up the table gets the score.
    total = sum(round(f.value, 1) * WEIGHTS[f.name] / 100 for f in factors)
    confidence = min((f.confidence for f in factors), key=CONFIDENCE_ORDER.index)
    return {"score": round(total, 1), "confidence": confidence, "factors": [f.as_dict() for f in factors]}
