"""Per-part bounds of indicators: what each part of land could contribute at most and least.

Each baseline part must follow some allowed path, so an indicator over a scope in a period lies
between the sums of its parts' smallest and largest per-hectare values in that period times
their areas. These bounds are exact for one indicator in one period on its own (other targets
and LDN ignored), computed with ``reduceat`` over the columns, which are sorted by part.
"""

from __future__ import annotations

import numpy as np

from lup_opt.data.model_data import ModelData

FORMULATION_IDS = ("D-BOUND",)  # models/formulation.md sections this module implements


def indicator_values(data: ModelData, indicator: int, period: int) -> np.ndarray:
    """Per-ha value of every area column for one indicator in one period (dense)."""
    return data.coefficients[period].getrow(indicator).toarray().ravel()


def part_starts(data: ModelData) -> np.ndarray:
    """Index of each part's first column (columns are ordered by part)."""
    return data.columns.part_starts


def part_max(data: ModelData, values: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
    """Per part: the largest of ``values`` over its enterable columns (and ``allowed`` ones);
    -inf where none is."""
    ok = ~data.columns.fixed_to_zero
    if allowed is not None:
        ok = ok & allowed
    return np.maximum.reduceat(np.where(ok, values, -np.inf), part_starts(data))


def part_min(data: ModelData, values: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
    return -part_max(data, -values, allowed)


def part_any(data: ModelData, flags: np.ndarray) -> np.ndarray:
    """Per part: whether any enterable column has ``flags`` set."""
    return part_max(data, flags.astype(float)) > 0


def covering_area(rates: np.ndarray, capacity: np.ndarray, deficit: float) -> float:
    """Least area (ha) that covers ``deficit`` when each hectare of item i yields ``rates[i]``,
    up to ``capacity[i]`` ha (a fractional knapsack); inf when even all of it falls short."""
    if deficit <= 0:
        return 0.0
    useful = rates > 0
    rates, capacity = rates[useful], capacity[useful]
    order = np.argsort(-rates, kind="stable")
    rates, capacity = rates[order], capacity[order]
    delivered = np.cumsum(rates * capacity)
    if len(delivered) == 0 or delivered[-1] < deficit * (1 - 1e-12):
        return np.inf
    k = int(np.searchsorted(delivered, deficit))
    before = delivered[k - 1] if k else 0.0
    return float(capacity[:k].sum() + (deficit - before) / rates[k])
