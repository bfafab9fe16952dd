"""The objective (O-OBJ)."""

from __future__ import annotations

from lup_opt.data.model_data import ModelData
from lup_opt.model.families import implements
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import LPBuilder
from lup_opt.model.shares import SHARE_SHORTFALL, share_shortfall_layout
from lup_opt.model.targets import SHORTFALL, shortfall_layout


@implements("O-OBJ")
def set_objective(lp: LPBuilder, data: ModelData) -> None:
    """O-OBJ: min or max sum_m (w_m / scale_m) I[i_m,S_m](x)  +/- sum_k pi_k s_k.

    Penalties pi (objective units per indicator unit) of soft-target shortfalls are added to a
    minimised objective and subtracted from a maximised one, so a shortfall always costs.
    """
    objective = data.objective
    lp.add_cost(AREA, objective.area_coefficients)
    sign = objective.penalty_sign
    lp.add_cost(SHORTFALL, sign * shortfall_layout(data)["penalty"].to_numpy(dtype=float))
    lp.add_cost(SHARE_SHORTFALL, sign * share_shortfall_layout(data)["penalty"].to_numpy(dtype=float))
