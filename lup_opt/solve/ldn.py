"""The solves behind LDN's response hierarchy and the price of neutrality.

- ``ldn.hierarchy: strict`` is lexicographic: first the fewest hectares lost (summed over the
  planning years) that any plan meeting every row can reach (:func:`least_losses`), then the objective with
  that loss area as a cap (the C-LDN-H row).
- The price of neutrality of an LDN group (land type, and jurisdiction when scoped) is what the
  objective gains when that group's LDN rows are dropped: one warm re-solve per group
  (:func:`price_of_neutrality`).
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import pandas as pd

from lup_opt.enums import ObjectiveSense, SolveStatus
from lup_opt.model.land_balance import AREA
from lup_opt.model.ldn import LDN_NEUTRALITY
from lup_opt.model.lp import LinearProgram
from lup_opt.solve.highs import solve_with_highspy
from lup_opt.solve.options import Solution, SolverOptions
from lup_opt.solve.session import WarmSession

logger = logging.getLogger(__name__)

ALL_GROUPS = "all LDN rows"
BINDING_TOLERANCE = 1e-7  # relative: an LDN row this close to its target holds with no slack
PRICE_COLUMNS = ["land_type", "jurisdiction", "rows", "binding_rows", "objective_with_ldn", "objective_without",
                 "price_of_neutrality", "shadow_price_sum", "status"]


def least_losses(lp: LinearProgram, loss_per_ha: np.ndarray, options: SolverOptions | None = None) -> Solution:
    """Minimise the loss area (``loss_per_ha`` over the area columns) subject to every row of
    ``lp``: the first stage of ``ldn.hierarchy: strict``."""
    cost = np.zeros(lp.num_cols)
    cost[lp.variable(AREA).slice] = loss_per_ha
    return solve_with_highspy(
        replace(lp, sense=ObjectiveSense.MINIMIZE, cost=cost, cost_by_period={}, objective_offset=0.0), options)


def price_of_neutrality(lp: LinearProgram, solution: Solution, options: SolverOptions | None = None
                        ) -> pd.DataFrame:
    """Per LDN group: the objective without that group's LDN rows (every year), and how much the
    rows cost (objective with them less without, in the objective's direction: >= 0 when they
    bind). The last row drops every LDN row at once. The solve's own row duals give the sum of
    shadow prices per group (d objective / d target, as in duals.csv) beside the re-solved
    difference."""
    if not lp.has_constraint(LDN_NEUTRALITY) or lp.constraint(LDN_NEUTRALITY).size == 0:
        return pd.DataFrame(columns=PRICE_COLUMNS)
    block = lp.constraint(LDN_NEUTRALITY)
    labels = block.labels
    session = WarmSession(lp, options)
    # Each re-solve starts from the solve's optimum (its basis; in a structured session its duals)
    # if it kept it, else from the optimum found again. Dropping rows keeps that optimum feasible,
    # so primal simplex re-optimises it: on the default scenario its five re-solves took 0.26 s
    # (11-399 pivots each) against 1.29 s (900-1,900 pivots) by dual simplex from whatever the
    # previous re-solve had left, to the same objectives. A solve that kept no basis (Pyomo's)
    # gives its plan and duals, from which crossover makes one (0.3 s against a 2 s fresh solve).
    if not (session.start_from(solution.basis, solution.row_duals)
            or session.start_from_point(solution.col_values, solution.row_duals)):
        session.solve()
    optimum = solution.basis if solution.basis is not None else session.basis()
    sign = 1.0 if lp.sense is ObjectiveSense.MINIMIZE else -1.0
    objective = float(solution.objective)
    rows_of_block = np.arange(block.offset, block.offset + block.size)
    duals = np.asarray(solution.row_duals)[rows_of_block]
    activity = np.asarray(solution.row_values)[rows_of_block]
    binding = np.abs(activity - block.lower) <= BINDING_TOLERANCE * np.maximum(1.0, np.abs(block.lower))
    groups = [(lt, j) for lt, j in labels[["land_type", "jurisdiction"]].drop_duplicates().itertuples(index=False)]
    records = []
    for land_type, jurisdiction in [*groups, (ALL_GROUPS, "")]:
        if land_type == ALL_GROUPS:
            rows = np.arange(block.size)
        else:
            rows = np.flatnonzero((labels["land_type"] == land_type).to_numpy()
                                  & (labels["jurisdiction"] == jurisdiction).to_numpy())
        for r in rows:
            session.set_row_bounds(block.offset + r, -np.inf, np.inf)
        if optimum is not None:
            session.start_from(optimum, widened=True)
        solved = session.solve()
        for r in rows:
            session.set_row_bounds(block.offset + r, block.lower[r], block.upper[r])
        without = float(lp.cost @ solved.values + lp.objective_offset) if solved.is_optimal else np.nan
        records.append({
            "land_type": land_type, "jurisdiction": jurisdiction, "rows": len(rows),
            "binding_rows": int(binding[rows].sum()),
            "objective_with_ldn": objective, "objective_without": without,
            "price_of_neutrality": _clean(sign * (objective - without), objective) if solved.is_optimal else np.nan,
            "shadow_price_sum": float(duals[rows].sum()),
            "status": solved.status.value,
        })
        if solved.status is not SolveStatus.OPTIMAL:
            logger.warning("price of neutrality: re-solve without %s %s: %s", land_type, jurisdiction, solved.message)
    return pd.DataFrame(records, columns=PRICE_COLUMNS)


def _clean(difference: float, objective: float) -> float:
    """Round-off of two solves (|d| below 1e-9 of the objective) is no price: report 0."""
    return 0.0 if abs(difference) <= 1e-9 * max(1.0, abs(objective)) else difference
