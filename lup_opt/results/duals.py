"""Shadow prices of targets and LDN rows, in objective units per unit of what the row bounds.

A shadow price is d(objective)/d(target value): how much the optimum changes if the target moves
by one unit of its indicator (one hectare for an LDN row, one percentage point for a share).
HiGHS's row duals are exactly that derivative for the row as written, for both senses; ranging
gives the target values between which it holds, always a range that holds the target's own value
(for a target that does not bind: from the activity outwards, see
:func:`lup_opt.solve.highs._row_ranging`), and the objective at each end as a re-solve there gives
it (not given for share rows, whose bound is a share of a quantity the plan changes). The
marginal rate is its inverse, in the indicator's units per objective unit: how much more of the
target one more objective unit (e.g. one kUSD) buys at the margin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lup_opt.data.model_data import ModelData
from lup_opt.families.registry import priced_rows
from lup_opt.model.lp import LinearProgram
from lup_opt.solve.options import Solution

COLUMNS = [
    "constraint", "family", "name", "group", "indicator", "scope", "period", "sense", "rhs",
    "activity", "unit", "slack", "binding", "shadow_price", "price_unit", "marginal_rate", "rate_unit",
    "valid_from", "valid_to", "objective_at_valid_from", "objective_at_valid_to",
]


def _slack(sense: np.ndarray, activity: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    return np.where(sense == ">=", activity - rhs, np.where(sense == "<=", rhs - activity, np.abs(activity - rhs)))


def duals_table(data: ModelData, lp: LinearProgram, solution: Solution) -> pd.DataFrame:
    """Every family's priced rows (``Family.priced``), with slack, binding, units and the price
    read both ways."""
    unit = data.objective.unit
    frames = priced_rows(data, lp, solution)
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    sense = table["sense"].to_numpy()
    table["slack"] = _slack(sense, table["activity"].to_numpy(dtype=float), table["rhs"].to_numpy(dtype=float))
    scale = np.maximum(1.0, np.abs(table["rhs"].to_numpy(dtype=float)))
    table["binding"] = table["slack"].to_numpy() <= 1e-7 * scale
    # Dual noise on slack rows is not a price.
    prices = table["shadow_price"].to_numpy(dtype=float)
    prices = np.where(table["binding"].to_numpy() | (np.abs(prices) > 1e-9), prices, 0.0)
    table["shadow_price"] = prices
    table["price_unit"] = f"{unit} per " + table["unit"]
    # The same price read the other way: how much of the target one objective unit buys.
    with np.errstate(divide="ignore"):
        table["marginal_rate"] = np.where(np.abs(prices) > 1e-12, 1.0 / prices, np.nan)
    table["rate_unit"] = table["unit"] + f" per {unit}"
    for column in table.columns:  # -0.0 (a share of 0, a price of 0 on a '<=' row) reads as 0
        if table[column].dtype == float:
            table[column] = table[column] + 0.0
    return table.reindex(columns=COLUMNS)
