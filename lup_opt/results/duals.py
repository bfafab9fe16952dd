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
from lup_opt.data.targets import ALL
from lup_opt.model.dynamics import CONVERSION_LIMITS
from lup_opt.model.ldn import LDN_NEUTRALITY
from lup_opt.model.lp import LinearProgram
from lup_opt.model.shares import EQUAL_SHARES, SHARE_TARGETS
from lup_opt.model.targets import HARD_TARGETS, SOFT_TARGETS
from lup_opt.results.indicators import PlanValues
from lup_opt.solve.options import Solution

COLUMNS = [
    "constraint", "family", "name", "group", "indicator", "scope", "period", "sense", "rhs",
    "activity", "unit", "slack", "binding", "shadow_price", "price_unit", "marginal_rate", "rate_unit",
    "valid_from", "valid_to", "objective_at_valid_from", "objective_at_valid_to",
]


def _ranges(solution: Solution, rows: slice, n: int) -> dict[str, np.ndarray]:
    """Target values between which the shadow price holds, and the objective at each end."""
    ranging = solution.ranging
    if ranging is None:
        nan = np.full(n, np.nan)
        return {"valid_from": nan, "valid_to": nan, "objective_at_valid_from": nan, "objective_at_valid_to": nan}
    return {
        "valid_from": ranging.lower_value[rows],
        "valid_to": ranging.upper_value[rows],
        "objective_at_valid_from": ranging.lower_objective[rows],
        "objective_at_valid_to": ranging.upper_objective[rows],
    }


def _slack(sense: np.ndarray, activity: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    return np.where(sense == ">=", activity - rhs, np.where(sense == "<=", rhs - activity, np.abs(activity - rhs)))


def duals_table(data: ModelData, lp: LinearProgram, solution: Solution) -> pd.DataFrame:
    unit = data.objective.unit
    frames = []
    for name in (HARD_TARGETS, SOFT_TARGETS):
        block = lp.constraint(name)
        if block.size == 0:
            continue
        labels = block.labels
        rhs = labels["value"].to_numpy(dtype=float)
        activity = solution.row_values[block.slice]
        if name == SOFT_TARGETS:  # the target's own indicator value, without the shortfall
            targets = [t for t in data.targets if t.kind.value == "soft"]
            plan = _plan(lp, data, solution)
            activity = np.array([plan.in_scope(data, t.indicator, t.unit_mask, t.period, t.jurisdictions)
                                 for t in targets])
        indicator_units = dict(zip(data.dims.indicators, data.dims.indicator_units, strict=True))
        frames.append(pd.DataFrame({
            "constraint": name, "family": block.family, "name": labels["target"], "group": "",
            "indicator": labels["indicator"], "scope": labels["scope"], "period": labels["period"],
            "sense": labels["sense"], "rhs": rhs, "activity": activity,
            "shadow_price": solution.row_duals[block.slice],
            "unit": [indicator_units[i] for i in labels["indicator"]],
            **_ranges(solution, block.slice, block.size),
        }))
    block = lp.constraint(LDN_NEUTRALITY)
    if block.size:
        labels = block.labels
        frames.append(pd.DataFrame({
            "constraint": LDN_NEUTRALITY, "family": block.family,
            "name": "LDN " + labels["land_type"].astype(str), "group": labels["jurisdiction"],
            "indicator": "net LDN gain (ha)",
            "scope": np.where(labels["jurisdiction"] == ALL, "functional area",
                              "jurisdiction=" + labels["jurisdiction"].astype(str)),
            "period": labels["period"], "sense": ">=", "rhs": block.lower,
            "activity": solution.row_values[block.slice],
            "shadow_price": solution.row_duals[block.slice], "unit": "ha",
            **_ranges(solution, block.slice, block.size),
        }))
    frames.extend(_share_duals(data, lp, solution, unit))
    frames.extend(_conversion_limit_duals(lp, solution))
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


def _conversion_limit_duals(lp: LinearProgram, solution: Solution) -> list[pd.DataFrame]:
    """Conversion limits (C-RATE): area-wide limits always, per-group ones (e.g. each land
    unit) only where they bind, so that a limit on 100,000 parcels does not swamp the table."""
    block = lp.constraint(CONVERSION_LIMITS)
    if block.size == 0:
        return []
    labels = block.labels
    rhs = block.upper
    activity = solution.row_values[block.slice]
    grouped = labels["group"].astype(str).to_numpy() != ""
    binding = rhs - activity <= 1e-7 * np.maximum(1.0, np.abs(rhs))
    keep = ~grouped | binding
    ranges = {k: v[keep] for k, v in _ranges(solution, block.slice, block.size).items()}
    return [pd.DataFrame({
        "constraint": CONVERSION_LIMITS, "family": block.family, "name": labels["limit"].to_numpy()[keep],
        "group": labels["group"].astype(str).to_numpy()[keep], "indicator": "area changed (ha)",
        "scope": np.where(grouped[keep], labels["group"].astype(str).to_numpy()[keep],
                          "conversion_limits." + labels["limit"].astype(str).to_numpy()[keep]),
        "period": labels["period"].to_numpy()[keep], "sense": "<=", "rhs": rhs[keep], "activity": activity[keep],
        "shadow_price": solution.row_duals[block.slice][keep], "unit": "ha", **ranges,
    })]


def _plan(lp: LinearProgram, data: ModelData, solution: Solution) -> PlanValues:
    return PlanValues.of(data, {b.name: solution.col_values[b.slice] for b in lp.variables})


def _share_duals(data: ModelData, lp: LinearProgram, solution: Solution, unit: str) -> list[pd.DataFrame]:
    """Share rows are written as num - share * den; a percentage point of share is worth
    dual * den / 100 (for equal shares, D_g / 100) in objective units."""
    frames = []
    rows_by_block = {
        SHARE_TARGETS: [r for r in data.share_targets if r.share is not None],
        EQUAL_SHARES: [r for r in data.share_targets if r.share is None],
    }
    for name, rows in rows_by_block.items():
        block = lp.constraint(name)
        if block.size == 0:
            continue
        denominators, shares = [], []
        plan = _plan(lp, data, solution)
        for r in rows:
            num = plan.in_scope(data, r.numerator, r.numerator_mask, r.period, r.numerator_jurisdictions)
            den = r.denominator_value if r.share is None else plan.in_scope(
                data, r.denominator, r.denominator_mask, r.period, r.denominator_jurisdictions)
            denominators.append(den)
            shares.append(num / den if den else np.nan)
        denominators = np.array(denominators)
        labels = block.labels
        target_share = np.array([r.share if r.share is not None else np.nan for r in rows], dtype=float)
        if name == EQUAL_SHARES:
            common = solution.col_values[lp.variable("common_share").slice]
            target_share = np.array([common[r.common_share] for r in rows])
        frames.append(pd.DataFrame({
            "constraint": name, "family": block.family, "name": labels["target"], "group": labels["group"],
            "indicator": labels["numerator"] + "/" + labels["denominator"],
            "scope": [r.scope for r in rows],
            "period": labels["period"], "sense": labels["sense"], "rhs": target_share * 100.0,
            "activity": np.array(shares) * 100.0,
            "shadow_price": solution.row_duals[block.slice] * denominators / 100.0,
            "unit": "percentage point",
        }))
    return frames
