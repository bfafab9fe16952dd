"""Sensitivity in planner units: what it would take for a use not chosen to enter the plan, and
which targets cost the most per unit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lup_opt.data.model_data import ModelData
from lup_opt.enums import ObjectiveSense
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import LinearProgram
from lup_opt.results.tables import AREA_EPS
from lup_opt.solve.options import Solution

REDUCED_COST_COLUMNS = [
    "jurisdiction", "use", "period", "planned_ha", "in_plan", "improvement_needed",
    "improvement_unit", "closest_land_unit", "closest_baseline_use",
]


def empty_reduced_costs() -> pd.DataFrame:
    """A reduced-cost table without rows, with the dtypes of a full one (numbers are floats)."""
    return pd.DataFrame({
        "jurisdiction": pd.Series(dtype=object), "use": pd.Series(dtype=object),
        "period": pd.Series(dtype="Int64"), "planned_ha": pd.Series(dtype=float),
        "in_plan": pd.Series(dtype=bool), "improvement_needed": pd.Series(dtype=float),
        "improvement_unit": pd.Series(dtype=object), "closest_land_unit": pd.Series(dtype=object),
        "closest_baseline_use": pd.Series(dtype=object),
    })[REDUCED_COST_COLUMNS]


def reduced_cost_table(data: ModelData, lp: LinearProgram, solution: Solution) -> pd.DataFrame:
    """Per jurisdiction, use and period of change: the area that changes to the use then (the
    area that keeps its baseline use has no period: it is empty, NA), and for a change not in the plan, how much
    its objective value per hectare would have to improve (fall, when minimising) before the
    cheapest of its hectares would enter the plan, and where that hectare is.

    The improvement is the reduced cost of the best column, in objective units per ha.
    """
    if solution.col_duals is None:  # no column duals (no solution): an empty table, typed as a full one
        return empty_reduced_costs()
    area = lp.variable(AREA)
    dims, cols = data.dims, data.columns
    sign = 1.0 if data.objective.sense is ObjectiveSense.MINIMIZE else -1.0
    x = solution.col_values[area.slice]
    improvement = sign * solution.col_duals[area.slice]
    improvement = np.where(cols.fixed_to_zero, np.inf, improvement)  # never enterable
    # Group on integer codes; names are attached to the (small) result only.
    n_uses, n_periods = len(dims.uses), len(dims.periods) + 1
    period_code = cols.conversion.astype(np.int64) + 1  # 0: keeps its baseline use
    key = (data.units.jurisdiction[cols.unit].astype(np.int64) * n_uses + cols.to_use) * n_periods + period_code
    improvement = np.maximum(improvement, 0.0) + 0.0  # + 0.0: no -0.0
    keys, inverse = np.unique(key, return_inverse=True)
    planned = np.bincount(inverse, weights=x, minlength=len(keys))
    # The closest column of each group: sort by (group, improvement), take each group's first.
    order = np.lexsort((improvement, inverse))
    starts = np.searchsorted(inverse[order], np.arange(len(keys)))
    best = order[starts]
    code_period = keys % n_periods
    table = pd.DataFrame({
        "jurisdiction": np.asarray(dims.jurisdictions, dtype=object)[keys // n_periods // n_uses],
        "use": np.asarray(dims.uses, dtype=object)[keys // n_periods % n_uses],
        "period": pd.array(np.where(code_period > 0, np.asarray((0, *dims.periods))[code_period], 0),
                           dtype="Int64"),
        "planned_ha": planned,
        "improvement": improvement[best],
        "land_unit": np.asarray(dims.land_units, dtype=object)[cols.unit[best]],
        "baseline_use": np.asarray(dims.uses, dtype=object)[cols.from_use[best]],
    })
    table.loc[code_period == 0, "period"] = pd.NA  # keeps its baseline use: no period of change
    table["in_plan"] = table["planned_ha"] > AREA_EPS
    table["improvement_needed"] = np.where(table["in_plan"], 0.0, table["improvement"])
    table["improvement_unit"] = f"{data.objective.unit} per ha"
    table = table.rename(columns={"land_unit": "closest_land_unit", "baseline_use": "closest_baseline_use"})
    table.loc[table["in_plan"], ["closest_land_unit", "closest_baseline_use"]] = ""
    table = table.sort_values(["jurisdiction", "use", "period"], kind="stable", na_position="first")
    return table[REDUCED_COST_COLUMNS].reset_index(drop=True)


def cheapest_uses_not_chosen(reduced_costs: pd.DataFrame) -> pd.DataFrame:
    """Per jurisdiction and period of change (NA: keeping the baseline use), the use not in the
    plan that is closest to entering it."""
    needed = pd.to_numeric(reduced_costs["improvement_needed"], errors="coerce").to_numpy(dtype=float)
    out = reduced_costs[~reduced_costs["in_plan"].astype(bool).to_numpy() & np.isfinite(needed)]
    if out.empty:
        return out
    index = out.groupby(["jurisdiction", "period"], dropna=False)["improvement_needed"].idxmin()
    return out.loc[index].reset_index(drop=True)


def costliest_targets(duals: pd.DataFrame, count: int = 5) -> pd.DataFrame:
    """Binding targets ranked by the objective cost of one more unit of each (|shadow price|)."""
    if duals.empty:
        return duals
    binding = duals[duals["binding"] & (duals["shadow_price"].abs() > 1e-12)]
    order = binding["shadow_price"].abs().sort_values(ascending=False).index
    return binding.loc[order].head(count).reset_index(drop=True)
