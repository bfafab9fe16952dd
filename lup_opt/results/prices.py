"""What every family's priced rows share: the range in which a shadow price holds, and the
plan's indicator values (for rows whose activity is not the row value itself)."""

from __future__ import annotations

import numpy as np

from lup_opt.data.model_data import ModelData
from lup_opt.model.lp import LinearProgram
from lup_opt.results.indicators import PlanValues
from lup_opt.solve.options import Solution


def ranges(solution: Solution, rows: slice, n: int) -> dict[str, np.ndarray]:
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


def plan_values(lp: LinearProgram, data: ModelData, solution: Solution) -> PlanValues:
    return PlanValues.of(data, {b.name: solution.col_values[b.slice] for b in lp.variables})
