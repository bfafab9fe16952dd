"""Land plans given as tables (``evaluate --plan``, ``ldn.business_as_usual.plan``) turned into
area per part, use and planning year, with every line that does not fit named."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lup_opt.errors import IssueCollector
from lup_opt.formatting import number
from lup_opt.scenario.checks import BASELINE_TOLERANCE_HA, BASELINE_TOLERANCE_SHARE
from lup_opt.scenario.tables import MAX_ROWS_REPORTED

if TYPE_CHECKING:
    from lup_opt.data.arrays import Dimensions, PartArrays


def plan_state(dims: Dimensions, parts: PartArrays, plan: pd.DataFrame, label: str) -> tuple[np.ndarray, np.ndarray]:
    """A plan table (land_unit, baseline_use, use, period, area_ha: the columns of allocation.csv)
    as (state, changes), both (parts, uses, periods): the area of each part under each use in
    each planning year, and the area that changes to each use in each period. ScenarioError
    naming the lines or units that do not fit (unknown names, areas that do not add up to the
    baseline, land that changes use twice)."""
    issues = IssueCollector()
    if (plan["period"] == 0).all() and len(dims.periods) == 1:  # no period column: the only year
        plan = plan.assign(period=dims.periods[0])
    part_index = pd.Series(np.arange(parts.size), index=pd.MultiIndex.from_arrays(
        [np.asarray(dims.land_units, dtype=object)[parts.unit].astype(str),
         np.asarray(dims.uses, dtype=object)[parts.use]]))
    part = part_index.reindex(pd.MultiIndex.from_arrays([plan["land_unit"], plan["baseline_use"]])).to_numpy()
    use = pd.Index(dims.uses).get_indexer(plan["use"])
    period = pd.Index(dims.periods).get_indexer(plan["period"])
    bad = np.isnan(part) | (use < 0) | (period < 0)
    for i in np.flatnonzero(bad)[:MAX_ROWS_REPORTED]:
        issues.add(label, f"line {plan['source_line'].iat[i]}", _why_unknown(dims, parts, plan.iloc[i]))
    issues.raise_if_any()
    n_periods, n_uses = len(dims.periods), len(dims.uses)
    state = np.zeros((parts.size, n_uses, n_periods))
    np.add.at(state, (part.astype(int), use, period), plan["area_ha"].to_numpy())
    tolerance = np.maximum(BASELINE_TOLERANCE_HA, BASELINE_TOLERANCE_SHARE * parts.area)

    def unit_name(p: int) -> str:
        return f"land unit '{dims.land_units[parts.unit[p]]}'"

    off = np.abs(state.sum(axis=1) - parts.area[:, None]) > tolerance[:, None]
    for p, t in zip(*np.nonzero(off), strict=True):
        issues.add(label, unit_name(p),
                   f"its baseline '{dims.uses[parts.use[p]]}' area is {number(parts.area[p])} ha but the plan "
                   f"gives {number(state[p, :, t].sum())} ha for {dims.periods[t]}; rows of one unit and baseline "
                   "use must add up to its baseline area in every year")
        if len(issues._issues) >= MAX_ROWS_REPORTED:
            break
    issues.raise_if_any()
    # Each hectare changes use at most once: the area of every new use can only grow.
    new_use = np.arange(n_uses)[None, :] != parts.use[:, None]
    growth = np.diff(np.concatenate([np.zeros((parts.size, n_uses, 1)), state], axis=2), axis=2)
    shrinking = (growth < -tolerance[:, None, None]) & new_use[:, :, None]
    for p, b, t in list(zip(*np.nonzero(shrinking), strict=True))[:MAX_ROWS_REPORTED]:
        issues.add(label, unit_name(p),
                   f"'{dims.uses[b]}' shrinks in {dims.periods[t]}: land that changed use changes again, but "
                   "lup_opt plans at most one change of use per hectare over the planning years")
    issues.raise_if_any()
    return state, growth * new_use[:, :, None]


def _why_unknown(dims: Dimensions, parts: PartArrays, row: pd.Series) -> str:
    if row["land_unit"] not in set(map(str, dims.land_units)):
        return f"unknown land unit '{row['land_unit']}'"
    for use in (row["baseline_use"], row["use"]):
        if use not in dims.uses:
            return f"unknown use '{use}'"
    if row["period"] not in dims.periods:
        return f"{row['period']} is not a planning year"
    unit = list(map(str, dims.land_units)).index(row["land_unit"])
    held = {dims.uses[u] for u in parts.use[parts.unit == unit]}
    return (f"land unit '{row['land_unit']}' has no '{row['baseline_use']}' in the baseline "
            f"(it has {', '.join(sorted(held))})")
