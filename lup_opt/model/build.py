"""Model data -> linear program, by a readable sequence of small steps.

Each step adds one variable or constraint family; its docstring holds the math and its
formulation ID matches ``models/formulation.md``.
"""

from __future__ import annotations

import logging
from time import perf_counter

from lup_opt.data.model_data import ModelData
from lup_opt.model.dynamics import add_conversion_limits
from lup_opt.model.finance import add_finance_variables, add_financed_costs, add_funds
from lup_opt.model.food import add_food_balance, add_food_variables
from lup_opt.model.land_balance import add_area_conservation, add_area_variables
from lup_opt.model.ldn import add_fewest_losses, add_ldn_neutrality
from lup_opt.model.livelihoods import add_without_work, add_work
from lup_opt.model.lp import LinearProgram, LPBuilder
from lup_opt.model.objective import set_objective
from lup_opt.model.shares import (
    add_common_share_variables,
    add_equal_share_targets,
    add_share_shortfall_variables,
    add_share_targets,
)
from lup_opt.model.targets import (
    add_hard_targets,
    add_shortfall_variables,
    add_soft_targets,
)

logger = logging.getLogger(__name__)

# Variables first (constraints refer to them), then constraints, then the objective.
BUILD_STEPS = (
    add_area_variables,
    add_food_variables,
    add_finance_variables,
    add_without_work,
    add_shortfall_variables,
    add_share_shortfall_variables,
    add_common_share_variables,
    add_area_conservation,
    add_conversion_limits,
    add_hard_targets,
    add_soft_targets,
    add_share_targets,
    add_equal_share_targets,
    add_ldn_neutrality,
    add_fewest_losses,
    add_food_balance,
    add_financed_costs,
    add_funds,
    add_work,
    set_objective,
)


def formulation_ids() -> set[str]:
    """Every formulation ID the build implements (checked against models/formulation.md)."""
    return {fid for step in BUILD_STEPS for fid in step.formulation_ids}


def build_lp(data: ModelData) -> LinearProgram:
    start = perf_counter()
    lp = LPBuilder(data.scenario_name, data.objective.sense)
    for step in BUILD_STEPS:
        step(lp, data)
    program = lp.freeze()
    logger.info(
        "LP: %d rows, %d columns, %d non-zeros in %.2f s",
        program.num_rows, program.num_cols, program.num_nonzeros, perf_counter() - start,
    )
    return program
