"""Per-part bounds of indicators: what each part of land could contribute at most and least.

Each baseline part must be planned for some allowed use, so an indicator over a scope lies
between the sums of its parts' smallest and largest per-hectare values times their areas. These
bounds are exact for one indicator on its own (other targets and LDN ignored), computed with
``reduceat`` over the columns, which are sorted by part within each period.
"""

from __future__ import annotations

import numpy as np

from lup_opt.data.model_data import ModelData


def indicator_values(data: ModelData, indicator: int) -> np.ndarray:
    """Per-ha value of every area column for one indicator (dense)."""
    return data.coefficients.getrow(indicator).toarray().ravel()


def period_columns(data: ModelData, period: int) -> slice:
    """Columns of one period: a contiguous range (columns are ordered by period)."""
    idx = np.flatnonzero(data.columns.period == period)
    return slice(int(idx[0]), int(idx[-1]) + 1)


def part_starts(data: ModelData, period: int) -> np.ndarray:
    part = data.columns.part[period_columns(data, period)]
    return np.flatnonzero(np.r_[True, part[1:] != part[:-1]])


def part_max(data: ModelData, values: np.ndarray, period: int, allowed: np.ndarray | None = None) -> np.ndarray:
    """Per part: the largest of ``values`` over its enterable columns (and ``allowed`` ones);
    -inf where none is."""
    cols = period_columns(data, period)
    ok = ~data.columns.fixed_to_zero[cols]
    if allowed is not None:
        ok &= allowed[cols]
    return np.maximum.reduceat(np.where(ok, values[cols], -np.inf), part_starts(data, period))


def part_min(data: ModelData, values: np.ndarray, period: int, allowed: np.ndarray | None = None) -> np.ndarray:
    return -part_max(data, -values, period, allowed)


def part_any(data: ModelData, flags: np.ndarray, period: int) -> np.ndarray:
    """Per part: whether any enterable column has ``flags`` set."""
    return part_max(data, flags.astype(float), period) > 0


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
