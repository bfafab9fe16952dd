"""The objective (O-OBJ)."""

from __future__ import annotations

import numpy as np

from lup_opt.data.linkages import NO_WORK
from lup_opt.data.model_data import ModelData
from lup_opt.model.families import implements
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import LPBuilder
from lup_opt.model.shares import SHARE_SHORTFALL, share_shortfall_layout
from lup_opt.model.targets import SHORTFALL, shortfall_layout


@implements("O-OBJ")
def set_objective(lp: LPBuilder, data: ModelData) -> None:
    """O-OBJ: min or max sum_m (w_m / scale_m) sum_{t in T_m} I[i_m,S_m,t](x,f,m,e,phi,u)
    +/- sum_k pi_k s_k +/- pi_u sum_{j,t} u[j,t].

    Each term sums its indicator over its years (every planning year by default), including
    the non-land variables' contributions (E-IND). Penalties pi (objective units per indicator
    unit) of soft-target shortfalls and of people without work are added to a minimised
    objective and subtracted from a maximised one, so they always cost.
    """
    objective = data.objective
    for t in range(len(data.dims.periods)):
        lp.add_cost(AREA, objective.area_by_period[t], period=t)
    for block, costs in objective.extra_costs.items():
        lp.add_cost(block, costs)
    sign = objective.penalty_sign
    lp.add_cost(SHORTFALL, sign * shortfall_layout(data)["penalty"].to_numpy(dtype=float))
    lp.add_cost(SHARE_SHORTFALL, sign * share_shortfall_layout(data)["penalty"].to_numpy(dtype=float))
    work = data.livelihoods
    if work is not None and work.penalty:
        lp.add_cost(NO_WORK, np.full(lp.variables(NO_WORK).size, sign * work.penalty))
