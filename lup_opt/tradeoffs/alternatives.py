"""Near-optimal alternatives: plans within a slack of the optimal objective that differ as much as
possible from the optimum and from each other (``models/formulation.md``, "Alternatives").

Hop-skip-jump (Brill et al. 1982): with the objective held within the slack, each new plan
minimises the area it puts where earlier plans put theirs, measured per jurisdiction and use at
the last planning year and weighted by the share of the jurisdiction's land that the earlier
plans gave it. A plan that
repeats an earlier one ends the search: fewer than the alternatives asked for are then reported,
because no other plan differs within the slack. Jurisdictions can negotiate among plans that all
cost about the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.model_data import ModelData
from lup_opt.enums import ObjectiveSense
from lup_opt.errors import LupOptError
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import LinearProgram
from lup_opt.solve.options import SolverOptions
from lup_opt.solve.session import WarmSession

FORMULATION_IDS = ("T-HSJ",)  # models/formulation.md sections this module implements

SAME_PLAN_HA = 1e-6  # plans closer than this (ha reallocated, relative to the area) are the same


@dataclass(frozen=True)
class Alternatives:
    slack: float
    optimum: float
    plans: tuple[np.ndarray, ...]  # the optimum first, then the alternatives
    summary: pd.DataFrame  # plan, objective, above_optimum, reallocated_vs_optimum_ha, closest_other_ha
    allocation: pd.DataFrame  # jurisdiction, use, one column of ha per plan
    seconds: pd.DataFrame


def _groups(data: ModelData, lp: LinearProgram) -> tuple[sp.csr_matrix, pd.DataFrame]:
    """(jurisdiction x use groups) x LP columns: area each plan puts in each group at the last year."""
    dims, cols = data.dims, data.columns
    n_uses = len(dims.uses)
    key = data.units.jurisdiction[cols.unit].astype(np.int64) * n_uses + cols.use_in(len(dims.periods) - 1)
    present, group = np.unique(key, return_inverse=True)
    offset = lp.variable(AREA).offset
    matrix = sp.csr_matrix((np.ones(cols.size), (group, offset + np.arange(cols.size))),
                           shape=(len(present), lp.num_cols))
    labels = pd.DataFrame({"jurisdiction": np.asarray(dims.jurisdictions, dtype=object)[present // n_uses],
                           "use": np.asarray(dims.uses, dtype=object)[present % n_uses]})
    return matrix, labels


def near_optimal_alternatives(data: ModelData, lp: LinearProgram, slack: float = 0.05, count: int = 3,
                              options: SolverOptions | None = None) -> Alternatives:
    if slack <= 0:
        raise LupOptError("slack must be positive: the share by which an alternative may be worse (0.05: 5 %)")
    if count < 1:
        raise LupOptError("ask for at least one alternative")
    session = WarmSession(lp, options)
    session.set_objective(lp.cost, lp.sense)
    first = session.solve()
    if not first.is_optimal:
        raise LupOptError(f"the scenario has no optimal plan ({first.status.value}: {first.message}); "
                          "run 'lup-opt explain' to see why")
    optimum = float(lp.cost @ first.values + lp.objective_offset)
    allowance = slack * max(abs(optimum), 1e-9)
    bound = optimum - lp.objective_offset
    if lp.sense is ObjectiveSense.MINIMIZE:
        session.add_row(lp.cost, -np.inf, bound + allowance)
    else:
        session.add_row(lp.cost, bound - allowance, np.inf)
    groups, labels = _groups(data, lp)
    area = float(data.parts.area.sum())
    same = SAME_PLAN_HA * max(area, 1.0)
    jurisdiction_area = pd.Series(groups @ first.values).groupby(labels["jurisdiction"].to_numpy()).transform("sum")
    share_of = np.where(jurisdiction_area.to_numpy() > 0, 1.0 / jurisdiction_area.to_numpy(), 0.0)
    plans, timing = [first.values], [{"plan": 0, "seconds": first.seconds, "warm": first.warm}]
    weights = np.zeros(len(labels))
    for k in range(1, count + 1):
        # Hop-skip-jump: each (jurisdiction, use) weighs the share of the jurisdiction's land the
        # earlier plans gave it, so the new plan moves land to what they used least.
        weights += (groups @ plans[-1]) * share_of
        # Only the objective changes: the last plan is within the slack, so primal simplex starts
        # from its basis (default scenario: 0.5-0.8 s per plan against 2.5-3.0 s solved afresh).
        session.set_objective(groups.T @ weights, ObjectiveSense.MINIMIZE, from_last_plan=True)
        solved = session.solve()
        timing.append({"plan": k, "seconds": solved.seconds, "warm": solved.warm})
        if not solved.is_optimal:
            break
        found = groups @ solved.values
        if min(np.abs(found - groups @ x).sum() / 2 for x in plans) <= same:
            break  # nothing new within the slack: every further plan would repeat one
        plans.append(solved.values)
    aggregated = [groups @ x for x in plans]
    records = []
    for k, (x, y) in enumerate(zip(plans, aggregated, strict=True)):
        value = float(lp.cost @ x + lp.objective_offset)
        others = [np.abs(y - z).sum() / 2 for j, z in enumerate(aggregated) if j != k]
        records.append({
            "plan": "optimum" if k == 0 else f"alternative {k}", "objective": value,
            "above_optimum": abs(value - optimum) / max(abs(optimum), 1e-9),
            "reallocated_vs_optimum_ha": float(np.abs(y - aggregated[0]).sum() / 2),
            "closest_other_ha": float(min(others)) if others else np.nan,
        })
    allocation = labels.copy()
    for record, y in zip(records, aggregated, strict=True):
        allocation[record["plan"]] = y
    return Alternatives(slack, optimum, tuple(plans), pd.DataFrame(records), allocation, pd.DataFrame(timing))
