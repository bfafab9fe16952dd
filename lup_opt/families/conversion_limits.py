"""Limits on how fast land may change (C-RATE), the whole family in one module: its data, its
LP rows, what culling and aggregation must respect, and its shadow prices. ``DEVELOPERS.md``
uses it as the example of what a contributor writes to add a family.

A limit caps the area that changes use in a period (``max_ha``, or ``max_share`` of the area in
scope), optionally only changes from or to some uses, and optionally for each group of land
units (``for_each``, e.g. each jurisdiction or each land unit). Only changes made in that period
count.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.model_data import ModelData, Resolution, ResolveContext
from lup_opt.data.targets import period_indices, scope_mask, unit_groups
from lup_opt.enums import FamilyName
from lup_opt.families.base import Family
from lup_opt.model.families import implements
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import INF, LinearProgram, LPBuilder, Rows
from lup_opt.results.prices import ranges
from lup_opt.scenario.config import ScenarioConfig
from lup_opt.scenario.scenario import Scenario
from lup_opt.solve.options import Solution

CONVERSION_LIMITS = Rows("conversion_limit", "C-RATE")


@dataclass(frozen=True)
class ConversionLimitRow:
    name: str
    group: str
    period: int  # index of the planning year
    columns: np.ndarray  # area columns that count (changes in this period, in scope)
    limit_ha: float


def resolve(context: ResolveContext) -> Resolution:
    """One row per limit, group of land units and planning year, with the columns it counts."""
    scenario, dims, columns = context.scenario, context.dims, context.columns
    rows = []
    for name, limit in scenario.config.conversion_limits.items():
        in_scope = scope_mask(scenario, limit.scope)
        change = columns.conversion >= 0
        if limit.from_uses:
            change &= np.isin(columns.from_use, [dims.uses.index(u) for u in limit.from_uses])
        if limit.to_uses:
            change &= np.isin(columns.to_use, [dims.uses.index(u) for u in limit.to_uses])
        for group, members in unit_groups(scenario, limit.for_each):
            unit_ok = in_scope & members
            if not unit_ok.any():
                continue
            area = float(context.units.area[unit_ok].sum())
            cap = limit.max_ha if limit.max_ha is not None else limit.max_share * area
            for t in period_indices(limit.period, dims):
                cols = np.flatnonzero(change & unit_ok[columns.unit] & (columns.conversion == t))
                rows.append(ConversionLimitRow(name, group, t, cols, float(cap)))
    return Resolution(tuple(rows))


@implements("C-RATE")
def add_conversion_limits(lp: LPBuilder, data: ModelData) -> None:
    """C-RATE: sum_{c changes in period t, in scope S (and group g)} x[c] <= L[S,g,t].

    L is given in hectares, or as a share of the area of the scope (and group, e.g. each land
    unit) per period. Only changes made in that period count.
    """
    rows: tuple[ConversionLimitRow, ...] = data.of(FamilyName.CONVERSION_LIMITS) or ()
    r = np.concatenate([np.full(len(row.columns), i) for i, row in enumerate(rows)]) if rows else np.zeros(0)
    c = np.concatenate([row.columns for row in rows]) if rows else np.zeros(0)
    matrix = sp.csr_matrix((np.ones(len(c)), (r.astype(np.int64), c.astype(np.int64))),
                           shape=(len(rows), data.columns.size))
    labels = pd.DataFrame({"limit": [row.name for row in rows], "group": [row.group for row in rows],
                           "period": [data.dims.periods[row.period] for row in rows]})
    lp.add_constraints(CONVERSION_LIMITS, {AREA: matrix}, np.full(len(rows), -INF),
                       np.array([row.limit_ha for row in rows], dtype=float), labels)


def counts_changes(scenario: Scenario) -> Iterator[np.ndarray]:
    """Culling: per limit that counts only some changes, which (baseline use, use) it counts; a
    change may replace another only if it counts against no more limits (limits that count
    every change treat all changes alike)."""
    uses = list(scenario.uses["id"])
    n = len(uses)
    for limit in scenario.config.conversion_limits.values():
        if not (limit.from_uses or limit.to_uses):
            continue
        from_ok = np.isin(np.arange(n), [uses.index(u) for u in limit.from_uses]) if limit.from_uses \
            else np.ones(n, dtype=bool)
        to_ok = np.isin(np.arange(n), [uses.index(u) for u in limit.to_uses]) if limit.to_uses \
            else np.ones(n, dtype=bool)
        yield from_ok[:, None] & to_ok[None, :]


def per_land_unit(config: ScenarioConfig) -> str | None:
    """Aggregation: a limit for each land unit tells land units apart, so none may be merged."""
    for name, limit in config.conversion_limits.items():
        if "land_unit" in limit.for_each:
            return f"conversion limit '{name}'"
    return None


def priced(data: ModelData, lp: LinearProgram, solution: Solution) -> list[pd.DataFrame]:
    """Area-wide limits always, per-group ones (e.g. each land unit) only where they bind, so
    that a limit on 100,000 parcels does not swamp the table."""
    block = lp.constraint(CONVERSION_LIMITS)
    if block.size == 0:
        return []
    labels = block.labels
    rhs = block.upper
    activity = solution.row_values[block.slice]
    group = labels["group"].astype(str).to_numpy()
    grouped = group != ""
    binding = rhs - activity <= 1e-7 * np.maximum(1.0, np.abs(rhs))
    keep = ~grouped | binding
    limit = labels["limit"].astype(str).to_numpy()
    return [pd.DataFrame({
        "constraint": str(CONVERSION_LIMITS), "family": block.family, "name": limit[keep], "group": group[keep],
        "indicator": "area changed (ha)",
        "scope": np.where(grouped[keep], group[keep], "conversion_limits." + limit[keep]),
        "period": labels["period"].to_numpy()[keep], "sense": "<=", "rhs": rhs[keep], "activity": activity[keep],
        "shadow_price": solution.row_duals[block.slice][keep], "unit": "ha",
        **{k: v[keep] for k, v in ranges(solution, block.slice, block.size).items()},
    })]


FAMILY = Family(name=FamilyName.CONVERSION_LIMITS, resolve=resolve, rows=(add_conversion_limits,), priced=priced,
                counts_changes=counts_changes, per_land_unit=per_land_unit)
