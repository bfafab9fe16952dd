"""Numbers as planners read them."""

from __future__ import annotations


def number(value: float) -> str:
    """1,234 for large values, 12.3 for middling ones, 4 significant digits for small ones."""
    if value != value:  # NaN
        return "n/a"
    if abs(value) == float("inf"):
        return "unbounded" if value > 0 else "-unbounded"
    if abs(value) < 1e-9:  # solver round-off, not a quantity
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:,.4g}"
