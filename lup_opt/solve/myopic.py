"""Myopic planning: one planning year at a time, each fixing the decisions of earlier years.

For comparison with perfect foresight. At the step for year y_t: changes of use in later periods
(and every other variable of later years) are closed; variables of earlier years keep the values
the earlier steps chose; rows of other years are dropped; the objective counts years up to y_t.
The same HiGHS model is reused, its bounds and costs changed between steps (warm starts).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from time import perf_counter

import highspy
import numpy as np

from lup_opt.enums import Backend, SolveStatus
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import LinearProgram
from lup_opt.solve.highs import (
    _configure,
    _status,
    apply_time_limit,
    highs_bounds,
    highs_version,
    new_highs,
    pass_lp,
)
from lup_opt.solve.options import Solution, SolverOptions

INF = highspy.kHighsInf


def variable_years(lp: LinearProgram, baseline_year: int) -> np.ndarray:
    """The year each variable belongs to (0: every year, e.g. keeping the baseline use)."""
    years = np.zeros(lp.num_cols)
    for block in lp.variables:
        if block.name == AREA:
            from_year = block.labels["from_year"].to_numpy(dtype=float)
            years[block.slice] = np.where(from_year == baseline_year, 0, from_year)
        elif "period" in block.labels:
            years[block.slice] = block.labels["period"].to_numpy(dtype=float)
    return years


def row_years(lp: LinearProgram) -> np.ndarray:
    years = np.zeros(lp.num_rows)
    for block in lp.constraints:
        if "period" in block.labels:
            years[block.slice] = block.labels["period"].to_numpy(dtype=float)
    return years


@dataclass(frozen=True)
class MyopicStep:
    """One year of myopic planning: its status, the bounds it was solved with, and the values
    of every variable after it (the plan so far)."""

    year: int
    status: SolveStatus
    message: str
    bounds: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # column lower/upper, row lower/upper
    values: np.ndarray | None
    seconds: float


def _open(lp: LinearProgram, options: SolverOptions) -> highspy.Highs:
    highs = new_highs()
    _configure(highs, options, None)
    highs.setOptionValue("output_flag", False)
    pass_lp(highs, lp)
    return highs


def _steps(highs: highspy.Highs, lp: LinearProgram, planning_years: tuple[int, ...], baseline_year: int,
           options: SolverOptions) -> Iterator[MyopicStep]:
    """Solve year by year in ``highs`` (holding ``lp``), yielding each step; stops after a failed one."""
    var_year, row_year = variable_years(lp, baseline_year), row_years(lp)
    lower, upper = highs_bounds(lp.col_lower), highs_bounds(lp.col_upper)
    row_lower, row_upper = highs_bounds(lp.row_lower), highs_bounds(lp.row_upper)
    area = lp.variable(AREA).slice
    land_cost = np.zeros(lp.num_cols)
    land_cost[area] = lp.cost[area]
    other_cost = lp.cost - land_cost
    columns = np.arange(lp.num_cols, dtype=np.int32)
    rows = np.arange(lp.num_rows, dtype=np.int32)
    values = np.zeros(lp.num_cols)
    for t, year in enumerate(planning_years):
        step_lower, step_upper = lower.copy(), upper.copy()
        later = var_year > year
        step_upper[later] = np.minimum(step_upper[later], 0.0)
        step_lower[later] = np.minimum(step_lower[later], 0.0)
        earlier = (var_year > 0) & (var_year < year)
        step_lower[earlier] = step_upper[earlier] = values[earlier]
        highs.changeColsBounds(lp.num_cols, columns, step_lower, step_upper)
        active = (row_year == 0) | (row_year == year)
        step_row_lower, step_row_upper = np.where(active, row_lower, -INF), np.where(active, row_upper, INF)
        highs.changeRowsBounds(lp.num_rows, rows, step_row_lower, step_row_upper)
        cost = other_cost + sum((c for p, c in lp.cost_by_period.items() if p <= t), np.zeros(lp.num_cols))
        highs.changeColsCost(lp.num_cols, columns, cost)
        apply_time_limit(highs, options)
        highs.run()
        status, message = _status(highs)
        if status is SolveStatus.OPTIMAL:
            values = np.asarray(highs.getSolution().col_value)
        bounds = tuple(np.where(b >= INF, np.inf, np.where(b <= -INF, -np.inf, b))
                       for b in (step_lower, step_upper, step_row_lower, step_row_upper))
        yield MyopicStep(year, status, message, bounds, values if status is SolveStatus.OPTIMAL else None,
                         highs.getRunTime())
        if status is not SolveStatus.OPTIMAL:
            return


def solve_myopic(
    lp: LinearProgram, planning_years: tuple[int, ...], baseline_year: int, options: SolverOptions | None = None
) -> Solution:
    options = options or SolverOptions()
    start = perf_counter()
    highs = _open(lp, options)
    handoff = perf_counter() - start
    solver_seconds, log, values = 0.0, [], None
    for step in _steps(highs, lp, planning_years, baseline_year, options):
        solver_seconds += step.seconds
        log.append(f"myopic step {step.year}: {step.message}")
        if step.status is not SolveStatus.OPTIMAL:
            return Solution(step.status, f"myopic planning: no plan for {step.year} given the decisions of earlier "
                            f"years ({step.message})", None, None, None, None, None, Backend.HIGHSPY,
                            highs_version(), handoff, solver_seconds, 0.0, "\n".join(log))
        values = step.values
    objective = float(lp.cost @ values + lp.objective_offset)
    nan_rows = np.full(lp.num_rows, np.nan)  # duals of a sequence of LPs are not prices of the plan
    return Solution(SolveStatus.OPTIMAL, "myopic planning: each year optimised given earlier decisions",
                    objective, values, lp.matrix @ values, nan_rows, None, Backend.HIGHSPY, highs_version(),
                    handoff, solver_seconds, 0.0, "\n".join(log))


def failed_step(lp: LinearProgram, planning_years: tuple[int, ...], baseline_year: int,
                options: SolverOptions | None = None) -> tuple[int, LinearProgram] | None:
    """The first year myopic planning finds no plan for, and that year's LP (earlier years'
    decisions fixed, later changes closed, other years' rows dropped), for a diagnosis; None when
    every year solves."""
    options = options or SolverOptions()
    for step in _steps(_open(lp, options), lp, planning_years, baseline_year, options):
        if step.status is not SolveStatus.OPTIMAL:
            return step.year, lp.with_bounds(*step.bounds)
    return None
